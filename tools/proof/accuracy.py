"""Accuracy reached by both sides of a migration pair, trained for real on MNIST.

The equivalence harness (:mod:`tools.proof.harness`) proves step by step that the TF1 graph
and its Keras 3 model compute the same thing. This module answers the question a user
asks next: *does the port still learn as well?* :func:`train_both` trains the legacy
TF1 graph (``tools.proof.pipelines.build_legacy_graph``, TF1's own optimizer in a
``Session``) and the Keras 3 model (``modern.models.build_keras_model``, Keras'
optimizer with TF1's defaults in a ``tf.function`` train step):

* from the **same initial weights**: drawn here, TF1-style, from ``seed``
  (:func:`tf1_initial_values`: glorot-uniform kernels, zero biases, GRU gate bias
  1.0, readout ``N(0, 1)`` as the tutorials' ``tf.random_normal``), and loaded into
  both sides;
* on the **same batches** (:func:`batch_indices`: a fresh permutation of the training
  set per epoch, from ``seed``), with the same loss, optimizer and learning rate;

and reports each side's test accuracy (evaluated in chunks), test loss, final training
loss, loss curve, wall time and ms per step.

The two sides run one after the other and share nothing but the initial values and the
batch indices: the Keras side (:func:`train_keras`) never sees the legacy graph or its
results, so a bug on one side cannot hide in the other.

The task is the tutorials' "rows as time steps" MNIST: every 28x28 image is 28 time
steps of 28 pixels scaled to [0, 1] (``uint8 / 255``).
"""
import dataclasses
import time
from typing import Optional, Tuple

import numpy as np
import tensorflow as tf

from modern import models
from tools.proof import harness, pipelines
from tools.proof.pipelines import tf1_initial_values  # re-exported: TF1's side, see pipelines

__all__ = [
    "MODELS",
    "PROFILES",
    "Profile",
    "model_spec",
    "load_profile_data",
    "run_profile",
    "tf1_initial_values",
    "prepare_images",
    "one_hot",
    "batch_indices",
    "train_legacy",
    "train_keras",
    "train_both",
    "FINAL_LOSS_WINDOW",
]

# ``final_loss`` is the mean training loss over the last this-many steps (one minibatch
# loss alone is too noisy to compare or to report).
FINAL_LOSS_WINDOW = 50
EVAL_CHUNK = 1000

# The three tutorial pipelines: name -> (TF1 cell type, bidirectional, TF1 runner).
MODELS = {
    "lstm": ("BasicLSTMCell", False, "static_rnn"),
    "gru": ("GRUCell", False, "dynamic_rnn"),
    "bilstm": ("BasicLSTMCell", True, "static_bidirectional_rnn"),
}


@dataclasses.dataclass(frozen=True)
class Profile:
    """A training budget: model size, data subset, steps and hyperparameters."""

    name: str
    units: int
    train_size: int  # the first train_size training images
    test_size: int  # the first test_size test images
    steps: Tuple[Tuple[str, int], ...]  # (model, training steps)
    batch_size: int
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    seed: int = 0
    eval_every: Optional[int] = None

    def steps_for(self, model: str) -> int:
        return dict(self.steps)[model]


PROFILES = {
    # CI: small cells on a 10,000-image training subset; the whole test set.
    "ci": Profile("ci", units=32, train_size=10_000, test_size=10_000,
                  steps=(("lstm", 800), ("gru", 800), ("bilstm", 800)), batch_size=64),
    # The target: 128 units, the full training set, >= 98.5% test accuracy.
    # Steps from measurement (BENCHMARKS.md, 2026-11-23): at 6000 steps LSTM-128 ended at
    # 98.64% / 98.60% (TF1 / Keras) and GRU-128 at 98.90% / 98.90%; BiLSTM-128 ended at
    # 98.42% / 98.74% at 6000 steps, and at 98.80% / 98.66% at 8000.
    "full": Profile("full", units=128, train_size=60_000, test_size=10_000,
                    steps=(("lstm", 6000), ("gru", 6000), ("bilstm", 8000)),
                    batch_size=128, eval_every=500),
}


