"""TF1 static_rnn of a DropoutWrapper(BasicLSTMCell) whose output_keep_prob is a
placeholder fed 0.75 in training and 1.0 at test: porter fixture."""
import tensorflow as tf
from tensorflow.contrib import rnn
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)
tf.set_random_seed(11)

num_hidden = 8
timesteps = 28
num_input = 28
num_classes = 10
batch_size = 16
display_step = 2

X = tf.placeholder("float", [None, timesteps, num_input])
Y = tf.placeholder("float", [None, num_classes])
keep_prob = tf.placeholder(tf.float32)
W = tf.Variable(tf.random_normal([num_hidden, num_classes]))
b = tf.Variable(tf.random_normal([num_classes]))

x = tf.unstack(X, timesteps, 1)
cell = rnn.DropoutWrapper(rnn.BasicLSTMCell(num_hidden, forget_bias=1.0),
                          output_keep_prob=keep_prob)
outputs, states = rnn.static_rnn(cell, x, dtype=tf.float32)
logits = tf.matmul(outputs[-1], W) + b
loss_op = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=Y))
train_op = tf.train.AdamOptimizer(learning_rate=0.01).minimize(loss_op)
correct = tf.equal(tf.argmax(logits, 1), tf.argmax(Y, 1))
accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(1, 5):
        batch_x, batch_y = mnist.train.next_batch(batch_size)
        batch_x = batch_x.reshape((batch_size, timesteps, num_input))
        sess.run(train_op, feed_dict={X: batch_x, Y: batch_y, keep_prob: 0.75})
        if step % display_step == 0:
            acc = sess.run(accuracy, feed_dict={X: batch_x, Y: batch_y, keep_prob: 1.0})
            print("Step " + str(step) + ", Training Accuracy= " + "{:.3f}".format(acc))
    test_data = mnist.test.images[:128].reshape((-1, timesteps, num_input))
    print("Testing Accuracy:",
          sess.run(accuracy, feed_dict={X: test_data, Y: mnist.test.labels[:128],
                                        keep_prob: 1.0}))
