# pairs: LSTMCell with peepholes, clipping, projection; dynamic_rnn; readout outputs[-1] @ W + b
# imports: import tensorflow as tff; tf.nn.rnn_cell
"""LSTM with peepholes, cell clipping and a projection layer, dynamic_rnn (TF 1.4, 2017)."""
from __future__ import print_function

import numpy as np
import tensorflow as tff
from tensorflow.examples.tutorials.mnist import input_data

tff.set_random_seed(13)
np.random.seed(13)

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

learning_rate = 0.01
training_steps = 20
batch_size = 32
display_step = 10

num_input = 28
timesteps = 28
num_hidden = 8
num_proj = 6
num_classes = 10

X = tff.placeholder(tff.float32, [None, timesteps, num_input])
Y = tff.placeholder(tff.float32, [None, num_classes])

W = tff.Variable(tff.random_normal([num_proj, num_classes]))
b = tff.Variable(tff.random_normal([num_classes]))

cell = tff.nn.rnn_cell.LSTMCell(num_hidden, use_peepholes=True, cell_clip=2.0, num_proj=num_proj)
outputs, state = tff.nn.dynamic_rnn(cell, X, dtype=tff.float32)
logits = tff.matmul(outputs[:, -1, :], W) + b

loss_op = tff.reduce_mean(tff.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
train_op = tff.train.AdamOptimizer(learning_rate=learning_rate).minimize(loss_op)
correct_pred = tff.equal(tff.argmax(logits, 1), tff.argmax(Y, 1))
accuracy = tff.reduce_mean(tff.cast(correct_pred, tff.float32))

with tff.Session() as sess:
    sess.run(tff.global_variables_initializer())
    for step in range(1, training_steps + 1):
        batch_x, batch_y = mnist.train.next_batch(batch_size)
        batch_x = batch_x.reshape((batch_size, timesteps, num_input))
        _, loss = sess.run([train_op, loss_op], feed_dict={X: batch_x, Y: batch_y})
        if step % display_step == 0:
            print("Step %d, Minibatch Loss= %.4f" % (step, loss))
    test_data = mnist.test.images[:256].reshape((-1, timesteps, num_input))
    print("Testing Accuracy:", sess.run(accuracy, feed_dict={X: test_data,
                                                            Y: mnist.test.labels[:256]}))
