"""TF1 LSTMCell with peepholes, clipping and a projection, run by dynamic_rnn: porter fixture."""
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)
n_steps, n_input, n_hidden, n_proj, n_classes = 28, 28, 7, 4, 10
batch_size = 8

x = tf.placeholder(tf.float32, [None, 28, 28])
y = tf.placeholder(tf.float32, [None, 10])
W = tf.Variable(tf.random_normal([4, 10]))
b = tf.Variable(tf.random_normal([10]))

cell = tf.nn.rnn_cell.LSTMCell(7, use_peepholes=True, cell_clip=3.0, num_proj=4,
                               forget_bias=1.0, state_is_tuple=True)
outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
logits = tf.matmul(outputs[:, -1, :], W) + b
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
train = tf.train.AdamOptimizer(0.002, beta1=0.8).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(3):
        bx, by = mnist.train.next_batch(batch_size)
        sess.run(train, {x: bx.reshape((batch_size, 28, 28)), y: by})
