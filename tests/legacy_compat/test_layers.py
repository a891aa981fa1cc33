"""legacy_compat.layers (TF1's ``tf.layers.dense``/``dropout``/``flatten``) against TF1.

The oracle is tf-keras' ``tf_keras.src.legacy_tf_layers.core``: the original TF1
``tf.layers`` code, which still runs in a ``tf.Graph`` (test-only dependency). Each
comparison builds the same program twice, in two fresh ``tf.Graph``s (eager
execution stays on in this process; the graphs are explicit), once with the oracle
and once with legacy_compat.layers, and asserts

* identical variable names, shapes and trainability (``dense``, ``dense_1``, ``name=``,
  ``reuse=True``, reusing variable scopes, ``AUTO_REUSE``), identical output tensor
  names (same name scopes) and static shapes;
* with identical random variable values, outputs equal within TOLERANCE.

Only the subprocess test touches ``legacy_compat.v1`` (importing it disables eager
execution for the whole process).
"""
import textwrap
import zlib

import numpy as np
import pytest
import tensorflow as tf

from tools.proof.tolerances import ORACLE
from hypothesis import given, settings
from hypothesis import strategies as st

from legacy_compat import layers as compat_layers
from tests.support.helpers import run_python
from tests.support.oracle import MEASURED

v1 = tf.compat.v1

# Both sides run the same TF ops (MatMul/Tensordot, BiasAdd, activation; Dropout's
# RandomUniform with the same seeds) in the same order, so the expected difference is
# 0. The tolerance (about 8 float32 ulps at magnitude 1) only absorbs a different
# kernel choice by oneDNN between two graphs; float64: the same at double precision.
# the oracle bounds and their reason: tools.proof.tolerances.ORACLE
TOLERANCE = {getattr(tf, name): value for name, value in ORACLE.items()}

GRAPH_SEED = 1234

ACTIVATIONS = {"none": None, "relu": tf.nn.relu, "tanh": tf.tanh, "sigmoid": tf.sigmoid}


def oracle_layers():
    from tf_keras.src.legacy_tf_layers import core

    return core


def implementations():
    return {"oracle": oracle_layers(), "compat": compat_layers}


class Side:
    """One side's graph, session and the tensors its program returned."""

    def __init__(self, impl, program):
        self.graph = tf.Graph()
        with self.graph.as_default():
            v1.set_random_seed(GRAPH_SEED)
            self.outputs = program(impl)
            self.variables = list(v1.global_variables())
            self.trainable = [v.op.name for v in v1.trainable_variables()]
            self.reg_losses = list(v1.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES))
            init = v1.global_variables_initializer()
        self.session = v1.Session(graph=self.graph)
        self.session.run(init)

    def signature(self):
        return [(v.op.name, tuple(v.shape.as_list()), v.dtype.base_dtype.name)
                for v in self.variables]

    def assign(self, values):
        with self.graph.as_default():
            feed, ops = {}, []
            for var in self.variables:
                ph = v1.placeholder(var.dtype.base_dtype, var.shape)
                ops.append(var.assign(ph))
                feed[ph] = values[var.op.name].astype(var.dtype.base_dtype.as_numpy_dtype)
        self.session.run(ops, feed_dict=feed)

    def run(self, fetches, feeds):
        feed_dict = {self.graph.get_tensor_by_name(name): value for name, value in feeds.items()}
        return self.session.run(fetches, feed_dict=feed_dict)

    def close(self):
        self.session.close()


def build_both(program):
    sides = {name: Side(impl, program) for name, impl in implementations().items()}
    return sides["oracle"], sides["compat"]


def random_values(side, seed=0):
    values = {}
    for var in side.variables:
        rng = np.random.default_rng(seed + zlib.crc32(var.op.name.encode()))
        values[var.op.name] = rng.uniform(-1.0, 1.0, size=var.shape.as_list())
    return values


def assert_same_structure(oracle, compat):
    assert compat.signature() == oracle.signature()
    assert compat.trainable == oracle.trainable
    assert sorted(oracle.outputs) == sorted(compat.outputs)
    for key in oracle.outputs:
        o, c = oracle.outputs[key], compat.outputs[key]
        assert c.name == o.name, key
        assert c.shape.as_list() == o.shape.as_list(), key
        assert c.dtype == o.dtype, key


