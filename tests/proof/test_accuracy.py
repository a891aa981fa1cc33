"""Both sides of a migration pair learn MNIST equally well (``tools.proof.accuracy``).

The TF1 graph (TF1's ``AdamOptimizer`` in a ``Session``) and its Keras 3 port (Keras'
``Adam`` with TF1's epsilon in a ``tf.function`` step) are trained from the same
TF1-style initial weights on the same batches of the embedded real MNIST (rows as time
steps), and each side must reach the accuracy threshold on its own.

* CI profile (default run): 32-unit cells, the first 10,000 training images, all 10,000
  test images, 800 steps of batch 64, Adam lr 1e-3, seed 0, for BasicLSTMCell +
  static_rnn, GRUCell + dynamic_rnn and BasicLSTMCell + static_bidirectional_rnn.
* Full profile (``-m slow``): 128-unit cells, all 60,000 training images, batch 128,
  6,000 steps (LSTM, GRU) or 8,000 (BiLSTM), the issue's target of >= 98.5% test
  accuracy on both sides. Measured 2026-11-23 on 2 cores: LSTM-128 98.64% / 98.60%
  (TF1 / Keras), GRU-128 98.90% / 98.90%, BiLSTM-128 98.80% / 98.66%; about 15 minutes
  for the three. (At 6,000 steps BiLSTM-128's TF1 side ended at 98.42%.)

The profiles live in ``tools.proof.accuracy.PROFILES`` (shared with
``benchmarks/accuracy.py``, which writes the measured numbers to ``BENCHMARKS.md``).
"""
import dataclasses

import numpy as np
import pytest

from modern import models
from tools.proof import accuracy, pipelines

CI = accuracy.PROFILES["ci"]
FULL = accuracy.PROFILES["full"]

# ---------------------------------------------------------------------------------------
# CI thresholds, set from measurement with a margin.
#
# Measured 2026-11-23 (2 CPU cores, x86_64 Linux, TensorFlow 2.21.0, Keras 3.15.1; the
# `ci` blocks of BENCHMARKS.md), 800 steps, TF1 graph = Keras 3 to the digits shown:
#
#   model      test accuracy   final loss (mean of last 50 steps)   max |loss diff|
#   lstm-32    91.16%          0.2741                               9.5e-06
#   gru-32     90.85%          0.2951                               7.9e-06
#   bilstm-32  91.87%          0.2450                               8.5e-06
#   (first losses identical; test accuracy difference 0.00 points for all three. With
#   1,000 steps: 92.46%, 91.78%, 92.05%, but the file then took 89 s on a loaded machine.)
#
# Thresholds: accuracy >= 88%, about 3 points under the measurements (room for other
# CPUs and BLAS reduction orders), still far above chance (10%) and early training (the
# same lstm-32 run was at 24% after 30 steps); final loss <= 0.40 (measured 0.25-0.30).
# The two sides' loss curves may differ by at most 1e-2 at any step (measured ~1e-5, a
# 1000x margin) and their test accuracies by at most 1 point (measured 0).
#
CI_MIN_ACCURACY = {"lstm": 0.88, "gru": 0.88, "bilstm": 0.88}
CI_MAX_FINAL_LOSS = {"lstm": 0.40, "gru": 0.40, "bilstm": 0.40}
# Agreement of the two sides over the whole run (same start, same batches).
MAX_FIRST_LOSS_DIFF = 1e-4
MAX_LOSS_CURVE_DIFF = 1e-2
MAX_ACCURACY_DIFF = 0.01

FULL_TARGET = 0.985  # the target: >= 98.5% test accuracy on both sides


@pytest.fixture(scope="module")
def ci_data():
    return accuracy.load_profile_data(CI)


