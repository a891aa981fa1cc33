"""Assert that your Keras 3 port TRAINS as your TF1 graph trained: gradients and losses.

:func:`assert_training_equivalent` takes the same TF1 graph function as
:func:`tools.testing.assert_equivalent` -- one that also returns the program's ``loss``
(fed a ``labels`` placeholder) -- a function that builds your compiled Keras model, the
TF1 optimizer your program used and a ``weight_map``. From the same random weights and the
same batch:

Both start from the graph's variables at random ``Uniform(-weight_scale, weight_scale)``
values (``seed``), copied into the model by ``weight_map``.

* ``"gradients"``: one step of plain gradient descent with learning rate 1 on both sides
  (TF1's ``GradientDescentOptimizer(1.0)``, ``keras.optimizers.SGD(1.0)`` with the
  model's compiled loss), then TF1's updated variables are mapped into a fresh model with
  ``weight_map``: the Keras update of every trainable weight must be TF1's, i.e. the
  gradient of the loss w.r.t. each weight, in Keras' layout (``weight_map`` is affine --
  a reorder, a transpose, a constant folded in -- so it maps TF1's update to Keras'
  exactly). Nothing needs an inverse of ``weight_map``, and it works on every backend.
* ``"training"``: ``steps`` steps of your program's optimizer (``tf1_optimizer()`` in the
  graph, the model's compiled optimizer with ``train_on_batch``): the loss before each
  step.

Dropout cannot be compared step by step (TF1's and Keras' random masks differ): the TF1
graph should be built with its keep probabilities at 1.0 (as the program evaluates), and
the Keras model's ``Dropout`` layers are switched off here (rate 0) for both checks.
"""
import dataclasses
import numbers
from typing import Callable, Dict, Optional

import numpy as np

from tools.proof.report import EquivalenceReport, compare_output
from tools.proof.tolerances import RANDOM_WEIGHT_SCALE
from tools.testing.assertions import (EquivalenceError, _input_feeds, _tolerance_value,
                                      _tolerances, build_legacy)

__all__ = ["assert_training_equivalent", "TRAINING_CHECKS"]

TRAINING_CHECKS = ("gradients", "training")


def _without_dropout(model):
    import keras

    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.Dropout):
            layer.rate = 0.0
    return model


def _trainable(model):
    """[(path, value)] of the trainable weights, in the model's order (two instances of
    one model have the same order; their paths may differ in Keras' name counters)."""
    return [(w.path, np.asarray(w.numpy())) for w in model.trainable_weights]


def _first(logs):
    """The loss of ``train_on_batch``'s result (a scalar, or [loss, *metrics])."""
    return float(np.ravel(np.asarray(logs if np.ndim(logs) == 0 else logs[0]))[0])


def _model_inputs(model, feeds):
    """The arrays of ``feeds`` in the order of the model's ``keras.Input`` names."""
    structure = model.input
    import keras

    flat = keras.tree.flatten(structure)
    names = [getattr(t, "name", None) for t in flat]
    arrays = [feeds[n] for n in names] if set(names) <= set(feeds) else list(feeds.values())
    return arrays[0] if len(arrays) == 1 else arrays


