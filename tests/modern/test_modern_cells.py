"""``modern.cells``: TF1LSTMCell and TF1LayerNormLSTMCell, the Keras 3 cells of the kit.

* With the mapped weights (the identity layout) each equals the TF1 cell it ports
  (legacy_compat's LSTMCell / BasicLSTMCell / LayerNormBasicLSTMCell in a tf.Graph),
  outputs and final states, over hypothesis-drawn options and sizes.
* Keras' default LayerNormalization epsilon (1e-3) is shown to be a different cell.
* ``get_config`` round-trips; a ``.keras`` file of a model using each cell reloads
  with bitwise-identical outputs.
* Bad arguments get errors naming the argument and echoing what was received.
* ``modern`` stays cheap to import and never imports tools, tf_keras or TensorFlow
  directly (the cells use keras.ops only).
"""
import ast
import json
from pathlib import Path

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import modern
from modern import weights as W
from modern.cells import TF1LayerNormLSTMCell, TF1LSTMCell
from tests.support.helpers import run_python
from tests.modern.test_modern_oracle import (
    install_measured_summary,
    make_keras_layer,
    make_tf1_cell,
    max_abs_diff,
    record,
    run_tf1,
    tf1_state_list,
    uniform_values,
)

MODULE = "test_modern_cells"
MODERN_DIR = Path(modern.__file__).resolve().parent

# float32 tolerance for the modern cells vs TF1. They perform TF1's operations in
# TF1's order ([x, h] @ kernel + bias, then the same elementwise ops), so the expected
# difference is 0; it is measured 0 or a few ulps (oneDNN may pick another matmul
# kernel for the eager Keras call than for the graph). 1e-6 is ~8 ulps at magnitude 1
# (outputs are in [-1, 1], |c| <= steps + 1): it admits that and no real error.
TOL = 1e-6


@pytest.fixture(scope="module", autouse=True)
def _measured_table(request):
    install_measured_summary(request.config)


def forget_biases():
    return st.sampled_from([0.0, 1.0, 0.5, -0.7, 2.0]) | st.floats(-3, 3, width=32)


@st.composite
def dims(draw):
    return dict(units=draw(st.integers(1, 6)), input_size=draw(st.integers(1, 5)),
                steps=draw(st.integers(1, 5)), batch=draw(st.integers(1, 4)),
                seed=draw(st.integers(0, 2**32 - 1)))


def _compare(cell_type, d, runner, values=None, **options):
    """TF1 graph vs the Keras layer loaded with the mapped weights; returns max |diff|."""
    rng = np.random.default_rng(d["seed"])
    x = rng.uniform(-1, 1, (d["batch"], d["steps"], d["input_size"])).astype(np.float32)
    u = d["units"]
    tf1_options = {k: v for k, v in options.items() if k not in ("target", "epsilon")}
    tf1 = run_tf1(lambda: make_tf1_cell(cell_type, u, **tf1_options), runner, x,
                  values=(values or uniform_values)(rng))
    tf1_vars = W.scope_variables(tf1.variables, f"rnn/{W.TF1_SCOPES[cell_type]}")
    map_options = {k: v for k, v in options.items() if k != "epsilon"}
    mapped = W.tf1_to_keras(cell_type, tf1_vars, input_size=d["input_size"], units=u,
                            **map_options)
    layer = make_keras_layer(cell_type, u, return_sequences=True, return_state=True,
                             **map_options)
    if "epsilon" in options:
        layer.cell.epsilon = options["epsilon"]
    layer(x)
    layer.set_weights(mapped)
    out, c, h = layer(x)  # the modern cells' states are [c, h], TF1's order
    return max_abs_diff([out, c, h], [tf1.outputs] + tf1_state_list(tf1.state))


RUNNER = st.sampled_from(["static_rnn", "dynamic_rnn"])


# --------------------------------------------------------------------------
# equivalence with TF1
# --------------------------------------------------------------------------
@settings(max_examples=8)
@given(d=dims(), runner=RUNNER, forget_bias=forget_biases(), use_peepholes=st.booleans(),
       cell_clip=st.none() | st.sampled_from([0.2, 1.0, 3.0]),
       num_proj=st.none() | st.integers(1, 4),
       proj_clip=st.none() | st.sampled_from([0.1, 0.5, 2.0]))
def test_tf1_lstm_cell_equals_lstm_cell(d, runner, forget_bias, use_peepholes, cell_clip,
                                        num_proj, proj_clip):
    diff = _compare("LSTMCell", d, runner, target="TF1LSTMCell", forget_bias=forget_bias,
                    use_peepholes=use_peepholes, cell_clip=cell_clip, num_proj=num_proj,
                    proj_clip=proj_clip)
    assert record(MODULE, "LSTMCell(peepholes/clip/proj) vs TF1LSTMCell", diff) <= TOL


@settings(max_examples=4)
@given(d=dims(), runner=RUNNER, forget_bias=forget_biases())
def test_tf1_lstm_cell_equals_basic_lstm_cell(d, runner, forget_bias):
    diff = _compare("BasicLSTMCell", d, runner, target="TF1LSTMCell", forget_bias=forget_bias)
    assert record(MODULE, "BasicLSTMCell vs TF1LSTMCell", diff) <= TOL