def model_spec(model: str, units: int) -> models.RNNSpec:
    """The RNNSpec of a tutorial pipeline (28 pixels per step, 10 classes)."""
    if model not in MODELS:
        raise ValueError(f"Unknown model {model!r}; expected one of {sorted(MODELS)}")
    cell_type, bidirectional, _ = MODELS[model]
    return models.RNNSpec(cells=(models.CellSpec(cell_type, units),), input_size=28,
                          bidirectional=bidirectional, num_classes=10)


def load_profile_data(profile: Profile) -> dict:
    """The embedded MNIST subset of ``profile`` (uint8 images, class-id labels)."""
    from legacy_compat.mnist import load_mnist_npz

    mnist = load_mnist_npz()
    return dict(train_images=mnist["x_train"][:profile.train_size],
                train_labels=mnist["y_train"][:profile.train_size],
                test_images=mnist["x_test"][:profile.test_size],
                test_labels=mnist["y_test"][:profile.test_size])


def run_profile(profile: Profile, model: str, steps: Optional[int] = None,
                data: Optional[dict] = None) -> dict:
    """:func:`train_both` on one model of ``profile`` (``steps`` overrides its budget)."""
    data = data if data is not None else load_profile_data(profile)
    return train_both(model_spec(model, profile.units), MODELS[model][2], **data,
                      steps=steps or profile.steps_for(model),
                      batch_size=profile.batch_size, optimizer=profile.optimizer,
                      learning_rate=profile.learning_rate, seed=profile.seed,
                      eval_every=profile.eval_every)


