"""Checks of ``legacy_compat.v1``, run in a subprocess by tests/legacy_compat/test_v1_namespace.py.

Importing ``legacy_compat.v1`` switches the whole process to TF1 graph mode, so these
checks cannot run in pytest's own process. Each check builds its ops in a fresh
``tf.Graph``, asserts, and returns a short detail string. The last line of stdout is a
JSON object ``{check name: {"ok": bool, "detail": str}}``; the pytest side asserts one
entry per test, so a failure is reported per spelling.

Check names: ``resolve:<old name>`` and ``spelling:<old name>`` for every entry of
``legacy_compat.spellings.SPELLINGS``, plus the namespace checks below.
"""
import json
import os
import tempfile
import traceback

import numpy as np
import tensorflow as real_tf

import legacy_compat.v1 as tf
from legacy_compat import spellings

real_v1 = real_tf.compat.v1
NAMESPACES = {"tf": tf, "tf.nn": tf.nn, "tf.train": tf.train}
CHECKS = {}


def check(name):
    """Register the decorated function as check ``name``."""

    def register(function):
        CHECKS[name] = function
        return function

    return register


def evaluate(fetches, feed_dict=None):
    """Run ``fetches`` in a new session on the current default graph."""
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict=feed_dict)


def assert_all_equal(pairs):
    """Assert each (got, expected) pair is element-wise equal; return the number compared."""
    for label, (got, expected) in pairs.items():
        got_list = got if isinstance(got, list) else [got]
        expected_list = expected if isinstance(expected, list) else [expected]
        assert len(got_list) == len(expected_list), f"{label}: {len(got_list)} outputs"
        for g, e in zip(got_list, expected_list):
            np.testing.assert_array_equal(g, e, err_msg=label)
    return f"element-wise equal ({len(pairs)}): {'; '.join(pairs)}"


def raises(exception, function, *args, **kwargs):
    """Return the message of the ``exception`` that ``function(*args, **kwargs)`` raises."""
    try:
        function(*args, **kwargs)
    except exception as error:
        return str(error)
    raise AssertionError(f"{function.__name__}{args} did not raise {exception.__name__}")


def rng():
    return np.random.default_rng(0)


def log_softmax(logits, axis=-1):
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


# --- graph mode and name resolution ---------------------------------------------------


@check("graph_mode")
def _graph_mode():
    assert tf.executing_eagerly() is False
    assert real_tf.executing_eagerly() is False
    variable = tf.Variable(1.0)
    assert variable.dtype != tf.float32 and variable.dtype.base_dtype == tf.float32
    return f"executing_eagerly() is False; tf.Variable dtype {variable.dtype.name} (ref)"


@check("v1_tensor_shape")
def _v1_tensor_shape():
    x = tf.placeholder(tf.float32, [None, 28, 5])
    assert x.get_shape()[1].value == 28
    assert x.get_shape()[0].value is None
    return "placeholder([None, 28, 5]).get_shape()[1].value == 28"


