"""TF1 bidirectional_dynamic_rnn of BasicLSTMCells, sequence_length fed per batch, readout
on the last step of tf.concat(outputs, 2): porter fixture."""
import numpy as np
import tensorflow as tf
from tensorflow.contrib import rnn
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)
num_hidden = 5
timesteps = 28
num_input = 28
num_classes = 10
batch_size = 8

X = tf.placeholder("float", [None, timesteps, num_input])
Y = tf.placeholder("float", [None, num_classes])
seqlen = tf.placeholder(tf.int32, [None])
weights = {'out': tf.Variable(tf.random_normal([2 * num_hidden, num_classes]))}
biases = {'out': tf.Variable(tf.random_normal([num_classes]))}

fw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)
bw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)
outputs, _ = tf.nn.bidirectional_dynamic_rnn(fw_cell, bw_cell, X, sequence_length=seqlen,
                                             dtype=tf.float32)
outputs = tf.concat(outputs, 2)
last = outputs[:, -1, :]
logits = tf.matmul(last, weights['out']) + biases['out']
loss_op = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
train_op = tf.train.GradientDescentOptimizer(learning_rate=0.1).minimize(loss_op)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(1, 6):
        batch_x, batch_y = mnist.train.next_batch(batch_size)
        sess.run(train_op, feed_dict={X: batch_x.reshape((batch_size, timesteps, num_input)),
                                      Y: batch_y, seqlen: np.full(batch_size, timesteps)})
