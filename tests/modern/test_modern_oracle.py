"""The TF1 side of the modern (Keras 3) equivalence tests, and checks of its names.

Helpers imported by ``test_modern_cells.py`` and ``test_modern_weights.py``:

* :func:`run_tf1` builds a TF1 pipeline from ``legacy_compat``'s cells (exact copies
  of TF1's, verified against the original code by ``test_cells_oracle.py``) in an
  explicit ``tf.Graph()`` with ``tf.compat.v1.nn.static_rnn``/``dynamic_rnn``/
  ``static_bidirectional_rnn``, gives every variable a random value and runs it in a
  ``tf.compat.v1.Session``; eager execution stays on for Keras (semantics doc §14).
* :func:`make_tf1_cell` / :func:`make_keras_layer` build the two sides of one pair
  from the same ``(cell_type, options)``.
* :func:`record` keeps the largest |difference| per pair; each test module prints
  its table at the end of its run.

The tests here check that the variable names and shapes a real TF1 graph creates are
exactly those ``modern.weights`` expects, for every cell type and option.
"""
import dataclasses
from typing import Dict

import numpy as np
import pytest
import tensorflow as tf

import modern
from legacy_compat.contrib import rnn as tf1_rnn

v1 = tf.compat.v1

# Largest |diff| measured per (test module, pair) in this session.
MEASURED: Dict[tuple, float] = {}


def record(module, pair, diff):
    key = (module, pair)
    MEASURED[key] = max(MEASURED.get(key, 0.0), float(diff))
    return diff


class _MeasuredSummary:
    """A plugin (registered at run time: only conftest.py, which this kit's modern side
    does not own, could declare hooks statically) printing the tables at the end."""

    def pytest_terminal_summary(self, terminalreporter):
        for module in sorted({mod for mod, _ in MEASURED}):
            terminalreporter.write_line(f"[{module}] largest |diff| per pair (float32):")
            for (mod, pair), diff in sorted(MEASURED.items()):
                if mod == module:
                    terminalreporter.write_line(f"    {pair}: {diff:.3g}")


def install_measured_summary(config):
    """Print the MEASURED tables in the terminal summary of this pytest run."""
    if not config.pluginmanager.has_plugin("modern-measured-summary"):
        config.pluginmanager.register(_MeasuredSummary(), "modern-measured-summary")


def max_abs_diff(a, b):
    flat_a, flat_b = tf.nest.flatten(a), tf.nest.flatten(b)
    assert len(flat_a) == len(flat_b), (len(flat_a), len(flat_b))
    diffs = []
    for x, y in zip(flat_a, flat_b):
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        assert x.shape == y.shape, (x.shape, y.shape)
        diffs.append(float(np.max(np.abs(x - y))) if x.size else 0.0)
    return max(diffs) if diffs else 0.0


# --------------------------------------------------------------------------
# the two sides of a pair
# --------------------------------------------------------------------------
TF1_OPTION_NAMES = {
    "BasicRNNCell": (),
    "BasicLSTMCell": ("forget_bias",),
    "LSTMCell": ("forget_bias", "use_peepholes", "cell_clip", "num_proj", "proj_clip"),
    "GRUCell": (),
    "LayerNormBasicLSTMCell": ("forget_bias", "layer_norm"),
}


def make_tf1_cell(cell_type, units, **options):
    """A legacy_compat (TF1) cell; options not of this cell type are ignored."""
    kwargs = {k: v for k, v in options.items() if k in TF1_OPTION_NAMES[cell_type]}
    return getattr(tf1_rnn, cell_type)(units, **kwargs)


def make_keras_layer(cell_type, units, *, target=None, forget_bias=1.0, use_peepholes=False,
                     cell_clip=None, num_proj=None, proj_clip=None, layer_norm=True,
                     reset_after=False, **layer_kwargs):
    """The exact Keras 3 equivalent of a TF1 cell (``modern.default_target`` unless given)."""
    import keras

    target = target or modern.default_target(cell_type, use_peepholes=use_peepholes,
                                             num_proj=num_proj, cell_clip=cell_clip,
                                             proj_clip=proj_clip)
    if target == "SimpleRNN":
        return keras.layers.SimpleRNN(units, **layer_kwargs)
    if target == "LSTM":
        return keras.layers.LSTM(units, **layer_kwargs)
    if target == "GRU":
        return keras.layers.GRU(units, reset_after=reset_after, **layer_kwargs)
    if target == "TF1LSTMCell":
        cell = modern.TF1LSTMCell(units, use_peepholes=use_peepholes, cell_clip=cell_clip,
                                  num_proj=num_proj, proj_clip=proj_clip,
                                  forget_bias=forget_bias)
        return keras.layers.RNN(cell, **layer_kwargs)
    if target == "TF1LayerNormLSTMCell":
        cell = modern.TF1LayerNormLSTMCell(units, forget_bias=forget_bias, layer_norm=layer_norm)
        return keras.layers.RNN(cell, **layer_kwargs)
    raise ValueError(f"unknown target {target!r}")


def keras_states_as_tf1(target, states):
    """Keras' returned states in TF1's order: LSTM's [h, c] -> (c, h); others as they are."""
    states = [np.asarray(s) for s in states]
    if target == "LSTM":
        h, c = states
        return [c, h]
    return states


def tf1_state_list(state):
    """A TF1 final state (tensor or LSTMStateTuple (c, h)) as a flat list, TF1's order."""
    return [np.asarray(s) for s in tf.nest.flatten(state)]


