"""``modern.weights``: exact TF1 <-> Keras 3 weight maps, and the built-in Keras layers they target.

* Round trips are bitwise (hypothesis over cell types, options, sizes, dtypes and
  arbitrary bit patterns, NaN and infinities included), except where the map does
  arithmetic: the forget-gate bias block of ``keras.layers.LSTM`` absorbs TF1's
  run-time ``forget_bias`` (fl(b + forget_bias) is not injective in float32), which
  round-trips bitwise when the addition is exact and within 1 ulp of
  |b_f| + |forget_bias| otherwise.
* The shapes the maps produce are exactly those of the real Keras layers.
* A Keras layer loaded with mapped weights equals the TF1 graph (legacy_compat cells,
  ``tf.compat.v1.nn`` runners): SimpleRNN, LSTM, GRU(reset_after=False),
  Bidirectional and a 2-layer stack vs MultiRNNCell.
* Known non-equivalences are shown to be large: GRU(reset_after=True) under the same
  map; ``Bidirectional(LSTM(u))`` (return_sequences=False) vs TF1's ``outputs[-1]``.
* Bad input gets errors naming the argument or variable and the expected shape.
"""
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import modern
from modern import weights as W
from tests.modern.test_modern_oracle import (
    keras_states_as_tf1,
    make_keras_layer,
    make_tf1_cell,
    max_abs_diff,
    install_measured_summary,
    record,
    run_tf1,
    tf1_state_list,
    uniform_values,
)

MODULE = "test_modern_weights"

# float32 tolerance for Keras vs TF1. The two compute the same equations with the same
# weights but not the same operation order: Keras does x@W_x + h@W_h (two matmuls) and
# adds a bias that already holds forget_bias, TF1 does [x, h]@W (one matmul) + b, then
# + forget_bias. Each step therefore differs by a few float32 rounding errors
# (eps = 1.2e-7) on pre-activations of magnitude <= ~3 here (weights U(-0.5, 0.5),
# inputs U(-1, 1), <= 11 summed terms), damped by sigmoid/tanh; over <= 5 steps the
# measured worst case is a few 1e-7 (the table printed at the end). 1e-6 (~8 ulps at
# magnitude 1) admits that and nothing else: every wrong mapping tried differs by > 0.1.
TOL = 1e-6


@pytest.fixture(scope="module", autouse=True)
def _measured_table(request):
    install_measured_summary(request.config)


# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------
@st.composite
def cell_configs(draw):
    """(cell_type, options) for every cell type, option and target."""
    cell_type = draw(st.sampled_from(W.CELL_TYPES))
    options = {}
    if cell_type in ("BasicLSTMCell", "LSTMCell", "LayerNormBasicLSTMCell"):
        options["forget_bias"] = draw(forget_biases())
    if cell_type == "LSTMCell":
        options["use_peepholes"] = draw(st.booleans())
        options["num_proj"] = draw(st.none() | st.integers(1, 4))
        options["cell_clip"] = draw(st.none() | st.sampled_from([0.5, 3.0]))
        options["proj_clip"] = draw(st.none() | st.sampled_from([0.3, 2.0]))
    if cell_type == "LayerNormBasicLSTMCell":
        options["layer_norm"] = draw(st.booleans())
    targets = [t for t in W.KERAS_TARGETS[cell_type]
               if not (t == "LSTM" and W.default_target(cell_type, **{
                   k: v for k, v in options.items()
                   if k in ("use_peepholes", "num_proj", "cell_clip", "proj_clip")}) != "LSTM")]
    options["target"] = draw(st.sampled_from(targets))
    return cell_type, options


def forget_biases():
    return st.sampled_from([0.0, 1.0, 0.5, -0.7, 2.0]) | st.floats(-3, 3, width=32)


