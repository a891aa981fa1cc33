# pairs: BasicLSTMCell; static_rnn; readout outputs[-1] @ W + b
# imports: import tensorflow; from tensorflow.contrib.rnn import BasicLSTMCell
# python2: print statements, xrange
# A TF 1.0-era (early 2017) Python 2 LSTM tutorial: no alias for tensorflow.
import numpy as np
import tensorflow
from tensorflow.contrib.rnn import BasicLSTMCell, static_rnn
from tensorflow.examples.tutorials.mnist import input_data

tensorflow.set_random_seed(12)
np.random.seed(12)

mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

learning_rate = 0.005
training_steps = 20
batch_size = 32
display_step = 5

n_input = 28
n_steps = 28
n_hidden = 8
n_classes = 10

x = tensorflow.placeholder(tensorflow.float32, [None, n_steps, n_input])
y = tensorflow.placeholder(tensorflow.float32, [None, n_classes])

weights = {'out': tensorflow.Variable(tensorflow.random_normal([n_hidden, n_classes]))}
biases = {'out': tensorflow.Variable(tensorflow.random_normal([n_classes]))}

inputs = tensorflow.unstack(x, n_steps, 1)
lstm_cell = BasicLSTMCell(n_hidden, forget_bias=1.0)
outputs, states = static_rnn(lstm_cell, inputs, dtype=tensorflow.float32)
pred = tensorflow.matmul(outputs[-1], weights['out']) + biases['out']

cost = tensorflow.reduce_mean(tensorflow.nn.softmax_cross_entropy_with_logits(logits=pred, labels=y))
optimizer = tensorflow.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost)
correct_pred = tensorflow.equal(tensorflow.argmax(pred, 1), tensorflow.argmax(y, 1))
accuracy = tensorflow.reduce_mean(tensorflow.cast(correct_pred, tensorflow.float32))
init = tensorflow.global_variables_initializer()

with tensorflow.Session() as sess:
    sess.run(init)
    for step in xrange(1, training_steps + 1):
        batch_x, batch_y = mnist.train.next_batch(batch_size)
        batch_x = batch_x.reshape((batch_size, n_steps, n_input))
        sess.run(optimizer, feed_dict={x: batch_x, y: batch_y})
        if step % display_step == 0:
            loss, acc = sess.run([cost, accuracy], feed_dict={x: batch_x, y: batch_y})
            print "Iter %d, Minibatch Loss= %.6f, Training Accuracy= %.5f" % (step, loss, acc)
    print "Optimization Finished!"
    test_data = mnist.test.images[:256].reshape((-1, n_steps, n_input))
    test_label = mnist.test.labels[:256]
    print "Testing Accuracy:", sess.run(accuracy, feed_dict={x: test_data, y: test_label})
