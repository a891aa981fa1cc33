# pairs: LSTMCell; dynamic_rnn; sequence_length
# imports: import tensorflow as tf; tf.contrib.rnn
"""Variable-length sequences with dynamic_rnn(sequence_length=...) (TF 1.1, 2017)."""
from __future__ import print_function

import numpy as np
import tensorflow as tf

tf.set_random_seed(18)
rng = np.random.RandomState(18)

max_len, n_input, n_hidden = 6, 2, 5
lengths = rng.randint(2, max_len + 1, size=48).astype(np.int32)
data_x = rng.randn(48, max_len, n_input).astype(np.float32)
for i, n in enumerate(lengths):
    data_x[i, n:] = 0.0
data_y = np.array([data_x[i, :n].sum() for i, n in enumerate(lengths)], np.float32)[:, None]

x = tf.placeholder(tf.float32, [None, max_len, n_input])
y = tf.placeholder(tf.float32, [None, 1])
seqlen = tf.placeholder(tf.int32, [None])
cell = tf.contrib.rnn.LSTMCell(n_hidden)
outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=seqlen, dtype=tf.float32)
w = tf.Variable(tf.random_normal([n_hidden, 1]))
pred = tf.matmul(state.h, w)
cost = tf.reduce_mean(tf.square(pred - y))
train_op = tf.train.AdamOptimizer(0.05).minimize(cost)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(25):
        loss, _ = sess.run([cost, train_op], feed_dict={x: data_x, y: data_y, seqlen: lengths})
        if step % 5 == 0:
            print("step %d mse %.5f" % (step, loss))
    print("Final loss: %.5f" % sess.run(cost, feed_dict={x: data_x, y: data_y, seqlen: lengths}))
