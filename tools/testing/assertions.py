"""Assertions that your Keras 3 port computes what your TF1 RNN code computed.

* :func:`assert_equivalent` takes YOUR code: a function that builds the TF1 graph
  (``legacy_compat`` cells and runners, ``tf.compat.v1`` ops) from placeholders, and
  the Keras model you ported it to. It builds the graph in a fresh ``tf.Graph`` (eager
  execution stays on, so Keras keeps working in the same process), gives its
  variables random values, lets ``weight_map`` copy them into the model, runs both
  on the same inputs and compares every output. On a difference it raises
  :class:`EquivalenceError` (an ``AssertionError``) whose message says, per output,
  the shapes, the largest |difference|, where it is, both values there and how many
  elements exceed ``atol + rtol * |TF1|``.
* :func:`weights_from_spec` is a ready ``weight_map`` for Keras models laid out like
  :func:`modern.models.build_keras_model`'s (RNN layer named ``"rnn"``, or
  ``"rnn_0"``, ``"rnn_1"``... for a stack; readout ``Dense`` named ``"readout"``).
* :func:`assert_spec_equivalent` checks a whole pipeline described by an
  :class:`modern.models.RNNSpec` (e.g. drawn by :func:`tools.testing.strategies.pipelines`)
  with the kit's own harness: outputs, gradients and training trajectories.

The TF1 side is the reference: ``rtol`` scales with ``|TF1 value|``.
"""
import dataclasses
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Callable, Dict, Optional, Tuple

import numpy as np

from tools.testing import backends
from tools.proof.report import EquivalenceReport, OutputDiff, compare_output
from tools.proof.tolerances import RANDOM_WEIGHT_SCALE, TRAINING_LEARNING_RATES, Tolerance

__all__ = [
    "assert_equivalent",
    "assert_spec_equivalent",
    "weights_from_spec",
    "EquivalenceError",
    "EquivalenceReport",
    "OutputDiff",
    "CHECKS",
]

CHECKS = ("outputs", "gradients", "training", "training/sgd", "training/adam")


class EquivalenceError(AssertionError):
    """The Keras model is not equivalent to the TF1 graph; ``.report`` has the details."""

    def __init__(self, report: EquivalenceReport):
        super().__init__(str(report))
        self.report = report