# --------------------------------------------------------------------------
# the TF1 run
# --------------------------------------------------------------------------
@dataclasses.dataclass
class TF1Result:
    outputs: np.ndarray        # [batch, steps, output size]
    state: object              # nested like TF1's final state, numpy leaves
    variables: Dict[str, np.ndarray]  # full variable name -> value used


def uniform_values(rng, scale=0.5):
    def value(name, shape):
        return rng.uniform(-scale, scale, size=shape)
    return value


def run_tf1(make_cells, runner, x, *, values):
    """Build and run a TF1 pipeline on ``x`` [batch, steps, depth] (float32).

    ``make_cells()`` returns one cell (``static_rnn``, ``dynamic_rnn``) or a
    ``(fw, bw)`` pair (``static_bidirectional_rnn``); ``values(name, shape)`` gives
    each variable's value (by full name). Returns outputs (bidirectional: fw and bw
    concatenated on the last axis), final state and the variable values.
    """
    batch, steps, depth = x.shape
    graph = tf.Graph()
    with graph.as_default():
        x_ph = v1.placeholder(tf.float32, [None, steps, depth], name="x")
        if runner == "static_rnn":
            outs, state = v1.nn.static_rnn(make_cells(), tf.unstack(x_ph, steps, 1),
                                           dtype=tf.float32)
            outputs = tf.stack(outs, 1)
        elif runner == "dynamic_rnn":
            outputs, state = v1.nn.dynamic_rnn(make_cells(), x_ph, dtype=tf.float32)
        elif runner == "static_bidirectional_rnn":
            fw, bw = make_cells()
            outs, state_fw, state_bw = v1.nn.static_bidirectional_rnn(
                fw, bw, tf.unstack(x_ph, steps, 1), dtype=tf.float32)
            outputs, state = tf.stack(outs, 1), (state_fw, state_bw)
        else:
            raise ValueError(f"unknown runner {runner!r}")
        variables = {v.op.name: v for v in v1.global_variables()}
        placeholders, assigns = {}, []
        for name, var in variables.items():
            ph = v1.placeholder(tf.float32, var.shape)
            placeholders[name] = ph
            assigns.append(var.assign(ph))
        init = v1.global_variables_initializer()
    with v1.Session(graph=graph) as session:
        session.run(init)
        feed = {placeholders[name]: np.asarray(values(name, var.shape.as_list()), np.float32)
                for name, var in sorted(variables.items())}
        session.run(assigns, feed_dict=feed)
        out, fin, var_values = session.run(
            [outputs, state, {n: v for n, v in variables.items()}], feed_dict={x_ph: x})
    return TF1Result(out, fin, var_values)


# --------------------------------------------------------------------------
# checks of the names the maps expect
# --------------------------------------------------------------------------
NAME_CASES = [
    ("BasicRNNCell", {}),
    ("BasicLSTMCell", {}),
    ("LSTMCell", {}),
    ("LSTMCell", {"use_peepholes": True}),
    ("LSTMCell", {"num_proj": 2, "cell_clip": 1.0, "proj_clip": 0.5}),
    ("LSTMCell", {"use_peepholes": True, "num_proj": 4}),
    ("GRUCell", {}),
    ("LayerNormBasicLSTMCell", {}),
    ("LayerNormBasicLSTMCell", {"layer_norm": False}),
]


@pytest.mark.parametrize("cell_type,options", NAME_CASES,
                         ids=[f"{t}-{o}" for t, o in NAME_CASES])
def test_tf1_graph_names_and_shapes_are_what_the_maps_expect(cell_type, options):
    input_size, units = 3, 5
    x = np.zeros((2, 2, input_size), np.float32)
    result = run_tf1(lambda: make_tf1_cell(cell_type, units, **options), "dynamic_rnn", x,
                     values=uniform_values(np.random.default_rng(0)))
    scope = f"rnn/{modern.TF1_SCOPES[cell_type]}"
    got = {k: v.shape for k, v in modern.scope_variables(result.variables, scope).items()}
    expected = modern.tf1_variable_shapes(cell_type, input_size=input_size, units=units,
                                          **options)
    assert got == expected
    assert sorted(result.variables) == sorted(f"{scope}/{name}" for name in expected)


def test_multi_rnn_cell_and_bidirectional_scopes():
    x = np.zeros((1, 2, 3), np.float32)
    values = uniform_values(np.random.default_rng(0))
    stacked = run_tf1(lambda: tf1_rnn.MultiRNNCell([tf1_rnn.BasicLSTMCell(4),
                                                    tf1_rnn.GRUCell(2)]),
                      "static_rnn", x, values=values)
    assert sorted(stacked.variables) == sorted(
        ["rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
         "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias",
         "rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel",
         "rnn/multi_rnn_cell/cell_1/gru_cell/gates/bias",
         "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/kernel",
         "rnn/multi_rnn_cell/cell_1/gru_cell/candidate/bias"])
    bidi = run_tf1(lambda: (tf1_rnn.BasicLSTMCell(4), tf1_rnn.BasicLSTMCell(4)),
                   "static_bidirectional_rnn", x, values=values)
    assert sorted(bidi.variables) == sorted(
        f"bidirectional_rnn/{d}/basic_lstm_cell/{n}" for d in ("fw", "bw")
        for n in ("kernel", "bias"))
