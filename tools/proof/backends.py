"""The proof on every Keras backend: TF1 references computed once, checked on TF, JAX, torch.

:func:`write_references` (needs TensorFlow; the TF1 side is a ``legacy_compat`` graph in
its own ``tf.Graph``) draws one configuration of every RNN pipeline pair of
:data:`tools.proof.registry.PAIRS` that has builders (:func:`matrix_cases`), and writes
to a directory:

* ``references.npz``: per case the inputs, the TF1 weights, the TF1 outputs, the TF1
  gradients of a random linear probe of all outputs w.r.t. the inputs and every weight,
  and the TF1 (``GradientDescentOptimizer``) losses of a few SGD steps on given batches;
* ``cases.json``: the cases (pair, ``RNNSpec`` as data, runner, names);
* ``<case>.keras``: the TF1 checkpoint of the case (written by TF1's ``Saver``),
  converted by :func:`modern.from_tf1_checkpoint` and saved by Keras on TensorFlow.

:func:`check_backend` then runs, on one Keras backend (in this process when it is the
current one, else in ONE subprocess for the whole matrix), every case's Keras side:
:func:`modern.models.build_keras_model` with the TF1 weights, its outputs
(``outputs``), its gradients by the backend's own autodiff
(:func:`tools.testing.backends.value_and_grad`, ``gradients``), the losses of the same
SGD steps by Keras' ``SGD`` (``training/sgd``), and the ``.keras`` file loaded on that
backend (``keras_file``); it returns ``{case: {check: max |diff|}}`` (and where the
largest difference is). The backend side imports neither TensorFlow nor hypothesis.

``python -m tools.proof.backends DIRECTORY [tensorflow|jax|torch ...]`` writes the
references and prints each backend's report as JSON.
"""
import dataclasses
import json
import sys
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from modern.spec import RUNNER_SCOPES, CellSpec, RNNSpec, state_names
from tools.proof.report import compare

__all__ = ["SIZES", "CHECKS", "matrix_cases", "write_references", "run_checks",
           "check_backend"]

#: the matrix' sizes: batch B, steps T, input depth D, units per cell, SGD steps
SIZES = {"batch": 3, "steps": 4, "input_size": 5, "units": 6, "train_steps": 3}
CHECKS = ("outputs", "gradients", "training/sgd", "keras_file")
_NUM_CLASSES = 3  # the readout every case gets (training needs logits)
_DRAWS = 20  # configurations drawn per pair, to find those that exercise it
_SEP = "|"  # key separator inside references.npz


# ------------------------------------------------------------------------------------
# the cases: one configuration per pipeline pair of the registry
# ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Case:
    pair: str
    spec: RNNSpec
    runner: str


def _spec_to_json(spec: RNNSpec):
    return dataclasses.asdict(spec)


def _spec_from_json(data) -> RNNSpec:
    return RNNSpec(**dict(data, cells=tuple(CellSpec(**c) for c in data["cells"])))


def _exercises(pair, spec, registry):
    """True when ``spec`` uses the pair's Keras side (a cell pair: one of its cells maps
    through this pair, e.g. LSTMCell with peepholes -> modern.TF1LSTMCell)."""
    from modern.spec import CELL_TYPES

    if not set(pair.legacy_names) & set(CELL_TYPES):
        return True
    return any(registry.cell_pair(cell) is pair for cell in spec.cells)


def _resized(spec: RNNSpec) -> RNNSpec:
    cells = tuple(dataclasses.replace(c, units=SIZES["units"]) for c in spec.cells)
    return dataclasses.replace(spec, cells=cells, input_size=SIZES["input_size"],
                               num_classes=spec.num_classes or _NUM_CLASSES)