def random_bits(rng, shape, dtype):
    """Arbitrary bit patterns: NaNs (any payload), infinities, subnormals, -0.0 included."""
    itype = {np.float32: np.uint32, np.float64: np.uint64}[dtype]
    size = int(np.prod(shape))
    return rng.integers(0, np.iinfo(itype).max, size=size, dtype=itype,
                        endpoint=True).view(dtype).reshape(shape)


def bits(a):
    a = np.ascontiguousarray(a)
    return a.view({4: np.uint32, 8: np.uint64}[a.dtype.itemsize])


def assert_bitwise(actual, expected, what):
    assert actual.dtype == expected.dtype, (what, actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    assert np.array_equal(bits(actual), bits(expected)), what


def _forget_slice(layout, units):
    """Where the forget bias sits: TF1 bias [i, j, f, o] -> block 2; Keras [i, f, c, o] -> 1."""
    return {"tf1": slice(2 * units, 3 * units), "keras": slice(units, 2 * units)}[layout]


# --------------------------------------------------------------------------
# round trips
# --------------------------------------------------------------------------
# Explicit examples: every target and the folded forget bias are always covered.
ROUND_TRIP_EXAMPLES = [
    (("BasicLSTMCell", {"forget_bias": 1.0, "target": "LSTM"}), False),
    (("LSTMCell", {"forget_bias": -0.7, "target": "LSTM"}), True),
    (("LSTMCell", {"forget_bias": 1.0, "use_peepholes": True, "num_proj": 2, "cell_clip": 0.5,
                   "proj_clip": 2.0, "target": "TF1LSTMCell"}), False),
    (("GRUCell", {"target": "GRU"}), False),
    (("BasicRNNCell", {"target": "SimpleRNN"}), False),
    (("LayerNormBasicLSTMCell", {"forget_bias": 1.0, "layer_norm": False,
                                 "target": "TF1LayerNormLSTMCell"}), False),
]


def round_trip_examples(test):
    for config, grid in ROUND_TRIP_EXAMPLES:
        test = example(config=config, input_size=3, units=4, dtype=np.float32, seed=1,
                       grid=grid)(test)
    return test


@settings(max_examples=8)
@round_trip_examples
@given(config=cell_configs(), input_size=st.integers(1, 5), units=st.integers(1, 6),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**32 - 1),
       grid=st.booleans())
def test_tf1_to_keras_to_tf1_is_bitwise(config, input_size, units, dtype, seed, grid):
    cell_type, options = config
    rng = np.random.default_rng(seed)
    kw = dict(input_size=input_size, units=units, **options)
    shapes = W.tf1_variable_shapes(cell_type, **{k: v for k, v in kw.items() if k != "target"})
    tf1_vars = {name: random_bits(rng, shape, dtype) for name, shape in shapes.items()}
    folds = options["target"] == "LSTM"
    fb = options.get("forget_bias", 1.0)
    if folds:
        f = _forget_slice("tf1", units)
        block = (rng.integers(-8 * 1024, 8 * 1024, size=units) / 1024.0 if grid
                 else rng.uniform(-4, 4, size=units))
        tf1_vars["bias"][f] = block.astype(dtype)
        if grid:  # a coarse binary grid: b + forget_bias is exact, so is the round trip
            fb = kw["forget_bias"] = float(np.round(fb * 64) / 64)

    keras_weights = W.tf1_to_keras(cell_type, tf1_vars, **kw)
    assert [w.shape for w in keras_weights] == W.keras_weight_shapes(
        cell_type, **{k: v for k, v in kw.items()})
    back = W.keras_to_tf1(cell_type, keras_weights, **kw)
    assert list(back) == list(shapes)
    for name in shapes:
        if folds and name == "bias":
            f = _forget_slice("tf1", units)
            rest = np.ones(4 * units, bool)
            rest[f] = False
            assert_bitwise(back[name][rest], tf1_vars[name][rest], name)
            b, got = tf1_vars[name][f], back[name][f]
            if grid or fb == 0.0:
                assert_bitwise(got, b, "forget-gate bias")
            else:
                bound = np.spacing((np.abs(b) + abs(fb)).astype(dtype))
                assert np.all(np.abs(got - b) <= bound)
        else:
            assert_bitwise(back[name], tf1_vars[name], name)
        assert not np.shares_memory(back[name], tf1_vars[name])


