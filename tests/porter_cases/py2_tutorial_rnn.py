# A 2016-style TensorFlow 0.10 tutorial, Python 2: print statements, xrange,
# dict.iteritems, tf.split(0, ...), tf.nn.rnn and positional cross-entropy.
# RNN_MIGRATE_STEPS in the environment sets the number of training steps.
import os
import numpy as np
import tensorflow as tf
from tensorflow.models.rnn import rnn_cell

np.random.seed(2016)
tf.set_random_seed(2016)

n_steps, n_input, n_hidden, n_classes = 4, 3, 8, 2
batch_size = 16
training_steps = int(os.environ.get("RNN_MIGRATE_STEPS", "2000"))
settings = {"steps": training_steps, "batch": batch_size}
for key, value in sorted(settings.iteritems()):
    print "%s = %d" % (key, value)

# Toy data: is the sum of the sequence positive?
data_x = np.random.randn(64, n_steps, n_input).astype(np.float32)
data_y = np.eye(n_classes)[(data_x.sum(axis=(1, 2)) > 0).astype(int)].astype(np.float32)

x = tf.placeholder(tf.float32, [None, n_steps, n_input])
y = tf.placeholder(tf.float32, [None, n_classes])
w = tf.Variable(tf.random_normal([n_hidden, n_classes]))
b = tf.Variable(tf.zeros([n_classes]))

inputs = tf.transpose(x, [1, 0, 2])
inputs = tf.reshape(inputs, [-1, n_input])
inputs = tf.split(0, n_steps, inputs)
cell = rnn_cell.BasicLSTMCell(n_hidden, forget_bias=1.0)
outputs, state = tf.nn.rnn(cell, inputs, dtype=tf.float32)
logits = tf.matmul(outputs[-1], w) + b
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits, y))
train_op = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
correct = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

sess = tf.Session()
sess.run(tf.initialize_all_variables())
total = 0.0
for step in xrange(training_steps):
    start = (step * batch_size) % len(data_x)
    feed = {x: data_x[start:start + batch_size], y: data_y[start:start + batch_size]}
    loss, _ = sess.run([cost, train_op], feed_dict=feed)
    total += loss
try:
    acc = sess.run(accuracy, feed_dict={x: data_x, y: data_y})
except ValueError, e:
    print "evaluation failed:", e
    raise
print "mean loss %.4f" % (total / training_steps)
print "accuracy", acc
print "done"
