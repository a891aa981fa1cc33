# pairs: GRUCell; LSTMCell; MultiRNNCell; DropoutWrapper; static_rnn; readout outputs[-1] @ W + b
# imports: import tensorflow as tf; tf.nn.rnn_cell
"""Two-layer GRU + LSTM with dropout, tf.nn.rnn_cell / tf.nn.static_rnn (TF 1.2+, 2018)."""
from __future__ import print_function

import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

tf.set_random_seed(14)
np.random.seed(14)

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

learning_rate = 0.5
training_steps = 20
batch_size = 32
display_step = 10

num_input = 28
timesteps = 28
num_hidden = 8
num_classes = 10

X = tf.placeholder(tf.float32, [None, timesteps, num_input])
Y = tf.placeholder(tf.float32, [None, num_classes])

weights = {'out': tf.Variable(tf.random_normal([num_hidden, num_classes]))}
biases = {'out': tf.Variable(tf.random_normal([num_classes]))}

x = tf.unstack(X, timesteps, 1)
cells = [tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.GRUCell(num_hidden), output_keep_prob=0.9),
         tf.nn.rnn_cell.LSTMCell(num_hidden, forget_bias=1.0)]
stack = tf.nn.rnn_cell.MultiRNNCell(cells)
outputs, states = tf.nn.static_rnn(stack, x, dtype=tf.float32)
logits = tf.matmul(outputs[-1], weights['out']) + biases['out']

loss_op = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
train_op = tf.train.GradientDescentOptimizer(learning_rate=learning_rate).minimize(loss_op)
correct_pred = tf.equal(tf.argmax(logits, 1), tf.argmax(Y, 1))
accuracy = tf.reduce_mean(tf.cast(correct_pred, tf.float32))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(1, training_steps + 1):
        batch_x, batch_y = mnist.train.next_batch(batch_size)
        batch_x = batch_x.reshape((batch_size, timesteps, num_input))
        _, loss = sess.run([train_op, loss_op], feed_dict={X: batch_x, Y: batch_y})
        if step % display_step == 0:
            print("Step %d, Minibatch Loss= %.4f" % (step, loss))
    test_data = mnist.test.images[:256].reshape((-1, timesteps, num_input))
    print("Testing Accuracy:", sess.run(accuracy, feed_dict={X: test_data,
                                                            Y: mnist.test.labels[:256]}))