@check("fall_through")
def _fall_through():
    same = {
        "placeholder": (tf.placeholder, real_v1.placeholder),
        "Session": (tf.Session, real_v1.Session),
        "variable_scope": (tf.variable_scope, real_v1.variable_scope),
        "get_variable": (tf.get_variable, real_v1.get_variable),
        "train.AdamOptimizer": (tf.train.AdamOptimizer, real_v1.train.AdamOptimizer),
        "train.Saver": (tf.train.Saver, real_v1.train.Saver),
        "nn.relu": (tf.nn.relu, real_v1.nn.relu),
        "summary.FileWriter": (tf.summary.FileWriter, real_v1.summary.FileWriter),
    }
    for label, (ours, theirs) in same.items():
        assert ours is theirs, label
    with tf.variable_scope("outer"):
        w = tf.get_variable("w", [], initializer=tf.constant_initializer(3.0))
    assert w.op.name == "outer/w", w.op.name
    step = tf.train.AdamOptimizer(0.1).minimize(tf.square(w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(w)
        sess.run(step)
        after = sess.run(w)
    assert after < before, (before, after)
    return f"{len(same)} names are tf.compat.v1's objects; an Adam step moved w {before} -> {after}"


@check("nn_overrides")
def _nn_overrides():
    import legacy_compat.nn.rnn_cell as compat_rnn_cell
    import legacy_compat.rnn as compat_rnn

    assert tf.nn.rnn_cell is compat_rnn_cell
    for name in ("BasicLSTMCell", "LSTMCell", "GRUCell", "BasicRNNCell", "MultiRNNCell",
                 "DropoutWrapper", "LSTMStateTuple", "RNNCell"):
        assert getattr(tf.nn.rnn_cell, name) is getattr(compat_rnn_cell, name), name
    runners = ("static_rnn", "dynamic_rnn", "static_bidirectional_rnn",
               "bidirectional_dynamic_rnn", "raw_rnn", "static_state_saving_rnn")
    for name in runners:
        assert getattr(tf.nn, name) is getattr(compat_rnn, name), name
    message = raises(AttributeError, getattr, real_v1.nn.rnn_cell, "BasicLSTMCell")
    assert "Keras 3" in message, message
    x = tf.placeholder(tf.float32, [2, 3, 4])
    outputs, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(5), x, dtype=tf.float32)
    names = sorted(v.op.name for v in tf.global_variables())
    assert names == ["rnn/basic_lstm_cell/bias", "rnn/basic_lstm_cell/kernel"], names
    assert outputs.get_shape().as_list() == [2, 3, 5]
    return f"rnn_cell and {len(runners)} runners are legacy_compat's; dynamic_rnn built {names}"


@check("contrib_rnn")
def _contrib_rnn():
    import legacy_compat.contrib.rnn as compat_contrib_rnn

    assert tf.contrib.rnn is compat_contrib_rnn
    assert tf.contrib.rnn.BasicLSTMCell is compat_contrib_rnn.BasicLSTMCell
    assert tf.contrib.rnn.static_rnn is tf.nn.static_rnn
    import legacy_compat.contrib as compat_contrib

    assert "rnn" in compat_contrib.PROVIDED
    assert dir(tf.contrib) == list(compat_contrib.PROVIDED)
    for name in compat_contrib.PROVIDED:
        assert getattr(tf.contrib, name).__name__ == f"legacy_compat.contrib.{name}"
    return "tf.contrib.rnn is legacy_compat.contrib.rnn; tf.contrib serves " + ", ".join(
        compat_contrib.PROVIDED)


@check("contrib_error")
def _contrib_error():
    message = raises(AttributeError, getattr, tf.contrib, "slim")
    for expected in ("tf.contrib.slim", "not provided by legacy_compat",
                     "tf.contrib.rnn", "legacy_compat.contrib", "20180907-contrib-sunset"):
        assert expected in message, (expected, message)
    assert not hasattr(tf.contrib, "crf")
    return message


@check("unknown_attribute")
def _unknown_attribute():
    message = raises(AttributeError, getattr, tf, "no_such_name")
    assert "no_such_name" in message and "legacy_compat.v1" in message, message
    nn_message = raises(AttributeError, getattr, tf.nn, "no_such_name")
    assert "'tf.nn'" in nn_message, nn_message
    assert not hasattr(tf, "__path__"), "TensorFlow's __path__ must not be forwarded"
    return message


@check("dir")
def _dir():
    expected = {
        "tf": ("placeholder", "Session", "nn", "train", "contrib", "pack", "split"),
        "tf.nn": ("relu", "rnn_cell", "static_rnn", "rnn", "bidirectional_rnn"),
        "tf.train": ("AdamOptimizer", "SummaryWriter"),
    }
    for path, names in expected.items():
        listed = set(dir(NAMESPACES[path]))
        missing = [name for name in names if name not in listed]
        assert not missing, (path, missing)
    return f"dir(tf) lists {len(dir(tf))} names"


@check("tf2_compat_xent_positional")
def _tf2_compat_xent_positional():
    """The TF 2.x fact behind the cross-entropy entries: compat.v1 reads (labels, logits)."""
    r = rng()
    first, second = r.normal(size=(3, 4)), r.dirichlet(np.ones(4), size=3)
    positional = real_v1.nn.softmax_cross_entropy_with_logits(first, second)
    labels_first = real_v1.nn.softmax_cross_entropy_with_logits(labels=first, logits=second)
    got, expected = evaluate([positional, labels_first])
    np.testing.assert_array_equal(got, expected)
    return "tf.compat.v1.nn.softmax_cross_entropy_with_logits(a, b) == (labels=a, logits=b)"


@check("program_0x")
def _program_0x():
    """A TF 0.x-era RNN classifier, written the way the 2016 tutorials were."""
    tf.set_random_seed(0)
    n_steps, n_input, n_hidden, n_classes, batch = 4, 3, 8, 2, 32
    x = tf.placeholder("float", [None, n_steps, n_input])
    y = tf.placeholder("float", [None, n_classes])
    weights = tf.Variable(tf.random_normal([n_hidden, n_classes]))
    biases = tf.Variable(tf.random_normal([n_classes]))
    xs = tf.transpose(x, [1, 0, 2])
    xs = tf.reshape(xs, [-1, n_input])
    xs = tf.split(0, n_steps, xs)
    cell = tf.nn.rnn_cell.BasicLSTMCell(n_hidden, forget_bias=1.0)
    outputs, _ = tf.nn.rnn(cell, xs, dtype=tf.float32)
    pred = tf.matmul(outputs[-1], weights) + biases
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(pred, y))
    optimizer = tf.train.AdamOptimizer(learning_rate=0.05).minimize(cost)
    tf.scalar_summary("cost", cost)
    merged = tf.merge_all_summaries()
    init = tf.initialize_all_variables()

    r = rng()
    data = r.normal(size=(batch, n_steps, n_input)).astype(np.float32)
    positive = data.sum(axis=(1, 2)) > 0
    labels = np.stack([positive, ~positive], axis=1).astype(np.float32)
    feed = {x: data, y: labels}
    unstacked = tf.unstack(x, n_steps, 1)
    with tf.Session() as sess:
        sess.run(init)
        split_steps, unstacked_steps = sess.run([xs, unstacked], feed)
        first = sess.run(cost, feed)
        for _ in range(40):
            sess.run(optimizer, feed)
        last, summary = sess.run([cost, merged], feed)
    for got, expected in zip(split_steps, unstacked_steps):
        np.testing.assert_array_equal(got, expected)
    assert last < 0.5 * first, (first, last)
    tags = [value.tag for value in real_v1.Summary.FromString(summary).value]
    assert tags == ["cost"], tags
    return f"split(0, n_steps, .) == unstack(x, n_steps, 1); cost {first:.3f} -> {last:.3f}"


