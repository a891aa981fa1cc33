"""legacy_compat.contrib.layers (TF1's ``tf.contrib.layers``) against TF1.

Oracles, per function:

* ``fully_connected``, ``linear``, ``flatten``: TF 1.15's own function bodies
  (``tensorflow/contrib/layers/python/layers/layers.py``: ``fully_connected``,
  ``_model_variable_getter``, ``_add_variable_to_collections``, ``flatten``;
  ``utils.collect_named_outputs``), transcribed below (``oracle_fully_connected``,
  ``oracle_flatten``) over tf-keras' ``legacy_tf_layers.core.Dense``/``flatten``, TF1's
  original ``tf.layers`` code. Both sides build the same program in their own
  ``tf.Graph``; variable names, shapes, dtypes, trainability and collections, output
  and regularization-loss tensor names and, with the same variable values, outputs and
  losses must agree. The float64 build is also checked against numpy's
  ``activation(x @ W + b)``.
* initializers: ``tf.compat.v1``'s ``glorot_uniform_initializer``,
  ``variance_scaling_initializer`` and ``truncated_normal_initializer`` (the same random
  ops, so with the same seeds the same draws), and the distributions' statistics.
* regularizers: ``tf.compat.v1.nn.l2_loss`` and numpy.
* ``layer_norm``, ``embed_sequence``, ``optimize_loss``: numpy equations written from TF
  1.15's source (``layers.py`` ``layer_norm``, ``encoders.py`` ``embed_sequence``,
  ``optimizers.py`` ``optimize_loss``, read for this test).
* checkpoints: the variable names TF 1.15 gave, written out below.

Everything runs in explicit ``tf.Graph``s in this process (eager stays on); each graph
is built once per module.
"""
import functools
import math
import zlib

import numpy as np
import pytest
import tensorflow as tf

from legacy_compat.contrib import layers as L
from tests.support.oracle import MEASURED

v1 = tf.compat.v1

# The oracle side runs the same TF ops (MatMul/Tensordot, BiasAdd, activation, L2Loss,
# Reshape) in the same order, so the expected difference is 0; the tolerance (about 8
# float32 ulps at magnitude 1, ~4e3 float64 ulps) only absorbs another kernel choice by
# oneDNN between two graphs. Against numpy (float64 equations on the same values, the
# inputs rounded to the graph's dtype) only the graph's own rounding remains: a few ulps
# of values of magnitude <= ~3, within the same bounds.
TOLERANCE = {"float32": 1e-6, "float64": 1e-12}
MODEL_VARIABLES = v1.GraphKeys.MODEL_VARIABLES
REGULARIZATION_LOSSES = v1.GraphKeys.REGULARIZATION_LOSSES


def _measure(case, dtype, diff):
    label = ("tf.contrib.layers", case, dtype)
    MEASURED[label] = max(MEASURED.get(label, 0.0), float(diff))


