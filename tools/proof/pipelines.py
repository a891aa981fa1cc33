"""The TF1 side of a migration pair: a legacy_compat graph built from an ``RNNSpec``.

:func:`build_legacy_graph` builds, in its own ``tf.Graph`` with its own
``tf.compat.v1.Session`` (eager execution stays on in the process, so Keras 3 keeps
working), exactly what a TF1 program of the spec's shape built: the cells from
``legacy_compat``, the runner (``static_rnn``, ``dynamic_rnn``,
``static_bidirectional_rnn`` or ``bidirectional_dynamic_rnn``), and the tutorials'
readout ``outputs[-1] @ W + b``. Its outputs have the names of
:func:`modern.models.build_keras_model`'s outputs, so the two can be compared name
by name. Graphs are cached per (spec, steps, runner, dtype): the harness builds
each configuration once and reuses its session.
"""
import dataclasses
import functools
from typing import Dict, Optional, Tuple

import numpy as np
import tensorflow as tf

from legacy_compat import rnn_cell_impl as cells
from modern import spec as spec_table
from modern.spec import CellSpec, RNNSpec, state_names

v1 = tf.compat.v1

# the runner table is modern.spec's; these names are kept for the proof's readers
UNIDIRECTIONAL_RUNNERS = spec_table.UNIDIRECTIONAL_RUNNERS
BIDIRECTIONAL_RUNNERS = spec_table.BIDIRECTIONAL_RUNNERS
RUNNER_SCOPES = spec_table.RUNNER_SCOPES
READOUT_WEIGHTS, READOUT_BIASES = "readout/weights", "readout/biases"


def new_session(graph, optimize=False):
    """A ``tf.compat.v1.Session`` of ``graph`` that runs its ops as they were built,
    without grappler (TF's graph optimiser): the proof's graphs are small and run a few
    times each, so optimising one cost more than running it (a third of the checks' CPU
    time), and the operations -- TF1's arithmetic -- are the same either way.
    ``optimize=True``: TensorFlow's default session, grappler on, as a TF1 program ran
    (the long trainings of the demo, the accuracy runs and the benchmarks)."""
    if optimize:
        return v1.Session(graph=graph)
    config = v1.ConfigProto()
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    return v1.Session(graph=graph, config=config)


def make_legacy_cell(cell: CellSpec):
    """The legacy_compat cell object for one ``CellSpec`` (TF1 constructor options)."""
    options = cell.tf1_options()
    if cell.kind.activation_is_function:
        options["activation"] = cells._get_activation(cell.activation, cell.cell_type)
    return getattr(cells, cell.cell_type)(cell.units, **options)


def _make_rnn_cell(spec: RNNSpec):
    if spec.stacked:
        return cells.MultiRNNCell([make_legacy_cell(c) for c in spec.cells])
    return make_legacy_cell(spec.cells[0])


def _canonical_state(spec, state):
    """TF1's state structure of one direction -> the flat list in ``state_names`` order."""
    per_cell = state if spec.stacked else (state,)
    flat = []
    for cell, cell_state in zip(spec.cells, per_cell):
        flat.extend([getattr(cell_state, part) for part in cell.state_parts] if cell.lstm_like
                    else [cell_state])
    return flat


@dataclasses.dataclass
class LegacyGraph:
    """A built TF1 pipeline: its graph, session, placeholders, outputs and variables."""

    spec: RNNSpec
    steps: int
    runner: str
    dtype: tf.DType
    graph: tf.Graph
    session: "v1.Session"
    x: tf.Tensor
    sequence_length: Optional[tf.Tensor]
    outputs: Dict[str, tf.Tensor]
    rnn_variables: Dict[str, "tf.Variable"]  # relative to the runner scope
    readout_variables: Dict[str, "tf.Variable"]
    # Only with gradients=True: one placeholder per output (the probe weights), and
    probes: Dict[str, tf.Tensor]
    gradient_names: list  # "x", then the variables' full names, sorted
    gradients: list  # d(sum_k sum(outputs[k] * probes[k])) / d(x, variables...)
    # Only with training=True: optimizer -> (labels, learning_rate, loss, train_op, reset)
    training: Dict[str, tuple]
    _assign: Dict[str, tuple] = dataclasses.field(default_factory=dict)

    @property
    def all_variables(self):
        out = {f"{RUNNER_SCOPES[self.runner]}/{k}": v for k, v in self.rnn_variables.items()}
        out.update(self.readout_variables)
        return out

    def feed(self, x, sequence_length=None):
        feed = {self.x: np.asarray(x, self.dtype.as_numpy_dtype)}
        if self.sequence_length is not None:
            if sequence_length is None:
                raise ValueError("this pipeline is masked: pass sequence_length")
            feed[self.sequence_length] = np.asarray(sequence_length, np.int32)
        return feed

    def run(self, fetches, x, sequence_length=None, extra_feed=None):
        feed = self.feed(x, sequence_length)
        feed.update(extra_feed or {})
        return self.session.run(fetches, feed_dict=feed)

    def set_values(self, values: Dict[str, np.ndarray]):
        """Assign variables by full name (``rnn/basic_lstm_cell/kernel``, ``readout/weights``)."""
        variables = self.all_variables
        unknown = sorted(set(values) - set(variables))
        if unknown:
            raise KeyError(f"unknown variables {unknown}; expected names from {sorted(variables)}")
        ops, feed = [], {}
        with self.graph.as_default():
            for name, value in values.items():
                if name not in self._assign:
                    var = variables[name]
                    ph = v1.placeholder(var.dtype.base_dtype, var.shape)
                    self._assign[name] = (ph, var.assign(ph))
                ph, op = self._assign[name]
                ops.append(op)
                feed[ph] = np.asarray(value, self.dtype.as_numpy_dtype)
        self.session.run(ops, feed_dict=feed)

    def get_values(self) -> Dict[str, np.ndarray]:
        variables = self.all_variables
        names = sorted(variables)
        return dict(zip(names, self.session.run([variables[n] for n in names])))

    def random_values(self, rng, scale=0.5) -> Dict[str, np.ndarray]:
        """Uniform(-scale, scale) values for every variable (biases included)."""
        return {name: rng.uniform(-scale, scale, var.shape.as_list())
                for name, var in sorted(self.all_variables.items())}