@settings(max_examples=8)
@round_trip_examples
@given(config=cell_configs(), input_size=st.integers(1, 5), units=st.integers(1, 6),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**32 - 1),
       grid=st.booleans())
def test_keras_to_tf1_to_keras_is_bitwise(config, input_size, units, dtype, seed, grid):
    cell_type, options = config
    rng = np.random.default_rng(seed)
    kw = dict(input_size=input_size, units=units, **options)
    shapes = W.keras_weight_shapes(cell_type, **kw)
    keras_weights = [random_bits(rng, shape, dtype) for shape in shapes]
    folds = options["target"] == "LSTM"
    fb = options.get("forget_bias", 1.0)
    if folds:
        f = _forget_slice("keras", units)
        block = (rng.integers(-8 * 1024, 8 * 1024, size=units) / 1024.0 if grid
                 else rng.uniform(-4, 4, size=units))
        keras_weights[2][f] = block.astype(dtype)
        if grid:
            fb = kw["forget_bias"] = float(np.round(fb * 64) / 64)

    tf1_vars = W.keras_to_tf1(cell_type, keras_weights, **kw)
    assert {k: v.shape for k, v in tf1_vars.items()} == W.tf1_variable_shapes(
        cell_type, **{k: v for k, v in kw.items() if k != "target"})
    back = W.tf1_to_keras(cell_type, tf1_vars, **kw)
    assert len(back) == len(keras_weights)
    for index, (got, want) in enumerate(zip(back, keras_weights)):
        if folds and index == 2:
            f = _forget_slice("keras", units)
            rest = np.ones(4 * units, bool)
            rest[f] = False
            assert_bitwise(got[rest], want[rest], "bias")
            if grid or fb == 0.0:
                assert_bitwise(got[f], want[f], "forget-gate bias")
            else:
                bound = np.spacing((np.abs(want[f]) + abs(fb)).astype(dtype))
                assert np.all(np.abs(got[f] - want[f]) <= bound)
        else:
            assert_bitwise(got, want, f"weight {index}")


def test_forget_bias_fold_is_not_injective_but_tf1lstmcell_target_is_bitwise():
    """The documented limit of target='LSTM': fl(1e-10 + 1.0) == 1.0 loses b_f."""
    units = 1
    bias = np.array([0.0, 0.0, 1e-10, 0.0], np.float32)
    tf1_vars = {"kernel": np.zeros((2, 4), np.float32), "bias": bias}
    kw = dict(input_size=1, units=units, forget_bias=1.0)
    back = W.keras_to_tf1("BasicLSTMCell", W.tf1_to_keras("BasicLSTMCell", tf1_vars, **kw), **kw)
    assert back["bias"][2] == 0.0 and bias[2] != 0.0
    exact = W.keras_to_tf1("BasicLSTMCell", W.tf1_to_keras(
        "BasicLSTMCell", tf1_vars, target="TF1LSTMCell", **kw), target="TF1LSTMCell", **kw)
    assert_bitwise(exact["bias"], bias, "bias")


@settings(max_examples=6)
@given(config=cell_configs(), input_size=st.integers(1, 4), units=st.integers(1, 5),
       seed=st.integers(0, 2**32 - 1))
