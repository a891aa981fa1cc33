"""The equivalence harness: one TF1 pipeline and its Keras 3 model, compared.

For a pipeline ``(spec, runner)``:

* :func:`compare_forward`: same weights (random, biases included), same inputs;
  max |difference| of every output (sequence outputs, each final state part,
  logits) and whether the shapes agree.
* :func:`compare_gradients`: gradients of a random linear probe of all outputs,
  with respect to the inputs and to every weight (Keras gradients mapped back to
  TF1 names through the same weight map).
* :func:`compare_training`: the same initial weights and the same batches, trained
  by TF1's optimizer in the graph and by Keras' optimizer; the two loss
  trajectories.

Legacy graphs are cached (:func:`tools.proof.pipelines.build_legacy_graph`) and so are
Keras models (:func:`keras_model`); both are reused across examples.
"""
import dataclasses
import functools
from typing import List

import numpy as np
import tensorflow as tf

from modern import models
from tools.proof import pipelines
from tools.proof.backends import keras_loss  # noqa: F401  (also tools.proof.harness.keras_loss)
from tools.proof.report import EquivalenceReport, compare
from tools.proof.tolerances import TRAINING_STEPS, Tolerance

v1 = tf.compat.v1

OPTIMIZERS = ("sgd", "adam")


@functools.lru_cache(maxsize=128)
def keras_model(spec: models.RNNSpec, steps: int):
    """The Keras 3 model of ``spec`` (cached; weights are set before every use)."""
    return models.build_keras_model(spec, steps)


def random_inputs(spec, steps, batch, rng, sequence_length=None):
    """Normal inputs and, for masked specs, lengths in [0, steps] (0 and full included)."""
    x = rng.normal(size=(batch, steps, spec.input_size))
    if not spec.masked:
        return x, None
    if sequence_length is None:
        sequence_length = rng.integers(0, steps + 1, size=batch)
        if batch >= 2:
            sequence_length[0], sequence_length[1] = 0, steps
    return x, np.asarray(sequence_length, np.int32)


def _keras_inputs(spec, x, sequence_length, dtype="float32"):
    x = np.asarray(x, dtype)
    return [x, np.asarray(sequence_length, np.int32)] if spec.masked else [x]


def load_same_weights(legacy, model, values):
    """Give the legacy graph and the Keras model the same weights (TF1 full names)."""
    legacy.set_values(values)
    rnn, readout = pipelines.tf1_values_for_keras(legacy, values)
    models.set_tf1_weights(model, legacy.spec, rnn, readout)


def compare_forward(spec, runner, *, steps, batch, seed, sequence_length=None) -> EquivalenceReport:
    rng = np.random.default_rng(seed)
    legacy = pipelines.build_legacy_graph(spec, steps, runner)
    model = keras_model(spec, steps)
    values = legacy.random_values(rng)
    load_same_weights(legacy, model, values)
    x, lengths = random_inputs(spec, steps, batch, rng, sequence_length)
    return compare_outputs(legacy, model, x, lengths)


def compare_outputs(legacy, model, x, sequence_length=None) -> EquivalenceReport:
    """Run the legacy graph and the Keras model (already holding the same weights) on
    ``x``; max |difference| per output (inf where an output is missing or its shape
    differs)."""
    spec = legacy.spec
    got_legacy = legacy.run(legacy.outputs, x, sequence_length)
    got_keras = {k: np.asarray(v)
                 for k, v in model(_keras_inputs(spec, x, sequence_length)).items()}
    return compare(got_legacy, got_keras, atol=Tolerance.outputs,
                   title=f"outputs of {spec}")


def _probe_weights(legacy, batch, rng):
    return {name: rng.normal(size=(batch,) + tuple(t.shape.as_list()[1:]))
            for name, t in legacy.outputs.items()}


