"""TF1 dynamic_rnn of a GRUCell with sequence_length fed per batch: porter fixture."""
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

hidden = 7
steps = 28
inputs = 28
classes = 10
batch = 16

x = tf.placeholder(tf.float32, [None, steps, inputs])
y = tf.placeholder(tf.float32, [None, classes])
lengths = tf.placeholder(tf.int32, [None])
w = tf.Variable(tf.random_normal([hidden, classes], stddev=0.1))
bias = tf.Variable(tf.random_normal([classes], stddev=0.1))

cell = tf.nn.rnn_cell.GRUCell(hidden)
outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
logits = tf.matmul(outputs[:, -1, :], w) + bias
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(4):
        bx, by = mnist.train.next_batch(batch)
        sess.run(train, {x: bx.reshape((batch, steps, inputs)), y: by,
                         lengths: [steps - i] * batch})