# --- every table entry resolves ----------------------------------------------------


def resolve(path):
    value = tf
    for part in path.split(".")[1:]:
        value = getattr(value, part)
    return value


def make_resolve_check(spelling):
    def resolve_check():
        namespace = NAMESPACES[spelling.namespace]
        value = getattr(namespace, spelling.old)
        assert spelling.old in dir(namespace), f"{spelling.old} missing from dir()"
        if spelling.kind == spellings.RENAME:
            target = resolve(spelling.new)
            assert value is target, (value, target)
            return f"{spelling.old_path} is {spelling.new} ({target!r})"
        assert callable(value) and value.__name__ == spelling.old
        assert spelling.old_signature in value.__doc__ and spelling.note in value.__doc__
        assert spelling.detect_rule() in value.__doc__
        return f"{spelling.old_path} is a {spelling.kind} wrapper around {spelling.new}"

    return resolve_check


for _spelling in spellings.SPELLINGS:
    check(f"resolve:{_spelling.old_path}")(make_resolve_check(_spelling))


# --- numeric equality of old and new spellings -------------------------------------


@check("spelling:tf.split")
def _split():
    x = rng().normal(size=(6, 4)).astype(np.float32)
    t = tf.constant(x)
    axis_tensor = tf.constant(1)
    calls = {
        "split(0, 3, x)": (tf.split(0, 3, t), tf.split(t, 3, axis=0), np.split(x, 3, 0)),
        "split(1, 2, x)": (tf.split(1, 2, t), tf.split(t, 2, axis=1), np.split(x, 2, 1)),
        "split(split_dim=1, num_split=2, value=x)": (
            tf.split(split_dim=1, num_split=2, value=t), None, np.split(x, 2, 1)),
        "split(1, 2, value=x)": (tf.split(1, 2, value=t), None, np.split(x, 2, 1)),
        "split(<0-d int tensor>, 2, x)": (tf.split(axis_tensor, 2, t), None, np.split(x, 2, 1)),
        "split(np.int64(0), 2, <list>)": (
            tf.split(np.int64(0), 2, x.tolist()), None, np.split(x, 2, 0)),
        "TF1 split(x, 3)": (tf.split(t, 3), None, np.split(x, 3, 0)),
        "TF1 split(x, [1, 3], 1)": (tf.split(t, [1, 3], 1), None, np.split(x, [1], 1)),
        "TF1 split(value=x, num_or_size_splits=2, axis=1)": (
            tf.split(value=t, num_or_size_splits=2, axis=1), None, np.split(x, 2, 1)),
    }
    named = tf.split(1, 2, t, "old_split")
    got = evaluate({
        label: {"old": old} if new is None else {"old": old, "new": new}
        for label, (old, new, _) in calls.items()
    })
    pairs = {}
    for label, (_, _, expected) in calls.items():
        pairs[label] = (got[label]["old"], [part.astype(np.float32) for part in expected])
        if "new" in got[label]:
            pairs[f"{label} vs TF1 form"] = (got[label]["old"], got[label]["new"])
    assert named[0].op.name.startswith("old_split"), named[0].op.name
    message = raises(TypeError, tf.split, 0, 3, t, "name", 4)
    assert "at most 4 positional" in message, message
    message = raises(TypeError, tf.split, split_dim=1, axis=0, num_split=2, value=t)
    assert "'axis'" in message, message
    return assert_all_equal(pairs)