def _max_diff(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def _value(name, shape, seed=0, scale=1.0):
    rng = np.random.default_rng(seed + zlib.crc32(name.encode()))
    return rng.uniform(-scale, scale, size=shape)


def _load_values(session, variables, seed=0):
    """Give every variable a random value (by name); returns {name: value}."""
    values, feed, assigns = {}, {}, []
    with session.graph.as_default():
        for var in variables:
            dtype = var.dtype.base_dtype
            values[var.op.name] = _value(var.op.name, var.shape.as_list(), seed).astype(
                dtype.as_numpy_dtype)
            placeholder = v1.placeholder(dtype, var.shape)
            assigns.append(v1.assign(var, placeholder))
            feed[placeholder] = values[var.op.name]
    session.run(assigns, feed)
    return values


# ------------------------------------------------------------------------------------
# the oracle: TF 1.15's contrib function bodies over tf-keras' copy of tf.layers
# ------------------------------------------------------------------------------------
def _oracle_collections(collections):
    # contrib.framework.model_variable + variable: list(set(collections + [GLOBAL, MODEL]))
    return list(set(list(collections or []) + [v1.GraphKeys.GLOBAL_VARIABLES, MODEL_VARIABLES]))


def _oracle_getter(getter, name, *args, **kwargs):
    """TF 1.15's ``_model_variable_getter`` with fully_connected's renames."""
    parts = name.split("/")
    parts[-1] = {"bias": "biases", "kernel": "weights"}.get(parts[-1], parts[-1])
    kwargs["collections"] = _oracle_collections(kwargs.get("collections"))
    return getter("/".join(parts), *args, **kwargs)


def _oracle_collect(collections, alias, outputs):
    if collections:
        outputs.aliases = [alias[:-1] if alias.endswith("/") else alias]
        v1.add_to_collections(collections, outputs)
    return outputs


def oracle_fully_connected(inputs, num_outputs, activation_fn=tf.nn.relu, normalizer_fn=None,
                           normalizer_params=None, weights_initializer=None,
                           weights_regularizer=None, biases_initializer=v1.zeros_initializer(),
                           biases_regularizer=None, reuse=None, variables_collections=None,
                           outputs_collections=None, trainable=True, scope=None):
    """TF 1.15's body; its default weights_initializer (contrib's xavier_initializer()) is
    glorot_uniform, the variable scope's default (the values are assigned anyway)."""
    from tf_keras.src.legacy_tf_layers import core

    with v1.variable_scope(scope, "fully_connected", [inputs], reuse=reuse,
                           custom_getter=_oracle_getter) as sc:
        inputs = tf.convert_to_tensor(inputs)
        layer = core.Dense(
            units=num_outputs, activation=None,
            use_bias=not normalizer_fn and biases_initializer,
            kernel_initializer=weights_initializer, bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer, bias_regularizer=biases_regularizer,
            activity_regularizer=None, trainable=trainable, name=sc.name,
            dtype=inputs.dtype.base_dtype, _scope=sc, _reuse=reuse)
        outputs = layer(inputs)
        for variable, key in ((layer.kernel, "weights"), (layer.bias, "biases")):
            if variable is None:
                continue
            collections = (variables_collections.get(key)
                           if isinstance(variables_collections, dict) else variables_collections)
            for collection in collections or []:
                if all(variable is not v for v in v1.get_collection(collection)):
                    v1.add_to_collection(collection, variable)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _oracle_collect(outputs_collections, sc.name, outputs)


def oracle_flatten(inputs, outputs_collections=None, scope=None):
    from tf_keras.src.legacy_tf_layers import core

    with v1.name_scope(scope, "Flatten", [inputs]) as sc:
        outputs = core.flatten(tf.convert_to_tensor(inputs))
        return _oracle_collect(outputs_collections, sc, outputs)


SIDES = {
    "oracle": (oracle_fully_connected, oracle_flatten),
    "compat": (L.fully_connected, L.flatten),
}


# the numpy check: output key -> (input, scope of the variables, activation, has biases)
_NUMPY_CASES = {
    "default": ("x2", "fully_connected", "relu", True),
    "default_1": ("x2", "fully_connected_1", "relu", True),
    "outer": ("x2", "outer/fully_connected", "tanh", True),
    "scoped": ("x2", "fc", "relu", True),
    "reused": ("x2", "fc", "relu", True),
    "linear_rank3": ("x3", "fully_connected_2", None, True),
    "no_bias": ("x2", "fully_connected_3", "sigmoid", False),
    "frozen": ("x2", "fully_connected_4", "relu", True),
    "collected": ("x2", "coll", "relu", True),
    "auto": ("x2", "auto/a", "relu", True),
    "auto_again": ("x2", "auto/a", "relu", True),
}
_NUMPY_ACTIVATIONS = {None: lambda z: z, "relu": lambda z: np.maximum(z, 0.0),
                      "tanh": np.tanh, "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z))}


def _fc_program(fc, flatten, dtype):
    x2 = v1.placeholder(dtype, [None, 4], name="x2")
    x3 = v1.placeholder(dtype, [None, 3, 4], name="x3")
    l2 = L.l2_regularizer
    out = {"default": fc(x2, 3), "default_1": fc(x2, 2)}
    with v1.variable_scope("outer"):
        out["outer"] = fc(x2, 3, activation_fn=tf.tanh)
    out["scoped"] = fc(x2, 2, scope="fc", weights_regularizer=l2(0.1),
                       biases_regularizer=l2(0.01))
    out["reused"] = fc(x2, 2, scope="fc", reuse=True)
    out["linear_rank3"] = fc(x3, 5, activation_fn=None)
    out["no_bias"] = fc(x2, 2, biases_initializer=None, activation_fn=tf.sigmoid)
    out["frozen"] = fc(x2, 2, trainable=False, variables_collections={"weights": ["w_coll"]},
                       outputs_collections=["outs"])
    out["collected"] = fc(x2, 2, variables_collections=["all_coll"], scope="coll")
    with v1.variable_scope("auto", reuse=v1.AUTO_REUSE):
        out["auto"] = fc(x2, 2, scope="a")
        out["auto_again"] = fc(x2, 2, scope="a")
    out["normalized"] = fc(x2, 3, normalizer_fn=L.layer_norm,
                           normalizer_params={"center": False})
    out["flat"] = flatten(v1.placeholder(dtype, [None, 2, 3, 2], name="x4"),
                          outputs_collections=["outs"])
    return out


class Built:
    """One side's graph for one dtype: its outputs, variables and collections, a session."""

    def __init__(self, side, dtype):
        fc, flatten = SIDES[side]
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.outputs = _fc_program(fc, flatten, dtype)
            self.variables = v1.global_variables()
            self.collections = {
                key: [getattr(t, "op", t).name for t in v1.get_collection(key)]
                for key in (v1.GraphKeys.TRAINABLE_VARIABLES, MODEL_VARIABLES, "w_coll",
                            "all_coll", "outs", REGULARIZATION_LOSSES)}
            self.aliases = [t.aliases for t in v1.get_collection("outs")]
            self.losses = v1.get_collection(REGULARIZATION_LOSSES)
        self.session = v1.Session(graph=self.graph)
        self.values = _load_values(self.session, self.variables)
        rng = np.random.default_rng(7)
        self.feed = {name: rng.normal(size=shape) for name, shape in
                     (("x2", (3, 4)), ("x3", (2, 3, 4)), ("x4", (2, 2, 3, 2)))}

    def run(self, fetches):
        feed = {self.graph.get_tensor_by_name(f"{k}:0"): v for k, v in self.feed.items()}
        return self.session.run(fetches, feed)


@pytest.fixture(scope="module")
def built():
    sides = {(side, dtype.name): Built(side, dtype) for side in SIDES
             for dtype in (tf.float32, tf.float64)}
    yield sides
    for side in sides.values():
        side.session.close()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fully_connected_structure_is_tf1s(built, dtype):
    oracle, compat = built["oracle", dtype], built["compat", dtype]
    signature = [(v.op.name, v.shape.as_list(), v.dtype.base_dtype.name) for v in compat.variables]
    assert signature == [(v.op.name, v.shape.as_list(), v.dtype.base_dtype.name)
                         for v in oracle.variables]
    assert compat.collections == oracle.collections
    assert compat.aliases == oracle.aliases == [["fully_connected_4"], ["Flatten"]]
    for key, tensor in oracle.outputs.items():
        assert compat.outputs[key].name == tensor.name, key
        assert compat.outputs[key].shape.as_list() == tensor.shape.as_list(), key
    # the names TF1 gave, spelled out (TF 1.15: variable_scope default_name uniquifying)
    names = [name for name, _, _ in signature]
    assert names[:4] == ["fully_connected/weights", "fully_connected/biases",
                         "fully_connected_1/weights", "fully_connected_1/biases"]
    assert {"outer/fully_connected/weights", "fc/weights", "fc/biases", "auto/a/weights",
            "fully_connected_5/weights", "fully_connected_5/LayerNorm/gamma"} <= set(names)
    assert "fully_connected_3/biases" not in names  # biases_initializer=None
    assert "fully_connected_5/biases" not in names  # a normalizer replaces the biases
    assert "fully_connected_4/weights" not in compat.collections[v1.GraphKeys.TRAINABLE_VARIABLES]
    assert compat.collections["w_coll"] == ["fully_connected_4/weights"]
    assert compat.collections["all_coll"] == ["coll/weights", "coll/biases"]
    assert compat.collections[REGULARIZATION_LOSSES] == [
        "fc/kernel/Regularizer/l2_regularizer", "fc/bias/Regularizer/l2_regularizer"]
    assert set(compat.collections[MODEL_VARIABLES]) == set(names)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fully_connected_values_match_the_oracle(built, dtype):
    oracle, compat = built["oracle", dtype], built["compat", dtype]
    keys = sorted(oracle.outputs)
    want = oracle.run([oracle.outputs[k] for k in keys] + oracle.losses)
    got = compat.run([compat.outputs[k] for k in keys] + compat.losses)
    diff = max(_max_diff(a, b) for a, b in zip(want, got))
    _measure("fully_connected vs tf.layers oracle", dtype, diff)
    assert diff <= TOLERANCE[dtype]


def test_fully_connected_equals_numpy_equations(built):
    """float64: ``activation(x @ W + b)`` (rank 3: over the last axis) from the assigned
    values, and the regularization losses ``scale * sum(w ** 2) / 2``."""
    compat = built["compat", "float64"]
    got = compat.run({k: compat.outputs[k] for k in _NUMPY_CASES})
    worst = 0.0
    for key, (x_name, scope, activation, has_bias) in _NUMPY_CASES.items():
        z = compat.feed[x_name] @ compat.values[f"{scope}/weights"]
        if has_bias:
            z = z + compat.values[f"{scope}/biases"]
        worst = max(worst, _max_diff(got[key], _NUMPY_ACTIVATIONS[activation](z)))
    losses = compat.run(compat.losses)
    expected = [0.1 * np.sum(compat.values["fc/weights"] ** 2) / 2,
                0.01 * np.sum(compat.values["fc/biases"] ** 2) / 2]
    worst = max(worst, _max_diff(losses, expected))
    _measure("fully_connected vs numpy", "float64", worst)
    assert worst <= TOLERANCE["float64"]


def test_linear_is_fully_connected_without_activation():
    assert isinstance(L.linear, functools.partial)
    assert L.linear.func is L.fully_connected and L.linear.keywords == {"activation_fn": None}
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3])
        out = L.linear(x, 2)
        assert [v.op.name for v in v1.global_variables()] == [
            "fully_connected/weights", "fully_connected/biases"]
        assert out.op.type == "BiasAdd"


