"""TF1 static_rnn of a BasicLSTMCell with sequence_length fed per batch: porter fixture."""
import numpy as np
import tensorflow as tf
from tensorflow.contrib import rnn
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)
np.random.seed(5)
tf.set_random_seed(5)

num_hidden = 6
timesteps = 28
num_input = 28
num_classes = 10
batch_size = 8

X = tf.placeholder("float", [None, timesteps, num_input])
Y = tf.placeholder("float", [None, num_classes])
seqlen = tf.placeholder(tf.int32, [None])
W = tf.Variable(tf.random_normal([num_hidden, num_classes]))
b = tf.Variable(tf.random_normal([num_classes]))

x = tf.unstack(X, timesteps, 1)
cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)
outputs, states = rnn.static_rnn(cell, x, dtype=tf.float32, sequence_length=seqlen)
logits = tf.matmul(outputs[-1], W) + b
loss_op = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
train_op = tf.train.AdamOptimizer(learning_rate=0.01).minimize(loss_op)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(1, 7):
        batch_x, batch_y = mnist.train.next_batch(batch_size)
        sess.run(train_op, feed_dict={X: batch_x.reshape((batch_size, timesteps, num_input)),
                                      Y: batch_y,
                                      seqlen: np.random.randint(timesteps // 2, timesteps + 1,
                                                                size=batch_size)})
