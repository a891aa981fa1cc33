"""Variable naming scenarios, bad input, LayerNormBasicLSTMCell and input idioms.

The naming scenarios are compared with the TF1 oracle (tf-keras' legacy cells);
LayerNormBasicLSTMCell has no oracle (it lived in tf.contrib), so it is checked
against its published equations written out independently in numpy.
"""
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from legacy_compat import rnn_cell_impl as compat
from legacy_compat.contrib import rnn as contrib_rnn
from tests.support.oracle import MEASURED, namespaces

v1 = tf.compat.v1


def _names_or_error(scenario, impl):
    """Run a graph-building scenario; return its variables (name, shape) or the error type."""
    ns = namespaces()[impl]
    graph = tf.Graph()
    with graph.as_default():
        try:
            scenario(ns)
        except Exception as exc:  # the scenario's error is part of TF1 behaviour
            return ("error", type(exc).__name__)
        return sorted((v.op.name, tuple(v.shape.as_list())) for v in v1.global_variables())


def _x(steps=3, size=2, dtype=tf.float32):
    return v1.placeholder(dtype, [None, steps, size])


def _two_cells_same_scope(ns):
    x = _x()
    a, b = ns.BasicLSTMCell(4), ns.BasicLSTMCell(5)
    state_a = a.zero_state(2, tf.float32)
    state_b = b.zero_state(2, tf.float32)
    a(x[:, 0], state_a)
    b(x[:, 0], state_b)


def _named_cell(ns):
    v1.nn.static_rnn(ns.GRUCell(3, name="my_gru"), tf.unstack(_x(), 3, 1), dtype=tf.float32)


def _explicit_scope_argument(ns):
    cell = ns.BasicRNNCell(3)
    cell(_x()[:, 0], cell.zero_state(2, tf.float32), scope="custom")


def _train_and_test_graph_share_weights(ns):
    x = _x()
    with v1.variable_scope("model"):
        v1.nn.static_rnn(ns.LSTMCell(4, use_peepholes=True), tf.unstack(x, 3, 1), dtype=tf.float32)
    with v1.variable_scope("model", reuse=True):
        v1.nn.dynamic_rnn(ns.LSTMCell(4, use_peepholes=True), x, dtype=tf.float32)


def _same_cell_object_twice_in_multi(ns):
    cell = ns.BasicLSTMCell(2)
    v1.nn.static_rnn(ns.MultiRNNCell([cell] * 2), tf.unstack(_x(size=2), 3, 1), dtype=tf.float32)


def _second_rnn_default_scope(ns):
    x = tf.unstack(_x(), 3, 1)
    v1.nn.static_rnn(ns.BasicLSTMCell(4), x, dtype=tf.float32)
    v1.nn.static_rnn(ns.BasicLSTMCell(4), x, dtype=tf.float32)


def _second_rnn_own_scope(ns):
    x = tf.unstack(_x(), 3, 1)
    v1.nn.static_rnn(ns.BasicLSTMCell(4), x, dtype=tf.float32, scope="encoder")
    v1.nn.static_rnn(ns.GRUCell(4), x, dtype=tf.float32, scope="decoder")


def _float64_cell(ns):
    v1.nn.dynamic_rnn(ns.LSTMCell(3, num_proj=2, dtype=tf.float64), _x(dtype=tf.float64),
                      dtype=tf.float64)


def _dropout_adds_no_scope(ns):
    cell = ns.DropoutWrapper(ns.BasicLSTMCell(3), output_keep_prob=0.5)
    v1.nn.static_bidirectional_rnn(cell, ns.DropoutWrapper(ns.GRUCell(2)),
                                   tf.unstack(_x(), 3, 1), dtype=tf.float32)


def _reuse_true_cell(ns):
    x = tf.unstack(_x(), 3, 1)
    v1.nn.static_rnn(ns.BasicLSTMCell(4), x, dtype=tf.float32)
    v1.nn.static_rnn(ns.BasicLSTMCell(4, reuse=True), x, dtype=tf.float32)


def _static_rnn_with_sequence_length(ns):
    """_rnn_step calls the cell inside tf.cond: a nested FuncGraph under control flow v2."""
    x = tf.unstack(_x(), 3, 1)
    seq_len = v1.placeholder(tf.int32, [None])
    v1.nn.static_bidirectional_rnn(ns.BasicRNNCell(2), ns.GRUCell(2), x, dtype=tf.float32,
                                   sequence_length=seq_len)


