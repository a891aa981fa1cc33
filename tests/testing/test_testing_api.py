"""The public testing API: tools.testing.strategies, tools.testing and tools.testing.plugin."""
import math
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from legacy_compat import rnn_cell_impl as cells
from modern import weights
from modern.models import CellSpec, RNNSpec, build_keras_model
from tests.support.helpers import run_python
from tools.testing import strategies as rs
from tools.proof.pipelines import BIDIRECTIONAL_RUNNERS, UNIDIRECTIONAL_RUNNERS
from tools.testing import (EquivalenceError, assert_equivalent, assert_spec_equivalent,
                           weights_from_spec)

v1 = tf.compat.v1
LSTM_SPEC = RNNSpec((CellSpec("BasicLSTMCell", 4),), input_size=3)
X = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")


# ------------------------------------------------------------------------------------
# strategies: argument validation, one table of bad calls
# ------------------------------------------------------------------------------------
def _shape(**kwargs):
    return dict(dict(batch_size=2, steps=3, input_size=2), **kwargs)


BAD_CALLS = [
    (rs.cell_specs, dict(min_units=0), r"min_units must be >= 1, got 0"),
    (rs.cell_specs, dict(min_units=1.5), r"min_units must be an int >= 1, got 1\.5"),
    (rs.cell_specs, dict(max_units=True), r"max_units must be an int"),
    (rs.cell_specs, dict(min_units=5, max_units=2), r"min_units must be <= max_units"),
    (rs.cell_specs, dict(cell_types=()), r"cell_types must not be empty"),
    (rs.cell_specs, dict(cell_types="GRUCell"), r"cell_types=\('LSTMCell',\)"),
    (rs.cell_specs, dict(cell_types=("LSTM",)), r"cell_types contains unknown names \['LSTM'\]"),
    (rs.cell_specs, dict(forget_biases=[]), r"forget_biases must not be empty"),
    (rs.cell_specs, dict(forget_biases=[1.0, math.nan]), r"forget_biases must hold finite"),
    (rs.cell_specs, dict(forget_biases=1.0), r"forget_biases=\[1\.0\]"),
    (rs.cell_specs, dict(lstm_options=None), r"lstm_options must be True or False"),
    (rs.rnn_specs, dict(cells=CellSpec("GRUCell", 2)),
     r"cells must be a SearchStrategy.*st\.just"),
    (rs.rnn_specs, dict(max_layers=0), r"max_layers must be >= 1, got 0"),
    (rs.rnn_specs, dict(min_layers=3, max_layers=2), r"min_layers must be <= max_layers"),
    (rs.rnn_specs, dict(input_sizes=0), r"input_sizes must be >= 1, got 0"),
    (rs.rnn_specs, dict(input_sizes=[]), r"input_sizes must not be empty"),
    (rs.rnn_specs, dict(input_sizes="3"), r"input_sizes must be an int >= 1, a sequence"),
    (rs.rnn_specs, dict(bidirectional="yes"), r"bidirectional must be True, False or None"),
    (rs.rnn_specs, dict(masked=1), r"masked must be True, False or None"),
    (rs.rnn_specs, dict(num_classes=0), r"num_classes must be >= 1, got 0.*st\.none\(\)"),
    (rs.pipelines, dict(runners=()), r"runners must not be empty"),
    (rs.pipelines, dict(runners="static_rnn"), r"runners=\('dynamic_rnn',\)"),
    (rs.pipelines, dict(runners=("raw_rnn",)), r"runners contains unknown names \['raw_rnn'\]"),
    (rs.pipelines, dict(min_layers=0), r"min_layers must be >= 1, got 0"),
    (rs.rnn_inputs, _shape(batch_size=0), r"batch_size must be >= 1, got 0"),
    (rs.rnn_inputs, _shape(steps=None), r"steps must be an int >= 1, got None"),
    (rs.rnn_inputs, _shape(input_size=-1), r"input_size must be >= 1, got -1"),
    (rs.rnn_inputs, _shape(dtype="int32"), r"dtype must be a floating dtype.*'int32'"),
    (rs.rnn_inputs, _shape(dtype="no-such-dtype"), r"dtype must be a floating dtype"),
    (rs.rnn_inputs, _shape(elements=[0.0]), r"elements must be a SearchStrategy"),
    (rs.sequence_lengths, dict(batch_size=-1, steps=3), r"batch_size must be >= 1, got -1"),
    (rs.sequence_lengths, dict(batch_size=2, steps=0), r"steps must be >= 1, got 0"),
    (rs.sequence_lengths, dict(batch_size=2, steps=3, include_extremes="yes"),
     r"include_extremes must be True or False"),
]