@check("spelling:tf.concat")
def _concat():
    r = rng()
    a, b = r.normal(size=(2, 3)), r.normal(size=(2, 2))
    ta, tb = tf.constant(a), tf.constant(b)
    fetches = {
        "concat(1, [a, b])": tf.concat(1, [ta, tb]),
        "TF1 concat([a, b], 1)": tf.concat([ta, tb], 1),
        "concat(0, (a, a))": tf.concat(0, (ta, ta)),
        "concat(concat_dim=1, values=[a, b])": tf.concat(concat_dim=1, values=[ta, tb]),
        "concat(1, values=[a, b])": tf.concat(1, values=[ta, tb]),
        "concat(<0-d int tensor>, [a, b])": tf.concat(tf.constant(1), [ta, tb]),
        "concat(1, a)": tf.concat(1, ta),
        "concat(1, <0-d tensor 5>)": tf.concat(1, tf.constant(5)),
        "TF1 concat(values=[a, b], axis=-1)": tf.concat(values=[ta, tb], axis=-1),
        "TF1 concat(a, 1)": tf.concat(ta, 1),
    }
    got = evaluate(fetches)
    expected = {
        "concat(1, [a, b])": np.concatenate([a, b], 1),
        "TF1 concat([a, b], 1)": np.concatenate([a, b], 1),
        "concat(0, (a, a))": np.concatenate([a, a], 0),
        "concat(concat_dim=1, values=[a, b])": np.concatenate([a, b], 1),
        "concat(1, values=[a, b])": np.concatenate([a, b], 1),
        "concat(<0-d int tensor>, [a, b])": np.concatenate([a, b], 1),
        "concat(1, a)": a,
        "concat(1, <0-d tensor 5>)": np.array(5),
        "TF1 concat(values=[a, b], axis=-1)": np.concatenate([a, b], -1),
        "TF1 concat(a, 1)": a,
    }
    return assert_all_equal({label: (got[label], expected[label]) for label in fetches})


def xent_inputs():
    r = rng()
    logits = r.normal(size=(4, 5))
    labels = r.dirichlet(np.ones(5), size=4)
    return logits, labels


@check("spelling:tf.nn.softmax_cross_entropy_with_logits")
def _softmax_xent():
    logits, labels = xent_inputs()
    tl, ty = tf.constant(logits), tf.constant(labels)
    f = tf.nn.softmax_cross_entropy_with_logits
    old = f(tl, ty)
    new = f(labels=ty, logits=tl)
    swapped = f(labels=tl, logits=ty)
    mixed = f(tl, labels=ty)
    with_dim = f(tf.transpose(tl), tf.transpose(ty), 0, "old_xent")
    grads_old = tf.gradients(tf.reduce_sum(old), [tl, ty])
    grads_new = tf.gradients(tf.reduce_sum(new), [tl, ty])
    assert grads_old[1] is None and grads_new[1] is None, "no gradient may flow into labels"
    assert with_dim.op.name.startswith("old_xent"), with_dim.op.name
    got = evaluate({"old": old, "new": new, "swapped": swapped, "mixed": mixed,
                    "dim": with_dim, "grad_old": grads_old[0], "grad_new": grads_new[0]})
    reference = -(labels * log_softmax(logits)).sum(1)
    np.testing.assert_allclose(got["new"], reference, rtol=1e-12)
    np.testing.assert_allclose(got["grad_new"], np.exp(log_softmax(logits)) - labels, rtol=1e-12)
    gap = float(np.abs(got["old"] - got["swapped"]).max())
    assert gap > 0.1, f"old positional form equals the swapped call (max diff {gap})"
    detail = assert_all_equal({
        "f(logits, labels) vs f(labels=, logits=)": (got["old"], got["new"]),
        "f(logits, labels=)": (got["mixed"], got["new"]),
        "f(logits.T, labels.T, 0, name)": (got["dim"], got["new"]),
        "d/dlogits": (got["grad_old"], got["grad_new"]),
    })
    return f"{detail}; differs from the swapped call by {gap:.3f}; no gradient into labels"