def test_fully_connected_refuses_what_tf1_refused():
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3])
        for bad in (np.int64(2), 2.0):
            with pytest.raises(ValueError, match="num_outputs must be a Python int"):
                L.fully_connected(x, bad)
        with pytest.raises(ValueError, match="reuse=True cannot be used without a name_or_scope"):
            L.fully_connected(x, 2, reuse=True)
        L.fully_connected(x, 2, scope="fc")
        with pytest.raises(ValueError, match="fc/weights already exists"):
            L.fully_connected(x, 2, scope="fc")
        with pytest.raises(ValueError, match="expected min_ndim=2"):
            L.fully_connected(v1.placeholder(tf.float32, [3]), 2)
        with pytest.raises(TypeError, match="activation_fn must be a callable"):
            L.fully_connected(x, 2, activation_fn="relu")


# ------------------------------------------------------------------------------------
# initializers
# ------------------------------------------------------------------------------------
_SHAPES = ([5, 3], [3, 3, 4, 8], [7], [])


def _fans(shape):
    if not shape:
        return 1.0, 1.0
    receptive = float(np.prod(shape[:-2])) if len(shape) > 2 else 1.0
    fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
    return fan_in * receptive, float(shape[-1]) * receptive


@pytest.fixture(scope="module")
def initializer_draws():
    """Pairs (contrib draw, tf.compat.v1 draw with the same op seed), by case, in one graph."""
    cases = {}
    for i, (shape, mode, factor) in enumerate(
            (s, m, f) for s in _SHAPES for m in ("FAN_IN", "FAN_OUT", "FAN_AVG")
            for f in (2.0, 0.7)):
        fan_in, fan_out = _fans(shape)
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2}[mode]
        seed = 100 + i
        cases[("uniform", str(shape), mode, factor)] = (
            L.variance_scaling_initializer(factor, mode, uniform=True, seed=seed),
            v1.variance_scaling_initializer(factor, mode.lower(), "uniform", seed=seed), shape)
        cases[("truncated", str(shape), mode, factor)] = (
            L.variance_scaling_initializer(factor, mode, uniform=False, seed=seed),
            v1.truncated_normal_initializer(0.0, math.sqrt(1.3 * factor / n), seed=seed), shape)
    for dtype in (tf.float32, tf.float64):
        cases[("xavier", dtype.name)] = (L.xavier_initializer(seed=3, dtype=dtype),
                                         v1.glorot_uniform_initializer(seed=3, dtype=dtype),
                                         [6, 4])
    cases[("xavier_conv2d",)] = (L.xavier_initializer_conv2d(seed=4),
                                 v1.glorot_uniform_initializer(seed=4), [3, 3, 2, 5])
    # contrib's truncated normal (1.3) vs tf.compat.v1's (1 / 0.87962566103423978 ** 2)
    cases[("constant_1.3",)] = (L.xavier_initializer(uniform=False, seed=5),
                                v1.variance_scaling_initializer(1.0, "fan_avg", "truncated_normal",
                                                                seed=5), [40, 30])
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(11)
        tensors = {key: (ours(shape), theirs(shape, dtype=ours(shape).dtype))
                   for key, (ours, theirs, shape) in cases.items()}
        with v1.Session(graph=graph) as session:
            return session.run(tensors)


