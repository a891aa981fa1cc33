"""TF1 MultiRNNCell of LSTMCells (list comprehension) with DropoutWrapper: porter fixture."""
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

batch_size = 16
steps = 10
input_size = 28
rows = 28
hidden = 6
classes = 10

x = tf.placeholder(tf.float32, [None, rows, input_size])
y = tf.placeholder(tf.float32, [None, classes])
w = tf.Variable(tf.random_normal([hidden, classes]))
b = tf.Variable(tf.random_normal([classes]))

cells = tf.contrib.rnn.MultiRNNCell([
    tf.contrib.rnn.DropoutWrapper(tf.contrib.rnn.LSTMCell(hidden, forget_bias=0.5),
                                  output_keep_prob=0.8)
    for _ in range(2)])
outputs, _ = tf.contrib.rnn.static_rnn(cells, tf.unstack(x, rows, 1), dtype=tf.float32)
logits = tf.matmul(outputs[-1], w) + b
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
train = tf.train.RMSPropOptimizer(0.001).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(steps):
        bx, by = mnist.train.next_batch(batch_size)
        sess.run(train, {x: bx.reshape((batch_size, rows, input_size)), y: by})