@settings(max_examples=8)
@given(d=dims(), runner=RUNNER, forget_bias=forget_biases(), layer_norm=st.booleans())
def test_tf1_layer_norm_lstm_cell_equals_layer_norm_basic_lstm_cell(d, runner, forget_bias,
                                                                    layer_norm):
    diff = _compare("LayerNormBasicLSTMCell", d, runner, forget_bias=forget_bias,
                    layer_norm=layer_norm)
    assert record(MODULE, "LayerNormBasicLSTMCell vs TF1LayerNormLSTMCell", diff) <= TOL


def _early_training_values(rng):
    """Kernel U(-0.05, 0.05) (Glorot-sized for ~1000 units), gammas ~1, betas ~0."""
    def value(name, shape):
        if name.endswith("/gamma"):
            return 1.0 + rng.uniform(-0.1, 0.1, size=shape)
        if name.endswith("/beta"):
            return rng.uniform(-0.1, 0.1, size=shape)
        return rng.uniform(-0.05, 0.05, size=shape)
    return value


def test_keras_default_layer_norm_epsilon_is_a_different_cell():
    """Keras' LayerNormalization epsilon (1e-3) in place of contrib's 1e-12: when the
    gate pre-activations have a variance comparable to 1e-3 (small kernels, as at the
    start of training) the normalisation, hence the cell, changes a lot."""
    keras_epsilon = keras.layers.LayerNormalization().epsilon
    assert keras_epsilon == 1e-3
    d = dict(units=8, input_size=5, steps=6, batch=4, seed=7)
    same = _compare("LayerNormBasicLSTMCell", d, "static_rnn", values=_early_training_values)
    assert record(MODULE, "LayerNormBasicLSTMCell vs TF1LayerNormLSTMCell (small kernel)",
                  same) <= TOL
    diff = _compare("LayerNormBasicLSTMCell", d, "static_rnn", values=_early_training_values,
                    epsilon=keras_epsilon)
    record(MODULE, "NON-EQUIVALENT: LayerNormBasicLSTMCell vs epsilon=1e-3 (Keras default)",
           diff)
    assert diff > 1e-2


# --------------------------------------------------------------------------
# configuration and serialization
# --------------------------------------------------------------------------
CELL_CONFIGS = [
    (TF1LSTMCell, dict(units=3)),
    (TF1LSTMCell, dict(units=4, use_peepholes=True, cell_clip=1.5, num_proj=2, proj_clip=0.5,
                       forget_bias=0.25, activation="relu", kernel_initializer="orthogonal",
                       bias_regularizer="l2")),
    (TF1LayerNormLSTMCell, dict(units=3)),
    (TF1LayerNormLSTMCell, dict(units=5, forget_bias=-0.5, layer_norm=False, norm_gain=2.0,
                                norm_shift=0.1, activation="softsign")),
]
CONFIG_IDS = [f"{cls.__name__}-{i}" for i, (cls, _) in enumerate(CELL_CONFIGS)]


@pytest.mark.parametrize("cls,kwargs", CELL_CONFIGS, ids=CONFIG_IDS)
def test_get_config_round_trips(cls, kwargs):
    cell = cls(**kwargs)
    config = cell.get_config()
    for key, value in kwargs.items():
        if key in ("units", "use_peepholes", "cell_clip", "num_proj", "proj_clip",
                   "forget_bias", "layer_norm", "norm_gain", "norm_shift"):
            assert config[key] == value
    assert cls.from_config(config).get_config() == config
    json.dumps(config)  # plain JSON, as in .keras files
    layer = keras.layers.RNN(cell, return_sequences=True)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored.cell) is cls
    assert restored.cell.get_config() == config


@pytest.mark.parametrize("cls,kwargs", CELL_CONFIGS, ids=CONFIG_IDS)
def test_keras_file_save_and_load(cls, kwargs, tmp_path):
    inputs = keras.Input((4, 3))
    out, *states = keras.layers.RNN(cls(**kwargs), return_sequences=True,
                                    return_state=True)(inputs)
    model = keras.Model(inputs, [out, *states])
    rng = np.random.default_rng(0)
    model.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype(np.float32)
                       for w in model.get_weights()])
    x = rng.uniform(-1, 1, (2, 4, 3)).astype(np.float32)
    before = [np.asarray(t) for t in model(x)]
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    after = [np.asarray(t) for t in loaded(x)]
    assert type(loaded.layers[1].cell) is cls
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
    assert loaded.layers[1].cell.get_config() == model.layers[1].cell.get_config()


def test_state_order_is_c_then_h():
    cell = TF1LSTMCell(4, num_proj=2)
    assert cell.state_size == [4, 2] and cell.output_size == 2
    out, c, h = keras.layers.RNN(cell, return_state=True)(np.ones((1, 3, 2), np.float32))
    assert c.shape == (1, 4) and h.shape == (1, 2)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(h))
    assert TF1LayerNormLSTMCell(3).state_size == [3, 3]