def test_variance_scaling_and_xavier_draw_what_tf1_drew(initializer_draws):
    worst = 0.0
    for key, (ours, theirs) in initializer_draws.items():
        if key[0] == "constant_1.3":
            continue
        assert ours.shape == theirs.shape, key
        diff = _max_diff(ours, theirs)
        assert diff <= TOLERANCE[ours.dtype.name], (key, diff)
        worst = max(worst, diff)
    _measure("initializers vs tf.compat.v1", "float32", worst)


def test_contrib_truncated_normal_constant_is_1_3(initializer_draws):
    """Same draws, stddev sqrt(1.3/n) vs tf.compat.v1's sqrt(1/n)/0.8796...: their ratio."""
    ours, theirs = initializer_draws[("constant_1.3",)]
    ratio = ours / theirs
    assert np.allclose(ratio, math.sqrt(1.3) * 0.87962566103423978, rtol=1e-6, atol=0)
    assert abs(ratio.mean() - 1.0) > 2e-3  # the two are different initializers


def test_xavier_statistics():
    """The distributions themselves: Glorot uniform within +-sqrt(6/(in+out)) with
    std limit/sqrt(3); the normal form a truncated normal (|w| < 2 stddev) of std
    ~sqrt(1/n) (truncation at 2 sigma leaves 0.8796 of sqrt(1.3/n))."""
    shape, n = [200, 100], 150.0
    graph = tf.Graph()
    with graph.as_default():
        uniform = L.xavier_initializer(seed=1)(shape)
        normal = L.xavier_initializer(uniform=False, seed=2)(shape)
        with v1.Session(graph=graph) as session:
            u, g = session.run([uniform, normal])
    limit = math.sqrt(3.0 / n)
    assert np.abs(u).max() <= limit and np.abs(u).max() > 0.99 * limit
    # 4 standard errors of a sample std over 20,000 draws: uniform 0.32%, normal 0.5%
    assert abs(u.std() / (limit / math.sqrt(3)) - 1) < 4 * 0.0032
    assert np.abs(g).max() <= 2 * math.sqrt(1.3 / n)
    assert abs(g.std() / (math.sqrt(1.3 / n) * 0.8796) - 1) < 4 * 0.005