def matrix_cases(examples: int = 1) -> List[Case]:
    """``examples`` configurations ``(RNNSpec, runner)`` per registry pair with builders,
    drawn deterministically from the pair's own strategy: the first distinct derandomized
    draws that exercise the pair (hypothesis draws its simplest first: the cheapest TF1
    graphs), resized to :data:`SIZES` and given a readout."""
    from hypothesis import HealthCheck, Phase, given, settings

    from tools.proof import registry

    def exercising(pair):
        found = []

        @settings(max_examples=_DRAWS, derandomize=True, database=None, deadline=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(pair.configs())
        def draw(config):
            config = (_resized(config[0]), config[1])
            if (len(found) < examples and config not in found
                    and _exercises(pair, config[0], registry)):
                found.append(config)

        draw()
        if not found:
            raise AssertionError(f"{pair.name}: none of {_DRAWS} drawn configurations "
                                 f"exercises the pair")
        return found

    return [Case(pair.name, spec, runner) for pair in registry.PAIRS
            if pair.configs is not None and pair.equivalence is None
            for spec, runner in exercising(pair)]


# ------------------------------------------------------------------------------------
# TF1 references (TensorFlow)
# ------------------------------------------------------------------------------------
def _runtime_options(spec):
    """What a TF1 checkpoint does not store, as from_tf1_checkpoint's per-layer options."""
    return {key: [getattr(c, key) if key != "forget_bias" or c.lstm_like else None
                  for c in spec.cells]
            for key in ("forget_bias", "cell_clip", "proj_clip", "activation")}


def _keras_file_from_checkpoint(legacy, case, directory, name):
    """TF1's Saver writes the checkpoint; modern.from_tf1_checkpoint converts it; Keras
    (on TensorFlow) saves the ``.keras`` file the other backends load."""
    import tensorflow as tf

    from modern import from_tf1_checkpoint
    from tools.proof.pipelines import READOUT_BIASES, READOUT_WEIGHTS

    folder = directory / "checkpoints" / name
    folder.mkdir(parents=True, exist_ok=True)
    with legacy.graph.as_default():
        saver = tf.compat.v1.train.Saver(var_list=legacy.variables)
        prefix = saver.save(legacy.session, str(folder / "model.ckpt"))
    model = from_tf1_checkpoint(prefix, readout=(READOUT_WEIGHTS, READOUT_BIASES),
                                masked=case.spec.masked, steps=SIZES["steps"],
                                **_runtime_options(case.spec))
    if model.tf1_spec != case.spec:
        raise AssertionError(f"{case.pair}: from_tf1_checkpoint inferred {model.tf1_spec}, "
                             f"the TF1 graph is {case.spec}")
    model.save(directory / f"{name}.keras")


@dataclasses.dataclass
class _Reference:
    """One case's TF1 graph: the pipeline, the tutorials' readout and loss, the
    gradients of the loss w.r.t. the inputs and every variable, and TF1's SGD."""

    graph: object
    session: object
    x: object
    sequence_length: object
    labels: object
    outputs: Dict[str, object]
    variables: Dict[str, object]  # full TF1 name -> variable
    loss: object
    gradients: List[object]  # d loss / d (x, *variables)
    train_op: object
    assign: Dict[str, tuple]  # full TF1 name -> (placeholder, assign op)


def _reference_graph(spec: RNNSpec, runner: str, learning_rate: float) -> _Reference:
    """The TF1 side of a case (one gradient computation: the SGD step applies it)."""
    import tensorflow as tf

    from tools.proof import pipelines

    v1 = tf.compat.v1
    steps = SIZES["steps"]
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, steps, spec.input_size], name="x")
        lengths = (v1.placeholder(tf.int32, [None], name="sequence_length")
                   if spec.masked else None)
        outs, states = pipelines._run_legacy(spec, runner, x, lengths, steps, tf.float32)
        flat = [t for d in spec.directions for t in pipelines._canonical_state(spec, states[d])]
        outputs = dict([("outputs", outs)] + list(zip(state_names(spec), flat)))
        w = v1.get_variable(pipelines.READOUT_WEIGHTS, [spec.output_size, spec.num_classes])
        b = v1.get_variable(pipelines.READOUT_BIASES, [spec.num_classes])
        outputs["logits"] = tf.matmul(outs[:, -1, :], w) + b  # the tutorials' readout
        labels = v1.placeholder(tf.float32, [None, spec.num_classes], name="labels")
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(
            labels=labels, logits=outputs["logits"]))
        variables = {v.op.name: v for v in v1.global_variables()}
        names = sorted(variables)
        gradients = tf.gradients(loss, [x] + [variables[n] for n in names])
        train_op = v1.train.GradientDescentOptimizer(learning_rate).apply_gradients(
            zip(gradients[1:], [variables[n] for n in names]))
        assign = {}
        for n in names:
            value = v1.placeholder(tf.float32, variables[n].shape)
            assign[n] = (value, variables[n].assign(value))
        init = v1.global_variables_initializer()
    from tools.proof.pipelines import new_session

    session = new_session(graph)
    session.run(init)
    return _Reference(graph, session, x, lengths, labels, outputs,
                      {n: variables[n] for n in names}, loss, gradients, train_op, assign)


