"""A TF1 program with constructs the Keras port does not handle: porter fixture."""
import tensorflow as tf
from tensorflow.contrib import rnn
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)
n_hidden = 8
n_steps = 28
n_input = 28
n_classes = 10
batch_size = 16

x = tf.placeholder(tf.float32, [None, n_steps, n_input])
y = tf.placeholder(tf.float32, [None, n_classes])
W = tf.Variable(tf.random_normal([n_hidden, n_classes]))
b = tf.Variable(tf.random_normal([n_classes]))

cell = rnn.BasicLSTMCell(n_hidden)
stack = rnn.MultiRNNCell([cell] * 2)
outputs, _ = rnn.static_rnn(stack, tf.unstack(x, n_steps, 1), dtype=tf.float32)
logits = tf.matmul(outputs[-1], W) + b
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=y))
optimizer = tf.train.AdamOptimizer(learning_rate=0.001)
grads, variables = zip(*optimizer.compute_gradients(loss))
grads, _ = tf.clip_by_global_norm(grads, 5.0)
train_op = optimizer.apply_gradients(zip(grads, variables))
tf.summary.scalar("loss", loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(1, 11):
        batch_x, batch_y = mnist.train.next_batch(batch_size)
        sess.run(train_op, feed_dict={x: batch_x.reshape((-1, n_steps, n_input)), y: batch_y})