@pytest.mark.parametrize("strategy, kwargs, message", BAD_CALLS,
                         ids=[f"{f.__name__}-{'-'.join(k)}-{i}"
                              for i, (f, k, _) in enumerate(BAD_CALLS)])
def test_bad_arguments_are_rejected_up_front(strategy, kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        strategy(**kwargs)  # at the call, before any example is drawn


def test_every_strategy_is_public_and_keyword_only():
    assert sorted(rs.__all__) == sorted(
        ["cell_specs", "rnn_specs", "pipelines", "rnn_inputs", "sequence_lengths"])
    with pytest.raises(TypeError):
        rs.cell_specs(("GRUCell",))


# ------------------------------------------------------------------------------------
# strategies: what they generate
# ------------------------------------------------------------------------------------
@given(rs.cell_specs(cell_types=("LSTMCell", "GRUCell"), min_units=2, max_units=3,
                     forget_biases=[0.25]))
def test_cell_specs_respect_their_options(cell):
    assert cell.cell_type in ("LSTMCell", "GRUCell") and 2 <= cell.units <= 3
    if cell.cell_type == "LSTMCell":
        assert cell.forget_bias == 0.25
        assert cell.num_proj is None or 1 <= cell.num_proj <= 3
        assert cell.proj_clip is None or cell.num_proj is not None


@given(rs.cell_specs(lstm_options=False))
def test_cell_specs_without_lstm_options_keep_tf1_defaults(cell):
    assert (cell.use_peepholes, cell.cell_clip, cell.num_proj, cell.layer_norm) == (
        False, None, None, True)


@given(rs.rnn_specs(min_layers=2, max_layers=3, input_sizes=[5, 7], bidirectional=True,
                    masked=False, num_classes=st.none()))
def test_rnn_specs_respect_their_options(spec):
    assert isinstance(spec, RNNSpec) and 2 <= len(spec.cells) <= 3
    assert spec.input_size in (5, 7) and spec.bidirectional and not spec.masked
    assert spec.num_classes is None


@given(rs.pipelines(runners=UNIDIRECTIONAL_RUNNERS + BIDIRECTIONAL_RUNNERS, num_classes=3))
def test_pipelines_draw_a_runner_that_matches_the_spec(pipeline):
    spec, runner = pipeline
    assert spec.bidirectional == (runner in BIDIRECTIONAL_RUNNERS)
    assert spec.num_classes == 3


@given(rs.rnn_inputs(batch_size=3, steps=4, input_size=2, dtype="float64"))
def test_rnn_inputs_shape_dtype_and_range(x):
    assert x.shape == (3, 4, 2) and x.dtype == np.float64
    assert np.all(np.isfinite(x)) and np.all(np.abs(x) <= 2)


@given(st.integers(2, 6), st.integers(1, 5), st.data())
def test_sequence_lengths_include_empty_and_full_rows(batch, steps, data):
    lengths = data.draw(rs.sequence_lengths(batch_size=batch, steps=steps))
    assert lengths.dtype == np.int32 and lengths.shape == (batch,)
    assert lengths.min() == 0 and lengths.max() == steps


@settings(max_examples=3)
@given(rs.pipelines(cells=rs.cell_specs(max_units=3), max_layers=2), st.integers(1, 3))
def test_drawn_pipelines_are_equivalent(pipeline, steps):
    spec, runner = pipeline
    reports = assert_spec_equivalent(spec, runner, steps=steps, batch=2, seed=0,
                                     checks=("outputs",))
    assert reports["outputs"].ok and "outputs" in reports["outputs"].diffs


# ------------------------------------------------------------------------------------
# assert_equivalent
# ------------------------------------------------------------------------------------
def _tf1_lstm(placeholders):
    outputs, state = v1.nn.dynamic_rnn(cells.BasicLSTMCell(4), placeholders["x"],
                                       dtype=tf.float32)
    return {"outputs": outputs, "fw/cell_0/c": state.c, "fw/cell_0/h": state.h}


def test_equivalent_pair_passes_with_a_report():
    model = build_keras_model(LSTM_SPEC, 5)
    report = assert_equivalent(_tf1_lstm, model, {"x": X},
                               weight_map=weights_from_spec(LSTM_SPEC, "dynamic_rnn"))
    assert report.ok and set(report.diffs) == {"outputs", "fw/cell_0/c", "fw/cell_0/h"}
    assert report.max_diff <= 1e-6 and "3 outputs equivalent" in str(report)


def test_gru_reset_after_true_is_reported_by_output_and_max_diff():
    def tf1_gru(placeholders):
        outputs, state = v1.nn.dynamic_rnn(cells.GRUCell(4), placeholders["x"],
                                           dtype=tf.float32)
        return {"outputs": outputs, "h": state}

    x = keras.Input((5, 3), name="x")
    seq, h = keras.layers.GRU(4, return_sequences=True, return_state=True, name="rnn")(x)
    model = keras.Model(x, {"outputs": seq, "h": h})  # Keras' default reset_after=True

    def naive_map(session, graph, keras_model):
        with graph.as_default():
            values = {v.op.name[len("rnn/gru_cell/"):]: session.run(v)
                      for v in v1.global_variables()}
        kernel, recurrent, bias = weights.tf1_to_keras("GRUCell", values, input_size=3,
                                                       units=4)
        keras_model.get_layer("rnn").set_weights(
            [kernel, recurrent, np.stack([bias, np.zeros_like(bias)])])

    with pytest.raises(EquivalenceError) as info:
        assert_equivalent(tf1_gru, model, X, weight_map=naive_map)
    message = str(info.value)
    assert "2 of 2 outputs differ" in message and "FAIL outputs: shape (2, 5, 4)" in message
    assert "max |Δ| =" in message and "at index (" in message
    assert {o.name for o in info.value.report.failures} == {"outputs", "h"}
    assert info.value.report.max_diff > 1e-2


def test_a_perturbed_weight_fails_and_atol_rtol_are_applied():
    spec_map = weights_from_spec(LSTM_SPEC, "dynamic_rnn")

    def perturbed_map(session, graph, model):
        spec_map(session, graph, model)
        kernel, recurrent, bias = model.get_layer("rnn").get_weights()
        model.get_layer("rnn").set_weights([kernel, recurrent, bias + 1e-3])

    model = build_keras_model(LSTM_SPEC, 5)
    with pytest.raises(AssertionError, match=r"FAIL fw/cell_0/h: .* elements exceed atol "
                                             r"\+ rtol\*\|TF1\|"):
        assert_equivalent(_tf1_lstm, model, {"x": X}, weight_map=perturbed_map)
    report = assert_equivalent(_tf1_lstm, model, {"x": X}, weight_map=perturbed_map,
                               atol=0.0, rtol=0.5)
    assert 1e-5 < report.max_diff < 1e-2


def test_shape_mismatch_and_missing_outputs_are_reported():
    x = keras.Input((5, 3), name="x")
    last, h, c = keras.layers.LSTM(4, return_state=True, name="rnn")(x)
    model = keras.Model(x, {"outputs": last, "fw/cell_0/c": c})  # no sequence, no h
    with pytest.raises(EquivalenceError) as info:
        assert_equivalent(_tf1_lstm, model, {"x": X},
                          weight_map=weights_from_spec(LSTM_SPEC, "dynamic_rnn"))
    message = str(info.value)
    assert "outputs: shape mismatch: TF1 (2, 5, 4), Keras (2, 4)" in message
    assert "fw/cell_0/h: missing from the Keras model's outputs" in message
    assert "ok   fw/cell_0/c" in message


def test_positional_outputs_nan_and_inf():
    values = np.array([[1.0, np.nan, np.inf]], "float32")
    report = assert_equivalent(lambda p: [p["x"] * 2, p["x"]], lambda x: (x * 2, x), values)
    assert report.ok and list(report.diffs) == ["output_0", "output_1"]
    with pytest.raises(EquivalenceError, match=r"FAIL y: .* at index \(0, 1\)"):
        assert_equivalent(lambda p: {"y": p["x"]}, lambda x: [np.nan_to_num(x)], values,
                          output_names=["y"])


BAD_ASSERT_CALLS = [
    (dict(legacy_graph_fn=None), TypeError, r"legacy_graph_fn must be callable"),
    (dict(weight_map=3), TypeError, r"weight_map must be None or fn\(session"),
    (dict(atol=-1.0), ValueError, r"atol must be a finite number >= 0, got -1\.0"),
    (dict(rtol=math.nan), ValueError, r"rtol must be a finite number >= 0"),
    (dict(inputs={}), ValueError, r"inputs must not be empty"),
    (dict(inputs=np.float32(1.0)), ValueError, r"inputs\['x'\] must have a batch axis"),
    (dict(output_names="y"), TypeError, r"output_names=\['y'\]"),
    (dict(seed=1.5), TypeError, r"seed must be an int or None"),
]


@pytest.mark.parametrize("kwargs, error, message", BAD_ASSERT_CALLS,
                         ids=[next(iter(k)) for k, _, _ in BAD_ASSERT_CALLS])
def test_assert_equivalent_rejects_bad_arguments(kwargs, error, message):
    call = dict(legacy_graph_fn=lambda p: p["x"], keras_model=lambda x: x, inputs=X)
    call.update(kwargs)
    with pytest.raises(error, match=message):
        assert_equivalent(call.pop("legacy_graph_fn"), call.pop("keras_model"),
                          call.pop("inputs"), **call)


def test_dict_against_sequence_needs_output_names():
    with pytest.raises(TypeError, match=r"pass output_names="):
        assert_equivalent(lambda p: {"y": p["x"]}, lambda x: [x], X)


# ------------------------------------------------------------------------------------
# assert_spec_equivalent
# ------------------------------------------------------------------------------------
def test_assert_spec_equivalent_outputs_gradients_and_training():
    spec = RNNSpec((CellSpec("GRUCell", 3),), input_size=2, masked=True, num_classes=2)
    reports = assert_spec_equivalent(spec, "dynamic_rnn", steps=3, batch=2, seed=1,
                                     checks=("outputs", "gradients", "training/sgd"))
    assert list(reports) == ["outputs", "gradients", "training/sgd"]
    assert reports["gradients"].max_diff <= 1e-5 and "x" in reports["gradients"].diffs
    assert reports["training/sgd"].diffs["loss"] <= 1e-4


@pytest.mark.parametrize("kwargs, message", [
    (dict(runner="static_bidirectional_rnn"), r"does not match spec\.bidirectional=False"),
    (dict(checks="outputs"), r"checks=\('outputs',\)"),
    (dict(checks=("speed",)), r"checks must be a non-empty subset"),
    (dict(checks=("training",)), r"'training' check needs a readout"),
    (dict(tolerance={"outputs": 1e-6}, checks=("outputs", "gradients")),
     r"tolerance has no value for \['gradients'\]"),
    (dict(steps=0), r"steps must be an int >= 1, got 0"),
])
def test_assert_spec_equivalent_rejects_bad_arguments(kwargs, message):
    call = dict(runner="static_rnn", steps=2, batch=2, seed=0)
    call.update(kwargs)
    with pytest.raises((TypeError, ValueError), match=message):
        assert_spec_equivalent(LSTM_SPEC, call.pop("runner"), **call)


# ------------------------------------------------------------------------------------
# the pytest plugin (in subprocesses: pytest inside pytest)
# ------------------------------------------------------------------------------------
def test_user_example_runs_with_the_plugin():
    # -n 0: in the repo root pyproject.toml's addopts would run it on xdist workers, and
    # the plugin's summary line is printed by the process that ran the tests
    proc = run_python(["-m", "pytest", "examples/user_tests", "-q", "-p", "tools.pytest_plugin",
                       "-n", "0"], preloaded=True)
    assert "1 passed" in proc.stdout
    assert "[rnn_migrate] 5 equivalence checks, 0 failed" in proc.stdout


PLUGIN_TESTS = '''
import numpy as np
import pytest

X = np.ones((2, 3), "float32")

def test_uses_fixture(rnn_equivalence):
    rnn_equivalence.assert_equivalent(lambda p: p["x"], lambda x: x, X)

@pytest.mark.rnn_equivalence(atol=0.5)
def test_marker_sets_tolerance(rnn_equivalence):
    rnn_equivalence.assert_equivalent(lambda p: p["x"], lambda x: x + 0.25, X)

def test_fails_with_report(rnn_equivalence):
    rnn_equivalence.assert_equivalent(lambda p: {"y": p["x"]}, lambda x: {"y": x + 0.25}, X)

def test_profile_loaded():
    from hypothesis import settings
    assert settings.default.max_examples == 10 and settings.default.deadline is None

def test_not_an_equivalence_test():
    pass
'''


def test_plugin_fixture_marker_profile_and_summary(tmp_path):
    path = tmp_path / "test_plugin_use.py"
    path.write_text(textwrap.dedent(PLUGIN_TESTS))
    proc = run_python(["-m", "pytest", str(path), "-q", "-p", "tools.pytest_plugin",
                       "-p", "no:cacheprovider", "--strict-markers", "-m", "rnn_equivalence",
                       "--rnn-migrate-profile", "rnn-migrate-fast"], cwd=tmp_path, check=False,
                      preloaded=True)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "1 failed, 2 passed, 2 deselected" in out
    assert "FAIL y: shape (2, 3), max |Δ| = 0.25" in out
    assert "[rnn_migrate] 3 equivalence checks, 1 failed" in out


# ------------------------------------------------------------------------------------
# assert_training_equivalent: gradients and optimizer steps of your compiled model
# ------------------------------------------------------------------------------------
def _dense_graph(inputs):
    """A TF1 softmax regression, the smallest model with a loss."""
    import tensorflow as tf

    v1 = tf.compat.v1
    w = v1.get_variable("w", [5, 3])
    b = v1.get_variable("b", [3])
    logits = tf.matmul(inputs["x"], w) + b
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(
        labels=inputs["labels"], logits=logits))
    return {"logits": logits, "loss": loss}