def _run_legacy(spec, runner, x, seq_len, steps, dtype):
    if runner in UNIDIRECTIONAL_RUNNERS:
        if spec.bidirectional:
            raise ValueError(f"{runner} is unidirectional but the spec is bidirectional; use "
                             f"one of {BIDIRECTIONAL_RUNNERS}")
        cell = _make_rnn_cell(spec)
        if spec_table.RUNNERS[runner].static:
            outs, state = v1.nn.static_rnn(cell, tf.unstack(x, steps, 1), dtype=dtype,
                                           sequence_length=seq_len)
            outs = tf.stack(outs, 1)
        else:
            outs, state = v1.nn.dynamic_rnn(cell, x, dtype=dtype, sequence_length=seq_len)
        return outs, {"fw": state}
    if runner not in BIDIRECTIONAL_RUNNERS:
        raise ValueError(f"Unknown runner {runner!r}; expected one of "
                         f"{UNIDIRECTIONAL_RUNNERS + BIDIRECTIONAL_RUNNERS}")
    if not spec.bidirectional:
        raise ValueError(f"{runner} is bidirectional but the spec is not")
    cell_fw, cell_bw = _make_rnn_cell(spec), _make_rnn_cell(spec)
    if spec_table.RUNNERS[runner].static:
        outs, st_fw, st_bw = v1.nn.static_bidirectional_rnn(
            cell_fw, cell_bw, tf.unstack(x, steps, 1), dtype=dtype, sequence_length=seq_len)
        outs = tf.stack(outs, 1)
    else:
        (o_fw, o_bw), (st_fw, st_bw) = v1.nn.bidirectional_dynamic_rnn(
            cell_fw, cell_bw, x, dtype=dtype, sequence_length=seq_len)
        outs = tf.concat([o_fw, o_bw], -1)
    return outs, {"fw": st_fw, "bw": st_bw}


