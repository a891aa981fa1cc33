"""TF 0.12-style GRU with dynamic_rnn, SGD and a while loop: porter fixture."""
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

tf.set_random_seed(3)
np.random.seed(4)

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

learning_rate = 0.5
training_iters = 32 * 30
batch_size = 32
display_step = 10

n_input = 28
n_steps = 28
n_hidden = 12
n_classes = 10

x = tf.placeholder("float", [None, n_steps, n_input])
y = tf.placeholder("float", [None, n_classes])

out_w = tf.Variable(tf.random_normal([n_hidden, n_classes], stddev=0.5))
out_b = tf.Variable(tf.random_normal([n_classes], stddev=0.5))

cell = tf.nn.rnn_cell.GRUCell(n_hidden)
outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
pred = tf.matmul(outputs[:, -1, :], out_w) + out_b

cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(pred, y))
optimizer = tf.train.GradientDescentOptimizer(learning_rate).minimize(cost)
correct = tf.equal(tf.argmax(pred, 1), tf.argmax(y, 1))
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
init = tf.initialize_all_variables()

with tf.Session() as sess:
    sess.run(init)
    step = 1
    while step * batch_size < training_iters:
        batch_x, batch_y = mnist.train.next_batch(batch_size)
        batch_x = batch_x.reshape((batch_size, n_steps, n_input))
        sess.run(optimizer, feed_dict={x: batch_x, y: batch_y})
        if step % display_step == 0:
            loss, acc = sess.run([cost, accuracy], feed_dict={x: batch_x, y: batch_y})
            print("Iter " + str(step * batch_size) + ", Minibatch Loss= " +
                  "{:.6f}".format(loss) + ", Training Accuracy= " + "{:.5f}".format(acc))
        step += 1
    print("Testing Accuracy:", sess.run(accuracy, feed_dict={
        x: mnist.test.images.reshape((-1, n_steps, n_input)), y: mnist.test.labels}))