def _dense_model(optimizer):
    import keras

    def make():
        x = keras.Input((5,), name="x")
        model = keras.Model(x, keras.layers.Dense(3, name="d")(x))
        model.compile(optimizer=optimizer(),
                      loss=keras.losses.CategoricalCrossentropy(from_logits=True))
        return model

    return make


def _copy_dense(session, graph, model):
    import tensorflow as tf

    with graph.as_default():
        variables = {v.op.name: v for v in tf.compat.v1.trainable_variables()}
    model.get_layer("d").set_weights(session.run([variables["w"], variables["b"]]))


def _dense_batch():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 5)).astype(np.float32)
    return {"x": x}, np.eye(3, dtype=np.float32)[rng.integers(0, 3, 6)]


def test_assert_training_equivalent_passes_and_catches_another_optimizer():
    import keras
    import tensorflow as tf

    from tools.testing import assert_training_equivalent

    inputs, labels = _dense_batch()
    tf1_adam = lambda: tf.compat.v1.train.AdamOptimizer(0.1)  # noqa: E731
    reports = assert_training_equivalent(
        _dense_graph, _dense_model(lambda: keras.optimizers.Adam(0.1, epsilon=1e-8)),
        inputs, labels, tf1_optimizer=tf1_adam, weight_map=_copy_dense, steps=4)
    assert set(reports) == {"gradients", "training"}
    names = [o.name for o in reports["gradients"].outputs]
    assert names[0] == "loss" and len(names) == 3  # the loss, d/dkernel, d/dbias
    # Adam from the same start: TF1's epsilon-hat vs Keras' epsilon differ by ~1e-8
    assert max(o.max_abs_diff for r in reports.values() for o in r.outputs) < 1e-5
    # plain SGD on the Keras side: same gradients, other losses after the first step
    with pytest.raises(EquivalenceError) as error:
        assert_training_equivalent(
            _dense_graph, _dense_model(lambda: keras.optimizers.SGD(0.1)), inputs, labels,
            tf1_optimizer=tf1_adam, weight_map=_copy_dense, steps=4)
    failed = {o.name for o in error.value.report.outputs if not o.ok}
    assert failed == {"training: loss per step"}, str(error.value)