@check("spelling:tf.nn.sparse_softmax_cross_entropy_with_logits")
def _sparse_xent():
    logits, _ = xent_inputs()
    classes = rng().integers(0, 5, size=4).astype(np.int32)
    tl = tf.constant(logits)
    old = tf.nn.sparse_softmax_cross_entropy_with_logits(tl, classes)
    new = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=classes, logits=tl)
    got_old, got_new = evaluate([old, new])
    np.testing.assert_allclose(got_new, -log_softmax(logits)[np.arange(4), classes], rtol=1e-12)
    return assert_all_equal({"f(logits, labels) vs f(labels=, logits=)": (got_old, got_new)})


@check("spelling:tf.nn.sigmoid_cross_entropy_with_logits")
def _sigmoid_xent():
    logits, targets = xent_inputs()
    tl, tt = tf.constant(logits), tf.constant(targets)
    f = tf.nn.sigmoid_cross_entropy_with_logits
    got = evaluate({
        "old": f(tl, tt),
        "targets": f(logits=tl, targets=tt),
        "new": f(labels=tt, logits=tl),
        "swapped": f(labels=tl, logits=tt),
    })
    reference = np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits)))
    np.testing.assert_allclose(got["new"], reference, rtol=1e-12)
    gap = float(np.abs(got["old"] - got["swapped"]).max())
    assert gap > 0.1, gap
    detail = assert_all_equal({
        "f(logits, targets) vs f(labels=, logits=)": (got["old"], got["new"]),
        "f(logits=, targets=)": (got["targets"], got["new"]),
    })
    return f"{detail}; differs from the swapped call by {gap:.3f}"


def sampled_loss_check(name):
    r = rng()
    num_classes, dim, batch, num_sampled = 10, 3, 4, 5
    weights = tf.constant(r.normal(size=(num_classes, dim)).astype(np.float32))
    biases = tf.constant(r.normal(size=num_classes).astype(np.float32))
    inputs = tf.constant(r.normal(size=(batch, dim)).astype(np.float32))
    labels = tf.constant(r.integers(0, num_classes, size=(batch, 1)))
    sampled = tf.nn.uniform_candidate_sampler(
        true_classes=labels, num_true=1, num_sampled=num_sampled, unique=True,
        range_max=num_classes, seed=1)
    f = getattr(tf.nn, name)
    old = f(weights, biases, inputs, labels, num_sampled, num_classes, 1, sampled)
    new = f(weights=weights, biases=biases, labels=labels, inputs=inputs,
            num_sampled=num_sampled, num_classes=num_classes, sampled_values=sampled)
    tf1_positional = f(weights, biases, labels, inputs, num_sampled, num_classes,
                       sampled_values=sampled)
    unwrapped = getattr(real_v1.nn, name)
    try:
        unwrapped(weights, biases, inputs, labels, num_sampled, num_classes,
                  sampled_values=sampled)
    except (TypeError, ValueError):
        pass
    else:
        raise AssertionError(f"tf.compat.v1.nn.{name} accepted the 0.x order")
    got_old, got_new, got_tf1 = evaluate([old, new, tf1_positional])
    return assert_all_equal({
        "0.x (w, b, inputs, labels, ...) vs keywords": (got_old, got_new),
        "TF1 (w, b, labels, inputs, ...) vs keywords": (got_tf1, got_new),
    }) + f"; tf.compat.v1.nn.{name} rejects the 0.x order"


@check("spelling:tf.nn.sampled_softmax_loss")
def _sampled_softmax_loss():
    return sampled_loss_check("sampled_softmax_loss")


@check("spelling:tf.nn.nce_loss")
def _nce_loss():
    return sampled_loss_check("nce_loss")


@check("spelling:tf.reverse")
def _reverse():
    x = rng().normal(size=(2, 3, 4))
    t = tf.constant(x)
    mask = tf.placeholder(tf.bool, [3])
    fetches = {
        "reverse(x, [True, False, True])": (tf.reverse(t, [True, False, True]), np.flip(x, (0, 2))),
        "TF1 reverse(x, [0, 2])": (tf.reverse(t, [0, 2]), np.flip(x, (0, 2))),
        "reverse(x, np.array([False, True, False]))": (
            tf.reverse(t, np.array([False, True, False])), np.flip(x, 1)),
        "reverse(x, dims=[False, False, True])": (
            tf.reverse(t, dims=[False, False, True]), np.flip(x, 2)),
        "reverse(x, tf.constant([True, False, False]))": (
            tf.reverse(t, tf.constant([True, False, False])), np.flip(x, 0)),
        "reverse(x, <fed bool mask [False, True, True]>)": (tf.reverse(t, mask), np.flip(x, (1, 2))),
        "TF1 reverse(x, axis=[1])": (tf.reverse(t, axis=[1]), np.flip(x, 1)),
    }
    got = evaluate({label: op for label, (op, _) in fetches.items()},
                   feed_dict={mask: [False, True, True]})
    message = raises(ValueError, tf.reverse, t, [True, False])
    assert "one boolean per dimension" in message, message
    return assert_all_equal({label: (got[label], expected)
                             for label, (_, expected) in fetches.items()})