def _check_agreement(result):
    legacy, keras = result["legacy"], result["keras"]
    assert len(legacy["losses"]) == len(keras["losses"]) == result["config"]["steps"]
    diffs = np.abs(np.asarray(legacy["losses"]) - np.asarray(keras["losses"]))
    assert diffs[0] <= MAX_FIRST_LOSS_DIFF, ("the two sides did not start from the same "
                                             f"weights: first losses differ by {diffs[0]}")
    assert diffs.max() <= MAX_LOSS_CURVE_DIFF, (
        f"loss curves drift apart: max |diff| {diffs.max():.3g} at step {diffs.argmax()}")
    acc_diff = abs(legacy["test_accuracy"] - keras["test_accuracy"])
    assert acc_diff <= MAX_ACCURACY_DIFF, (legacy["test_accuracy"], keras["test_accuracy"])


# Real trainings (12-29 CPU-s each) run with ``-m slow``; the default run keeps the
# short-training independence check below (see README "Tests").
@pytest.mark.slow
@pytest.mark.parametrize("model", list(accuracy.MODELS))
def test_ci_profile_both_sides_reach_threshold(model, ci_data):
    result = accuracy.run_profile(CI, model, data=ci_data)
    for side in ("legacy", "keras"):
        r = result[side]
        assert r["test_accuracy"] >= CI_MIN_ACCURACY[model], (
            f"{model} {side}: test accuracy {r['test_accuracy']:.4f} < "
            f"{CI_MIN_ACCURACY[model]}")
        assert r["final_loss"] <= CI_MAX_FINAL_LOSS[model], (
            f"{model} {side}: final loss {r['final_loss']:.4f} > {CI_MAX_FINAL_LOSS[model]}")
        assert np.isfinite(r["losses"]).all()
        assert r["wall_s"] > 0 and r["ms_per_step"] > 0
    _check_agreement(result)


@pytest.mark.slow
@pytest.mark.parametrize("model", list(accuracy.MODELS))
def test_full_profile_reaches_target(model):
    """The issue's target: 128 units, full training set, >= 98.5% on both sides."""
    result = accuracy.run_profile(FULL, model)
    for side in ("legacy", "keras"):
        assert result[side]["test_accuracy"] >= FULL_TARGET, (
            f"{model}-128 {side}: {result[side]['test_accuracy']:.4f} < {FULL_TARGET} "
            f"(curve {result[side]['accuracy_curve']})")
    assert abs(result["legacy"]["test_accuracy"]
               - result["keras"]["test_accuracy"]) <= MAX_ACCURACY_DIFF


# ---------------------------------------------------------------------------------------
# the pieces (fast)
# ---------------------------------------------------------------------------------------
def _full_names(spec, runner):
    scope = pipelines.RUNNER_SCOPES[runner]
    shapes = {f"{scope}/{k}": v for k, v in models.rnn_variable_names(spec).items()}
    shapes[pipelines.READOUT_WEIGHTS] = (spec.output_size, spec.num_classes)
    shapes[pipelines.READOUT_BIASES] = (spec.num_classes,)
    return shapes


def test_tf1_initial_values_gru():
    spec = accuracy.model_spec("gru", 64)
    shapes = _full_names(spec, "dynamic_rnn")
    values = accuracy.tf1_initial_values(shapes, np.random.default_rng(0))
    assert {k: v.shape for k, v in values.items()} == {k: tuple(v) for k, v in shapes.items()}
    assert all(v.dtype == np.float32 for v in values.values())
    np.testing.assert_array_equal(values["rnn/gru_cell/gates/bias"], 1.0)
    np.testing.assert_array_equal(values["rnn/gru_cell/candidate/bias"], 0.0)
    for name, (fan_in, fan_out) in (("rnn/gru_cell/gates/kernel", (92, 128)),
                                    ("rnn/gru_cell/candidate/kernel", (92, 64))):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        kernel = values[name]
        assert np.abs(kernel).max() <= limit
        assert abs(kernel.std() - limit / np.sqrt(3)) < 0.05 * limit  # uniform's std
    readout = values[pipelines.READOUT_WEIGHTS]
    assert abs(readout.mean()) < 0.2 and abs(readout.std() - 1.0) < 0.2  # N(0, 1)


