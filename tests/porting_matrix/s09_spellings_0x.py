# pairs: BasicRNNCell; static_rnn
# imports: import tensorflow as tf
# spellings: every TF 0.x spelling of legacy_compat/spellings.py not used elsewhere
"""A TF 0.11 (late 2016) grab-bag: the 0.x names and argument orders, run on toy data."""
from __future__ import print_function

import shutil
import tempfile

import numpy as np
import tensorflow as tf

tf.set_random_seed(19)
rng = np.random.RandomState(19)

n_steps, n_input, n_hidden, n_classes, batch = 4, 3, 6, 5, 8
data_x = rng.randn(batch, n_steps * n_input).astype(np.float32)
data_y = rng.randint(0, n_classes, size=batch).astype(np.int64)

x = tf.placeholder(tf.float32, [None, n_steps * n_input])
y = tf.placeholder(tf.int64, [None])
halves = tf.split(1, 2, x)                       # 0.x: split(split_dim, num_split, value)
x2 = tf.concat(1, [halves[1], halves[0]])        # 0.x: concat(concat_dim, values)
x2 = tf.reverse(x2, [False, True])               # 0.x: boolean mask of dims
steps = tf.unpack(tf.reshape(x2, [-1, n_steps, n_input]), axis=1)
cell = tf.nn.rnn_cell.BasicRNNCell(n_hidden)
outputs, state = tf.nn.rnn(cell, steps, dtype=tf.float32)
stacked = tf.pack(outputs, axis=1)               # [batch, steps, hidden]
gram = tf.batch_matmul(stacked, stacked, adj_y=True)
w = tf.Variable(tf.random_normal([n_hidden, n_classes], stddev=0.3))
b = tf.Variable(tf.zeros([n_classes]))
logits = tf.matmul(outputs[-1], w) + b
onehot = tf.one_hot(y, n_classes)

loss_dense = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits, onehot))
loss_sparse = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(logits, y))
loss_sigmoid = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits, onehot))
nce_w = tf.Variable(tf.random_normal([n_classes, n_hidden], stddev=0.3))
nce_b = tf.Variable(tf.zeros([n_classes]))
labels = tf.expand_dims(y, 1)
loss_sampled = tf.reduce_mean(tf.nn.sampled_softmax_loss(
    nce_w, nce_b, outputs[-1], labels, 2, n_classes))
loss_nce = tf.reduce_mean(tf.nn.nce_loss(nce_w, nce_b, outputs[-1], labels, 2, n_classes))
penalty = tf.neg(tf.reduce_mean(tf.mul(gram, 1e-3)))
margin = tf.sub(loss_dense, loss_sparse)
chosen = tf.select(tf.greater(loss_dense, loss_sigmoid), loss_dense, loss_sigmoid)
total = loss_dense + 0.1 * loss_sampled + 0.1 * loss_nce + penalty
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(total)

counter = tf.Variable(0, trainable=False, name="counter")
local = tf.Variable(1.0, collections=[tf.GraphKeys.LOCAL_VARIABLES], name="local_scale")
tf.scalar_summary("loss", total)
weights_hist = tf.histogram_summary("w", w)
merged = tf.merge_summary([weights_hist])
merged_all = tf.merge_all_summaries()

logdir = tempfile.mkdtemp()
sess = tf.Session()
writer = tf.train.SummaryWriter(logdir, sess.graph)
sess.run(tf.initialize_all_variables())
sess.run(tf.initialize_local_variables())
sess.run(tf.initialize_variables([counter]))
print("variables:", len(tf.all_variables()))
feed = {x: data_x, y: data_y}
for step in range(20):
    summary, loss, _ = sess.run([merged_all, total, train_op], feed_dict=feed)
    writer.add_summary(summary, step)
    if step % 5 == 0:
        print("step %d total %.5f" % (step, loss))
print("margin %.5f chosen %.5f" % tuple(sess.run([margin, chosen], feed_dict=feed)))
print("merged is bytes:", isinstance(sess.run(merged, feed_dict=feed), bytes))
writer.close()
sess.close()
shutil.rmtree(logdir)
print("Final loss: %.5f" % loss)