@check("spelling:tf.batch_matmul")
def _batch_matmul():
    r = rng()
    x, y = r.normal(size=(2, 3, 4)), r.normal(size=(2, 4, 5))
    c = r.normal(size=(2, 3, 3)) + 1j * r.normal(size=(2, 3, 3))
    tx, ty, tc = tf.constant(x), tf.constant(y), tf.constant(c)
    fetches = {
        "batch_matmul(x, y)": (tf.batch_matmul(tx, ty), np.matmul(x, y)),
        "batch_matmul(x, y^T, adj_y=True)": (
            tf.batch_matmul(tx, tf.transpose(ty, [0, 2, 1]), adj_y=True), np.matmul(x, y)),
        "batch_matmul(c, c, True)": (
            tf.batch_matmul(tc, tc, True), np.matmul(np.conj(c).transpose(0, 2, 1), c)),
        "matmul(c, c, adjoint_a=True)": (
            tf.matmul(tc, tc, adjoint_a=True), np.matmul(np.conj(c).transpose(0, 2, 1), c)),
    }
    got = evaluate({label: op for label, (op, _) in fetches.items()})
    transposed = evaluate(tf.matmul(tc, tc, True))
    assert np.abs(transposed - got["batch_matmul(c, c, True)"]).max() > 0.1, (
        "positional adj_x must be adjoint_a, not matmul's third parameter transpose_a")
    for label, (_, expected) in fetches.items():
        np.testing.assert_allclose(got[label], expected, rtol=1e-12, err_msg=label)
    return assert_all_equal({
        "batch_matmul(c, c, True) vs matmul(c, c, adjoint_a=True)": (
            got["batch_matmul(c, c, True)"], got["matmul(c, c, adjoint_a=True)"]),
    }) + "; all match numpy (complex adjoint included)"


@check("spelling:tf.pack")
def _pack():
    r = rng()
    a, b = r.normal(size=(2, 3)), r.normal(size=(2, 3))
    ta, tb = tf.constant(a), tf.constant(b)
    got = evaluate([tf.pack([ta, tb]), tf.pack([ta, tb], 1), tf.stack([ta, tb], axis=1)])
    return assert_all_equal({
        "pack([a, b])": (got[0], np.stack([a, b])),
        "pack([a, b], 1)": (got[1], np.stack([a, b], 1)),
        "pack([a, b], 1) vs stack([a, b], axis=1)": (got[1], got[2]),
    })


@check("spelling:tf.unpack")
def _unpack():
    x = rng().normal(size=(2, 3))
    t = tf.constant(x)
    got = evaluate([tf.unpack(t, 3, 1), tf.unstack(t, 3, 1), tf.unpack(t)])
    return assert_all_equal({
        "unpack(x, 3, 1) vs unstack(x, 3, 1)": (got[0], got[1]),
        "unpack(x, 3, 1)": (got[0], list(x.T)),
        "unpack(x)": (got[2], list(x)),
    })


@check("spelling:tf.mul")
def _mul():
    r = rng()
    a, b = r.normal(size=3), r.normal(size=3)
    return assert_all_equal({"mul(a, b)": (evaluate(tf.mul(a, b)), a * b)})


@check("spelling:tf.sub")
def _sub():
    r = rng()
    a, b = r.normal(size=3), r.normal(size=3)
    return assert_all_equal({"sub(a, b)": (evaluate(tf.sub(a, b)), a - b)})


@check("spelling:tf.neg")
def _neg():
    a = rng().normal(size=3)
    return assert_all_equal({"neg(a)": (evaluate(tf.neg(a)), -a)})


@check("spelling:tf.select")
def _select():
    r = rng()
    a, b = r.normal(size=(2, 3)), r.normal(size=(2, 3))
    rows = np.array([True, False])
    elements = r.normal(size=(2, 3)) > 0
    got = evaluate([tf.select(rows, a, b), tf.select(elements, a, b)])
    return assert_all_equal({
        "select(<rank-1 condition>, a, b) picks rows": (got[0], np.where(rows[:, None], a, b)),
        "select(<same-shape condition>, a, b)": (got[1], np.where(elements, a, b)),
    })


@check("spelling:tf.initialize_all_variables")
def _initialize_all_variables():
    v = tf.Variable(3.0)
    with tf.Session() as sess:
        sess.run(tf.initialize_all_variables())
        return assert_all_equal({"initialize_all_variables()": (sess.run(v), 3.0)})


