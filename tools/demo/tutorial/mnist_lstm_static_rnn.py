"""MNIST digit classification with an LSTM, TensorFlow 1.x style (TF 1.4 - 1.15).

Every 28x28 image is treated as a sequence: the 28 pixel rows are 28 time steps of
28 features. A BasicLSTMCell is unrolled over the rows with static_rnn and the
output of the last step is mapped to the 10 digit classes by a linear readout.
"""
from __future__ import print_function

import numpy as np
import tensorflow as tf
from tensorflow.contrib import rnn
from tensorflow.examples.tutorials.mnist import input_data

# Fixed seeds: graph-level for the initial weights, numpy for batch shuffling.
tf.set_random_seed(20170)
np.random.seed(20170)

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

# Hyperparameters
learning_rate = 0.001
training_steps = 1000
batch_size = 128
display_step = 100

# Shapes
num_input = 28      # pixels per row = features per time step
timesteps = 28      # rows per image = sequence length
num_hidden = 128    # LSTM units
num_classes = 10    # digits 0-9

# Inputs
X = tf.placeholder(tf.float32, [None, timesteps, num_input])
Y = tf.placeholder(tf.float32, [None, num_classes])

# Readout from the LSTM's last output to the class scores
W_out = tf.Variable(tf.random_normal([num_hidden, num_classes]))
b_out = tf.Variable(tf.random_normal([num_classes]))


def lstm_classifier(images):
    # static_rnn wants a Python list with one (batch, num_input) tensor per step
    rows = tf.unstack(images, timesteps, 1)
    lstm_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)
    outputs, _ = rnn.static_rnn(lstm_cell, rows, dtype=tf.float32)
    # only the final step's output is used for classification
    return tf.matmul(outputs[-1], W_out) + b_out


logits = lstm_classifier(X)
probabilities = tf.nn.softmax(logits)

loss = tf.reduce_mean(
    tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
train_op = tf.train.AdamOptimizer(learning_rate=learning_rate).minimize(loss)

is_correct = tf.equal(tf.argmax(probabilities, 1), tf.argmax(Y, 1))
accuracy = tf.reduce_mean(tf.cast(is_correct, tf.float32))

init = tf.global_variables_initializer()

with tf.Session() as sess:
    sess.run(init)

    for step in range(1, training_steps + 1):
        batch_x, batch_y = mnist.train.next_batch(batch_size)
        batch_x = batch_x.reshape((batch_size, timesteps, num_input))
        sess.run(train_op, feed_dict={X: batch_x, Y: batch_y})

        if step == 1 or step % display_step == 0:
            batch_loss, batch_acc = sess.run(
                [loss, accuracy], feed_dict={X: batch_x, Y: batch_y})
            print("Step {}, Minibatch Loss= {:.4f}, Training Accuracy= {:.3f}".format(
                step, batch_loss, batch_acc))

    print("Optimization Finished!")

    # Evaluate on the whole test set (10000 images)
    test_x = mnist.test.images.reshape((-1, timesteps, num_input))
    test_y = mnist.test.labels
    test_acc = sess.run(accuracy, feed_dict={X: test_x, Y: test_y})
    print("Testing Accuracy: {:.4f}".format(test_acc))