def test_bidirectional_round_trip_is_bitwise(config, input_size, units, seed):
    cell_type, options = config
    options = dict(options, forget_bias=0.0) if "forget_bias" in options else options
    rng = np.random.default_rng(seed)
    kw = dict(input_size=input_size, units=units, **options)
    shapes = W.tf1_variable_shapes(cell_type, **{k: v for k, v in kw.items() if k != "target"})
    fw = {n: random_bits(rng, s, np.float32) for n, s in shapes.items()}
    bw = {n: random_bits(rng, s, np.float32) for n, s in shapes.items()}
    flat = W.bidirectional_tf1_to_keras(cell_type, fw, bw, **kw)
    assert len(flat) == 2 * len(W.keras_weight_shapes(cell_type, **kw))
    fw2, bw2 = W.bidirectional_keras_to_tf1(cell_type, flat, **kw)
    for name in shapes:
        assert_bitwise(fw2[name], fw[name], f"fw {name}")
        assert_bitwise(bw2[name], bw[name], f"bw {name}")


@settings(max_examples=6)
@given(types=st.lists(st.sampled_from(["BasicRNNCell", "BasicLSTMCell", "GRUCell", "LSTMCell"]),
                      min_size=1, max_size=3),
       data=st.data(), input_size=st.integers(1, 4), seed=st.integers(0, 2**32 - 1),
       flat=st.booleans())
def test_stack_round_trip_is_bitwise(types, data, input_size, seed, flat):
    units = data.draw(st.lists(st.integers(1, 5), min_size=len(types), max_size=len(types)))
    rng = np.random.default_rng(seed)
    tf1_vars, depth = {}, input_size
    for i, (cell_type, u) in enumerate(zip(types, units)):
        for name, shape in W.tf1_variable_shapes(cell_type, input_size=depth, units=u).items():
            tf1_vars[f"cell_{i}/{W.TF1_SCOPES[cell_type]}/{name}"] = random_bits(
                rng, shape, np.float32)
        depth = u
    per_layer = W.stack_tf1_to_keras(types, tf1_vars, input_size=input_size, units=units,
                                     forget_bias=0.0)
    assert len(per_layer) == len(types)
    given_back = sum(per_layer, []) if flat else per_layer
    back = W.stack_keras_to_tf1(types, given_back, input_size=input_size, units=units,
                                forget_bias=0.0)
    assert sorted(back) == sorted(tf1_vars)
    for name in tf1_vars:
        assert_bitwise(back[name], tf1_vars[name], name)


# --------------------------------------------------------------------------
# the shapes are those of the real Keras layers
# --------------------------------------------------------------------------
SHAPE_CASES = [
    ("BasicRNNCell", {}),
    ("BasicLSTMCell", {}),
    ("BasicLSTMCell", {"target": "TF1LSTMCell"}),
    ("LSTMCell", {}),
    ("LSTMCell", {"use_peepholes": True, "num_proj": 2, "cell_clip": 1.0, "proj_clip": 0.5}),
    ("LSTMCell", {"num_proj": 7}),
    ("GRUCell", {}),
    ("LayerNormBasicLSTMCell", {}),
    ("LayerNormBasicLSTMCell", {"layer_norm": False}),
]


@pytest.mark.parametrize("cell_type,options", SHAPE_CASES,
                         ids=[f"{t}-{o}" for t, o in SHAPE_CASES])
def test_keras_weight_shapes_match_the_keras_layers(cell_type, options):
    layer = make_keras_layer(cell_type, 5, **options)
    layer(np.zeros((1, 2, 3), np.float32))
    assert [w.shape for w in layer.get_weights()] == W.keras_weight_shapes(
        cell_type, input_size=3, units=5, **options)


# --------------------------------------------------------------------------
# Keras layers with mapped weights == the TF1 graph
# --------------------------------------------------------------------------
@st.composite
def dims(draw):
    return dict(units=draw(st.integers(1, 6)), input_size=draw(st.integers(1, 5)),
                steps=draw(st.integers(1, 5)), batch=draw(st.integers(1, 4)),
                seed=draw(st.integers(0, 2**32 - 1)))


