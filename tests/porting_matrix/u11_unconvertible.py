# pairs: BasicLSTMCell; dynamic_rnn
# imports: import tensorflow as tf; tf.contrib.layers; tf.contrib.legacy_seq2seq
# unconvertible: tf.contrib.layers.fully_connected, tf.contrib.legacy_seq2seq (in a helper never called)
"""A 2017 seq2seq-era script: the RNN part runs; the decoder helper uses contrib modules."""
from __future__ import print_function

import numpy as np
import tensorflow as tf

tf.set_random_seed(21)
rng = np.random.RandomState(21)


def unused_decoder(enc_inputs, dec_inputs, cell):
    outputs, _ = tf.contrib.legacy_seq2seq.basic_rnn_seq2seq(enc_inputs, dec_inputs, cell)
    return tf.contrib.layers.fully_connected(outputs[-1], 10)


data = rng.randn(16, 4, 3).astype(np.float32)
x = tf.placeholder(tf.float32, [None, 4, 3])
cell = tf.contrib.rnn.BasicLSTMCell(4)
outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
loss = tf.reduce_mean(tf.square(outputs))
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(10):
        value, _ = sess.run([loss, train_op], feed_dict={x: data})
    print("Final loss: %.5f" % value)