def compare_outputs(oracle, compat, feeds, case, dtype=tf.float32, randomize=True):
    """Same variable values on both sides, then outputs within TOLERANCE; returns |diff|."""
    if randomize:
        values = random_values(oracle)
        oracle.assign(values)
        compat.assign(values)
    keys = sorted(oracle.outputs)
    got_o = oracle.run([oracle.outputs[k] for k in keys], feeds)
    got_c = compat.run([compat.outputs[k] for k in keys], feeds)
    worst = 0.0
    for key, o, c in zip(keys, got_o, got_c):
        assert np.shape(o) == np.shape(c), key
        diff = float(np.max(np.abs(np.asarray(o, np.float64) - np.asarray(c, np.float64)))) \
            if np.size(o) else 0.0
        assert diff <= TOLERANCE[dtype], (key, diff)
        worst = max(worst, diff)
    label = ("tf.layers", case, dtype.name)
    MEASURED[label] = max(MEASURED.get(label, 0.0), worst)
    return worst


def close_all(*sides):
    for side in sides:
        side.close()


# --------------------------------------------------------------------------------------
# dense
# --------------------------------------------------------------------------------------
@settings(max_examples=8)
@given(
    rank=st.sampled_from([2, 3, 4]),
    batch=st.integers(1, 4),
    steps=st.integers(1, 4),
    depth=st.integers(1, 6),
    units=st.integers(1, 6),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    use_bias=st.booleans(),
    dtype=st.sampled_from([tf.float32, tf.float64]),
)
def test_dense_matches_oracle(rank, batch, steps, depth, units, activation, use_bias, dtype):
    inner = [steps, 2][: rank - 2]
    shape = [None] + inner + [depth]

    def program(L):
        x = v1.placeholder(dtype, shape, name="x")
        y = L.dense(x, units, activation=ACTIVATIONS[activation], use_bias=use_bias)
        # a second layer in the same scope: dense_1, fed with rank-`rank` inputs too
        z = L.dense(y, 3, activation=tf.nn.relu)
        return {"y": y, "z": z}

    oracle, compat = build_both(program)
    try:
        assert_same_structure(oracle, compat)
        names = [name for name, _, _ in compat.signature()]
        expected = ["dense/kernel"] + (["dense/bias"] if use_bias else [])
        assert names == expected + ["dense_1/kernel", "dense_1/bias"]
        x = np.random.default_rng(batch).normal(size=[batch] + inner + [depth])
        compare_outputs(oracle, compat, {"x:0": x}, f"dense rank{rank}", dtype)
    finally:
        close_all(oracle, compat)


def naming_program(L):
    x = v1.placeholder(tf.float32, [None, 5], name="x")
    x3 = v1.placeholder(tf.float32, [None, 3, 5], name="x3")
    out = {}
    out["a"] = L.dense(x, 4)  # dense
    out["b"] = L.dense(out["a"], 3)  # dense_1
    out["named"] = L.dense(x, 2, name="logits")
    out["named_reuse"] = L.dense(x, 2, name="logits", reuse=True)
    with v1.variable_scope("rnn"):
        out["in_scope"] = L.dense(x3, 6)  # rnn/dense
        out["in_scope_2"] = L.dense(x3, 6)  # rnn/dense_1
    with v1.variable_scope("shared"):
        out["shared"] = L.dense(x, 3, name="out")
    with v1.variable_scope("shared", reuse=True):
        out["shared_reuse"] = L.dense(x, 3, name="out")
    layer = L.Dense(5, name="proj")
    out["cls_1"] = layer(x)
    out["cls_2"] = layer.apply(x)  # same variables, reused
    out["cls_other"] = L.Dense(5, name="proj")(x)  # proj_1: the class form uniquifies
    out["cls_default"] = L.Dense(2)(x)  # dense_2
    out["no_bias"] = L.dense(x, 3, use_bias=False)  # dense_3: kernel only
    with v1.variable_scope("auto", reuse=v1.AUTO_REUSE):
        out["auto_1"] = L.dense(x, 2, name="head")
        out["auto_2"] = L.dense(x, 2, name="head")
    out["frozen"] = L.dense(x, 2, trainable=False)  # dense_4, not trainable
    out["x64"] = L.dense(tf.cast(x, tf.float64), 2)  # dense_5 in float64
    return out