# --------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------
def prepare_images(images, spec: models.RNNSpec) -> np.ndarray:
    """Images -> float32 ``[n, time_steps, spec.input_size]``; uint8 is divided by 255.

    Accepts ``[n, 28, 28]`` or ``[n, 784]`` (any layout with ``input_size`` dividing
    the pixels of one image); floats are taken as already scaled.
    """
    images = np.asarray(images)
    n = images.shape[0]
    pixels = int(np.prod(images.shape[1:]))
    if pixels % spec.input_size:
        raise ValueError(f"an image has {pixels} values, not a multiple of input_size="
                         f"{spec.input_size}")
    if images.dtype == np.uint8:
        out = images.astype(np.float32) / np.float32(255.0)
    else:
        out = images.astype(np.float32)
    return out.reshape(n, pixels // spec.input_size, spec.input_size)


def one_hot(labels, num_classes: int) -> np.ndarray:
    """Class ids ``[n]`` (or already one-hot ``[n, num_classes]``) -> float32 one-hot."""
    labels = np.asarray(labels)
    if labels.ndim == 2:
        if labels.shape[1] != num_classes:
            raise ValueError(f"one-hot labels have {labels.shape[1]} classes; expected "
                             f"{num_classes}")
        return labels.astype(np.float32)
    return np.eye(num_classes, dtype=np.float32)[labels.astype(np.int64)]


def batch_indices(num_examples: int, steps: int, batch_size: int, rng) -> np.ndarray:
    """``[steps, batch_size]`` training-set indices: epochs of fresh permutations.

    Like TF1's ``DataSet.next_batch(shuffle=True)``: each epoch is a new permutation; a
    batch that would cross an epoch boundary takes the rest of the old epoch and the
    start of the new one.
    """
    if batch_size > num_examples:
        raise ValueError(f"batch_size={batch_size} exceeds the {num_examples} training "
                         "examples")
    needed = steps * batch_size
    epochs = -(-needed // num_examples)
    order = np.concatenate([rng.permutation(num_examples) for _ in range(epochs)])
    return order[:needed].reshape(steps, batch_size)


# --------------------------------------------------------------------------------------
# the two sides
# --------------------------------------------------------------------------------------
def _side_result(losses, test_logits, test_y, train_s, first_step_s, eval_s, steps):
    losses = [float(v) for v in losses]
    test_logits = np.asarray(test_logits, np.float64)
    shifted = test_logits - test_logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    window = losses[-FINAL_LOSS_WINDOW:]
    return {
        "test_accuracy": _accuracy(test_logits, test_y),
        "test_loss": float(-np.mean(np.sum(test_y * log_probs, axis=1))),
        "final_loss": float(np.mean(window)) if window else float("nan"),
        "losses": losses,
        "train_s": train_s,
        "eval_s": eval_s,
        "wall_s": train_s + eval_s,
        # Steady state: the first step (graph warm-up / tf.function tracing) left out.
        "ms_per_step": (1000.0 * (train_s - first_step_s) / (steps - 1) if steps > 1
                        else 1000.0 * train_s),
        "first_step_s": first_step_s,
    }


def _evaluate(predict, test_x, eval_chunk):
    return np.concatenate([np.asarray(predict(test_x[i:i + eval_chunk]))
                           for i in range(0, len(test_x), eval_chunk)])


def _accuracy(logits, test_y):
    return float(np.mean(np.argmax(logits, 1) == np.argmax(test_y, 1)))


def _train_loop(step_fn, predict, train_x, train_y, test_x, test_y, indices, eval_chunk,
                eval_every, on_step=None):
    """Run ``step_fn`` over the batches; time it, leaving periodic evaluations out.

    ``on_step(steps_done)`` (optional) is called after every step, e.g. to draw a
    progress bar.
    """
    losses, curve, first_step_s, paused = [], [], 0.0, 0.0
    start = time.perf_counter()
    for i, idx in enumerate(indices):
        losses.append(float(step_fn(train_x[idx], train_y[idx])))
        if i == 0:
            first_step_s = time.perf_counter() - start
        if on_step is not None:
            on_step(i + 1)
        if eval_every and (i + 1) % eval_every == 0 and i + 1 < len(indices):
            pause = time.perf_counter()
            curve.append((i + 1, _accuracy(_evaluate(predict, test_x, eval_chunk), test_y)))
            paused += time.perf_counter() - pause
    train_s = time.perf_counter() - start - paused
    start = time.perf_counter()
    logits = _evaluate(predict, test_x, eval_chunk)
    eval_s = time.perf_counter() - start
    result = _side_result(losses, logits, test_y, train_s, first_step_s, eval_s, len(indices))
    result["accuracy_curve"] = curve + [(len(indices), result["test_accuracy"])]
    return result


def train_legacy(spec, runner, values, train_x, train_y, test_x, test_y, indices, *,
                 optimizer="adam", learning_rate=1e-3, eval_chunk=EVAL_CHUNK,
                 eval_every=None, on_step=None) -> dict:
    """Train the TF1 graph (TF1's optimizer in its ``Session``) from ``values``."""
    time_steps = train_x.shape[1]
    legacy = pipelines.build_legacy_graph(spec, time_steps, runner, training=True, optimize=True)
    if optimizer not in legacy.training:
        raise ValueError(f"Unknown optimizer {optimizer!r}; expected one of "
                         f"{sorted(legacy.training)}")
    labels, lr, loss, train_op, reset = legacy.training[optimizer]
    legacy.set_values(values)
    legacy.session.run(reset)  # fresh Adam slots and beta powers (the graph is cached)

    def step_fn(x, y):
        return legacy.run([loss, train_op], x, extra_feed={labels: y, lr: learning_rate})[0]

    def predict(x):
        return legacy.run(legacy.outputs["logits"], x)

    return _train_loop(step_fn, predict, train_x, train_y, test_x, test_y, indices,
                       eval_chunk, eval_every, on_step)


def train_keras(spec, runner, values, train_x, train_y, test_x, test_y, indices, *,
                optimizer="adam", learning_rate=1e-3, eval_chunk=EVAL_CHUNK,
                eval_every=None, on_step=None) -> dict:
    """Train a fresh Keras 3 model (``tf.function`` step, TF1-default optimizer) from
    ``values`` (TF1 full names; ``runner`` only names their scope)."""
    time_steps = train_x.shape[1]
    model = models.build_keras_model(spec, time_steps)
    rnn, readout = pipelines.split_tf1_values(spec, runner, values)
    models.set_tf1_weights(model, spec, rnn, readout)
    opt = harness.keras_optimizer(optimizer, learning_rate)
    variables = model.trainable_variables
    opt.build(variables)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            value = harness.keras_loss(y, model(x, training=True)["logits"])
        opt.apply_gradients(zip(tape.gradient(value, variables), variables))
        return value

    @tf.function(reduce_retracing=True)
    def predict_graph(x):
        return model(x, training=False)["logits"]

    def step_fn(x, y):
        return train_step(tf.constant(x), tf.constant(y))

    def predict(x):
        return predict_graph(tf.constant(x))

    return _train_loop(step_fn, predict, train_x, train_y, test_x, test_y, indices,
                       eval_chunk, eval_every, on_step)


def train_both(spec: models.RNNSpec, runner: str, *, train_images, train_labels,
               test_images, test_labels, steps: int, batch_size: int,
               optimizer: str = "adam", learning_rate: float = 1e-3, seed: int = 0,
               eval_chunk: int = EVAL_CHUNK, eval_every: Optional[int] = None,
               initial_values: Optional[dict] = None, progress=None) -> dict:
    """Train the TF1 graph and the Keras 3 model of ``(spec, runner)`` side by side.

    Args:
      spec: the pipeline; it needs a readout (``num_classes``).
      runner: the TF1 runner (``static_rnn``, ``dynamic_rnn``,
        ``static_bidirectional_rnn``, ``bidirectional_dynamic_rnn``).
      train_images, test_images: uint8 (divided by 255) or float images, ``[n, 28, 28]``
        or ``[n, 784]``; reshaped to ``[n, time_steps, spec.input_size]``.
      train_labels, test_labels: class ids ``[n]`` or one-hot.
      steps: training steps (minibatches) per side.
      batch_size: examples per step.
      optimizer, learning_rate: ``"adam"`` (TF1's ``AdamOptimizer`` / Keras ``Adam``
        with TF1's epsilon 1e-8) or ``"sgd"``.
      seed: draws the initial weights and the batch order (both sides share them).
      eval_chunk: test examples per evaluation run.
      eval_every: optionally also evaluate test accuracy every this many steps (the
        time it takes is left out of ``train_s``), giving ``accuracy_curve``.
      initial_values: optional ``{TF1 full name: array}`` instead of drawing them.
      progress: optional ``progress(side, steps_done)`` called after every training
        step, with side ``"legacy"`` or ``"keras"`` (progress bars).

    Returns:
      ``{"legacy": side, "keras": side, "config": {...}}`` where each ``side`` has
      ``test_accuracy``, ``test_loss``, ``final_loss`` (mean of the last
      :data:`FINAL_LOSS_WINDOW` training losses), ``losses`` (the loss of every step,
      computed before that step's update), ``train_s``, ``eval_s``, ``wall_s``
      (train + eval), ``ms_per_step`` (steady state, first step excluded) and
      ``first_step_s``, and ``accuracy_curve``: ``[(step, test accuracy), ...]``
      (every ``eval_every`` steps, and always the final one).
    """
    if spec.num_classes is None:
        raise ValueError("train_both needs a readout: build the spec with num_classes")
    if steps < 1 or batch_size < 1:
        raise ValueError(f"steps and batch_size must be >= 1. Received: steps={steps}, "
                         f"batch_size={batch_size}")
    train_x, test_x = prepare_images(train_images, spec), prepare_images(test_images, spec)
    train_y = one_hot(train_labels, spec.num_classes)
    test_y = one_hot(test_labels, spec.num_classes)
    if len(train_x) != len(train_y) or len(test_x) != len(test_y):
        raise ValueError("images and labels differ in number")
    time_steps = train_x.shape[1]

    init_rng = np.random.default_rng([seed, 0])
    batch_rng = np.random.default_rng([seed, 1])
    if initial_values is None:
        legacy = pipelines.build_legacy_graph(spec, time_steps, runner, training=True,
                                              optimize=True)
        shapes = {name: tuple(var.shape.as_list())
                  for name, var in legacy.all_variables.items()}
        initial_values = tf1_initial_values(shapes, init_rng)
    indices = batch_indices(len(train_x), steps, batch_size, batch_rng)

    common = dict(optimizer=optimizer, learning_rate=learning_rate, eval_chunk=eval_chunk,
                  eval_every=eval_every)
    data = (train_x, train_y, test_x, test_y, indices)
    def on_step(side):
        return None if progress is None else (lambda done: progress(side, done))

    legacy_result = train_legacy(spec, runner, initial_values, *data, **common,
                                 on_step=on_step("legacy"))
    keras_result = train_keras(spec, runner, initial_values, *data, **common,
                               on_step=on_step("keras"))
    return {
        "legacy": legacy_result,
        "keras": keras_result,
        "config": {
            "runner": runner, "steps": steps, "batch_size": batch_size,
            "optimizer": optimizer, "learning_rate": learning_rate, "seed": seed,
            "train_size": len(train_x), "test_size": len(test_x),
            "time_steps": time_steps,
        },
    }