def _inputs(d):
    rng = np.random.default_rng(d["seed"])
    return rng, rng.uniform(-1, 1, (d["batch"], d["steps"], d["input_size"])).astype(np.float32)


def _compare_single(cell_type, d, runner, **options):
    rng, x = _inputs(d)
    u = d["units"]
    tf1 = run_tf1(lambda: make_tf1_cell(cell_type, u, **options), runner, x,
                  values=uniform_values(rng))
    tf1_vars = W.scope_variables(tf1.variables, f"rnn/{W.TF1_SCOPES[cell_type]}")
    mapped = W.tf1_to_keras(cell_type, tf1_vars, input_size=d["input_size"], units=u, **options)
    layer = make_keras_layer(cell_type, u, return_sequences=True, return_state=True, **options)
    layer(x)
    layer.set_weights(mapped)
    out, *states = layer(x)
    target = W.default_target(cell_type)
    diff = max_abs_diff([out] + keras_states_as_tf1(target, states),
                        [tf1.outputs] + tf1_state_list(tf1.state))
    return diff, target


RUNNER = st.sampled_from(["static_rnn", "dynamic_rnn"])


@settings(max_examples=6)
@given(d=dims(), runner=RUNNER)
def test_simple_rnn_equals_basic_rnn_cell(d, runner):
    diff, _ = _compare_single("BasicRNNCell", d, runner)
    assert record(MODULE, "BasicRNNCell vs SimpleRNN", diff) <= TOL


@settings(max_examples=8)
@given(d=dims(), runner=RUNNER, forget_bias=forget_biases(),
       cell_type=st.sampled_from(["BasicLSTMCell", "LSTMCell"]))
def test_lstm_equals_basic_lstm_cell(d, runner, forget_bias, cell_type):
    diff, _ = _compare_single(cell_type, d, runner, forget_bias=forget_bias)
    assert record(MODULE, f"{cell_type} vs LSTM", diff) <= TOL


@settings(max_examples=6)
@given(d=dims(), runner=RUNNER)
def test_gru_reset_after_false_equals_gru_cell(d, runner):
    diff, _ = _compare_single("GRUCell", d, runner)
    assert record(MODULE, "GRUCell vs GRU(reset_after=False)", diff) <= TOL


@settings(max_examples=6)
@given(d=dims(), cell_type=st.sampled_from(["BasicLSTMCell", "GRUCell", "BasicRNNCell"]),
       forget_bias=forget_biases())
def test_bidirectional_return_sequences_equals_static_bidirectional_rnn(d, cell_type,
                                                                          forget_bias):
    import keras

    rng, x = _inputs(d)
    u = d["units"]
    options = {"forget_bias": forget_bias} if cell_type == "BasicLSTMCell" else {}
    tf1 = run_tf1(lambda: (make_tf1_cell(cell_type, u, **options),
                           make_tf1_cell(cell_type, u, **options)),
                  "static_bidirectional_rnn", x, values=uniform_values(rng))
    scope = W.TF1_SCOPES[cell_type]
    fw = W.scope_variables(tf1.variables, f"bidirectional_rnn/fw/{scope}")
    bw = W.scope_variables(tf1.variables, f"bidirectional_rnn/bw/{scope}")
    layer = keras.layers.Bidirectional(
        make_keras_layer(cell_type, u, return_sequences=True, return_state=True, **options))
    layer(x)
    layer.set_weights(W.bidirectional_tf1_to_keras(
        cell_type, fw, bw, input_size=d["input_size"], units=u, **options))
    out, *states = layer(x)
    target = W.default_target(cell_type)
    half = len(states) // 2
    keras_states = (keras_states_as_tf1(target, states[:half])
                    + keras_states_as_tf1(target, states[half:]))
    tf1_states = tf1_state_list(tf1.state[0]) + tf1_state_list(tf1.state[1])
    diff = max_abs_diff([out] + keras_states, [tf1.outputs] + tf1_states)
    assert record(MODULE, f"static_bidirectional_rnn({cell_type}) vs Bidirectional", diff) <= TOL