def _set_values(ref: _Reference, values):
    ref.session.run([ref.assign[n][1] for n in values],
                    {ref.assign[n][0]: np.asarray(v, np.float32) for n, v in values.items()})


def _feed(ref: _Reference, x, lengths, labels=None):
    feed = {ref.x: x}
    if ref.sequence_length is not None:
        feed[ref.sequence_length] = lengths
    if labels is not None:
        feed[ref.labels] = labels
    return feed


def write_references(directory, *, seed: int = 0, examples: int = 1,
                     pairs=None) -> Path:
    """Compute the TF1 references of :func:`matrix_cases` (those of ``pairs``, pair
    names, when given) into ``directory``."""
    from tools.proof import pipelines
    from tools.proof.tolerances import RANDOM_WEIGHT_SCALE, TRAINING_LEARNING_RATES

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    learning_rate = TRAINING_LEARNING_RATES["sgd"]
    arrays, manifest = {}, []
    rng = np.random.default_rng(seed)
    cases = [c for c in matrix_cases(examples) if pairs is None or c.pair in pairs]
    for index, case in enumerate(cases):
        name, spec = f"case{index}", case.spec
        ref = _reference_graph(spec, case.runner, learning_rate)
        values = {n: rng.uniform(-RANDOM_WEIGHT_SCALE, RANDOM_WEIGHT_SCALE, v.shape.as_list())
                  for n, v in ref.variables.items()}
        _set_values(ref, values)
        _keras_file_from_checkpoint(ref, case, directory, name)
        x, lengths = _random_inputs(spec, rng)
        outputs = ref.session.run(ref.outputs, _feed(ref, x, lengths))
        losses = []
        for step in range(SIZES["train_steps"]):
            bx, blengths = _random_inputs(spec, rng)
            by = np.eye(spec.num_classes, dtype=np.float32)[
                rng.integers(0, spec.num_classes, size=SIZES["batch"])]
            loss, gradients, _ = ref.session.run([ref.loss, ref.gradients, ref.train_op],
                                                 _feed(ref, bx, blengths, by))
            losses.append(float(loss))
            if step == 0:  # the gradients at the drawn weights, on the first batch
                arrays.update({f"{name}|grad|{k}": g for k, g in
                               zip(["x"] + list(ref.variables), gradients)})
            arrays.update({f"{name}|train{step}|x": bx, f"{name}|train{step}|y": by})
            if blengths is not None:
                arrays[f"{name}|train{step}|lengths"] = blengths
        ref.session.close()
        rnn, readout = pipelines.split_tf1_values(spec, case.runner, values)
        arrays[f"{name}|x"] = x
        if lengths is not None:
            arrays[f"{name}|lengths"] = lengths
        arrays.update({f"{name}|rnn|{k}": np.float32(v) for k, v in rnn.items()})
        arrays[f"{name}|readout|w"], arrays[f"{name}|readout|b"] = map(np.float32, readout)
        arrays.update({f"{name}|out|{k}": v for k, v in outputs.items()})
        arrays[f"{name}|losses"] = np.asarray(losses, np.float64)
        manifest.append({"name": name, "pair": case.pair, "runner": case.runner,
                         "spec": _spec_to_json(spec), "outputs": list(outputs),
                         "gradients": ["x"] + list(ref.variables), "rnn": sorted(rnn)})
    np.savez(directory / "references.npz", **arrays)
    (directory / "cases.json").write_text(json.dumps(
        {"sizes": SIZES, "learning_rate": learning_rate, "cases": manifest}, indent=1))
    return directory