def test_tf1_initial_values_lstm_biases_zero_and_seeded():
    spec = accuracy.model_spec("bilstm", 16)
    shapes = _full_names(spec, "static_bidirectional_rnn")
    a = accuracy.tf1_initial_values(shapes, np.random.default_rng(3))
    b = accuracy.tf1_initial_values(shapes, np.random.default_rng(3))
    for d in ("fw", "bw"):
        np.testing.assert_array_equal(a[f"bidirectional_rnn/{d}/basic_lstm_cell/bias"], 0.0)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["bidirectional_rnn/fw/basic_lstm_cell/kernel"],
                              a["bidirectional_rnn/bw/basic_lstm_cell/kernel"])


def test_batch_indices_are_epochs_of_permutations():
    idx = accuracy.batch_indices(10, steps=7, batch_size=4, rng=np.random.default_rng(0))
    assert idx.shape == (7, 4)
    flat = idx.ravel()
    for epoch in range(2):
        assert sorted(flat[10 * epoch:10 * (epoch + 1)]) == list(range(10))
    with pytest.raises(ValueError):
        accuracy.batch_indices(3, steps=1, batch_size=4, rng=np.random.default_rng(0))


def test_prepare_images_and_labels():
    spec = accuracy.model_spec("lstm", 4)
    images = np.full((2, 28, 28), 255, np.uint8)
    x = accuracy.prepare_images(images, spec)
    assert x.shape == (2, 28, 28) and x.dtype == np.float32 and np.all(x == 1.0)
    assert accuracy.prepare_images(images.reshape(2, 784), spec).shape == (2, 28, 28)
    y = accuracy.one_hot([3, 0], 10)
    assert y.shape == (2, 10) and y[0, 3] == 1 and y[1, 0] == 1 and y.sum() == 2
    np.testing.assert_array_equal(accuracy.one_hot(y, 10), y)


def test_keras_side_is_independent_of_the_legacy_side(ci_data):
    """train_keras needs only the shared initial values and batches: run alone, it gives
    what it gave inside train_both."""
    spec = accuracy.model_spec("lstm", 8)
    data = {k: v[:256] for k, v in ci_data.items()}
    both = accuracy.train_both(spec, "static_rnn", **data, steps=12, batch_size=16, seed=5)

    rng_init, rng_batch = np.random.default_rng([5, 0]), np.random.default_rng([5, 1])
    values = accuracy.tf1_initial_values(_full_names(spec, "static_rnn"), rng_init)
    x = accuracy.prepare_images(data["train_images"], spec)
    tx = accuracy.prepare_images(data["test_images"], spec)
    y, ty = accuracy.one_hot(data["train_labels"], 10), accuracy.one_hot(data["test_labels"], 10)
    indices = accuracy.batch_indices(len(x), 12, 16, rng_batch)
    alone = accuracy.train_keras(spec, "static_rnn", values, x, y, tx, ty, indices)
    np.testing.assert_allclose(alone["losses"], both["keras"]["losses"], rtol=1e-5, atol=1e-6)
    assert alone["test_accuracy"] == pytest.approx(both["keras"]["test_accuracy"], abs=0.01)
    # and the legacy side trained the same thing
    np.testing.assert_allclose(both["legacy"]["losses"], both["keras"]["losses"], atol=1e-4)


def test_train_both_rejects_a_spec_without_readout():
    spec = dataclasses.replace(accuracy.model_spec("lstm", 4), num_classes=None)
    z = np.zeros((4, 28, 28), np.uint8)
    with pytest.raises(ValueError, match="readout"):
        accuracy.train_both(spec, "static_rnn", train_images=z, train_labels=np.zeros(4),
                            test_images=z, test_labels=np.zeros(4), steps=1, batch_size=2)