def test_initializers_refuse_what_tf1_refused():
    with pytest.raises(TypeError, match="unknown mode 'fan_in'"):
        L.variance_scaling_initializer(mode="fan_in")
    with pytest.raises(TypeError, match="non-floating-point dtype int32"):
        L.xavier_initializer(dtype=tf.int32)


# ------------------------------------------------------------------------------------
# regularizers
# ------------------------------------------------------------------------------------
def test_regularizers_against_l2_loss_and_numpy():
    w_value = _value("w", [3, 4]).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        w = v1.get_variable("w", initializer=w_value)
        l2 = L.l2_regularizer(0.25)(w)
        l1 = L.l1_regularizer(0.5)(w)
        both = L.sum_regularizer([L.l1_regularizer(0.5), None, L.l2_regularizer(0.25)])(w)
        oracle_l2 = 0.25 * v1.nn.l2_loss(w)
        penalty = L.apply_regularization(L.l2_regularizer(0.25), [w, w])
        assert l2.op.name == "l2_regularizer" and l1.op.name == "l1_regularizer"
        assert both.op.name == "sum_regularizer"
        assert penalty.op.name == "get_regularization_penalty"
        assert v1.get_collection(REGULARIZATION_LOSSES) == [penalty]
        with v1.Session(graph=graph) as session:
            session.run(w.initializer)
            got = session.run({"l2": l2, "l1": l1, "both": both, "oracle": oracle_l2,
                               "penalty": penalty})
    w64 = w_value.astype(np.float64)
    # float32 sums of 12 O(1) terms: a few ulps of values ~1
    assert _max_diff(got["l2"], got["oracle"]) <= TOLERANCE["float32"]
    diff = max(_max_diff(got["l2"], 0.25 * np.sum(w64 ** 2) / 2),
               _max_diff(got["l1"], 0.5 * np.sum(np.abs(w64))),
               _max_diff(got["both"], 0.25 * np.sum(w64 ** 2) / 2 + 0.5 * np.sum(np.abs(w64))),
               _max_diff(got["penalty"], 2 * 0.25 * np.sum(w64 ** 2) / 2))
    _measure("regularizers vs numpy", "float32", diff)
    assert diff <= TOLERANCE["float32"]


def test_regularizers_refuse_what_tf1_refused():
    for make in (L.l1_regularizer, L.l2_regularizer):
        with pytest.raises(ValueError, match="scale cannot be an integer"):
            make(1)
        with pytest.raises(ValueError, match="scale less than 0"):
            make(-0.1)
        assert make(0.0)(object()) is None
    assert L.sum_regularizer([None]) is None
    graph = tf.Graph()
    with graph.as_default():
        with pytest.raises(ValueError, match="no weights to regularize"):
            L.apply_regularization(L.l2_regularizer(0.1))
        w = v1.get_variable("w", [2])
        with pytest.raises(ValueError, match="must return a scalar Tensor"):
            L.apply_regularization(lambda t: t * 2.0, [w])


