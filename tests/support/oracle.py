"""Side-by-side graphs of legacy_compat cells and the original TF1 cells.

The oracle is tf-keras' ``legacy_cells`` / ``legacy_cell_wrappers``: the original
TF1 ``rnn_cell_impl`` code, which still runs in a ``tf.Graph`` on TF 2.16+ (it
is a Keras-2 layer, hence tf-keras). It is used only in tests.

Both pipelines are built in ONE graph, under the top-level variable scopes
``oracle/`` and ``compat/`` (one graph and one session per example instead of
two). Every variable gets the same random value on both sides, so biases, gate
biases and peephole weights are exercised too, not just their initial zeros/ones.
"""
import contextlib
import dataclasses
from typing import Optional, Tuple

import numpy as np
import tensorflow as tf

from legacy_compat import rnn_cell_impl as compat_cells

v1 = tf.compat.v1

# Largest |difference| measured per (case, runner or check, dtype) in this pytest
# session; conftest.py prints it in the terminal summary.
MEASURED = {}

RUNNERS = ("static_rnn", "dynamic_rnn", "static_bidirectional_rnn", "bidirectional_dynamic_rnn")

# Sessions of side-by-side graphs run without grappler (TF's graph optimiser). Each graph
# here is run once or twice, and optimising it took about a third of the tests' CPU
# time; both implementations are in the same graph and session, so they are compared
# under the same execution either way.
SESSION_CONFIG = v1.ConfigProto()
SESSION_CONFIG.graph_options.rewrite_options.disable_meta_optimizer = True


def oracle_modules():
    """The original TF1 cell code, as shipped in tf-keras (test-only dependency)."""
    from tf_keras.src.layers.rnn import legacy_cell_wrappers, legacy_cells

    return legacy_cells, legacy_cell_wrappers


class _Namespace:
    """The names a cell spec is built from, taken from one side."""

    def __init__(self, cells, wrappers):
        self.cells = cells
        self.wrappers = wrappers

    def __getattr__(self, name):
        for mod in (self.cells, self.wrappers):
            if hasattr(mod, name):
                return getattr(mod, name)
        raise AttributeError(name)


def namespaces():
    cells, wrappers = oracle_modules()
    return {"oracle": _Namespace(cells, wrappers), "compat": _Namespace(compat_cells, compat_cells)}


@dataclasses.dataclass(frozen=True)
class CellSpec:
    """A TF1 cell configuration: class name, constructor options, inner cells."""

    kind: str
    options: Tuple[Tuple[str, object], ...] = ()
    inner: Tuple["CellSpec", ...] = ()

    def make(self, ns, dtype):
        opts = dict(self.options)
        if self.kind == "MultiRNNCell":
            return ns.MultiRNNCell([c.make(ns, dtype) for c in self.inner], **opts)
        if self.kind == "DropoutWrapper":
            if opts.get("variational_recurrent"):
                opts["dtype"] = dtype
            return ns.DropoutWrapper(self.inner[0].make(ns, dtype), **opts)
        if "activation" in opts and isinstance(opts["activation"], str):
            opts["activation"] = {"relu": tf.nn.relu, "tanh": tf.tanh,
                                  "sigmoid": tf.sigmoid}[opts["activation"]]
        return getattr(ns, self.kind)(**opts)

    @property
    def label(self):
        opts = ",".join(f"{k}={v}" for k, v in self.options if k != "num_units")
        inner = "+".join(c.label for c in self.inner)
        units = dict(self.options).get("num_units", "")
        return f"{self.kind}({units}{',' if opts and units != '' else ''}{opts}){'[' + inner + ']' if inner else ''}"


@dataclasses.dataclass
class Built:
    graph: tf.Graph
    session: "v1.Session"
    x: tf.Tensor
    seq_len: Optional[tf.Tensor]
    outputs: dict
    states: dict
    variables: dict  # side -> {name without the side prefix: variable}