def _random_inputs(spec, rng):
    """The harness' inputs (lengths 0 and full included) at the matrix' sizes, float32."""
    from tools.proof import harness

    x, lengths = harness.random_inputs(spec, SIZES["steps"], SIZES["batch"], rng)
    return x.astype(np.float32), lengths


# ------------------------------------------------------------------------------------
# one backend (no TensorFlow import unless the backend is TensorFlow)
# ------------------------------------------------------------------------------------
def _model_inputs(spec, x, lengths):
    from keras import ops

    x = ops.convert_to_tensor(x)
    return [x, ops.convert_to_tensor(lengths)] if spec.masked else [x]


def keras_loss(labels, logits):
    """TF1's ``reduce_mean(softmax_cross_entropy_with_logits(labels, logits))`` in
    keras.ops, on any backend (:mod:`tools.proof.harness` uses this one too; it lives here
    because a backend process imports no TensorFlow)."""
    from keras import ops

    labels = ops.convert_to_tensor(labels)
    return ops.mean(-ops.sum(labels * ops.log_softmax(logits, axis=-1), axis=-1))


def _gradients_by_tf1_name(model, spec, runner, x_grad, rnn_grads, readout_grads):
    """Keras gradients -> TF1 variable names (the maps are rearrangements plus LSTM's
    additive forget_bias, so gradients map like weights with forget_bias=0)."""
    from modern import models

    no_bias = dataclasses.replace(spec, cells=tuple(
        dataclasses.replace(c, forget_bias=0.0) for c in spec.cells))
    tf1_rnn, _ = models.get_tf1_weights(model, no_bias, arrays=rnn_grads)
    scope = RUNNER_SCOPES[runner] + "/"
    named = {"x": x_grad}
    named.update({scope + k: v for k, v in tf1_rnn.items()})
    named["readout/weights"], named["readout/biases"] = readout_grads
    return named