# ------------------------------------------------------------------------------------
# argument checks (the message names the parameter and says what to pass)
# ------------------------------------------------------------------------------------
def _tolerance_value(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (
            math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _input_feeds(inputs) -> Dict[str, np.ndarray]:
    if isinstance(inputs, Mapping):
        if not inputs:
            raise ValueError("inputs must not be empty: pass {name: array} or one array")
        items = list(inputs.items())
    else:
        items = [("x", inputs)]
    feeds = {}
    for name, value in items:
        if not isinstance(name, str) or not name:
            raise TypeError(f"inputs keys must be non-empty strings (the placeholder names), "
                            f"got {name!r}")
        array = np.asarray(value)
        if array.ndim < 1:
            raise ValueError(f"inputs[{name!r}] must have a batch axis (ndim >= 1), got "
                             f"shape {array.shape}")
        if array.dtype.kind not in "biuf":
            raise TypeError(f"inputs[{name!r}] must be numeric, got dtype {array.dtype}")
        feeds[name] = array
    return feeds


def _names(output_names):
    if output_names is None:
        return None
    if isinstance(output_names, str) or not isinstance(output_names, Sequence) or not all(
            isinstance(n, str) for n in output_names):
        raise TypeError(f"output_names must be a sequence of strings, got {output_names!r}; "
                        f"for one output write output_names=[{output_names!r}]")
    if len(set(output_names)) != len(output_names) or not output_names:
        raise ValueError(f"output_names must be non-empty and distinct, got {output_names!r}")
    return list(output_names)


# ------------------------------------------------------------------------------------
# outputs: nested structures -> [(name, value)]
# ------------------------------------------------------------------------------------
def _flatten(prefix, value):
    if isinstance(value, Mapping):
        return [item for key in value for item in _flatten(f"{prefix}/{key}", value[key])]
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # LSTMStateTuple & co.
        return [item for key in value._fields
                for item in _flatten(f"{prefix}/{key}", getattr(value, key))]
    if isinstance(value, (list, tuple)):
        return [item for i, v in enumerate(value) for item in _flatten(f"{prefix}/{i}", v)]
    return [(prefix, value)]


def _structure(outputs):
    """-> (named, [(name, value)]): dicts and namedtuples by key, sequences by position
    (``output_0``, ``output_1``...; one tensor is ``output_0``)."""
    if isinstance(outputs, Mapping):
        return True, [item for key in outputs for item in _flatten(str(key), outputs[key])]
    if isinstance(outputs, tuple) and hasattr(outputs, "_fields"):
        return True, [item for key in outputs._fields
                      for item in _flatten(key, getattr(outputs, key))]
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return False, [item for i, v in enumerate(outputs) for item in _flatten(f"output_{i}", v)]


def _match(legacy, keras_out, output_names):
    """-> (names to compare, {name: TF1 value}, {name: Keras value})."""
    (legacy_named, legacy_items), (keras_named, keras_items) = legacy, keras_out
    if output_names is not None:
        renamed = []
        for named, items, side in ((legacy_named, legacy_items, "TF1 graph"),
                                   (keras_named, keras_items, "Keras model")):
            if not named:
                if len(items) != len(output_names):
                    raise ValueError(f"output_names has {len(output_names)} names but the "
                                     f"{side} returned {len(items)} outputs")
                items = list(zip(output_names, (value for _, value in items)))
            renamed.append(items)
        legacy_items, keras_items = renamed
        names = list(output_names)
    elif legacy_named != keras_named:
        side = "TF1 graph" if legacy_named else "Keras model"
        raise TypeError(f"the {side} returned a dict and the other side a sequence; pass "
                        f"output_names=[...] naming the sequence's outputs in order")
    elif legacy_named:
        names = [name for name, _ in legacy_items]
    else:
        names = list(dict.fromkeys(name for name, _ in legacy_items + keras_items))
    return names, dict(legacy_items), dict(keras_items)


# ------------------------------------------------------------------------------------
# assert_equivalent
# ------------------------------------------------------------------------------------
def _keras_call(keras_model, feeds):
    """Call the model with the inputs matched to its named inputs, or in order."""
    import keras

    structure = None
    if isinstance(keras_model, keras.Model):
        try:
            structure = keras_model.input  # as the model was built: a tensor, list or dict
        except (AttributeError, ValueError):  # a subclassed model: no symbolic inputs
            structure = None
    if structure is not None:
        model_inputs = keras.tree.flatten(structure)
        names = [getattr(t, "name", None) for t in model_inputs]
        if set(names) <= set(feeds) and len(set(names)) == len(names):
            flat = [feeds[n] for n in names]
        elif len(model_inputs) == len(feeds):
            flat = list(feeds.values())
        else:
            raise ValueError(f"the Keras model takes inputs {names} but inputs has "
                             f"{list(feeds)}: name the entries of inputs like the model's "
                             f"keras.Input(name=...)")
        result = keras_model(keras.tree.pack_sequence_as(structure, flat), training=False)
    elif isinstance(keras_model, keras.Model):
        args = list(feeds.values())
        result = keras_model(args[0] if len(args) == 1 else dict(feeds), training=False)
    else:
        result = keras_model(next(iter(feeds.values())) if len(feeds) == 1 else dict(feeds))
    return keras.tree.map_structure(lambda t: np.asarray(keras.ops.convert_to_numpy(t)),
                                    result)


@dataclasses.dataclass
class LegacyBuild:
    """The TF1 graph of a ``legacy_graph_fn``: placeholders, outputs, initialisation."""

    graph: object
    placeholders: Dict[str, object]
    named: bool
    items: list  # [(output name, tensor)]
    init: list
    assigns: list  # [(variable, placeholder, assign op)] of the randomised variables
    extra: object = None  # what ``extend`` built

    def start(self, seed, scale=RANDOM_WEIGHT_SCALE):
        """A new session with the variables initialised (and randomised from ``seed``).
        Not ``with session:``: that would make the graph the default graph, and a weight
        map's Keras calls must run eagerly."""
        from tools.proof.pipelines import new_session  # TF1's ops as built, no grappler

        session = new_session(self.graph)
        session.run(self.init)
        if self.assigns:
            rng = np.random.default_rng(seed)
            session.run([op for _, _, op in self.assigns], feed_dict={
                ph: rng.uniform(-scale, scale,
                                var.shape.as_list()).astype(var.dtype.base_dtype.as_numpy_dtype)
                for var, ph, _ in self.assigns})
        return session

    def feed_dict(self, feeds):
        return {self.placeholders[n]: a for n, a in feeds.items()}


def build_legacy(legacy_graph_fn, feeds, seed, extend=None) -> LegacyBuild:
    """Call ``legacy_graph_fn`` in a fresh ``tf.Graph`` on one placeholder per feed;
    ``extend(outputs)`` adds ops to the graph (optimizers) before its first run."""
    import tensorflow as tf  # here, not at the top: a Keras side on jax/torch needs no TF

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        placeholders = {name: v1.placeholder(tf.as_dtype(array.dtype),
                                             [None] + list(array.shape[1:]),
                                             name=re.sub(r"[^A-Za-z0-9_.]", "_", name))
                        for name, array in feeds.items()}
        outputs = legacy_graph_fn(placeholders)
        if outputs is None:
            raise TypeError("legacy_graph_fn returned None: return the tensors to compare "
                            "(a dict name -> tensor, a list, or one tensor)")
        named, items = _structure(outputs)
        for name, tensor in items:
            if not isinstance(tensor, (tf.Tensor, tf.Variable)):
                raise TypeError(f"legacy_graph_fn's output {name!r} is not a tensor: "
                                f"{tensor!r}")
        extra = extend(dict(items)) if extend is not None else None
        init = [v1.global_variables_initializer(), v1.local_variables_initializer(),
                v1.tables_initializer()]
        assigns = []
        if seed is not None:
            for var in v1.trainable_variables():
                if var.dtype.base_dtype.is_floating and var.shape.is_fully_defined():
                    ph = v1.placeholder(var.dtype.base_dtype, var.shape)
                    assigns.append((var, ph, var.assign(ph)))
    return LegacyBuild(graph, placeholders, named, items, init, assigns, extra)


def _legacy_run(legacy_graph_fn, feeds, weight_map, keras_model, seed, scale):
    legacy = build_legacy(legacy_graph_fn, feeds, seed)
    session = legacy.start(seed, scale)
    try:
        if weight_map is not None:
            weight_map(session, legacy.graph, keras_model)
        values = session.run([t for _, t in legacy.items], feed_dict=legacy.feed_dict(feeds))
    finally:
        session.close()
    return legacy.named, [(name, value) for (name, _), value in zip(legacy.items, values)]


def assert_equivalent(legacy_graph_fn: Callable, keras_model, inputs, *,
                      weight_map: Optional[Callable] = None, atol: float = Tolerance.outputs,
                      rtol: float = 0.0, output_names=None,
                      seed: Optional[int] = 0, backend: Optional[str] = None,
                      weight_scale: float = RANDOM_WEIGHT_SCALE) -> EquivalenceReport:
    """Assert that ``keras_model`` computes what the TF1 graph of ``legacy_graph_fn`` does.

    Args:
        legacy_graph_fn: ``fn(placeholders) -> outputs``, called inside a fresh
            ``tf.Graph()``; ``placeholders`` is a dict with one
            ``tf.compat.v1.placeholder`` per entry of ``inputs`` (same name, dtype of the
            array, shape ``[None] + array.shape[1:]``). ``outputs`` is a dict name ->
            tensor, a list/tuple of tensors or one tensor (nested dicts and
            ``LSTMStateTuple`` are flattened to ``"state/c"``-style names).
        keras_model: a ``keras.Model`` (called with ``training=False``; inputs are
            matched to its ``keras.Input`` names, else passed in order) or any callable
            taking the array (one input) or the dict of arrays.
        inputs: a dict name -> numpy array, or one array (named ``"x"``); the batch axis
            first. The arrays' dtypes are the placeholders' (float32 for TF1's
            ``dtype=tf.float32``).
        weight_map: ``fn(session, graph, keras_model)``, called after the graph's
            variables are initialised (and randomised), to copy them into the model
            (or the other way round); e.g. :func:`weights_from_spec`. It runs in eager
            mode (``graph`` is not the default graph: read variables with
            ``session.run``, build any new op under ``graph.as_default()``).
        atol, rtol: an element passes when ``|keras - tf1| <= atol + rtol * |tf1|``.
        output_names: the outputs to compare when both sides return dicts (default:
            all of the TF1 graph's); the names of the positional outputs otherwise
            (required when one side returns a dict and the other a sequence).
        seed: the graph's trainable float variables are set to Uniform(-0.5, 0.5)
            values from ``numpy.random.default_rng(seed)``, so that zero-initialised
            biases are checked too; ``None`` keeps the graph's own initial values.
        weight_scale: the bound of those uniform values (default 0.5; a wide model
            keeps its pre-activations O(1) with about ``1/sqrt(fan_in)``).
        backend: the Keras backend that runs the model: ``None`` (this process'),
            ``"tensorflow"``, ``"jax"`` or ``"torch"``. Another backend than this
            process' runs the Keras side in a subprocess on that backend (see
            :mod:`tools.testing.backends`): the model, with the weights ``weight_map``
            gave it, goes there as a ``.keras`` file, so it must be a ``keras.Model``
            whose custom classes are registered in importable modules. A backend whose
            package is not installed raises ``BackendUnavailable`` (an ``ImportError``).

    Returns:
        an :class:`EquivalenceReport` (``.diffs``: max |difference| per output).

    Raises:
        EquivalenceError: an ``AssertionError`` whose message lists, per output, its
            name, the shapes, max |Δ|, the index of max |Δ| with both values there, and
            how many elements exceed ``atol + rtol*|TF1|``; a shape mismatch or an output
            missing on one side is reported as such.
    """
    if not callable(legacy_graph_fn):
        raise TypeError(f"legacy_graph_fn must be callable (placeholders -> tensors), got "
                        f"{legacy_graph_fn!r}")
    if not callable(keras_model):
        raise TypeError(f"keras_model must be a keras.Model or a callable, got "
                        f"{keras_model!r}")
    if weight_map is not None and not callable(weight_map):
        raise TypeError(f"weight_map must be None or fn(session, graph, keras_model), got "
                        f"{weight_map!r}; for models like modern.build_keras_model's use "
                        f"weight_map=weights_from_spec(spec, runner)")
    atol, rtol = _tolerance_value("atol", atol), _tolerance_value("rtol", rtol)
    names = _names(output_names)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an int or None, got {seed!r}")
    feeds = _input_feeds(inputs)
    if backends.check_backend(backend) is not None:
        backends.require_backend(backend)

    weight_scale = _tolerance_value("weight_scale", weight_scale)
    legacy = _legacy_run(legacy_graph_fn, feeds, weight_map, keras_model, seed, weight_scale)
    if backend is None or backend == backends.current_backend():
        keras_out = _structure(_keras_call(keras_model, feeds))
    else:
        keras_out = backends.keras_outputs_on_backend(keras_model, feeds, backend)
    ordered, legacy_map, keras_map = _match(legacy, keras_out, names)
    report = EquivalenceReport(
        tuple(compare_output(n, legacy_map.get(n), keras_map.get(n), atol, rtol) for n in ordered),
        atol, rtol, "Keras model vs TF1 graph" + (f" (Keras on {backend})" if backend else ""))
    if not report.ok:
        raise EquivalenceError(report)
    return report


# ------------------------------------------------------------------------------------
# weight map for models laid out like modern.build_keras_model's
# ------------------------------------------------------------------------------------
def weights_from_spec(spec, runner: str, *, scope: Optional[str] = None,
                      readout: Optional[Tuple[str, str]] = None,
                      layers: Optional[Mapping] = None, layer: str = "rnn") -> Callable:
    """A ``weight_map`` that copies the TF1 graph's RNN (and readout) variables into a
    Keras model laid out like :func:`modern.models.build_keras_model`'s.

    The model's RNN layer is named ``"rnn"`` (``"rnn_0"``, ``"rnn_1"``... for a
    unidirectional stack; one ``Bidirectional`` named ``"rnn"`` otherwise) and its
    readout ``Dense`` ``"readout"``; the weights go through
    :func:`modern.models.set_tf1_weights` (gate reorder, ``forget_bias`` folding).

    Args:
        spec: the :class:`modern.models.RNNSpec` of the TF1 code.
        runner: the TF1 runner the graph used (``static_rnn``, ``dynamic_rnn``,
            ``static_bidirectional_rnn``, ``bidirectional_dynamic_rnn``); it gives the
            variable scope (``rnn/`` or ``bidirectional_rnn/``).
        scope: the variable scope of the RNN variables instead, e.g. ``"encoder/rnn"``
            when the TF1 code wrapped the runner in ``tf.variable_scope("encoder")``.
        readout: the graph's ``(weights, biases)`` variable names of the readout
            ``outputs[-1] @ W + b`` (default ``("readout/weights", "readout/biases")``);
            used when ``spec.num_classes`` is set.
        layers: other layers of the model whose weights are TF1's as they are: ``{Keras
            layer name: (variable names in the layer's weight order)}``, e.g. the
            ``Dense`` of an input projection ``tf.matmul(x, W_in) + b_in``
            ``{"input_projection": ("W_in", "b_in")}`` (TF1's ``W`` is Keras' ``kernel``
            layout) or the ``Embedding`` of ``tf.nn.embedding_lookup(E, ids)``
            ``{"embedding": ("E",)}``.
        layer: the name of the model's RNN layer (``layer_0``, ``layer_1``... for a
            unidirectional stack), e.g. ``"encoder"`` and ``"decoder"`` of an
            encoder-decoder, one ``weights_from_spec`` each (the encoder's spec without
            ``num_classes``: no readout).
    """
    from modern.models import RNNSpec, set_tf1_weights
    from tools.proof.pipelines import READOUT_BIASES, READOUT_WEIGHTS, RUNNER_SCOPES

    if not isinstance(spec, RNNSpec):
        raise TypeError(f"spec must be a modern.models.RNNSpec, got {spec!r}")
    if runner not in RUNNER_SCOPES:
        raise ValueError(f"runner must be one of {tuple(RUNNER_SCOPES)}, got {runner!r}")
    if scope is None:
        scope = RUNNER_SCOPES[runner]
    elif not isinstance(scope, str) or not scope:
        raise TypeError(f"scope must be a non-empty string such as 'rnn', got {scope!r}")
    if readout is None:
        readout = (READOUT_WEIGHTS, READOUT_BIASES)
    elif (isinstance(readout, str) or not isinstance(readout, Sequence) or len(readout) != 2
          or not all(isinstance(n, str) for n in readout)):
        raise TypeError(f"readout must be the (weights, biases) variable names, got "
                        f"{readout!r}")
    layers = dict(layers or {})
    for other, names in layers.items():
        if (not isinstance(other, str) or isinstance(names, str) or not isinstance(
                names, Sequence) or not names or not all(isinstance(n, str) for n in names)):
            raise TypeError(f"layers must map Keras layer names to a tuple of variable "
                            f"names, got {other!r}: {names!r}")
    if not isinstance(layer, str) or not layer:
        raise TypeError(f"layer must be the RNN layer's name such as 'rnn', got {layer!r}")
    prefix = scope.rstrip("/") + "/"

    def copy_weights(session, graph, keras_model):
        import tensorflow as tf

        with graph.as_default():
            # the model's weights (not optimizer slots such as kernel/Adam)
            variables = {v.op.name: v for v in tf.compat.v1.trainable_variables()}
        rnn = {name[len(prefix):]: var for name, var in variables.items()
               if name.startswith(prefix)}
        if not rnn:
            raise ValueError(f"weights_from_spec: no variable under scope {prefix!r} in the "
                             f"graph (it has {sorted(variables)}); pass scope=...")
        readout_values = None
        for other, names in layers.items():
            missing = [n for n in names if n not in variables]
            if missing:
                raise ValueError(f"weights_from_spec: variables {missing} of layer "
                                 f"{other!r} are not in the graph (it has {sorted(variables)})")
            keras_model.get_layer(other).set_weights(session.run([variables[n] for n in names]))
        if spec.num_classes is not None:
            missing = [n for n in readout if n not in variables]
            if missing:
                raise ValueError(f"weights_from_spec: readout variables {missing} are not in "
                                 f"the graph (it has {sorted(variables)}); pass "
                                 f"readout=(weights_name, biases_name)")
            readout_values = tuple(session.run([variables[n] for n in readout]))
        values = dict(zip(rnn, session.run(list(rnn.values()))))
        set_tf1_weights(keras_model, spec, values, readout_values, layer=layer)

    return copy_weights


# ------------------------------------------------------------------------------------
# assert_spec_equivalent: the kit's harness on one pipeline
# ------------------------------------------------------------------------------------
def _check_names(checks):
    if isinstance(checks, str):
        raise TypeError(f"checks must be a sequence of check names, got {checks!r}; write "
                        f"checks=({checks!r},)")
    checks = tuple(checks)
    unknown = [c for c in checks if c not in CHECKS]
    if unknown or not checks:
        raise ValueError(f"checks must be a non-empty subset of {CHECKS}, got {checks!r}")
    expanded = []
    for check in checks:
        parts = ["training/sgd", "training/adam"] if check == "training" else [check]
        expanded.extend(p for p in parts if p not in expanded)
    return expanded


def _tolerances(tolerance, checks):

    if tolerance is None:
        tolerance = Tolerance()
    if isinstance(tolerance, Tolerance):
        tolerance = dataclasses.asdict(tolerance)
    if isinstance(tolerance, Mapping):
        kinds = {c.split("/")[0] for c in checks}
        missing = sorted(kinds - set(tolerance))
        if missing:
            raise ValueError(f"tolerance has no value for {missing}; pass a number, a "
                             f"tools.proof.tolerances.Tolerance or a dict with keys {sorted(kinds)}")
        return {k: _tolerance_value(f"tolerance[{k!r}]", tolerance[k]) for k in kinds}
    value = _tolerance_value("tolerance", tolerance)
    return {c.split("/")[0]: value for c in checks}


def _comparison_report(title, comparison, atol):
    """The harness' report, judged at ``atol`` (no rtol: the checks are absolute)."""
    outputs = tuple(OutputDiff(o.name, o.legacy_shape, o.keras_shape, o.max_abs_diff,
                               o.max_abs_diff <= atol, limit=atol)
                    for o in comparison.outputs if o.legacy_shape is not None)
    return EquivalenceReport(outputs, atol, 0.0, title)


def assert_spec_equivalent(spec, runner: str, *, steps: int, batch: int, seed: int,
                           checks=("outputs", "gradients"),
                           tolerance=None) -> Dict[str, EquivalenceReport]:
    """Assert that :func:`modern.models.build_keras_model` reproduces the TF1 pipeline
    ``(spec, runner)`` (as built by :func:`tools.proof.pipelines.build_legacy_graph`).

    Uses the kit's harness (:mod:`tools.proof.harness`) with random weights and inputs from
    ``seed``:

    * ``"outputs"``: every output, final-state part and logits;
    * ``"gradients"``: gradients of a random linear probe of all outputs w.r.t. the
      inputs and every weight (Keras gradients mapped back to TF1 names);
    * ``"training"`` (= ``"training/sgd"`` + ``"training/adam"``): 50 steps from the
      same weights on the same batches (needs ``spec.num_classes``); the loss curves.

    ``tolerance``: the max |difference| per check: ``None`` for the registry's
    (:class:`tools.proof.tolerances.Tolerance`: 1e-6, 1e-5, 1e-4), one number for all, or a
    ``Tolerance``/dict keyed by ``"outputs"``, ``"gradients"``, ``"training"``.

    Returns ``{check: EquivalenceReport}``; raises :class:`EquivalenceError` (listing
    every check's outputs that exceed their tolerance).
    """
    from modern.models import RNNSpec
    from tools.proof import harness
    from modern.spec import BIDIRECTIONAL_RUNNERS, UNIDIRECTIONAL_RUNNERS

    if not isinstance(spec, RNNSpec):
        raise TypeError(f"spec must be a modern.models.RNNSpec, got {spec!r}")
    runners = UNIDIRECTIONAL_RUNNERS + BIDIRECTIONAL_RUNNERS
    if runner not in runners:
        raise ValueError(f"runner must be one of {runners}, got {runner!r}")
    if spec.bidirectional != (runner in BIDIRECTIONAL_RUNNERS):
        expected = BIDIRECTIONAL_RUNNERS if spec.bidirectional else UNIDIRECTIONAL_RUNNERS
        raise ValueError(f"runner={runner!r} does not match spec.bidirectional="
                         f"{spec.bidirectional}; use one of {expected}")
    for name, value in (("steps", steps), ("batch", batch)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    expanded = _check_names(checks)
    if any(c.startswith("training") for c in expanded) and spec.num_classes is None:
        raise ValueError("the 'training' check needs a readout: build the spec with "
                         "num_classes (got num_classes=None), or leave 'training' out of "
                         "checks")
    limits = _tolerances(tolerance, expanded)

    reports = {}
    for check in expanded:
        atol = limits[check.split("/")[0]]
        if check == "outputs":
            result = harness.compare_forward(spec, runner, steps=steps, batch=batch, seed=seed)
            reports[check] = _comparison_report(f"outputs of {runner}", result, atol)
        elif check == "gradients":
            result = harness.compare_gradients(spec, runner, steps=steps, batch=batch,
                                               seed=seed)
            reports[check] = _comparison_report(f"gradients of {runner}", result, atol)
        else:
            optimizer = check.split("/")[1]
            curves = harness.compare_training(spec, runner, steps=steps, batch=batch,
                                              seed=seed, optimizer=optimizer,
                                              learning_rate=TRAINING_LEARNING_RATES[optimizer])
            reports[check] = EquivalenceReport(
                (compare_output("loss", curves.legacy, curves.keras, atol, 0.0),), atol, 0.0,
                f"{optimizer} loss trajectory of {runner}")
    if not all(r.ok for r in reports.values()):
        raise EquivalenceError(EquivalenceReport(
            tuple(dataclasses.replace(o, name=f"{check}: {o.name}")
                  for check, r in reports.items() for o in r.outputs),
            max(limits.values()), 0.0, f"{spec} with {runner}",
            criterion="max |Δ| per check: " + ", ".join(
                f"{k} {v:g}" for k, v in limits.items())))
    return reports