def test_dense_variable_names_reuse_and_values_match_oracle():
    oracle, compat = build_both(naming_program)
    try:
        assert_same_structure(oracle, compat)
        names = [name for name, _, _ in compat.signature()]
        assert names == [
            "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias",
            "logits/kernel", "logits/bias",
            "rnn/dense/kernel", "rnn/dense/bias", "rnn/dense_1/kernel", "rnn/dense_1/bias",
            "shared/out/kernel", "shared/out/bias",
            "proj/kernel", "proj/bias", "proj_1/kernel", "proj_1/bias",
            "dense_2/kernel", "dense_2/bias", "dense_3/kernel",
            "auto/head/kernel", "auto/head/bias",
            "dense_4/kernel", "dense_4/bias", "dense_5/kernel", "dense_5/bias",
        ]
        assert "dense_4/kernel" not in compat.trainable
        assert dict((n, d) for n, _, d in compat.signature())["dense_5/kernel"] == "float64"
        rng = np.random.default_rng(7)
        feeds = {"x:0": rng.normal(size=(3, 5)), "x3:0": rng.normal(size=(2, 3, 5))}
        compare_outputs(oracle, compat, feeds, "dense naming")
        got = compat.run(compat.outputs, feeds)
        for first, second in (("named", "named_reuse"), ("shared", "shared_reuse"),
                              ("cls_1", "cls_2"), ("auto_1", "auto_2")):
            np.testing.assert_array_equal(got[first], got[second])
    finally:
        close_all(oracle, compat)


@pytest.mark.parametrize("impl", ["oracle", "compat"])
def test_dense_same_name_twice_without_reuse_raises_like_tf1(impl):
    L = implementations()[impl]
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None, 5])
        L.dense(x, 2, name="logits")
        with pytest.raises(ValueError, match="logits/kernel already exists"):
            L.dense(x, 2, name="logits")
        with pytest.raises(ValueError, match="does not exist"):
            L.dense(x, 2, name="missing", reuse=True)


def test_dense_initializers_match_oracle():
    def program(L):
        x = v1.placeholder(tf.float32, [None, 4], name="x")
        out = {"default": L.dense(x, 3)}  # glorot_uniform kernel, zero bias
        with v1.variable_scope("scoped", initializer=v1.constant_initializer(0.25)):
            out["scope_init"] = L.dense(x, 3)
        out["explicit"] = L.dense(x, 3, kernel_initializer=v1.ones_initializer(),
                                  bias_initializer=v1.constant_initializer(0.5))
        out["seeded"] = L.dense(x, 3, kernel_initializer=v1.glorot_uniform_initializer(seed=3))
        return out

    oracle, compat = build_both(program)
    try:
        assert_same_structure(oracle, compat)
        init_o = oracle.session.run(oracle.variables)
        init_c = compat.session.run(compat.variables)
        by_name = dict(zip([v.op.name for v in compat.variables], init_c))
        np.testing.assert_array_equal(by_name["scoped/dense/kernel"], np.full((4, 3), 0.25))
        np.testing.assert_array_equal(by_name["dense_1/kernel"], np.ones((4, 3)))
        np.testing.assert_array_equal(by_name["dense_1/bias"], np.full(3, 0.5))
        np.testing.assert_array_equal(by_name["dense/bias"], np.zeros(3))
        limit = np.sqrt(6.0 / (4 + 3))
        assert np.all(np.abs(by_name["dense/kernel"]) <= limit)
        # the explicitly seeded initializer gives the oracle's values exactly
        for var, o, c in zip(compat.variables, init_o, init_c):
            if var.op.name != "dense/kernel":  # op-seed of an unseeded op depends on op count
                np.testing.assert_array_equal(o, c, err_msg=var.op.name)
        # the unseeded kernel's values depend on op count; give compat the oracle's
        compat.assign({var.op.name: value for var, value in zip(oracle.variables, init_o)})
        compare_outputs(oracle, compat, {"x:0": np.ones((2, 4))}, "dense initializers",
                        randomize=False)
    finally:
        close_all(oracle, compat)


def test_dense_regularizers_match_oracle():
    def kernel_l2(w):
        return 0.01 * tf.reduce_sum(tf.square(w))

    def bias_l1(b):
        return 0.1 * tf.reduce_sum(tf.abs(b))

    def program(L):
        x = v1.placeholder(tf.float32, [None, 4], name="x")
        out = {"y": L.dense(x, 3, kernel_regularizer=kernel_l2, bias_regularizer=bias_l1,
                            name="r")}
        # reusing the variables adds no second loss, as tf.get_variable
        out["y_reuse"] = L.dense(x, 3, kernel_regularizer=kernel_l2, name="r", reuse=True)
        layer = L.Dense(2, kernel_regularizer=kernel_l2)
        out["z1"], out["z2"] = layer(x), layer(x)
        with v1.variable_scope("s", regularizer=kernel_l2):  # the scope's regularizer
            out["s"] = L.dense(x, 2)
        out["total"] = tf.add_n(v1.get_collection(v1.GraphKeys.REGULARIZATION_LOSSES))
        return out

    oracle, compat = build_both(program)
    try:
        assert_same_structure(oracle, compat)
        assert [t.name for t in compat.reg_losses] == [t.name for t in oracle.reg_losses]
        assert len(compat.reg_losses) == 5  # r/kernel, r/bias, dense/kernel, s/dense/{kernel,bias}
        compare_outputs(oracle, compat, {"x:0": np.ones((2, 4))}, "dense regularizers")
        losses_o = oracle.session.run(oracle.reg_losses)
        losses_c = compat.session.run(compat.reg_losses)
        np.testing.assert_allclose(losses_c, losses_o, rtol=0, atol=1e-6)
    finally:
        close_all(oracle, compat)