SCENARIOS = {
    "static_bidirectional_rnn with sequence_length": _static_rnn_with_sequence_length,
    "two cells in one scope get basic_lstm_cell and basic_lstm_cell_1": _two_cells_same_scope,
    "name= sets the scope": _named_cell,
    "scope= argument of __call__": _explicit_scope_argument,
    "train/test graphs share weights with reuse=True": _train_and_test_graph_share_weights,
    "MultiRNNCell([cell]*2) shares one variable set": _same_cell_object_twice_in_multi,
    "second static_rnn in the default scope": _second_rnn_default_scope,
    "encoder/decoder scopes": _second_rnn_own_scope,
    "float64 cell": _float64_cell,
    "DropoutWrapper adds no scope": _dropout_adds_no_scope,
    "reuse=True cell reuses rnn/basic_lstm_cell": _reuse_true_cell,
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_variable_names_match_tf1(scenario):
    expected = _names_or_error(SCENARIOS[scenario], "oracle")
    got = _names_or_error(SCENARIOS[scenario], "compat")
    assert got == expected


def test_two_cells_in_one_scope_are_uniquified():
    names = _names_or_error(_two_cells_same_scope, "compat")
    assert [n for n, _ in names] == ["basic_lstm_cell/bias", "basic_lstm_cell/kernel",
                                     "basic_lstm_cell_1/bias", "basic_lstm_cell_1/kernel"]


def test_trainable_variables_are_tracked():
    graph = tf.Graph()
    with graph.as_default():
        cells = [compat.BasicLSTMCell(3), compat.GRUCell(2)]
        multi = compat.MultiRNNCell(cells)
        v1.nn.dynamic_rnn(multi, _x(), dtype=tf.float32)
        names = [v.op.name for v in multi.trainable_variables]
        assert names == [v.op.name for v in v1.trainable_variables()]
        assert names[0] == "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel"
        assert multi.scope_name == "rnn/multi_rnn_cell"


# ----------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs", [
    ("BasicLSTMCell", {"num_units": 4, "forget_bais": 1.0}),
    ("LSTMCell", {"num_units": 4, "use_peephole": True}),
    ("GRUCell", {"num_units": 4, "reset_after": False}),
    ("BasicRNNCell", {"num_units": 4, "units": 3}),
])
def test_unknown_option_is_a_type_error_naming_it(cls, kwargs):
    bad = [k for k in kwargs if k not in ("num_units",)][0]
    with pytest.raises(TypeError):  # TF1 raised TypeError too
        getattr(namespaces()["oracle"], cls)(**kwargs)
    with pytest.raises(TypeError, match=repr(bad)):
        getattr(compat, cls)(**kwargs)


def test_unknown_wrapper_and_layer_norm_options():
    with pytest.raises(TypeError, match="'keep_prob'"):
        compat.DropoutWrapper(compat.GRUCell(2), keep_prob=0.5)
    with pytest.raises(TypeError, match="'layer_normalization'"):
        compat.LayerNormBasicLSTMCell(3, layer_normalization=True)


def test_wrong_input_rank_names_expected_shape():
    with tf.Graph().as_default():
        cell = compat.BasicLSTMCell(4)
        x = v1.placeholder(tf.float32, [None, 3, 2])
        with pytest.raises(ValueError, match=r"\[batch_size, input_size\].*\(None, 3, 2\)"):
            cell(x, cell.zero_state(2, tf.float32))


def test_wrong_input_size_names_expected_shape():
    with tf.Graph().as_default():
        cell = compat.GRUCell(4)
        state = cell.zero_state(2, tf.float32)
        cell(v1.placeholder(tf.float32, [None, 3]), state)
        with pytest.raises(ValueError, match=r"\[batch_size, 3\].*\(None, 5\)"):
            cell(v1.placeholder(tf.float32, [None, 5]), state)


def test_unknown_input_size_is_rejected():
    with tf.Graph().as_default():
        cell = compat.BasicRNNCell(4)
        with pytest.raises(ValueError, match="known input_size"):
            cell(v1.placeholder(tf.float32, [None, None]), cell.zero_state(2, tf.float32))


def test_integer_inputs_are_rejected():
    with tf.Graph().as_default():
        cell = compat.BasicRNNCell(4)
        with pytest.raises(ValueError, match="floating point.*int32"):
            cell(v1.placeholder(tf.int32, [None, 3]), tf.zeros([2, 4], tf.int32))


@pytest.mark.parametrize("make, message", [
    (lambda: compat.DropoutWrapper(compat.GRUCell(2), input_keep_prob=1.5), "input_keep_prob"),
    (lambda: compat.DropoutWrapper(compat.GRUCell(2), variational_recurrent=True), "dtype"),
    (lambda: compat.MultiRNNCell([]), "at least one cell"),
    (lambda: compat.BasicLSTMCell(3, activation="swishy"), "'swishy'"),
    (lambda: compat.MultiRNNCell([compat.BasicLSTMCell(2)], state_is_tuple=False),
     "state_is_tuple"),
])
def test_invalid_configuration_errors(make, message):
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match=message):
            make()