@check("spelling:tf.initialize_local_variables")
def _initialize_local_variables():
    v = tf.Variable(2.0, collections=[tf.GraphKeys.LOCAL_VARIABLES])
    with tf.Session() as sess:
        sess.run(tf.initialize_local_variables())
        return assert_all_equal({"initialize_local_variables()": (sess.run(v), 2.0)})


@check("spelling:tf.initialize_variables")
def _initialize_variables():
    v, w = tf.Variable(4.0), tf.Variable(5.0)
    with tf.Session() as sess:
        sess.run(tf.initialize_variables([v]))
        uninitialized = [name.decode() for name in sess.run(tf.report_uninitialized_variables())]
        assert uninitialized == [w.op.name], uninitialized
        return assert_all_equal({"initialize_variables([v])": (sess.run(v), 4.0)})


@check("spelling:tf.all_variables")
def _all_variables():
    v, w = tf.Variable(1.0, name="v"), tf.Variable(2.0, name="w")
    old, new = tf.all_variables(), tf.global_variables()
    names = [variable.op.name for variable in old]
    assert names == ["v", "w"], names
    assert all(a is b for a, b in zip(old, new)) and all(a is b for a, b in zip(old, [v, w]))
    return f"all_variables() == global_variables() == {names}"


@check("spelling:tf.train.SummaryWriter")
def _summary_writer():
    value = tf.constant(1.5)
    summary = tf.summary.scalar("value", value)
    with tempfile.TemporaryDirectory() as logdir:
        with tf.Session() as sess:
            writer = tf.train.SummaryWriter(logdir, sess.graph)
            writer.add_summary(sess.run(summary), global_step=1)
            writer.close()
        events = [name for name in os.listdir(logdir) if name.startswith("events.out.tfevents")]
        assert len(events) == 1, os.listdir(logdir)
        records = list(real_v1.train.summary_iterator(os.path.join(logdir, events[0])))
    values = [(v.tag, v.simple_value) for r in records if r.HasField("summary")
              for v in r.summary.value]
    assert values == [("value", 1.5)], values
    assert any(r.HasField("graph_def") for r in records), "graph not written"
    return f"SummaryWriter(logdir, graph) wrote the graph and {values}"


def parse_summary(serialized):
    return real_v1.Summary.FromString(serialized)


@check("spelling:tf.scalar_summary")
def _scalar_summary():
    loss = tf.constant(0.25)
    old = tf.scalar_summary("loss", loss)
    assert old in tf.get_collection(tf.GraphKeys.SUMMARIES)
    (value,) = parse_summary(evaluate(old)).value
    with tf.Graph().as_default():
        (new_value,) = parse_summary(evaluate(tf.summary.scalar("loss", tf.constant(0.25)))).value
    assert (value.tag, value.simple_value) == (new_value.tag, new_value.simple_value) == ("loss", 0.25)
    return "scalar_summary('loss', t) == summary.scalar('loss', t): tag 'loss', value 0.25"


@check("spelling:tf.histogram_summary")
def _histogram_summary():
    values = rng().normal(size=50)
    old = tf.histogram_summary("weights", tf.constant(values))
    (value,) = parse_summary(evaluate(old)).value
    with tf.Graph().as_default():
        new = tf.summary.histogram("weights", tf.constant(values))
        (new_value,) = parse_summary(evaluate(new)).value
    assert value == new_value, (value, new_value)
    assert value.tag == "weights" and value.histo.num == 50
    assert (value.histo.min, value.histo.max) == (values.min(), values.max())
    return "histogram_summary('weights', v) == summary.histogram('weights', v)"


@check("spelling:tf.merge_summary")
def _merge_summary():
    first = tf.scalar_summary("a", tf.constant(1.0))
    second = tf.scalar_summary("b", tf.constant(2.0))
    merged = parse_summary(evaluate(tf.merge_summary([first, second])))
    pairs = [(v.tag, v.simple_value) for v in merged.value]
    assert pairs == [("a", 1.0), ("b", 2.0)], pairs
    return f"merge_summary([a, b]) -> {pairs}"


@check("spelling:tf.merge_all_summaries")
def _merge_all_summaries():
    assert tf.merge_all_summaries() is None, "nothing collected yet: must return None"
    tf.scalar_summary("a", tf.constant(1.0))
    tf.histogram_summary("h", tf.constant([1.0, 2.0]))
    merged = parse_summary(evaluate(tf.merge_all_summaries()))
    tags = [v.tag for v in merged.value]
    assert tags == ["a", "h"], tags
    return f"merge_all_summaries() is None on an empty graph, then merges {tags}"