@settings(max_examples=6)
@given(d=dims(), units_1=st.integers(1, 5),
       types=st.lists(st.sampled_from(["BasicLSTMCell", "GRUCell", "BasicRNNCell"]),
                      min_size=2, max_size=2),
       forget_bias=forget_biases(), stacked_cells=st.booleans())
def test_two_layer_stack_equals_multi_rnn_cell(d, units_1, types, forget_bias, stacked_cells):
    import keras

    rng, x = _inputs(d)
    units = [d["units"], units_1]
    tf1 = run_tf1(lambda: tf1_rnn_multi(types, units, forget_bias), "dynamic_rnn", x,
                  values=uniform_values(rng))
    tf1_vars = W.scope_variables(tf1.variables, "rnn/multi_rnn_cell")
    per_layer = W.stack_tf1_to_keras(types, tf1_vars, input_size=d["input_size"], units=units,
                                     forget_bias=forget_bias)
    targets = [W.default_target(t) for t in types]
    if stacked_cells:
        cells = [make_keras_layer(t, u).cell for t, u in zip(types, units)]
        layer = keras.layers.RNN(keras.layers.StackedRNNCells(cells), return_sequences=True,
                                 return_state=True)
        layer(x)
        layer.set_weights(sum(per_layer, []))
        out, *nested = layer(x)
        keras_states = sum((keras_states_as_tf1(t, list(s)) for t, s in zip(targets, nested)),
                           [])
    else:
        out, keras_states = x, []
        for t, u, w in zip(types, units, per_layer):
            layer = make_keras_layer(t, u, return_sequences=True, return_state=True)
            layer(out)
            layer.set_weights(w)
            out, *states = layer(out)
            keras_states += keras_states_as_tf1(W.default_target(t), states)
    diff = max_abs_diff([out] + keras_states, [tf1.outputs] + tf1_state_list(tf1.state))
    assert record(MODULE, "MultiRNNCell (2 layers) vs stacked Keras layers", diff) <= TOL


def tf1_rnn_multi(types, units, forget_bias):
    from legacy_compat.contrib import rnn as tf1_rnn

    cells = [make_tf1_cell(t, u, forget_bias=forget_bias) for t, u in zip(types, units)]
    return tf1_rnn.MultiRNNCell(cells)


# --------------------------------------------------------------------------
# known non-equivalences: the difference is large
# --------------------------------------------------------------------------
# The non-equivalence demonstrations use one fixed configuration with weights U(-1, 1)
# (trained RNN weights are of that order); the differences are O(0.1-1) there.
D_FIXED = dict(units=8, input_size=5, steps=10, batch=4, seed=20240601)
FIXED_SCALE = 1.0


def test_gru_reset_after_true_is_not_equivalent():
    """Keras' default GRU(reset_after=True) with the same kernels and the gate bias as its
    input bias (recurrent bias 0): r*(h@W_h) is not (r*h)@W_h, an O(1) difference."""
    d = D_FIXED
    rng, x = _inputs(d)
    u = d["units"]
    tf1 = run_tf1(lambda: make_tf1_cell("GRUCell", u), "static_rnn", x,
                  values=uniform_values(rng, FIXED_SCALE))
    tf1_vars = W.scope_variables(tf1.variables, "rnn/gru_cell")
    kernel, recurrent, bias = W.tf1_to_keras("GRUCell", tf1_vars, input_size=d["input_size"],
                                             units=u)
    with pytest.raises(ValueError, match="reset_after=True"):
        W.tf1_to_keras("GRUCell", tf1_vars, input_size=d["input_size"], units=u,
                       reset_after=True)
    layer = make_keras_layer("GRUCell", u, reset_after=True, return_sequences=True,
                             return_state=True)
    layer(x)
    layer.set_weights([kernel, recurrent, np.stack([bias, np.zeros_like(bias)])])
    out, h = layer(x)
    diff = max_abs_diff([out, h], [tf1.outputs, tf1.state])
    record(MODULE, "NON-EQUIVALENT: GRUCell vs GRU(reset_after=True)", diff)
    assert diff > 1e-2