def test_not_a_cell_is_rejected_by_wrappers():
    with pytest.raises(TypeError, match="is not an RNNCell"):
        compat.DropoutWrapper(object())


# ----------------------------------------------------------------------------------
# LayerNormBasicLSTMCell against its equations (no oracle exists for contrib cells)
# ----------------------------------------------------------------------------------
def _np_layer_norm(x, gamma, beta, eps=1e-12):
    mean = x.mean(axis=1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_layer_norm_lstm(x, seq_len, params, units, forget_bias, layer_norm):
    """Ba et al. (2016) LSTM as in tf.contrib.rnn.LayerNormBasicLSTMCell, in numpy."""
    batch, steps, _ = x.shape
    c = np.zeros((batch, units))
    h = np.zeros((batch, units))
    outputs = np.zeros((batch, steps, units))
    for t in range(steps):
        z = np.concatenate([x[:, t], h], axis=1) @ params["kernel"]
        if not layer_norm:
            z = z + params["bias"]
        i, j, f, o = np.split(z, 4, axis=1)
        if layer_norm:
            i = _np_layer_norm(i, params["input/gamma"], params["input/beta"])
            j = _np_layer_norm(j, params["transform/gamma"], params["transform/beta"])
            f = _np_layer_norm(f, params["forget/gamma"], params["forget/beta"])
            o = _np_layer_norm(o, params["output/gamma"], params["output/beta"])
        new_c = c * _np_sigmoid(f + forget_bias) + _np_sigmoid(i) * np.tanh(j)
        if layer_norm:
            new_c = _np_layer_norm(new_c, params["state/gamma"], params["state/beta"])
        new_h = np.tanh(new_c) * _np_sigmoid(o)
        valid = (t < seq_len)[:, None]
        c = np.where(valid, new_c, c)
        h = np.where(valid, new_h, h)
        outputs[:, t] = np.where(valid, new_h, 0.0)
    return outputs, c, h


LAYER_NORM_NAMES = ["kernel"] + [f"{part}/{p}" for part in
                                 ("input", "transform", "forget", "output", "state")
                                 for p in ("gamma", "beta")]


@settings(max_examples=10)
@given(units=st.integers(2, 6), input_size=st.integers(1, 4), steps=st.integers(1, 5),
       batch=st.integers(2, 4), layer_norm=st.booleans(),
       forget_bias=st.sampled_from([0.0, 1.0, -0.5]), runner=st.sampled_from(["static", "dynamic"]),
       seed=st.integers(0, 2**31 - 1))
def test_layer_norm_basic_lstm_matches_its_equations(units, input_size, steps, batch, layer_norm,
                                                      forget_bias, runner, seed):
    rng = np.random.default_rng(seed)
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float64, [None, steps, input_size])
        seq_len = v1.placeholder(tf.int32, [None])
        cell = contrib_rnn.LayerNormBasicLSTMCell(units, forget_bias=forget_bias,
                                                  layer_norm=layer_norm,
                                                  norm_gain=1.0, norm_shift=0.0)
        if runner == "static":
            outs, state = v1.nn.static_rnn(cell, tf.unstack(x, steps, 1), dtype=tf.float64,
                                           sequence_length=seq_len)
            outs = tf.stack(outs, 1)
        else:
            outs, state = v1.nn.dynamic_rnn(cell, x, dtype=tf.float64, sequence_length=seq_len)
        variables = {v.op.name.split("layer_norm_basic_lstm_cell/")[1]: v
                     for v in v1.global_variables()}
        expected_names = LAYER_NORM_NAMES if layer_norm else ["kernel", "bias"]
        assert sorted(variables) == sorted(expected_names)
        assert all(v.op.name.startswith("rnn/layer_norm_basic_lstm_cell/")
                   for v in variables.values())
        params = {name: rng.uniform(-0.8, 0.8, v.shape.as_list()) for name, v in variables.items()}
        assigns = [v.assign(params[name]) for name, v in variables.items()]
        with v1.Session(graph=graph) as sess:
            sess.run(assigns)
            xv = rng.normal(size=(batch, steps, input_size))
            lens = rng.integers(0, steps + 1, size=batch)
            lens[0], lens[1] = 0, steps
            got_out, got_state = sess.run([outs, state], {x: xv, seq_len: lens})
    want_out, want_c, want_h = _np_layer_norm_lstm(xv, lens, params, units, forget_bias, layer_norm)
    diff = max(np.abs(got_out - want_out).max(), np.abs(got_state.c - want_c).max(),
               np.abs(got_state.h - want_h).max())
    MEASURED[("LayerNormBasicLSTMCell", f"{runner} vs numpy equations", "float64")] = max(
        diff, MEASURED.get(("LayerNormBasicLSTMCell", f"{runner} vs numpy equations", "float64"), 0))
    # float64 throughout; numpy and TF reduce the layer-norm moments in a different
    # order, and 1/sqrt(var + 1e-12) amplifies that by up to 1/std: 1e-9 leaves room.
    assert diff < 1e-9