def compare_gradients(spec, runner, *, steps, batch, seed) -> EquivalenceReport:
    """Gradients w.r.t. the inputs and every weight, TF1 graph vs Keras (tf.GradientTape)."""
    rng = np.random.default_rng(seed)
    legacy = pipelines.build_legacy_graph(spec, steps, runner, gradients=True)
    model = keras_model(spec, steps)
    values = legacy.random_values(rng)
    load_same_weights(legacy, model, values)
    x, lengths = random_inputs(spec, steps, batch, rng)
    probe_values = _probe_weights(legacy, batch, rng)

    feed = {legacy.probes[k]: v.astype(np.float32) for k, v in probe_values.items()}
    legacy_by_name = dict(zip(legacy.gradient_names,
                              legacy.run(legacy.gradients, x, lengths, extra_feed=feed)))

    x_tensor = tf.constant(np.asarray(x, np.float32))
    inputs = [x_tensor, tf.constant(lengths)] if spec.masked else [x_tensor]
    rnn_weights = models.rnn_layer_weights(model, spec)
    readout = [model.get_layer("readout").kernel, model.get_layer("readout").bias] \
        if spec.num_classes is not None else []
    with tf.GradientTape() as tape:
        tape.watch(x_tensor)
        out = model(inputs)
        total = tf.add_n([tf.reduce_sum(out[k] * tf.constant(v.astype(np.float32)))
                          for k, v in probe_values.items()])
    keras_grads = tape.gradient(total, [x_tensor] + rnn_weights + readout)
    # The maps are rearrangements plus LSTM's additive forget_bias: gradients map like
    # weights once the additive constant is left out (forget_bias=0).
    no_bias_spec = dataclasses.replace(spec, cells=tuple(
        dataclasses.replace(c, forget_bias=0.0) for c in spec.cells))
    rnn_arrays = [np.asarray(g) for g in keras_grads[1:1 + len(rnn_weights)]]
    tf1_rnn, _ = models.get_tf1_weights(model, no_bias_spec, arrays=rnn_arrays)
    scope = pipelines.RUNNER_SCOPES[runner] + "/"
    keras_by_name = {"x": np.asarray(keras_grads[0])}
    keras_by_name.update({scope + k: v for k, v in tf1_rnn.items()})
    if readout:
        keras_by_name[pipelines.READOUT_WEIGHTS] = np.asarray(keras_grads[-2])
        keras_by_name[pipelines.READOUT_BIASES] = np.asarray(keras_grads[-1])
    return compare(legacy_by_name, keras_by_name, atol=Tolerance.gradients,
                   title=f"gradients of {spec}")


# ------------------------------------------------------------------------------------
# training
# ------------------------------------------------------------------------------------
def keras_optimizer(optimizer, learning_rate):
    """Keras' optimizer with TF1's defaults (Adam epsilon 1e-8, not Keras' 1e-7)."""
    import keras

    if optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate)
    if optimizer == "adam":
        return keras.optimizers.Adam(learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    raise ValueError(f"Unknown optimizer {optimizer!r}; expected one of {OPTIMIZERS}")




@dataclasses.dataclass
class Trajectories:
    legacy: List[float]
    keras: List[float]

    @property
    def max_diff(self):
        return float(np.max(np.abs(np.asarray(self.legacy) - np.asarray(self.keras))))


def compare_training(spec, runner, *, steps, batch, seed, optimizer="sgd",
                     learning_rate=0.1, train_steps=TRAINING_STEPS, batches=None) -> Trajectories:
    """Train both from the same weights on the same batches; return both loss curves.

    ``batches`` (optional) is a list of ``(x, sequence_length or None, one_hot_labels)``;
    by default random inputs and random labels are drawn from ``seed``.
    """
    if spec.num_classes is None:
        raise ValueError("compare_training needs a readout: build the spec with num_classes")
    rng = np.random.default_rng(seed)
    legacy = pipelines.build_legacy_graph(spec, steps, runner, training=True)
    opt = keras_optimizer(optimizer, learning_rate)
    labels, lr, loss, train_op, reset = legacy.training[optimizer]
    model = keras_model(spec, steps)
    values = legacy.random_values(rng)
    load_same_weights(legacy, model, values)
    legacy.session.run(reset)
    if batches is None:
        batches = []
        for _ in range(train_steps):
            x, lengths = random_inputs(spec, steps, batch, rng)
            y = np.eye(spec.num_classes)[rng.integers(0, spec.num_classes, size=batch)]
            batches.append((x, lengths, y))
    variables = model.trainable_variables
    opt.build(variables)

    @tf.function(reduce_retracing=True)
    def keras_step(inputs, y):
        with tf.GradientTape() as tape:
            out = model(inputs, training=True)
            value = keras_loss(y, out["logits"])
        opt.apply_gradients(zip(tape.gradient(value, variables), variables))
        return value

    legacy_losses, keras_losses = [], []
    for x, lengths, y in batches:
        value, _ = legacy.run([loss, train_op], x, lengths,
                              extra_feed={labels: np.asarray(y, np.float32), lr: learning_rate})
        legacy_losses.append(float(value))
        inputs = [tf.constant(t) for t in _keras_inputs(spec, x, lengths)]
        keras_losses.append(float(keras_step(inputs, tf.constant(np.asarray(y, np.float32)))))
    return Trajectories(legacy_losses, keras_losses)
