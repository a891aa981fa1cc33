# Ported from examples/tf1/mnist_lstm_0x_spellings.py by swapping its two import lines only:
#   import tensorflow as tf  ->  import legacy_compat.v1 as tf
#   from tensorflow.examples.tutorials.mnist import input_data  ->
#       from legacy_compat.examples.tutorials.mnist import input_data
# Every other line is unchanged (tests/legacy_compat/test_legacy_programs.py checks this).
"""MNIST with an LSTM, written against TensorFlow 0.12 (late 2016).

Uses that era's spellings: tf.nn.rnn_cell.BasicLSTMCell and tf.nn.rnn (which became
tf.contrib.rnn.static_rnn in 1.0), tf.split(split_dim, num_split, value) (argument
order reversed in 1.0), positional softmax_cross_entropy_with_logits(logits, labels)
(keyword-only since 1.0) and tf.initialize_all_variables (deprecated in 0.12).
Image rows are time steps: 28 steps of 28 pixels.
"""
import numpy as np
import legacy_compat.v1 as tf
from legacy_compat.examples.tutorials.mnist import input_data

tf.set_random_seed(1612)
np.random.seed(1612)

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

# Training settings
learning_rate = 0.001
training_iters = 128000     # number of training examples to draw
batch_size = 128
display_step = 100

# Model sizes
n_input = 28
n_steps = 28
n_hidden = 128
n_classes = 10

x = tf.placeholder("float", [None, n_steps, n_input])
y = tf.placeholder("float", [None, n_classes])

out_w = tf.Variable(tf.random_normal([n_hidden, n_classes]))
out_b = tf.Variable(tf.random_normal([n_classes]))


def lstm_net(x):
    # (batch, steps, input) -> list of n_steps tensors of shape (batch, input)
    x = tf.transpose(x, [1, 0, 2])
    x = tf.reshape(x, [-1, n_input])
    x = tf.split(0, n_steps, x)

    cell = tf.nn.rnn_cell.BasicLSTMCell(n_hidden, forget_bias=1.0)
    outputs, state = tf.nn.rnn(cell, x, dtype=tf.float32)

    return tf.matmul(outputs[-1], out_w) + out_b


pred = lstm_net(x)

cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(pred, y))
optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost)

correct = tf.equal(tf.argmax(pred, 1), tf.argmax(y, 1))
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

init = tf.initialize_all_variables()

with tf.Session() as sess:
    sess.run(init)
    step = 1
    while step * batch_size <= training_iters:
        batch_x, batch_y = mnist.train.next_batch(batch_size)
        batch_x = batch_x.reshape((batch_size, n_steps, n_input))
        sess.run(optimizer, feed_dict={x: batch_x, y: batch_y})
        if step == 1 or step % display_step == 0:
            loss, acc = sess.run([cost, accuracy], feed_dict={x: batch_x, y: batch_y})
            print("Iter " + str(step * batch_size) + ", Minibatch Loss= " +
                  "{:.6f}".format(loss) + ", Training Accuracy= " +
                  "{:.5f}".format(acc))
        step += 1
    print("Optimization Finished!")

    test_x = mnist.test.images.reshape((-1, n_steps, n_input))
    test_y = mnist.test.labels
    print("Testing Accuracy: " + "{:.4f}".format(
        sess.run(accuracy, feed_dict={x: test_x, y: test_y})))