def _run_pipeline(cell_fw, cell_bw, runner, x, seq_len, steps, dtype):
    if runner == "static_rnn":
        xs = tf.unstack(x, steps, 1)
        outs, state = v1.nn.static_rnn(cell_fw, xs, dtype=dtype, sequence_length=seq_len)
        return tf.stack(outs, 1), state
    if runner == "dynamic_rnn":
        return v1.nn.dynamic_rnn(cell_fw, x, dtype=dtype, sequence_length=seq_len)
    if runner == "static_bidirectional_rnn":
        xs = tf.unstack(x, steps, 1)
        outs, st_fw, st_bw = v1.nn.static_bidirectional_rnn(
            cell_fw, cell_bw, xs, dtype=dtype, sequence_length=seq_len)
        return tf.stack(outs, 1), (st_fw, st_bw)
    if runner == "bidirectional_dynamic_rnn":
        (o_fw, o_bw), states = v1.nn.bidirectional_dynamic_rnn(
            cell_fw, cell_bw, x, dtype=dtype, sequence_length=seq_len)
        return tf.concat([o_fw, o_bw], -1), states
    raise ValueError(f"unknown runner {runner!r}; expected one of {RUNNERS}")


def build_side_by_side(spec, runner, *, steps, input_size, dtype=tf.float32,
                       with_seq_len=False, sides=None, graph_seed=1234, spec_bw=None):
    """Build the same pipeline from the oracle cells and from legacy_compat's.

    ``sides`` is a sequence of ``(scope, implementation, runner)``; the default
    builds ``runner`` once with the oracle's cells under ``oracle/`` and once with
    legacy_compat's under ``compat/``. A ``scope`` of None builds at the top level
    (the names a TF1 program would have; used by the checkpoint tests).
    """
    if sides is None:
        sides = (("oracle", "oracle", runner), ("compat", "compat", runner))
    ns = namespaces()
    graph = tf.Graph()
    outputs, states, variables = {}, {}, {}
    with graph.as_default():
        v1.set_random_seed(graph_seed)
        x = v1.placeholder(dtype, [None, steps, input_size], name="x")
        seq_len = v1.placeholder(tf.int32, [None], name="seq_len") if with_seq_len else None
        for scope, impl, side_runner in sides:
            key = scope or impl
            with v1.variable_scope(scope, default_name="top") if scope else contextlib.nullcontext():
                cell_fw = spec.make(ns[impl], dtype)
                cell_bw = ((spec_bw or spec).make(ns[impl], dtype)
                           if "bidirectional" in side_runner else None)
                out, state = _run_pipeline(cell_fw, cell_bw, side_runner, x, seq_len, steps, dtype)
            outputs[key], states[key] = out, state
            prefix = scope + "/" if scope else ""
            variables[key] = {v.op.name[len(prefix):]: v for v in v1.global_variables()
                              if v.op.name.startswith(prefix)}
        init = v1.global_variables_initializer()
    session = v1.Session(graph=graph, config=SESSION_CONFIG)
    session.run(init)
    return Built(graph, session, x, seq_len, outputs, states, variables)


def randomize_variables(built, rng, scale=0.5):
    """Give every variable a random value, the same on every side (matched by name)."""
    names = sorted(next(iter(built.variables.values())))
    feed, assigns = {}, []
    with built.graph.as_default():
        for name in names:
            shape = next(iter(built.variables.values()))[name].shape.as_list()
            value = rng.uniform(-scale, scale, size=shape)
            for side_vars in built.variables.values():
                var = side_vars[name]
                ph = v1.placeholder(var.dtype.base_dtype, shape)
                assigns.append(var.assign(ph))
                feed[ph] = value.astype(var.dtype.base_dtype.as_numpy_dtype)
    built.session.run(assigns, feed_dict=feed)


def max_abs_diff(a, b):
    flat_a, flat_b = tf.nest.flatten(a), tf.nest.flatten(b)
    assert len(flat_a) == len(flat_b), (len(flat_a), len(flat_b))
    diffs = [float(np.max(np.abs(np.asarray(x, np.float64) - np.asarray(y, np.float64))))
             if np.size(x) else 0.0 for x, y in zip(flat_a, flat_b)]
    return max(diffs) if diffs else 0.0