def assert_training_equivalent(legacy_graph_fn: Callable, make_keras_model: Callable, inputs,
                               labels, *, tf1_optimizer: Callable, weight_map: Callable,
                               steps: int = 3, checks=TRAINING_CHECKS, tolerance=None,
                               seed: int = 0, weight_scale: float = RANDOM_WEIGHT_SCALE,
                               loss: str = "loss", run_eagerly: bool = True,
                               tf1_apply: Optional[Callable] = None
                               ) -> Dict[str, EquivalenceReport]:
    """Assert that the Keras model's gradients and training losses are the TF1 graph's.

    Args:
        legacy_graph_fn: ``fn(placeholders) -> outputs`` as for
            :func:`tools.testing.assert_equivalent`; ``placeholders`` has one per entry of
            ``inputs`` and ``"labels"``; ``outputs`` is a dict with the scalar loss under
            ``loss`` (default ``"loss"``).
        make_keras_model: ``() -> keras.Model``, compiled with the port's optimizer and
            loss (e.g. ``lambda: port.compile_model(port.build_model())``); called once per
            model the checks need.
        inputs: the batch: a dict name -> array (or one array, named ``"x"``).
        labels: the batch's targets, as ``train_on_batch`` takes them.
        tf1_optimizer: ``() -> tf.compat.v1.train.Optimizer``, the program's (called in
            the graph), e.g. ``lambda: tf.compat.v1.train.AdamOptimizer(0.01)``.
        weight_map: ``fn(session, graph, keras_model)`` copying the graph's variables into
            the model (e.g. :func:`tools.testing.weights_from_spec`).
        steps: training steps of the ``"training"`` check.
        checks: a subset of ``("gradients", "training")``.
        tolerance: max |difference| per check: ``None`` for the registry's
            (:class:`tools.proof.tolerances.Tolerance`: gradients 1e-5, training 1e-4),
            one number for all, or a dict keyed by check.
        seed: the graph's trainable float variables start from Uniform(-0.5, 0.5) values
            of ``numpy.random.default_rng(seed)``; ``weight_scale`` is the bound of those
            values (default 0.5; a wide model keeps its pre-activations O(1) with about
            ``1/sqrt(fan_in)``).
        loss: the name of the loss among ``legacy_graph_fn``'s outputs.
        run_eagerly: the Keras train steps run eagerly (the same operations, without
            tracing a compiled train function: an unrolled 28-step model takes seconds to
            trace, twice per call); ``False`` checks the compiled train step as
            ``fit``/``train_on_batch`` run it in the program.
        tf1_apply: ``fn(optimizer, grads_and_vars) -> train op``, the program's gradient
            processing between ``compute_gradients`` and ``apply_gradients`` (clipping,
            the ``global_step`` a schedule reads) for the ``"training"`` check; default
            ``optimizer.apply_gradients(grads_and_vars)``. The ``"gradients"`` check
            always compares the unprocessed gradients.

    Returns ``{check: EquivalenceReport}``; raises :class:`EquivalenceError` listing what
    exceeds its tolerance.
    """
    import keras
    import tensorflow as tf

    if not callable(legacy_graph_fn) or not callable(make_keras_model):
        raise TypeError("legacy_graph_fn and make_keras_model must be callables "
                        "(placeholders -> outputs; () -> compiled keras.Model)")
    if not callable(tf1_optimizer) or not callable(weight_map):
        raise TypeError("tf1_optimizer must be () -> tf.compat.v1.train.Optimizer and "
                        "weight_map fn(session, graph, keras_model)")
    if tf1_apply is not None and not callable(tf1_apply):
        raise TypeError("tf1_apply must be fn(optimizer, grads_and_vars) -> train op, or None")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    if isinstance(checks, str) or not checks or not set(checks) <= set(TRAINING_CHECKS):
        raise ValueError(f"checks must be a non-empty sequence of {TRAINING_CHECKS}, got "
                         f"{checks!r}")
    checks = tuple(checks)
    limits = _tolerances(tolerance, checks)
    weight_scale = _tolerance_value("weight_scale", weight_scale)
    feeds = _input_feeds(inputs)
    if "labels" in feeds:
        raise ValueError("inputs must not have an entry 'labels': pass the targets as labels")
    labels = np.asarray(labels)
    all_feeds = dict(feeds, labels=labels)

    def extend(outputs):
        if loss not in outputs:
            raise ValueError(f"legacy_graph_fn must return the loss under {loss!r}; it "
                             f"returned {sorted(outputs)}")
        optimizer = tf1_optimizer()
        # one backward graph for both steps (minimize = compute_gradients + apply)
        grads_and_vars = optimizer.compute_gradients(outputs[loss])
        with tf.compat.v1.name_scope("gradient_step"):
            sgd = tf.compat.v1.train.GradientDescentOptimizer(1.0).apply_gradients(
                grads_and_vars)
        if tf1_apply is None:
            return sgd, optimizer.apply_gradients(grads_and_vars)
        return sgd, tf1_apply(optimizer, grads_and_vars)

    legacy = build_legacy(legacy_graph_fn, all_feeds, seed, extend)
    loss_tensor = dict(legacy.items)[loss]
    sgd_op, train_op = legacy.extra
    feed_dict = legacy.feed_dict(all_feeds)

    def mapped(session):
        model = _without_dropout(make_keras_model())
        weight_map(session, legacy.graph, model)
        return model

    reports = {}
    if "gradients" in checks:
        session = legacy.start(seed, weight_scale)
        try:
            model = mapped(session)
            before = _trainable(model)
            # the port's loss as it compiled it (its loss_weights too), plain SGD
            model.compile(optimizer=keras.optimizers.SGD(1.0), loss=model.loss,
                          loss_weights=(model.get_compile_config() or {}).get("loss_weights"),
                          run_eagerly=run_eagerly)
            tf1_loss = session.run([loss_tensor, sgd_op], feed_dict)[0]
            keras_loss = _first(model.train_on_batch(_model_inputs(model, feeds), labels))
            after = _trainable(model)
            want = _trainable(mapped(session))
        finally:
            session.close()
        atol = limits["gradients"]
        diffs = [compare_output("loss", np.float32(tf1_loss), np.float32(keras_loss), atol, 0.0)]
        diffs += [compare_output(f"d loss / d {path}", w0 - w_tf1, w0 - w_keras, atol, 0.0)
                  for (path, w0), (_, w_tf1), (_, w_keras) in zip(before, want, after)]
        reports["gradients"] = EquivalenceReport(
            tuple(diffs), atol, 0.0, "gradients (one gradient-descent step, learning rate 1)")
    if "training" in checks:
        session = legacy.start(seed, weight_scale)
        try:
            model = mapped(session)
            model.run_eagerly = run_eagerly
            keras_inputs = _model_inputs(model, feeds)
            tf1_losses, keras_losses = [], []
            for _ in range(steps):
                tf1_losses.append(session.run([loss_tensor, train_op], feed_dict)[0])
                keras_losses.append(_first(model.train_on_batch(keras_inputs, labels)))
        finally:
            session.close()
        atol = limits["training"]
        reports["training"] = EquivalenceReport(
            (compare_output("loss per step", np.asarray(tf1_losses, np.float32),
                            np.asarray(keras_losses, np.float32), atol, 0.0),),
            atol, 0.0, f"{steps} steps of the program's optimizer")
    if not all(r.ok for r in reports.values()):
        raise EquivalenceError(EquivalenceReport(
            tuple(dataclasses.replace(o, name=f"{check}: {o.name}")
                  for check, r in reports.items() for o in r.outputs),
            max(limits.values()), 0.0, "training of the Keras model vs the TF1 graph",
            criterion="max |Δ| per check: " + ", ".join(f"{k} {v:g}" for k, v in
                                                         limits.items())))
    return reports