def test_dense_constraints_are_attached_like_oracle():
    def clip(w):
        return tf.clip_by_value(w, -0.1, 0.1)

    for impl in ("oracle", "compat"):
        with tf.Graph().as_default():
            x = v1.placeholder(tf.float32, [None, 4])
            implementations()[impl].dense(x, 3, kernel_constraint=clip, bias_constraint=clip)
            kernel, bias = v1.global_variables()
            assert kernel.constraint is clip and bias.constraint is clip, impl


# --------------------------------------------------------------------------------------
# dropout
# --------------------------------------------------------------------------------------
@settings(max_examples=8)
@given(
    rate=st.sampled_from([0.0, 0.1, 0.5, 0.9]),
    mode=st.sampled_from(["false", "true", "placeholder", "class"]),
    noise=st.sampled_from(["none", "broadcast_batch", "broadcast_time"]),
    batch=st.integers(1, 4),
    seed=st.integers(0, 1000),
)
def test_dropout_matches_oracle(rate, mode, noise, batch, seed):
    noise_shape = {"none": None, "broadcast_batch": [1, None, 4],
                   "broadcast_time": [None, 1, 4]}[noise]

    def program(L):
        x = v1.placeholder(tf.float32, [None, 3, 4], name="x")
        if mode == "class":
            training = v1.placeholder(tf.bool, [], name="training")
            layer = L.Dropout(rate, noise_shape=noise_shape, seed=seed, name="drop")
            return {"y": layer(x, training=training)}
        if mode == "placeholder":
            training = v1.placeholder(tf.bool, [], name="training")
        else:
            training = mode == "true"
        return {"y": L.dropout(x, rate, noise_shape=noise_shape, seed=seed, training=training)}

    oracle, compat = build_both(program)
    try:
        assert_same_structure(oracle, compat)
        assert compat.variables == []
        x = np.random.default_rng(seed).uniform(1.0, 2.0, size=(batch, 3, 4))
        if mode in ("placeholder", "class"):
            settings_ = [{"x:0": x, "training:0": True}, {"x:0": x, "training:0": False}]
        else:
            settings_ = [{"x:0": x}]
        for feeds in settings_:
            compare_outputs(oracle, compat, feeds, "dropout", randomize=False)
            (y,) = compat.run([compat.outputs["y"]], feeds)
            training = feeds.get("training:0", mode == "true")
            if not training or rate == 0:
                np.testing.assert_array_equal(y, x.astype(np.float32))
            else:
                kept = y != 0
                np.testing.assert_allclose(y[kept], (x / (1 - rate))[kept], rtol=1e-6)
    finally:
        close_all(oracle, compat)


# --------------------------------------------------------------------------------------
# flatten
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, data_format",
    [([None, 2, 3], "channels_last"), ([4, None, 3], "channels_last"),
     ([None, None, 3], "channels_last"), ([None, 2, 3, 5], "channels_first"), ([6], "channels_last")],
)
def test_flatten_matches_oracle(shape, data_format):
    def program(L):
        x = v1.placeholder(tf.float32, shape, name="x")
        return {"y": L.flatten(x, data_format=data_format), "z": L.Flatten(name="flat")(x)}

    oracle, compat = build_both(program)
    try:
        assert_same_structure(oracle, compat)
        concrete = [d if d is not None else 4 for d in shape]
        x = np.arange(np.prod(concrete), dtype=np.float32).reshape(concrete)
        assert compare_outputs(oracle, compat, {"x:0": x}, "flatten", randomize=False) == 0.0
    finally:
        close_all(oracle, compat)


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------
def test_unknown_keyword_arguments_raise_type_error_naming_them():
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None, 4])
        with pytest.raises(TypeError, match="bogus"):
            compat_layers.Dense(3, bogus=1)
        with pytest.raises(TypeError, match="bogus"):
            compat_layers.dense(x, 3, bogus=1)
        with pytest.raises(TypeError, match="bogus"):
            compat_layers.Dropout(0.5, bogus=1)
        with pytest.raises(TypeError, match="bogus"):
            compat_layers.dropout(x, 0.5, bogus=1)
        with pytest.raises(TypeError, match="bogus"):
            compat_layers.flatten(x, bogus=1)
        assert v1.global_variables() == []