def test_forget_bias_is_a_hyperparameter_not_a_weight():
    for cls in (TF1LSTMCell, TF1LayerNormLSTMCell):
        layer = keras.layers.RNN(cls(3, forget_bias=2.5))
        layer(np.ones((1, 2, 2), np.float32))
        names = [w.name for w in layer.weights]
        assert not any("forget_bias" in n for n in names)
        assert layer.cell.get_config()["forget_bias"] == 2.5


# --------------------------------------------------------------------------
# bad arguments
# --------------------------------------------------------------------------
BAD_ARGS = [
    ("units=-1", lambda: TF1LSTMCell(-1), ValueError, r"`units`.*Received: units=-1"),
    ("units=0 ln", lambda: TF1LayerNormLSTMCell(0), ValueError, r"Received: units=0"),
    ("units=2.5", lambda: TF1LSTMCell(2.5), TypeError, r"Received: units=2.5"),
    ("units=True", lambda: TF1LayerNormLSTMCell(True), TypeError, r"Received: units=True"),
    ("num_proj=0", lambda: TF1LSTMCell(3, num_proj=0), ValueError, r"Received: num_proj=0"),
    ("cell_clip<0", lambda: TF1LSTMCell(3, cell_clip=-1.0), ValueError,
     r"Received: cell_clip=-1.0"),
    ("proj_clip str", lambda: TF1LSTMCell(3, num_proj=2, proj_clip="1"), TypeError,
     r"Received: proj_clip='1'"),
    ("forget_bias nan", lambda: TF1LSTMCell(3, forget_bias=float("nan")), ValueError,
     r"Received: forget_bias=nan"),
    ("use_peepholes=1", lambda: TF1LSTMCell(3, use_peepholes=1), TypeError,
     r"Received: use_peepholes=1"),
    ("recurrent dropout", lambda: TF1LayerNormLSTMCell(3, dropout_keep_prob=0.5), ValueError,
     r"recurrent dropout is not implemented.*Received: dropout_keep_prob=0.5"),
    ("cell_clip=0 is a clip", lambda: W.keras_weight_shapes(
        "GRUCell", input_size=2, units=3, cell_clip=0.0), ValueError, r"Received: cell_clip=0.0"),
    ("epsilon<0", lambda: TF1LayerNormLSTMCell(3, epsilon=-1e-3), ValueError,
     r"Received: epsilon=-0.001"),
    ("unknown activation", lambda: TF1LSTMCell(3, activation="nope"), ValueError, r"nope"),
    ("TF1-only option", lambda: TF1LSTMCell(3, num_unit_shards=2), TypeError,
     r"does not take TF1's option\(s\) num_unit_shards.*Received: num_unit_shards=2"),
    ("TF1-only option ln", lambda: TF1LayerNormLSTMCell(3, dropout_prob_seed=1), TypeError,
     r"Received: dropout_prob_seed=1"),
    ("unknown option", lambda: TF1LSTMCell(3, bogus=1), ValueError, r"bogus"),
]


@pytest.mark.parametrize("call,error,match", [b[1:] for b in BAD_ARGS],
                         ids=[b[0] for b in BAD_ARGS])
def test_bad_arguments_get_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_unknown_input_size_is_reported():
    with pytest.raises(ValueError, match=r"known input size.*Received: input_shape=\(None, None\)"):
        TF1LSTMCell(3).build((None, None))


# --------------------------------------------------------------------------
# the package's own rules
# --------------------------------------------------------------------------
def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_modern_imports_neither_tools_nor_tf_keras():
    for path in MODERN_DIR.rglob("*.py"):
        for name in _imported_modules(path):
            assert name.split(".")[0] not in ("tools", "tf_keras"), (path, name)


def test_cells_use_keras_ops_only():
    """No TensorFlow in the cells (any Keras backend runs them); weights.py is numpy only."""
    for path in list((MODERN_DIR / "cells").rglob("*.py")) + [MODERN_DIR / "weights.py"]:
        for name in _imported_modules(path):
            assert name.split(".")[0] not in ("tensorflow", "tf_keras"), (path, name)
    for name in _imported_modules(MODERN_DIR / "weights.py"):
        assert name.split(".")[0] in ("numpy", "numbers", "typing", "modern"), name


def test_import_modern_registers_everything_a_keras_file_needs(tmp_path):
    """``import modern`` is all ``keras.saving.load_model`` needs (cells, mask, readout)."""
    from modern.models import CellSpec, RNNSpec, build_keras_model

    spec = RNNSpec((CellSpec("LSTMCell", 3, use_peepholes=True, num_proj=2),
                    CellSpec("LayerNormBasicLSTMCell", 2)), input_size=2, masked=True,
                   num_classes=3)
    path = tmp_path / "model.keras"
    build_keras_model(spec, 4).save(path)
    code = ("import sys, keras, modern; "
            "assert 'tools' not in sys.modules and 'tf_keras' not in sys.modules; "
            f"m = keras.saving.load_model({str(path)!r}); "
            "assert modern.TF1LSTMCell is modern.cells.TF1LSTMCell; print('ok')")
    assert run_python(["-c", code], preloaded=True).stdout.strip().endswith("ok")