def _check_case(case, ref, directory, learning_rate, checks):
    import keras

    from modern import models
    from tools.testing.backends import value_and_grad

    name, runner = case["name"], case["runner"]
    spec = _spec_from_json(case["spec"])
    get = lambda key: ref[f"{name}{_SEP}{key}"]  # noqa: E731
    lengths = get("lengths") if spec.masked else None
    rnn = {k: get(f"rnn{_SEP}{k}") for k in case["rnn"]}
    readout = (get(f"readout{_SEP}w"), get(f"readout{_SEP}b"))
    expected = {k: get(f"out{_SEP}{k}") for k in case["outputs"]}
    reports = {}

    model = models.build_keras_model(spec, SIZES["steps"])
    models.set_tf1_weights(model, spec, rnn, readout)
    got = model(_model_inputs(spec, get("x"), lengths))
    reports["outputs"] = compare(expected, {k: keras.ops.convert_to_numpy(v)
                                            for k, v in got.items()}, atol=0.0)

    if "keras_file" in checks:
        loaded = keras.saving.load_model(directory / f"{name}.keras")
        got = loaded(_model_inputs(spec, get("x"), lengths))
        reports["keras_file"] = compare(expected, {k: keras.ops.convert_to_numpy(v)
                                                   for k, v in got.items()}, atol=0.0)
    if "gradients" not in checks and "training/sgd" not in checks:
        return reports
    # the trained variables in the order the gradients map back to TF1 names
    dense = model.get_layer("readout")
    rnn_vars = models.rnn_layer_weights(model, spec)
    variables = rnn_vars + [dense.kernel, dense.bias]
    optimizer = keras.optimizers.SGD(learning_rate)
    losses = []
    for step in range(SIZES["train_steps"]):
        bx, by = get(f"train{step}{_SEP}x"), get(f"train{step}{_SEP}y")
        blengths = get(f"train{step}{_SEP}lengths") if spec.masked else None
        value, (x_grad,), grads = value_and_grad(
            lambda x: keras_loss(by, model(_model_inputs(spec, x, blengths),
                                           training=True)["logits"]), variables, [bx])
        if step == 0:
            named = _gradients_by_tf1_name(model, spec, runner, x_grad, grads[:len(rnn_vars)],
                                           grads[len(rnn_vars):])
            reports["gradients"] = compare(
                {k: get(f"grad{_SEP}{k}") for k in case["gradients"]}, named, atol=0.0)
        optimizer.apply([keras.ops.convert_to_tensor(g) for g in grads], variables)
        losses.append(value)
    reports["training/sgd"] = compare({"loss": get("losses")},
                                      {"loss": np.asarray(losses, np.float64)}, atol=0.0)

    return reports


def run_checks(directory, checks=CHECKS, *, pairs=None) -> Dict:
    """Every case of the references in ``directory`` (or those of ``pairs``, pair
    names), on this process' Keras backend: ``{"backend": name, "cases": {"<pair>
    (<runner>)": {check: {"max_diff", "worst", "shapes_match"}}}}``."""
    import keras

    import modern  # noqa: F401 (registers the modern cells for load_model)

    directory = Path(directory)
    manifest = json.loads((directory / "cases.json").read_text())
    results = {}
    with np.load(directory / "references.npz") as ref:
        ref = dict(ref)
    for case in manifest["cases"]:
        if pairs is not None and case["pair"] not in pairs:
            continue
        reports = _check_case(case, ref, directory, manifest["learning_rate"], checks)
        results[f"{case['pair']} ({case['runner']})"] = {
            check: {"max_diff": float(r.max_diff), "worst": r.worst,
                    "shapes_match": bool(r.shapes_match)}
            for check, r in reports.items() if check in checks}
    return {"backend": keras.backend.backend(), "cases": results}


def check_backend(directory, backend: Optional[str] = None, *, checks=CHECKS,
                  timeout: float = 600) -> Dict:
    """:func:`run_checks` on ``backend``: here when it is this process' backend (or
    None), else in one subprocess on that backend (``BackendUnavailable`` when its
    package is not installed)."""
    from tools.testing import backends

    backends.check_backend(backend)
    if backend is None or backend == backends.current_backend():
        return run_checks(directory, checks)
    unknown = sorted(set(checks) - set(CHECKS))
    if unknown or not checks:
        raise ValueError(f"checks must be a non-empty subset of {CHECKS}, got {checks!r}")
    proc = backends.run_on_backend(backend, __name__, ["check", str(directory), *checks],
                                   timeout=timeout)
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    if report["backend"] != backend:
        raise RuntimeError(f"asked for Keras on {backend!r}, the subprocess ran "
                           f"{report['backend']!r}")
    return report


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) >= 2 and argv[0] == "check":
        print(json.dumps(run_checks(argv[1], tuple(argv[2:]) or CHECKS)))
        return
    if not argv:
        raise SystemExit("usage: python -m tools.proof.backends DIRECTORY [BACKEND ...]\n"
                         "       python -m tools.proof.backends check DIRECTORY")
    write_references(argv[0])
    for backend in argv[1:] or ["tensorflow", "jax", "torch"]:
        print(json.dumps(check_backend(argv[0], backend), indent=1))


if __name__ == "__main__":
    main()