# ------------------------------------------------------------------------------------
# layer_norm
# ------------------------------------------------------------------------------------
def _numpy_layer_norm(x, axes, gamma, beta, epsilon):
    mean = x.mean(axis=axes, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(variance + epsilon) * gamma + beta


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_layer_norm_equations(dtype):
    """TF 1.15: moments over begin_norm_axis.. (default 1: every axis but the batch), then
    batch_normalization with variance_epsilon=1e-12; params of shape [begin_params_axis:].

    float32 against float64 numpy (inputs rounded to float32 first): normalised values of
    magnitude <= ~3 carry a few float32 ulps (2.4e-7 each) from the moments, rsqrt and
    the multiply-add; the float32 tolerance 1e-6 leaves ~4 ulps (measured 1.8e-7)."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 3, 4))
    tiny = 1e-5 * rng.normal(size=(2, 4))  # variance ~1e-10: epsilon 1e-12 vs 1e-3 shows
    graph = tf.Graph()
    with graph.as_default():
        xp = v1.placeholder(dtype, [None, 3, 4])
        tp = v1.placeholder(dtype, [None, 4])
        outs = {"default": L.layer_norm(xp),
                "last_axis": L.layer_norm(xp, begin_norm_axis=-1, activation_fn=tf.tanh),
                "params_from_1": L.layer_norm(xp, begin_norm_axis=2, begin_params_axis=1),
                "plain": L.layer_norm(xp, center=False, scale=False, scope="plain"),
                "tiny": L.layer_norm(tp)}
        names = [(v.op.name, v.shape.as_list()) for v in v1.global_variables()]
        with v1.Session(graph=graph) as session:
            values = _load_values(session, v1.global_variables())
            got = session.run(outs, {xp: x, tp: tiny})
    assert names == [("LayerNorm/beta", [4]), ("LayerNorm/gamma", [4]),
                     ("LayerNorm_1/beta", [4]), ("LayerNorm_1/gamma", [4]),
                     ("LayerNorm_2/beta", [3, 4]), ("LayerNorm_2/gamma", [3, 4]),
                     ("LayerNorm_3/beta", [4]), ("LayerNorm_3/gamma", [4])]
    x = x.astype(dtype).astype(np.float64)
    tiny = tiny.astype(dtype).astype(np.float64)

    def params(scope):
        return tuple(values[f"{scope}/{name}"].astype(np.float64) for name in ("gamma", "beta"))

    expected = {
        "default": _numpy_layer_norm(x, (1, 2), *params("LayerNorm"), 1e-12),
        "last_axis": np.tanh(_numpy_layer_norm(x, (2,), *params("LayerNorm_1"), 1e-12)),
        "params_from_1": _numpy_layer_norm(x, (2,), *params("LayerNorm_2"), 1e-12),
        "plain": _numpy_layer_norm(x, (1, 2), 1.0, 0.0, 1e-12),
        "tiny": _numpy_layer_norm(tiny, (1,), *params("LayerNorm_3"), 1e-12),
    }
    diff = max(_max_diff(got[k], expected[k]) for k in expected)
    _measure("layer_norm vs numpy", dtype, diff)
    assert diff <= TOLERANCE[dtype]
    # the epsilon is TF1's: Keras' 1e-3 would change the low-variance rows completely
    assert _max_diff(got["tiny"], _numpy_layer_norm(tiny, (1,), *params("LayerNorm_3"), 1e-3)) > 0.1


def test_layer_norm_refuses_what_tf1_refused():
    graph = tf.Graph()
    with graph.as_default():
        with pytest.raises(ValueError, match="undefined rank"):
            L.layer_norm(v1.placeholder(tf.float32))
        with pytest.raises(ValueError, match=r"must be < rank\(inputs\) \(2\)"):
            L.layer_norm(v1.placeholder(tf.float32, [None, 3]), begin_norm_axis=2)
        with pytest.raises(ValueError, match="not fully defined"):
            L.layer_norm(v1.placeholder(tf.float32, [None, None]))


# ------------------------------------------------------------------------------------
# embed_sequence, flatten
# ------------------------------------------------------------------------------------
def test_embed_sequence_gathers_rows():
    ids = np.array([[0, 3, 3, 9], [1, 0, 9, 2]], np.int32)
    graph = tf.Graph()
    with graph.as_default():
        ip = v1.placeholder(tf.int32, [None, 4])
        plain = L.embed_sequence(ip, vocab_size=10, embed_dim=3,
                                 regularizer=L.l2_regularizer(0.5))
        unique = L.embed_sequence(ip, 10, 3, unique=True)
        scoped = L.embed_sequence(ip, 10, 3, scope="emb")
        reused = L.embed_sequence(ip, scope="emb", reuse=True)
        names = [(v.op.name, v.shape.as_list()) for v in v1.global_variables()]
        model = [v.op.name for v in v1.model_variables()]
        losses = v1.get_collection(REGULARIZATION_LOSSES)
        with v1.Session(graph=graph) as session:
            values = _load_values(session, v1.global_variables())
            got = session.run([plain, unique, scoped, reused] + losses, {ip: ids})
    assert names == [("EmbedSequence/embeddings", [10, 3]), ("EmbedSequence_1/embeddings", [10, 3]),
                     ("emb/embeddings", [10, 3])]
    assert model == [n for n, _ in names]
    assert [t.op.name for t in losses] == ["EmbedSequence/embeddings/Regularizer/l2_regularizer"]
    assert plain.shape.as_list() == [None, 4, 3] and unique.shape.as_list() == [None, 4, 3]
    table = {n: values[n] for n, _ in names}
    # a gather copies rows: exactly equal
    assert np.array_equal(got[0], table["EmbedSequence/embeddings"][ids])
    assert np.array_equal(got[1], table["EmbedSequence_1/embeddings"][ids])
    assert np.array_equal(got[2], table["emb/embeddings"][ids])
    assert np.array_equal(got[3], got[2])
    emb64 = table["EmbedSequence/embeddings"].astype(np.float64)
    assert _max_diff(got[4], 0.5 * np.sum(emb64 ** 2) / 2) <= TOLERANCE["float32"]
    with graph.as_default():
        with pytest.raises(ValueError, match="must specify vocab_size and embed_dim"):
            L.embed_sequence(ip, vocab_size=10)


def test_embed_sequence_default_initializer_is_glorot_uniform():
    graph = tf.Graph()
    with graph.as_default():
        L.embed_sequence(v1.placeholder(tf.int32, [None, 2]), 300, 100)
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            table = session.run(v1.global_variables()[0])
    limit = math.sqrt(6.0 / 400)
    assert np.abs(table).max() <= limit
    assert abs(table.std() / (limit / math.sqrt(3)) - 1) < 4 * 0.0032  # 4 standard errors


# ------------------------------------------------------------------------------------
# optimize_loss
# ------------------------------------------------------------------------------------
_X = np.random.default_rng(3).normal(size=(5, 3))
_Y = np.random.default_rng(4).normal(size=(5, 2))


def _numpy_gradients(weights, biases):
    """loss = mean((x @ W + b - y) ** 2): d/dW, d/db."""
    d = 2.0 * (_X @ weights + biases - _Y) / _Y.size
    return _X.T @ d, d.sum(axis=0)


def _run_optimize_loss(**kwargs):
    """One step of optimize_loss on a float64 linear regression; the numbers to check."""
    counter_update = kwargs.pop("counter_update", False)
    only_weights = kwargs.pop("only_weights", False)
    graph = tf.Graph()
    with graph.as_default():
        global_step = v1.train.get_or_create_global_step()
        x = v1.placeholder(tf.float64, [None, 3])
        pred = L.linear(x, 2)
        loss = tf.reduce_mean(tf.square(pred - _Y))
        weights, biases = v1.trainable_variables()
        counter = v1.get_variable("counter", [], tf.float64, v1.zeros_initializer(),
                                  trainable=False)
        if counter_update:
            v1.add_to_collection(v1.GraphKeys.UPDATE_OPS, counter.assign_add(1.0))
        if only_weights:
            kwargs["variables"] = [weights]
        train = L.optimize_loss(loss, global_step, **kwargs)
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            before = session.run([weights, biases])
            returned = session.run(train, {x: _X})
            after = session.run([weights, biases, global_step, counter])
            names = [v.op.name for v in v1.global_variables()]
    return dict(train=train, before=before, returned=returned, after=after, names=names,
                summaries=[s.op.name for s in graph.get_collection(v1.GraphKeys.SUMMARIES)])


_LR = float(np.float32(0.1))  # OptimizeLoss/learning_rate is a float32 variable (TF1's)


@pytest.mark.parametrize("case", ["SGD+clip", "class+decay", "instance+multiplier",
                                  "Momentum+variables", "callable+update_ops"])
def test_optimize_loss_one_step_equals_numpy(case):
    """float64 weights, one update: W' = W - lr * g with TF 1.15's clipping (global norm),
    decay, multipliers, variable list; the train tensor returns the loss before it."""
    kwargs = {
        "SGD+clip": dict(learning_rate=0.1, optimizer="SGD", clip_gradients=0.05),
        "class+decay": dict(learning_rate=0.1, optimizer=v1.train.GradientDescentOptimizer,
                            learning_rate_decay_fn=lambda lr, step: lr * 0.5,
                            increment_global_step=False),
        "instance+multiplier": dict(learning_rate=None,
                                    optimizer=v1.train.GradientDescentOptimizer(0.3),
                                    gradient_multipliers={"fully_connected/weights:0": 2.0}),
        "Momentum+variables": dict(learning_rate=0.1, optimizer="Momentum", summaries=[],
                                   only_weights=True),
        "callable+update_ops": dict(learning_rate=0.1, counter_update=True,
                                    optimizer=lambda lr: v1.train.GradientDescentOptimizer(lr)),
    }[case]
    result = _run_optimize_loss(**kwargs)
    (w, b), (w1, b1, step, counter) = result["before"], result["after"]
    gw, gb = _numpy_gradients(w, b)
    lr, scale_w = _LR, 1.0
    if case == "SGD+clip":
        norm = math.sqrt(np.sum(gw ** 2) + np.sum(gb ** 2))
        assert norm > 0.05  # the clipping is active
        gw, gb = gw * 0.05 / norm, gb * 0.05 / norm
    elif case == "class+decay":
        lr = _LR * 0.5
    elif case == "instance+multiplier":
        lr, scale_w = float(np.float32(0.3)), 2.0  # TF1 optimizers hold lr as float32
    # a variable list: only the weights move (momentum's first step is lr * g)
    expected_b = b if case == "Momentum+variables" else b - lr * gb
    diff = max(_max_diff(w1, w - lr * scale_w * gw), _max_diff(b1, expected_b),
               _max_diff(result["returned"], np.mean((_X @ w + b - _Y) ** 2)))
    _measure(f"optimize_loss {case} vs numpy", "float64", diff)
    assert diff <= TOLERANCE["float64"]
    assert step == (0 if case == "class+decay" else 1)
    assert counter == (1.0 if case == "callable+update_ops" else 0.0)
    # with update ops the loss first gets its own control_dependency (as in TF1)
    assert result["train"].op.name == ("OptimizeLoss/control_dependency_1"
                                       if case == "callable+update_ops"
                                       else "OptimizeLoss/control_dependency")
    if case == "Momentum+variables":
        assert "OptimizeLoss/fully_connected/weights/Momentum" in result["names"]
        assert "OptimizeLoss/fully_connected/biases/Momentum" not in result["names"]
        assert result["summaries"] == []
    if case == "SGD+clip":
        assert result["summaries"] == ["OptimizeLoss/global_norm/gradient_norm",
                                       "OptimizeLoss/loss",
                                       "OptimizeLoss/global_norm/clipped_gradient_norm"]


def test_optimize_loss_refuses_what_tf1_refused():
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3])
        loss = tf.reduce_sum(L.linear(x, 1))
        step = v1.train.get_or_create_global_step()
        for kwargs, message in (
                (dict(learning_rate=0.1, optimizer="Nadam"), "should be one of .*SGD"),
                (dict(learning_rate=1, optimizer="SGD"), "0-d Tensor or a Python float"),
                (dict(learning_rate=-0.1, optimizer="SGD"), "invalid learning_rate"),
                (dict(learning_rate=None, optimizer="SGD"), "learning_rate is None"),
                (dict(learning_rate=0.1, optimizer=object()), "unrecognized optimizer"),
                (dict(learning_rate=0.1, optimizer="SGD", clip_gradients=5),
                 "unknown type int for clip_gradients"),
                (dict(learning_rate=0.1, optimizer="SGD", summaries=["weights"]),
                 "summaries should be among"),
        ):
            with pytest.raises(ValueError, match=message):
                L.optimize_loss(loss, step, **kwargs)
        with pytest.raises(ValueError, match="expected a scalar loss"):
            L.optimize_loss(L.linear(x, 1), step, 0.1, "SGD")
    graph = tf.Graph()
    with graph.as_default():
        loss = tf.reduce_sum(L.linear(v1.placeholder(tf.float32, [None, 3]), 1))
        with pytest.raises(ValueError, match="global_step is required"):
            L.optimize_loss(loss, None, 0.1, "SGD", learning_rate_decay_fn=lambda lr, s: lr)


# ------------------------------------------------------------------------------------
# checkpoints under TF1's names
# ------------------------------------------------------------------------------------
# What TF 1.15 saved for fully_connected(x, 3) -> fully_connected(h, 2, activation_fn=None)
# trained with optimize_loss(..., optimizer="Adam"): layer variables from variable_scope
# default names, the learning rate and Adam's beta powers in the OptimizeLoss scope, and
# Adam's slots named <OptimizeLoss>/<variable>/Adam(_1) (slot_creator's variable_scope).
TF1_CHECKPOINT_NAMES = {
    "global_step": [],
    "fully_connected/weights": [4, 3], "fully_connected/biases": [3],
    "fully_connected_1/weights": [3, 2], "fully_connected_1/biases": [2],
    "OptimizeLoss/learning_rate": [],
    "OptimizeLoss/beta1_power": [], "OptimizeLoss/beta2_power": [],
    **{f"OptimizeLoss/{layer}/{part}/{slot}": shape
       for layer, parts in (("fully_connected", {"weights": [4, 3], "biases": [3]}),
                            ("fully_connected_1", {"weights": [3, 2], "biases": [2]}))
       for part, shape in parts.items() for slot in ("Adam", "Adam_1")},
}


def test_checkpoint_restores_under_tf1_names(tmp_path):
    x_value = np.random.default_rng(9).normal(size=(2, 4)).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        step = v1.train.get_or_create_global_step()
        x = v1.placeholder(tf.float32, [None, 4])
        out = L.fully_connected(L.fully_connected(x, 3), 2, activation_fn=None)
        train = L.optimize_loss(tf.reduce_sum(tf.square(out)), step, 0.01, "Adam")
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            session.run(train, {x: x_value})
            saved = session.run({v.op.name: v for v in v1.global_variables()})
            want = session.run(out, {x: x_value})
            path = v1.train.Saver().save(session, str(tmp_path / "model.ckpt"))
    assert dict(tf.train.list_variables(path)) == TF1_CHECKPOINT_NAMES
    # a graph that creates the variables by TF1's names (no legacy_compat) restores them
    graph = tf.Graph()
    with graph.as_default():
        variables = {name: v1.get_variable(name, shape, tf.int64 if name == "global_step"
                                           else tf.float32)
                     for name, shape in TF1_CHECKPOINT_NAMES.items()}
        with v1.Session(graph=graph) as session:
            v1.train.Saver(variables).restore(session, path)
            restored = session.run(variables)
    assert all(np.array_equal(restored[name], saved[name]) for name in TF1_CHECKPOINT_NAMES)
    # and so does a rebuilt legacy_compat graph: the same outputs
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 4])
        out = L.fully_connected(L.fully_connected(x, 3), 2, activation_fn=None)
        with v1.Session(graph=graph) as session:
            v1.train.Saver().restore(session, path)
            assert np.array_equal(session.run(out, {x: x_value}), want)


# ------------------------------------------------------------------------------------
# tf.contrib.layers under legacy_compat.v1
# ------------------------------------------------------------------------------------
def test_contrib_package_provides_layers():
    """``legacy_compat.v1`` serves ``tf.contrib.<m>`` for each module of PROVIDED (the
    porting-matrix fixture c12_contrib_layers.py runs ``tf.contrib.layers`` through it)."""
    from legacy_compat import contrib

    assert "layers" in contrib.PROVIDED
    assert all(callable(getattr(L, name)) or isinstance(getattr(L, name), (dict, list))
               for name in L.__all__)