def test_assert_training_equivalent_applies_the_programs_gradient_processing():
    """tf1_apply: TF1's clip_by_global_norm between compute_gradients and apply_gradients
    trains as Keras' global_clipnorm; without the clip on the Keras side the check fails
    (the clip is active)."""
    import keras
    import tensorflow as tf

    from tools.testing import assert_training_equivalent

    inputs, labels = _dense_batch()

    def clipped(optimizer, grads_and_vars):
        grads, variables = zip(*grads_and_vars)
        grads, _ = tf.clip_by_global_norm(grads, 0.05)
        return optimizer.apply_gradients(zip(grads, variables))

    common = dict(tf1_optimizer=lambda: tf.compat.v1.train.GradientDescentOptimizer(0.5),
                  weight_map=_copy_dense, steps=4, tf1_apply=clipped)
    assert_training_equivalent(
        _dense_graph, _dense_model(lambda: keras.optimizers.SGD(0.5, global_clipnorm=0.05)),
        inputs, labels, **common)
    with pytest.raises(EquivalenceError) as error:
        assert_training_equivalent(
            _dense_graph, _dense_model(lambda: keras.optimizers.SGD(0.5)), inputs, labels,
            **common)
    assert {o.name for o in error.value.report.outputs if not o.ok} == {
        "training: loss per step"}
    with pytest.raises(TypeError, match="tf1_apply must be"):
        assert_training_equivalent(
            _dense_graph, _dense_model(lambda: keras.optimizers.SGD(0.5)), inputs, labels,
            **dict(common, tf1_apply="clip"))


@pytest.mark.parametrize("kwargs,message", [
    ({"steps": 0}, "steps must be an int >= 1"),
    ({"checks": "training"}, "checks must be a non-empty sequence"),
    ({"checks": ("outputs",)}, "checks must be a non-empty sequence"),
    ({"inputs": {"x": np.zeros((2, 5), np.float32), "labels": np.zeros((2, 3))}},
     "must not have an entry 'labels'"),
    ({"loss": "cost"}, "must return the loss under 'cost'"),
])
def test_assert_training_equivalent_rejects_bad_arguments(kwargs, message):
    import keras
    import tensorflow as tf

    from tools.testing import assert_training_equivalent

    inputs, labels = _dense_batch()
    arguments = dict(inputs=inputs, labels=labels, steps=2,
                     tf1_optimizer=lambda: tf.compat.v1.train.GradientDescentOptimizer(0.1),
                     weight_map=_copy_dense)
    arguments.update(kwargs)
    with pytest.raises((TypeError, ValueError), match=message):
        assert_training_equivalent(_dense_graph, _dense_model(lambda: keras.optimizers.SGD(0.1)),
                                   **arguments)
