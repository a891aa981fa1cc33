# pairs: GRUCell; bidirectional_dynamic_rnn
# imports: import tensorflow as tf; from tensorflow.python.ops import rnn, rnn_cell
# spellings: tf.concat(2, ...), tf.pack
"""Bidirectional dynamic GRU on toy sequences, 0.12-style imports (late 2016)."""
from __future__ import print_function

import numpy as np
import tensorflow as tf
from tensorflow.python.ops import rnn, rnn_cell

tf.set_random_seed(17)
rng = np.random.RandomState(17)

n_steps, n_input, n_hidden, n_classes = 5, 3, 4, 2
data_x = rng.randn(64, n_steps, n_input).astype(np.float32)
data_y = np.eye(n_classes)[(data_x[:, :, 0].sum(axis=1) > 0).astype(int)].astype(np.float32)

x = tf.placeholder(tf.float32, [None, n_steps, n_input])
y = tf.placeholder(tf.float32, [None, n_classes])
cell_fw = rnn_cell.GRUCell(n_hidden)
cell_bw = rnn_cell.GRUCell(n_hidden)
(out_fw, out_bw), states = rnn.bidirectional_dynamic_rnn(cell_fw, cell_bw, x, dtype=tf.float32)
outputs = tf.concat(2, [out_fw, out_bw])
last = tf.pack([outputs[:, -1, :]])[0]
w = tf.Variable(tf.random_normal([2 * n_hidden, n_classes]))
b = tf.Variable(tf.zeros([n_classes]))
logits = tf.matmul(last, w) + b
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
train_op = tf.train.GradientDescentOptimizer(0.5).minimize(cost)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(30):
        start = (step * 16) % 64
        feed = {x: data_x[start:start + 16], y: data_y[start:start + 16]}
        loss, _ = sess.run([cost, train_op], feed_dict=feed)
        if step % 10 == 0:
            print("step %d loss %.5f" % (step, loss))
    print("Final loss: %.5f" % sess.run(cost, feed_dict={x: data_x, y: data_y}))