@functools.lru_cache(maxsize=128)
def build_legacy_graph(spec: RNNSpec, steps: int, runner: str, dtype=tf.float32, *,
                       gradients=False, training=False, optimize=False) -> LegacyGraph:
    """Build (once, cached) the TF1 graph of ``spec`` with ``runner``.

    ``gradients`` adds the gradient probe ops, ``training`` the SGD and Adam train ops
    (TF1's optimizers, learning rate fed at run time). They are built with the graph,
    before its first ``Session.run``: a ``tf.gradients`` added later cannot reach into
    an already-run ``while_loop``. Each combination is its own cached graph, so a
    forward-only comparison does not pay for building the backward graph. ``optimize``:
    the session runs with grappler, as TF1 programs did (:func:`new_session`).
    """
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(dtype, [None, steps, spec.input_size], name="x")
        seq_len = v1.placeholder(tf.int32, [None], name="sequence_length") if spec.masked else None
        outs, states = _run_legacy(spec, runner, x, seq_len, steps, dtype)
        outputs = {"outputs": outs}
        names = iter(state_names(spec))
        for direction in spec.directions:
            for tensor in _canonical_state(spec, states[direction]):
                outputs[next(names)] = tensor
        scope = RUNNER_SCOPES[runner] + "/"
        rnn_vars = {v.op.name[len(scope):]: v for v in v1.global_variables()
                    if v.op.name.startswith(scope)}
        readout_vars = {}
        if spec.num_classes is not None:
            w = v1.get_variable(READOUT_WEIGHTS, [spec.output_size, spec.num_classes], dtype,
                                initializer=v1.random_normal_initializer())
            b = v1.get_variable(READOUT_BIASES, [spec.num_classes], dtype,
                                initializer=v1.random_normal_initializer())
            readout_vars = {READOUT_WEIGHTS: w, READOUT_BIASES: b}
            outputs["logits"] = tf.matmul(outs[:, -1, :], w) + b
        probes, gradient_names, gradient_ops, train_ops = {}, [], [], {}
        if gradients:
            probes = {name: v1.placeholder(dtype, t.shape, name=f"probe_{i}")
                      for i, (name, t) in enumerate(outputs.items())}
            total = tf.add_n([tf.reduce_sum(t * probes[name]) for name, t in outputs.items()])
            all_vars = {f"{RUNNER_SCOPES[runner]}/{k}": v for k, v in rnn_vars.items()}
            all_vars.update(readout_vars)
            gradient_names = ["x"] + sorted(all_vars)
            gradient_ops = tf.gradients(total, [x] + [all_vars[n] for n in gradient_names[1:]])
        if training:
            if spec.num_classes is None:
                raise ValueError("training ops need a readout: build the spec with num_classes")
            for name, make in (("sgd", v1.train.GradientDescentOptimizer),
                               ("adam", v1.train.AdamOptimizer)):  # TF1 Adam epsilon=1e-8
                with v1.name_scope(f"train_{name}"):
                    labels = v1.placeholder(dtype, [None, spec.num_classes], name="labels")
                    learning_rate = v1.placeholder(dtype, [], name="learning_rate")
                    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(
                        labels=labels, logits=outputs["logits"]))
                    optimizer = make(learning_rate)
                    train_op = optimizer.minimize(loss)
                    reset = v1.variables_initializer(optimizer.variables())
                train_ops[name] = (labels, learning_rate, loss, train_op, reset)
        init = v1.global_variables_initializer()
    session = new_session(graph, optimize)
    session.run(init)
    return LegacyGraph(spec, steps, runner, dtype, graph, session, x, seq_len, outputs,
                       rnn_vars, readout_vars, probes, gradient_names, gradient_ops, train_ops)


def split_tf1_values(spec: RNNSpec, runner: str, values: Dict[str, np.ndarray]):
    """Full-name TF1 values -> (RNN variables relative to the runner scope, readout or None)."""
    scope = RUNNER_SCOPES[runner] + "/"
    rnn = {k[len(scope):]: v for k, v in values.items() if k.startswith(scope)}
    readout = None
    if spec.num_classes is not None:
        readout = (values[READOUT_WEIGHTS], values[READOUT_BIASES])
    return rnn, readout


def tf1_values_for_keras(legacy: LegacyGraph, values: Dict[str, np.ndarray]):
    """:func:`split_tf1_values` for a built legacy graph."""
    return split_tf1_values(legacy.spec, legacy.runner, values)


# --------------------------------------------------------------------------------------
# TF1's initial values (the weights both sides of a pair start from)
# --------------------------------------------------------------------------------------
def tf1_initial_distribution(name: str, shape) -> Tuple[str, float]:
    """TF1's default initial distribution of the variable ``name`` (a full name) of
    ``shape``: ``("normal", stddev)``, ``("constant", value)`` or ``("uniform", limit)``.

    ``get_variable``'s default glorot-uniform (limit ``sqrt(6 / (fan_in + fan_out))``) for
    every kernel (2-D, any name ending ``kernel``/``weights`` inside the RNN) and for
    LSTMCell's peepholes (the scope's initializer), zeros for biases and layer-norm
    shifts, 1.0 for ``GRUCell``'s ``gates/bias`` (``constant_initializer(1.0)``) and
    LayerNormBasicLSTMCell's ``gamma`` (norm_gain), and the tutorials'
    ``tf.random_normal`` (``N(0, 1)``) for the readout weights and biases."""
    if name in (READOUT_WEIGHTS, READOUT_BIASES):
        return "normal", 1.0
    if name.endswith("gates/bias") or name.endswith("gamma"):
        return "constant", 1.0
    if name.endswith("_diag") or len(shape) != 1:
        fan_in, fan_out = shape[0], shape[-1]
        return "uniform", float(np.sqrt(6.0 / (fan_in + fan_out)))
    return "constant", 0.0


def tf1_initial_values(variable_shapes: Dict[str, tuple], rng) -> Dict[str, np.ndarray]:
    """TF1's default initial values for ``{full variable name: shape}``, drawn from ``rng``
    (:func:`tf1_initial_distribution`: what TF1 itself drew, the same distributions, not
    the same numbers)."""
    values = {}
    for name in sorted(variable_shapes):
        shape = tuple(int(d) for d in variable_shapes[name])
        kind, parameter = tf1_initial_distribution(name, shape)
        if kind == "normal":
            value = rng.normal(0.0, parameter, shape)
        elif kind == "uniform":
            value = rng.uniform(-parameter, parameter, shape)
        else:
            value = np.full(shape, parameter)
        values[name] = value.astype(np.float32)
    return values