def static_runner_outputs(old_name, new_name, bidirectional):
    """Build the same static RNN twice (old and new spelling) with equal weights."""
    x = rng().normal(size=(3, 2, 4)).astype(np.float32)
    inputs = tf.unstack(tf.constant(x), 3, 0)
    built = {}
    for name in (old_name, new_name):
        runner = getattr(tf.nn, name)
        with tf.variable_scope(name, initializer=tf.random_uniform_initializer(-0.5, 0.5, seed=3)):
            if bidirectional:
                cells = tf.nn.rnn_cell.BasicLSTMCell(5), tf.nn.rnn_cell.BasicLSTMCell(5)
                outputs, _, _ = runner(cells[0], cells[1], inputs, dtype=tf.float32)
            else:
                outputs, _ = runner(tf.nn.rnn_cell.BasicLSTMCell(5), inputs, dtype=tf.float32)
        built[name] = outputs
    variables = {v.op.name: v for v in tf.global_variables()}
    copies = [variables[name].assign(variables[name.replace(old_name, new_name, 1)])
              for name in variables if name.startswith(old_name + "/")]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(copies)
        got = sess.run(built)
    names = sorted(name for name in variables if name.startswith(old_name + "/"))
    return assert_all_equal({f"{old_name} vs {new_name}": (got[old_name], got[new_name])}) + (
        f"; variables {names}")


@check("spelling:tf.nn.rnn")
def _nn_rnn():
    return static_runner_outputs("rnn", "static_rnn", bidirectional=False)


@check("spelling:tf.nn.bidirectional_rnn")
def _nn_bidirectional_rnn():
    return static_runner_outputs("bidirectional_rnn", "static_bidirectional_rnn", bidirectional=True)


@check("spelling:tf.nn.seq2seq")
def _nn_seq2seq():
    """TF 0.x's module: legacy_seq2seq's model functions; its losses call
    softmax_loss_function(logits, labels) positionally and take early 0.x's
    num_decoder_symbols (here 4) after weights / buckets."""
    r = rng()
    logits = [tf.constant(x) for x in r.normal(size=(3, 2, 4)).astype(np.float32)]
    targets = [tf.constant(x) for x in r.integers(0, 4, size=(3, 2)).astype(np.int32)]
    weights = [tf.constant(x) for x in (r.random((3, 2)) < 0.7).astype(np.float32)]

    def sampled_loss(inputs, labels):  # the TF 0.x translate tutorial's argument order
        return 2.0 * tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                     logits=inputs)

    def keyword_loss(labels, logits):  # TF 1.1+: called with labels=, logits=
        return sampled_loss(logits, labels)

    def model(encoder_inputs, decoder_inputs):  # outputs = the logits above
        return logits[:len(decoder_inputs)], None

    old, new = tf.nn.seq2seq, tf.contrib.legacy_seq2seq
    assert old.embedding_attention_seq2seq is new.embedding_attention_seq2seq
    calls = {
        "sequence_loss(..., softmax_loss_function=(logits, labels))": (
            old.sequence_loss(logits, targets, weights, softmax_loss_function=sampled_loss),
            new.sequence_loss(logits, targets, weights, softmax_loss_function=keyword_loss)),
        "sequence_loss(logits, targets, weights, 4) (early 0.x)": (
            old.sequence_loss(logits, targets, weights, 4),
            new.sequence_loss(logits, targets, weights)),
        "sequence_loss_by_example(logits, targets, weights, False)": (
            old.sequence_loss_by_example(logits, targets, weights, False),
            new.sequence_loss_by_example(logits, targets, weights, False)),
        "model_with_buckets(..., buckets, 4, seq2seq, f) (early 0.x)": (
            old.model_with_buckets(logits, logits, targets, weights, [(3, 3)], 4, model,
                                   sampled_loss)[1],
            new.model_with_buckets(logits, logits, targets, weights, [(3, 3)], model,
                                   softmax_loss_function=keyword_loss)[1]),
    }
    refused = raises(TypeError, new.sequence_loss, logits, targets, weights,
                     softmax_loss_function=sampled_loss)
    got = evaluate({label: {"old": o, "new": n} for label, (o, n) in calls.items()})
    return assert_all_equal({label: (v["old"], v["new"]) for label, v in got.items()}) + (
        f"; TF 1.15's legacy_seq2seq refuses the 0.x callback: {refused}")


def main():
    results = {}
    for name, function in CHECKS.items():
        with real_tf.Graph().as_default():
            try:
                results[name] = {"ok": True, "detail": function()}
            except Exception:  # reported per check by the pytest side
                results[name] = {"ok": False, "detail": traceback.format_exc()}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