def test_bidirectional_last_output_is_not_tf1_outputs_last():
    """``Bidirectional(LSTM(u))`` returns concat(fw[-1], bw[0]) (the final states), not
    TF1's ``outputs[-1]`` whose backward half has seen only x[T-1]."""
    import keras

    d = D_FIXED
    rng, x = _inputs(d)
    u = d["units"]
    tf1 = run_tf1(lambda: (make_tf1_cell("BasicLSTMCell", u), make_tf1_cell("BasicLSTMCell", u)),
                  "static_bidirectional_rnn", x, values=uniform_values(rng, FIXED_SCALE))
    fw = W.scope_variables(tf1.variables, "bidirectional_rnn/fw/basic_lstm_cell")
    bw = W.scope_variables(tf1.variables, "bidirectional_rnn/bw/basic_lstm_cell")
    layer = keras.layers.Bidirectional(keras.layers.LSTM(u))
    layer(x)
    layer.set_weights(W.bidirectional_tf1_to_keras("BasicLSTMCell", fw, bw,
                                                   input_size=d["input_size"], units=u))
    last = np.asarray(layer(x))
    diff = max_abs_diff(last, tf1.outputs[:, -1])
    record(MODULE, "NON-EQUIVALENT: Bidirectional(LSTM) vs TF1 outputs[-1]", diff)
    assert diff > 1e-2
    # What it is instead: the forward output at T-1 and the backward output at 0.
    expected = np.concatenate([tf1.outputs[:, -1, :u], tf1.outputs[:, 0, u:]], axis=-1)
    assert record(MODULE, "Bidirectional(LSTM) vs concat(fw[-1], bw[0])",
                  max_abs_diff(last, expected)) <= TOL


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------
def _lstm_vars(d=2, u=3):
    return {"kernel": np.zeros((d + u, 4 * u), np.float32), "bias": np.zeros(4 * u, np.float32)}