def test_unsupported_or_invalid_arguments_raise_clearly():
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None, 4])
        with pytest.raises(NotImplementedError, match="activity_regularizer"):
            compat_layers.dense(x, 3, activity_regularizer=tf.reduce_sum)
        with pytest.raises(NotImplementedError, match="activity_regularizer"):
            compat_layers.Dense(3, activity_regularizer=tf.reduce_sum)
        with pytest.raises(TypeError, match="activation"):
            compat_layers.dense(x, 3, activation="relu")
        with pytest.raises(TypeError, match="kernel_initializer"):
            compat_layers.dense(x, 3, kernel_initializer="glorot_uniform")
        with pytest.raises(TypeError, match="training"):
            compat_layers.dropout(x, 0.5, training=None)
        with pytest.raises(ValueError, match="rate"):
            compat_layers.dropout(x, 1.5)
        with pytest.raises(ValueError, match="min_ndim=2"):
            compat_layers.dense(v1.placeholder(tf.float32, [4]), 3)
        with pytest.raises(ValueError, match="last dimension"):
            compat_layers.dense(v1.placeholder(tf.float32, [None, None]), 3)
        with pytest.raises(TypeError, match="floating-point"):
            compat_layers.dense(v1.placeholder(tf.int32, [None, 4]), 3)
        layer = compat_layers.Dense(2)
        layer(x)
        with pytest.raises(ValueError, match="axis -1"):
            layer(v1.placeholder(tf.float32, [None, 5]))
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="graph"):
            layer(v1.placeholder(tf.float32, [None, 4]))


def test_eager_call_raises():
    assert tf.executing_eagerly()
    with pytest.raises(RuntimeError, match="graph mode"):
        compat_layers.dense(np.ones((2, 3), np.float32), 2)


# --------------------------------------------------------------------------------------
# through legacy_compat.v1 (subprocess: importing it disables eager execution)
# --------------------------------------------------------------------------------------
V1_PROGRAM = textwrap.dedent(
    """
    import numpy as np
    import legacy_compat.v1 as tf
    import legacy_compat.layers as layers

    assert tf.layers.dense is layers.dense and tf.layers.Dense is layers.Dense
    assert tf.layers.dropout is layers.dropout and tf.layers.Dropout is layers.Dropout
    assert tf.layers.flatten is layers.flatten and tf.layers.Flatten is layers.Flatten
    assert {"dense", "Dense", "dropout", "Dropout", "flatten", "Flatten"} <= set(dir(tf.layers))
    try:
        tf.layers.conv2d
    except AttributeError as error:
        assert "conv2d" in str(error) and "tf.layers" in str(error), error
    else:
        raise AssertionError("tf.layers.conv2d should not be available")

    x = tf.placeholder(tf.float32, [None, 3, 4])
    training = tf.placeholder_with_default(False, [])
    outputs = tf.unstack(x, 3, 1)
    hidden = tf.layers.dropout(outputs[-1], rate=0.5, training=training)
    logits = tf.layers.dense(hidden, 2, name="logits")
    flat = tf.layers.dense(tf.layers.flatten(x), 5, activation=tf.nn.relu)
    names = sorted(v.op.name for v in tf.global_variables())
    assert names == ["dense/bias", "dense/kernel", "logits/bias", "logits/kernel"], names
    assert logits.get_shape().as_list() == [None, 2] and flat.get_shape()[1].value == 5
    value = np.random.RandomState(0).rand(2, 3, 4).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, kernel, bias = sess.run(
            [logits] + tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, "logits"),
            {x: value})
    np.testing.assert_allclose(got, value[:, -1] @ kernel + bias, rtol=1e-5, atol=1e-6)
    print("OK", names)
    """
)


def test_layers_through_legacy_compat_v1():
    proc = run_python(["-c", V1_PROGRAM], preloaded=True)
    assert proc.stdout.strip().splitlines()[-1].startswith("OK"), proc.stdout