def test_layer_norm_initial_values_are_norm_gain_and_shift():
    graph = tf.Graph()
    with graph.as_default():
        cell = contrib_rnn.LayerNormBasicLSTMCell(3, norm_gain=0.7, norm_shift=-0.2)
        v1.nn.dynamic_rnn(cell, _x(), dtype=tf.float32)
        init = v1.global_variables_initializer()
        with v1.Session(graph=graph) as sess:
            sess.run(init)
            values = {v.op.name.rsplit("/", 2)[-2] + "/" + v.op.name.rsplit("/", 1)[-1]: sess.run(v)
                      for v in v1.global_variables() if "gamma" in v.op.name or "beta" in v.op.name}
    assert len(values) == 10
    for name, value in values.items():
        np.testing.assert_array_equal(value, np.float32(0.7 if name.endswith("gamma") else -0.2))


def test_layer_norm_recurrent_dropout_is_applied():
    """dropout_keep_prob < 1 drops the candidate g; a reused cell without it does not."""
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(3)
        x = _x(steps=4, size=3)
        cell = contrib_rnn.LayerNormBasicLSTMCell(8, dropout_keep_prob=0.5, dropout_prob_seed=1)
        outs_dropped, _ = v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        plain = contrib_rnn.LayerNormBasicLSTMCell(8, reuse=True)
        outs_plain, _ = v1.nn.dynamic_rnn(plain, x, dtype=tf.float32)
        assert len(v1.global_variables()) == 11  # the second cell reused the first's variables
        init = v1.global_variables_initializer()
        with v1.Session(graph=graph) as sess:
            sess.run(init)
            xv = np.random.default_rng(0).normal(size=(16, 4, 3))
            dropped, plain_a, plain_b = sess.run([outs_dropped, outs_plain, outs_plain], {x: xv})
            dropped_again = sess.run(outs_dropped, {x: xv})
    assert np.abs(dropped - plain_a).max() > 1e-3
    assert np.abs(dropped - dropped_again).max() > 1e-3  # a new mask per Session.run
    np.testing.assert_array_equal(plain_a, plain_b)


# ----------------------------------------------------------------------------------
# input idioms: transpose -> reshape -> split  ==  unstack(x, T, 1)
# ----------------------------------------------------------------------------------
@settings(max_examples=10)
@given(batch=st.integers(1, 5), steps=st.integers(1, 8), size=st.integers(1, 6),
       seed=st.integers(0, 2**31 - 1))
def test_transpose_reshape_split_equals_unstack(batch, steps, size, seed):
    xv = np.random.default_rng(seed).normal(size=(batch, steps, size)).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, steps, size])
        idiom_a = tf.split(tf.reshape(tf.transpose(x, [1, 0, 2]), [-1, size]), steps, axis=0)
        idiom_b = tf.unstack(x, steps, 1)
        assert [t.shape.as_list() for t in idiom_a] == [t.shape.as_list() for t in idiom_b]
        with v1.Session(graph=graph) as sess:
            a, b = sess.run([idiom_a, idiom_b], {x: xv})
    assert len(a) == len(b) == steps
    for left, right in zip(a, b):
        np.testing.assert_array_equal(left, right)  # bitwise: pure data movement


def test_a_cell_belongs_to_the_graph_of_its_first_call():
    """TF1 layers raised 'Input graph and Layer graph are not the same'; so do the cells."""
    cell = compat.BasicLSTMCell(3)
    with tf.Graph().as_default():
        v1.nn.dynamic_rnn(cell, _x(), dtype=tf.float32)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="another tf.Graph"):
            v1.nn.dynamic_rnn(cell, _x(), dtype=tf.float32)


def test_cells_need_graph_mode():
    cell = compat.GRUCell(2)
    with pytest.raises(RuntimeError, match="graph mode"):
        cell(tf.zeros([1, 3]), tf.zeros([1, 2]))