BAD_CALLS = [
    ("units<=0", lambda: W.tf1_to_keras("BasicLSTMCell", _lstm_vars(), input_size=2, units=-1),
     ValueError, r"Received: units=-1"),
    ("units not int", lambda: W.tf1_to_keras("BasicLSTMCell", _lstm_vars(), input_size=2,
                                             units="3"),
     TypeError, r"Received: units='3'"),
    ("input_size 0", lambda: W.keras_weight_shapes("GRUCell", input_size=0, units=3),
     ValueError, r"Received: input_size=0"),
    ("unknown cell", lambda: W.tf1_to_keras("LSTMBlockCell", {}, input_size=2, units=3),
     ValueError, r"Received: cell_type='LSTMBlockCell'"),
    ("kernel shape", lambda: W.tf1_to_keras("BasicLSTMCell", _lstm_vars(d=4), input_size=2,
                                            units=3),
     ValueError, r"variable 'kernel' has shape \(7, 12\); expected \(5, 12\)"),
    ("bias shape", lambda: W.tf1_to_keras(
        "BasicLSTMCell", {**_lstm_vars(), "bias": np.zeros(3, np.float32)}, input_size=2,
        units=3),
     ValueError, r"variable 'bias' has shape \(3,\); expected \(12,\)"),
    ("missing var", lambda: W.tf1_to_keras("GRUCell", {"gates/kernel": np.zeros((5, 6))},
                                           input_size=2, units=3),
     ValueError, r"missing \['gates/bias', 'candidate/kernel', 'candidate/bias'\]"),
    ("peephole var without option", lambda: W.tf1_to_keras(
        "LSTMCell", {**_lstm_vars(), "w_f_diag": np.zeros(3)}, input_size=2, units=3),
     ValueError, r"unexpected \['w_f_diag'\].*use_peepholes=True"),
    ("full names", lambda: W.tf1_to_keras(
        "BasicLSTMCell", {"rnn/basic_lstm_cell/kernel": np.zeros((5, 12)),
                          "rnn/basic_lstm_cell/bias": np.zeros(12)}, input_size=2, units=3),
     ValueError, r"scope_variables"),
    ("int dtype", lambda: W.tf1_to_keras(
        "BasicRNNCell", {"kernel": np.zeros((5, 3), int), "bias": np.zeros(3)}, input_size=2,
        units=3),
     TypeError, r"'kernel' must be a floating-point array"),
    ("GRU reset_after=True", lambda: W.tf1_to_keras("GRUCell", {}, input_size=2, units=3,
                                                    reset_after=True),
     ValueError, r"reset_after=True.*no exact mapping"),
    ("GRU reset_after=True weights", lambda: W.keras_to_tf1(
        "GRUCell", [np.zeros((2, 9)), np.zeros((3, 9)), np.zeros((2, 9))], input_size=2,
        units=3),
     ValueError, r"weight 2 \('bias'\) has shape \(2, 9\).*reset_after=True"),
    ("keras weight shape", lambda: W.keras_to_tf1(
        "BasicLSTMCell", [np.zeros((2, 12)), np.zeros((4, 12)), np.zeros(12)], input_size=2,
        units=3),
     ValueError, r"weight 1 \('recurrent_kernel'\) has shape \(4, 12\); expected \(3, 12\)"),
    ("keras weight count", lambda: W.keras_to_tf1(
        "BasicLSTMCell", [np.zeros((2, 12)), np.zeros((3, 12))], input_size=2, units=3),
     ValueError, r"has 3 weights .* received 2 arrays"),
    ("LSTM target with peepholes", lambda: W.tf1_to_keras(
        "LSTMCell", {}, input_size=2, units=3, use_peepholes=True, target="LSTM"),
     ValueError, r"no exact mapping.*TF1LSTMCell"),
    ("GRU target LSTM", lambda: W.tf1_to_keras("GRUCell", {}, input_size=2, units=3,
                                               target="LSTM"),
     ValueError, r"Received: target='LSTM'"),
    ("option of another cell", lambda: W.tf1_to_keras("GRUCell", {}, input_size=2, units=3,
                                                      num_proj=2),
     ValueError, r"Received: num_proj=2"),
    ("negative clip", lambda: W.keras_weight_shapes("LSTMCell", input_size=2, units=3,
                                                    cell_clip=-1.0),
     ValueError, r"Received: cell_clip=-1.0"),
    ("shared MultiRNNCell", lambda: W.stack_tf1_to_keras(
        "BasicLSTMCell", {f"cell_0/basic_lstm_cell/{k}": v for k, v in _lstm_vars(3).items()},
        input_size=3, units=[3, 3]),
     ValueError, r"No variables under 'cell_1/basic_lstm_cell/'.*shares"),
    ("no scope", lambda: W.scope_variables({"rnn/gru_cell/gates/kernel": 0}, "rnn/lstm_cell"),
     ValueError, r"No variables under scope 'rnn/lstm_cell'. Scopes present: \['rnn/gru_cell/gates'\]"),
    ("bidirectional odd", lambda: W.bidirectional_keras_to_tf1(
        "BasicRNNCell", [np.zeros(1)] * 3, input_size=1, units=1),
     ValueError, r"received 3 arrays"),
]


@pytest.mark.parametrize("call,error,match", [c[1:] for c in BAD_CALLS],
                         ids=[c[0] for c in BAD_CALLS])
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_modern_exports_the_maps():
    for name in W.__all__:
        assert getattr(modern, name) is getattr(W, name)
