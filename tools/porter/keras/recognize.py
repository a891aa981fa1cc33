"""Recognise a TF1 RNN training program by static analysis (LibCST; the input is never run).

:func:`recognize` reads a tutorial-shaped TF1 / TF 0.x program and returns a
:class:`RecognizedPipeline`: the model as a :class:`modern.models.RNNSpec` (the same
description the registry's equivalence proofs are built from), the TF1 runner, the
input shape and the training hyperparameters. What it does not recognise is listed in
``unrecognized`` as ``(line, reason)``; nothing is guessed.

Recognised idioms:

* module aliases: ``import tensorflow as tf``, ``from tensorflow.contrib import rnn``,
  ``from tensorflow.models.rnn import rnn, rnn_cell``, ``import legacy_compat.v1 as tf``;
* constants: module-level ``name = <number expression>`` (``n_steps = 28``);
* input: ``tf.placeholder(dtype, [None, steps, input])``, ``tf.unstack(x, T, 1)``
  (``tf.unpack``), ``tf.split(0, T, x)`` (0.x order) / ``tf.split(x, T, 0)``,
  ``tf.reshape(x, [-1, input])``;
* cells: ``BasicRNNCell``, ``BasicLSTMCell``, ``LSTMCell`` (peepholes, clip,
  projection), ``GRUCell``, ``LayerNormBasicLSTMCell`` from ``tf.contrib.rnn``,
  ``tf.nn.rnn_cell``, ``rnn_cell``; ``MultiRNNCell([...])`` (list literal, list
  comprehension, ``[cell] * n``); ``DropoutWrapper(cell, input_keep_prob=...,
  output_keep_prob=...)`` with constant keep probabilities, or a ``keep_prob =
  tf.placeholder(tf.float32)`` fed a constant with the train op and 1.0 everywhere else;
* runners: ``static_rnn``/``rnn.rnn``/``tf.nn.rnn``, ``dynamic_rnn``,
  ``static_bidirectional_rnn``/``bidirectional_rnn``, ``bidirectional_dynamic_rnn``;
  ``sequence_length=<tf.placeholder(tf.int32, [None])>`` -> masked, its feed with the
  train op carried into the generated loop (batch names, the step counter, numpy and
  constants only);
* readout: ``tf.matmul(outputs[-1], W) + b`` (``outputs[:, -1, :]`` for
  ``dynamic_rnn``, also through ``last = outputs[:, -1, :]``; for
  ``bidirectional_dynamic_rnn`` after ``outputs = tf.concat(outputs, 2)``), ``W``/``b``
  a ``tf.Variable(tf.random_normal([...]))`` by name or in a dict literal
  (``weights['out']``);
* loss ``softmax_cross_entropy_with_logits`` (keywords, or 0.x positional
  ``(logits, labels)``); optimizers ``AdamOptimizer``, ``GradientDescentOptimizer``,
  ``RMSPropOptimizer``;
* training: ``next_batch(batch_size)``, ``for step in range(...)`` or
  ``while step * batch_size < training_iters`` (``step += 1``), the display condition
  ``step % display_step == 0`` (``step == 1 or ...``), ``read_data_sets(dir,
  one_hot=True)``, ``tf.set_random_seed`` / ``np.random.seed``.
"""
import dataclasses
import operator
import re
from typing import Dict, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, ParentNodeProvider

from modern.models import CellSpec, RNNSpec

__all__ = ["RecognizedPipeline", "recognize", "tf1_markers", "CELL_TYPES", "RUNNERS"]

CELL_TYPES = ("BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "LayerNormBasicLSTMCell")
# TF1 spelling -> the canonical runner of tools.proof.pipelines
RUNNERS = {
    "static_rnn": "static_rnn",
    "rnn": "static_rnn",
    "dynamic_rnn": "dynamic_rnn",
    "static_bidirectional_rnn": "static_bidirectional_rnn",
    "bidirectional_rnn": "static_bidirectional_rnn",
    "bidirectional_dynamic_rnn": "bidirectional_dynamic_rnn",
}
_RNN_PREFIXES = ("tensorflow.contrib.rnn", "tensorflow.nn.rnn_cell", "tensorflow.nn",
                 "tensorflow.models.rnn", "tensorflow.python.ops", "tensorflow.compat.v1.nn")
# Module aliases that mean TensorFlow (the kit's own drop-in included).
_MODULE_CANON = {
    "legacy_compat.v1": "tensorflow",
    "legacy_compat.contrib": "tensorflow.contrib",
    "legacy_compat": "tensorflow",
    "tensorflow.compat.v1": "tensorflow",
}
# TF calls that belong to the recognised program and carry no model semantics of their
# own (the graph plumbing, metrics, initialisers); anything else under tensorflow.* is
# listed as unrecognised.
_HARMLESS = {
    "placeholder", "argmax", "equal", "reduce_mean", "cast", "Session",
    "InteractiveSession", "global_variables_initializer", "initialize_all_variables",
    "softmax", "transpose", "reshape", "split", "unstack", "unpack", "matmul", "Variable",
    "random_normal", "set_random_seed", "set_seed", "variable_scope", "name_scope",
    "read_data_sets", "float32", "ConfigProto", "stack", "pack", "log_softmax",
}
_LSTM_OPTIONS = {"forget_bias", "use_peepholes", "cell_clip", "num_proj", "proj_clip",
                 "layer_norm", "activation"}
_IGNORED_CELL_OPTIONS = {"state_is_tuple", "reuse", "name", "dtype"}
_ACTIVATIONS = {"tanh": "tanh", "relu": "relu", "sigmoid": "sigmoid"}


@dataclasses.dataclass
class RecognizedPipeline:
    """What :func:`recognize` found. ``spec`` is None when the model was not recognised."""

    spec: Optional[RNNSpec] = None
    runner: Optional[str] = None
    steps: Optional[int] = None
    input_size: Optional[int] = None
    # per cell: (input_keep_prob, output_keep_prob) of a DropoutWrapper, or None
    dropouts: Tuple[Optional[Tuple[float, float]], ...] = ()
    # keep_prob placeholders: name -> the value fed with the train op (1.0 elsewhere)
    keep_prob_feeds: Dict[str, float] = dataclasses.field(default_factory=dict)
    # sequence_length: the training feed of the lengths placeholder, as code of the
    # generated loop (names: batch_x, batch_y, step, np, constants as literals)
    sequence_length_feed: Optional[str] = None
    readout_init: Optional[Dict[str, float]] = None  # {"mean": m, "stddev": s}
    loss: Optional[str] = None
    optimizer: Optional[str] = None  # "adam", "sgd", "rmsprop"
    optimizer_options: Dict[str, float] = dataclasses.field(default_factory=dict)
    learning_rate: Optional[float] = None
    batch_size: Optional[int] = None
    training_steps: Optional[int] = None
    first_step: int = 1
    display_step: Optional[int] = None
    display_first: bool = False
    data: Optional[Dict[str, object]] = None  # {"train_dir": str, "one_hot": bool}
    tf_seed: Optional[int] = None
    np_seed: Optional[int] = None
    lines: Dict[str, int] = dataclasses.field(default_factory=dict)  # what -> source line
    unrecognized: List[Tuple[int, str]] = dataclasses.field(default_factory=list)

    @property
    def complete(self):
        """True when everything a Keras port needs was recognised and nothing else is left."""
        return (not self.unrecognized and self.spec is not None and self.runner is not None
                and None not in (self.steps, self.optimizer, self.learning_rate,
                                 self.batch_size, self.training_steps, self.data))


class _Unresolved(Exception):
    pass


_BINOPS = {cst.Add: operator.add, cst.Subtract: operator.sub, cst.Multiply: operator.mul,
           cst.Divide: operator.truediv, cst.FloorDivide: operator.floordiv,
           cst.Modulo: operator.mod, cst.Power: operator.pow}
_CMPOPS = {cst.LessThan: operator.lt, cst.LessThanEqual: operator.le,
           cst.GreaterThan: operator.gt, cst.GreaterThanEqual: operator.ge,
           cst.Equal: operator.eq, cst.NotEqual: operator.ne}


def _eval(node, env):
    """Value of a constant expression over ``env`` (names -> numbers); else _Unresolved."""
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if isinstance(node, cst.Name):
        if node.value in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.value]
        if node.value in env:
            return env[node.value]
        raise _Unresolved(node.value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return -_eval(node.expression, env)
    if isinstance(node, cst.BinaryOperation) and type(node.operator) in _BINOPS:
        return _BINOPS[type(node.operator)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, cst.Comparison) and len(node.comparisons) == 1 \
            and type(node.comparisons[0].operator) in _CMPOPS:
        target = node.comparisons[0]
        return _CMPOPS[type(target.operator)](_eval(node.left, env),
                                              _eval(target.comparator, env))
    if isinstance(node, (cst.List, cst.Tuple)):
        return [_eval(e.value, env) for e in node.elements]
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) \
            and node.func.value in ("int", "float") and len(node.args) == 1:
        return {"int": int, "float": float}[node.func.value](_eval(node.args[0].value, env))
    raise _Unresolved(type(node).__name__)


def _dotted(node) -> Optional[str]:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _arg(call: cst.Call, position: Optional[int], keyword: Optional[str]):
    """The argument at ``position`` (positional) or named ``keyword``, or None."""
    if keyword is not None:
        for a in call.args:
            if a.keyword is not None and a.keyword.value == keyword:
                return a.value
    if position is not None:
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if position < len(positional):
            return positional[position].value
    return None


def tf1_markers(source: str) -> List[Tuple[int, str]]:
    """``(line, canonical name)`` of the TF1-graph calls of ``source`` (placeholders,
    sessions, TF1 cells and runners, ``tf.Variable``, ``tf.train`` optimizers)."""
    analysis = _Analysis(source)
    out = []
    for call, line, name in analysis.calls:
        if name is None or not name.startswith("tensorflow."):
            continue
        last = name.rsplit(".", 1)[-1]
        if (last in ("placeholder", "Session", "Variable", "MultiRNNCell", "DropoutWrapper")
                or last in CELL_TYPES or (last in RUNNERS and _is_rnn_module(name))
                or (name.startswith("tensorflow.train.") and last.endswith("Optimizer"))):
            out.append((line, name))
    return out


def _is_rnn_module(name):
    prefix = name.rsplit(".", 1)[0]
    return prefix.startswith(_RNN_PREFIXES)


class _Collector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider, ParentNodeProvider)

    def __init__(self, analysis):
        self.a = analysis

    def _line(self, node):
        return self.get_metadata(PositionProvider, node).start.line

    def visit_Import(self, node):
        for alias in node.names:
            full = _dotted(alias.name)
            local = alias.asname.name.value if alias.asname else full.split(".")[0]
            self.a.aliases[local] = full if alias.asname else full.split(".")[0]

    def visit_ImportFrom(self, node):
        if node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = _dotted(node.module)
        for alias in node.names:
            name = alias.name.value
            local = alias.asname.name.value if alias.asname else name
            self.a.aliases[local] = f"{module}.{name}"

    def visit_Call(self, node):
        self.a.calls.append((node, self._line(node), self.a.canonical(node.func)))

    def visit_Assign(self, node):
        line = self._line(node)
        for target in node.targets:
            t = target.target
            names = [t] if isinstance(t, cst.Name) else (
                [e.value for e in t.elements] if isinstance(t, (cst.Tuple, cst.List)) else [])
            for i, n in enumerate(names):
                if isinstance(n, cst.Name):
                    self.a.assigns.setdefault(n.value, []).append(
                        (node.value, line, i if len(names) > 1 else None))
        # module-level constants, in order
        parent = self.get_metadata(ParentNodeProvider, node)
        grand = self.get_metadata(ParentNodeProvider, parent)
        if isinstance(grand, cst.Module) and len(node.targets) == 1 \
                and isinstance(node.targets[0].target, cst.Name):
            try:
                self.a.consts[node.targets[0].target.value] = _eval(node.value, self.a.consts)
            except (_Unresolved, ZeroDivisionError, TypeError):
                self.a.consts.pop(node.targets[0].target.value, None)

    def visit_For(self, node):
        self.a.loops.append((node, self._line(node)))

    def visit_While(self, node):
        self.a.loops.append((node, self._line(node)))

    def visit_BinaryOperation(self, node):
        if isinstance(node.operator, cst.Add) and isinstance(node.left, cst.Call):
            self.a.adds.append((node, self._line(node)))


class _Analysis:
    def __init__(self, source):
        self.module = cst.parse_module(source)
        self.aliases: Dict[str, str] = {}
        self.calls = []  # (Call, line, canonical dotted name or None)
        self.assigns: Dict[str, list] = {}  # name -> [(value, line, tuple index)]
        self.consts: Dict[str, object] = {}
        self.loops = []
        self.adds = []
        MetadataWrapper(self.module, unsafe_skip_copy=True).visit(_Collector(self))

    def canonical(self, func) -> Optional[str]:
        dotted = _dotted(func)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.aliases:
            full = self.aliases[head] + (("." + rest) if rest else "")
        else:
            full = dotted
        for old, new in _MODULE_CANON.items():
            if full == old or full.startswith(old + "."):
                full = new + full[len(old):]
                break
        return full

    def line_of(self, node):
        for call, line, _ in self.calls:
            if call is node:
                return line
        return None


def _last(name):
    return name.rsplit(".", 1)[-1] if name else None


class _Recognizer:
    def __init__(self, source, filename):
        self.filename = filename
        self.a = _Analysis(source)
        self.r = RecognizedPipeline()
        self.consumed = set()  # ids of TF calls recognised as part of the pipeline

    # helpers ---------------------------------------------------------------------------
    def miss(self, line, reason):
        self.r.unrecognized.append((line or 0, reason))

    def value(self, node, what, line):
        try:
            return _eval(node, self.a.consts)
        except (_Unresolved, ZeroDivisionError, TypeError):
            code = self.a.module.code_for_node(node) if node is not None else "?"
            self.miss(line, f"{what}: cannot resolve `{code}` to a constant")
            return None

    def calls_named(self, *lasts, rnn_only=False):
        return [(c, line, n) for c, line, n in self.a.calls
                if n and n.startswith("tensorflow.") and _last(n) in lasts
                and (not rnn_only or _is_rnn_module(n))]

    def resolve_name(self, node, before_line=None):
        """A Name -> the value node of its latest assignment (at or before a line)."""
        if not isinstance(node, cst.Name) or node.value not in self.a.assigns:
            return node
        candidates = [(v, line, i) for v, line, i in self.a.assigns[node.value]
                      if before_line is None or line <= before_line]
        if not candidates:
            return node
        value, _, index = candidates[-1]
        if index is not None and isinstance(value, (cst.Tuple, cst.List)):
            return value.elements[index].value
        return value

    # cells -----------------------------------------------------------------------------
    def cells_of(self, node, line, depth=0):
        """A cell expression -> [(CellSpec, dropout or None)], or None (listed)."""
        if depth > 10:
            self.miss(line, "cell expression nests too deeply")
            return None
        node = self.resolve_name(node, line)
        if isinstance(node, cst.Call):
            name = self.a.canonical(node.func)
            last = _last(name)
            cline = self.a.line_of(node) or line
            if last in CELL_TYPES and name and name.startswith("tensorflow."):
                cell = self.cell_spec(node, last, cline)
                return None if cell is None else [(cell, None)]
            if last == "MultiRNNCell":
                arg = self.resolve_name(_arg(node, 0, "cells"), cline)
                if isinstance(arg, cst.List):
                    out = []
                    for e in arg.elements:
                        got = self.cells_of(e.value, cline, depth + 1)
                        if got is None:
                            return None
                        out.extend(got)
                    return out
                if isinstance(arg, cst.ListComp) and isinstance(arg.for_in.iter, cst.Call) \
                        and _dotted(arg.for_in.iter.func) == "range" \
                        and isinstance(arg.elt, cst.Call):
                    bounds = [self.value(a.value, "MultiRNNCell depth", cline)
                              for a in arg.for_in.iter.args]
                    got = self.cells_of(arg.elt, cline, depth + 1)
                    if got is None or None in bounds:
                        return None
                    return got * len(range(*bounds))
                if isinstance(arg, cst.BinaryOperation) and isinstance(arg.operator, cst.Multiply):
                    self.miss(cline, "MultiRNNCell([cell] * n) reuses one cell object for every "
                                     "layer (registry limitation 'MultiRNNCell shared object'); "
                                     "build one cell per layer")
                    return None
                self.miss(cline, "MultiRNNCell: the list of cells is not a literal list or "
                                 "list comprehension")
                return None
            if last == "DropoutWrapper":
                inner = self.cells_of(_arg(node, 0, "cell"), cline, depth + 1)
                keeps = []
                for pos, kw in ((1, "input_keep_prob"), (2, "output_keep_prob")):
                    arg = _arg(node, pos, kw)
                    if arg is not None and self.is_placeholder(arg, cline):
                        keeps.append(self.keep_prob_fed(arg, kw, cline))
                        continue
                    keeps.append(1.0 if arg is None else self.value(arg, f"DropoutWrapper {kw}",
                                                                    cline))
                for kw in ("state_keep_prob", "variational_recurrent"):
                    if _arg(node, 3 if kw == "state_keep_prob" else None, kw) is not None:
                        self.miss(cline, f"DropoutWrapper {kw}: Keras has no equivalent "
                                         "(registry limitation of DropoutWrapper)")
                        return None
                if inner is None or None in keeps:
                    return None
                if len(inner) != 1 or inner[0][1] is not None:
                    self.miss(cline, "DropoutWrapper around a MultiRNNCell or another wrapper")
                    return None
                return [(inner[0][0], tuple(float(k) for k in keeps))]
            self.miss(cline, f"cell `{self.a.module.code_for_node(node.func)}` is not a "
                             "recognised TF1 cell")
            return None
        code = self.a.module.code_for_node(node) if isinstance(node, cst.CSTNode) else "?"
        self.miss(line, f"cannot tell which cell `{code}` is")
        return None

    # placeholders fed per session run ---------------------------------------------------
    def is_placeholder(self, node, line):
        value = self.resolve_name(node, line)
        return isinstance(node, cst.Name) and isinstance(value, cst.Call) \
            and _last(self.a.canonical(value.func)) == "placeholder"

    def _train_op_names(self):
        return {name for name, assigns in self.a.assigns.items()
                for value, _, index in assigns
                if index is None and isinstance(value, cst.Call)
                and isinstance(value.func, cst.Attribute) and value.func.attr.value == "minimize"}

    def feeds_of(self, name):
        """``[(value node, line, with the train op)]``: every ``feed_dict`` entry of
        ``name`` in a ``<session>.run(fetches, feed_dict)`` call."""
        train_ops = self._train_op_names()
        out = []
        for call, line, _ in self.a.calls:
            if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "run"):
                continue
            feed = _arg(call, 1, "feed_dict")
            if not isinstance(feed, cst.Dict):
                continue
            fetches = _arg(call, 0, "fetches")
            fetched = [fetches] if isinstance(fetches, cst.Name) else (
                [e.value for e in fetches.elements]
                if isinstance(fetches, (cst.List, cst.Tuple)) else [])
            is_train = any(isinstance(f, cst.Name) and f.value in train_ops for f in fetched)
            for el in feed.elements:
                if isinstance(el, cst.DictElement) and isinstance(el.key, cst.Name) \
                        and el.key.value == name:
                    out.append((el.value, line, is_train))
        return out

    def keep_prob_fed(self, node, kw, line):
        """A keep_prob placeholder -> the value fed with the train op; every other feed
        must be 1.0 (Keras' Dropout is off outside training). None (listed) otherwise."""
        name = node.value
        if name in self.r.keep_prob_feeds:
            return self.r.keep_prob_feeds[name]
        feeds = self.feeds_of(name)
        train = [(v, l) for v, l, t in feeds if t]
        if len(train) != 1:
            self.miss(line, f"DropoutWrapper {kw}=`{name}`: a placeholder that is not fed "
                            "exactly once with the train op")
            return None
        keep = self.value(train[0][0], f"{name} fed in training", train[0][1])
        if keep is None:
            return None
        for v, l, t in feeds:
            if not t and self.value(v, f"{name} fed outside training", l) != 1.0:
                self.miss(l, f"`{name}` fed other than 1.0 outside training: Keras' Dropout "
                             "is only active in training (train_on_batch)")
                return None
        self.r.keep_prob_feeds[name] = float(keep)
        return float(keep)

    def sequence_length_feed(self, node, line):
        """``sequence_length=<placeholder>`` -> its training feed as code of the generated
        loop, or None (listed)."""
        value = self.resolve_name(node, line)
        if not self.is_placeholder(node, line):
            self.miss(line, "sequence_length is not a tf.placeholder fed per batch")
            return None
        dtype, shape = _arg(value, 0, "dtype"), _arg(value, 1, "shape")
        try:
            dims = _eval(shape, self.a.consts) if shape is not None else None
        except _Unresolved:
            dims = None
        if _last(_dotted(dtype) or "") not in ("int32", "int64") or dims != [None]:
            self.miss(line, "sequence_length: the placeholder is not tf.int32 of shape [None]")
            return None
        feeds = self.feeds_of(node.value)
        train = [(v, l) for v, l, t in feeds if t]
        if len(train) != 1:
            self.miss(line, f"sequence_length `{node.value}` is not fed exactly once with the "
                            "train op")
            return None
        expr, fline = train[0]
        code_of = self.a.module.code_for_node
        for v, l, t in feeds:
            if not t and code_of(v) != code_of(expr):  # a display run on the same batch
                self.miss(l, f"`{node.value}` fed `{code_of(v)}` outside the train op: the "
                             "Keras program evaluates the test set at full length")
                return None
        batch_names = {}
        for call, bline, _ in self.a.calls:
            if isinstance(call.func, cst.Attribute) and call.func.attr.value == "next_batch":
                for name, assigns in self.a.assigns.items():
                    for v, _, i in assigns:
                        if v is call and i in (0, 1):
                            batch_names[name] = ("batch_x", "batch_y")[i]
        counter = None
        for loop, _ in self.a.loops:
            if isinstance(loop, cst.For) and isinstance(loop.target, cst.Name):
                counter = loop.target.value
        numpy = {k for k, v in self.a.aliases.items() if v == "numpy"}
        consts, problems, assigns = self.a.consts, [], self.a.assigns

        class Rename(cst.CSTTransformer):
            def __init__(self):
                super().__init__()
                self.skip = set()

            def visit_Attribute(self, n):
                self.skip.add(id(n.attr))

            def visit_Arg(self, n):
                if n.keyword is not None:
                    self.skip.add(id(n.keyword))

            def leave_Name(self, original, updated):
                if id(original) in self.skip:
                    return updated
                n = original.value
                if n in batch_names:
                    if len(assigns.get(n, [])) > 1:  # reshaped before the feed
                        problems.append(n)
                    return updated.with_changes(value=batch_names[n])
                if n in numpy:
                    return updated.with_changes(value="np")
                if n == counter:
                    return updated.with_changes(value="step")
                if n in ("int", "len", "min", "max", "range", "list", "None", "True", "False"):
                    return updated
                if n in consts and isinstance(consts[n], (int, float)) \
                        and not isinstance(consts[n], bool):
                    return cst.parse_expression(repr(consts[n]))
                problems.append(n)
                return updated

        code = re.sub(r"([(\[{]) ", r"\1", " ".join(
            self.a.module.code_for_node(expr.visit(Rename())).split()))
        if problems:
            self.miss(fline, f"sequence_length feed `{self.a.module.code_for_node(expr)}`: "
                             f"cannot carry {sorted(set(problems))} into the Keras program")
            return None
        return code

    def cell_spec(self, call, cell_type, line):
        units_node = _arg(call, 0, "num_units")
        units = self.value(units_node, f"{cell_type} num_units", line) if units_node else None
        if units_node is None:
            self.miss(line, f"{cell_type}: no num_units")
        options = {}
        misses_before = len(self.r.unrecognized)
        for a in call.args[1:]:
            if a.keyword is None:
                if cell_type in ("BasicLSTMCell", "LayerNormBasicLSTMCell") and a is call.args[1]:
                    options["forget_bias"] = self.value(a.value, "forget_bias", line)
                    continue
                self.miss(line, f"{cell_type}: positional option "
                                f"`{self.a.module.code_for_node(a.value)}`")
                return None
            kw = a.keyword.value
            if kw == "num_units":
                continue
            if kw in _IGNORED_CELL_OPTIONS:
                if kw == "state_is_tuple" and _eval(a.value, {}) is not True:
                    self.miss(line, f"{cell_type}: state_is_tuple=False (concatenated state)")
                    return None
                continue
            if kw == "activation":
                name = _last(self.a.canonical(a.value)) if _dotted(a.value) else None
                if name not in _ACTIVATIONS:
                    self.miss(line, f"{cell_type}: activation "
                                    f"`{self.a.module.code_for_node(a.value)}`")
                    return None
                options["activation"] = _ACTIVATIONS[name]
                continue
            if kw not in _LSTM_OPTIONS or (cell_type not in ("BasicLSTMCell", "LSTMCell",
                                                               "LayerNormBasicLSTMCell")):
                self.miss(line, f"{cell_type}: option `{kw}` is not supported by the port")
                return None
            options[kw] = self.value(a.value, f"{cell_type} {kw}", line)
        if units is None or len(self.r.unrecognized) > misses_before:
            return None
        try:
            return CellSpec(cell_type, int(units), **options)
        except (TypeError, ValueError) as e:
            self.miss(line, f"{cell_type}: {e}")
            return None

    # the parts -------------------------------------------------------------------------
    def runner(self):
        runners = [(c, line, n) for c, line, n in self.a.calls
                   if n and n.startswith("tensorflow.") and _last(n) in RUNNERS
                   and _is_rnn_module(n)]
        if not runners:
            self.miss(1, "no TF1 RNN runner (static_rnn, rnn, dynamic_rnn, "
                         "static_bidirectional_rnn) found")
            return None
        if len(runners) > 1:
            self.miss(runners[1][1], "more than one RNN runner: only one RNN per program")
            return None
        call, line, name = runners[0]
        self.r.lines["runner"] = line
        runner = RUNNERS[_last(name)]
        self.r.runner = runner
        bidirectional = "bidirectional" in runner
        masked = _arg(call, None, "sequence_length") is not None
        if masked:
            self.r.sequence_length_feed = self.sequence_length_feed(
                _arg(call, None, "sequence_length"), line)
        if bidirectional:
            fw = self.cells_of(_arg(call, 0, "cell_fw"), line)
            bw = self.cells_of(_arg(call, 1, "cell_bw"), line)
            if fw is None or bw is None:
                return None
            if fw != bw:
                self.miss(line, "forward and backward cells differ: the Keras Bidirectional "
                                "layer runs one configuration in both directions")
                return None
            cells = fw
        else:
            cells = self.cells_of(_arg(call, 0, "cell"), line)
            if cells is None:
                return None
        if bidirectional and any(d is not None for _, d in cells):
            self.miss(line, "DropoutWrapper in a bidirectional RNN is not ported")
            return None
        self.r.dropouts = tuple(d for _, d in cells)
        return call, line, tuple(c for c, _ in cells), bidirectional, masked

    def shapes(self, runner_call, runner_line):
        steps = input_size = None
        for call, line, name in self.calls_named("placeholder"):
            shape = _arg(call, 1, "shape")
            if shape is None:
                continue
            try:
                dims = _eval(shape, self.a.consts)
            except _Unresolved:
                continue
            if isinstance(dims, list) and len(dims) == 3 and dims[0] is None:
                steps, input_size = int(dims[1]), int(dims[2])
                self.r.lines["input"] = line
                break
        # the list-making idiom (static runners) gives the number of steps, too
        for call, line, name in self.calls_named("unstack", "unpack", "split"):
            last = _last(name)
            if last in ("unstack", "unpack"):
                num = _arg(call, 1, "num")
                axis = _arg(call, 2, "axis")
                try:
                    t, ax = _eval(num, self.a.consts), _eval(axis, self.a.consts) if axis else 0
                except _Unresolved:
                    continue
                if ax == 1:
                    steps = steps or t
                    if t != steps:
                        self.miss(line, f"tf.{last} gives {t} steps, the placeholder {steps}")
            else:
                first = _arg(call, 0, None)
                try:
                    first_value = _eval(first, self.a.consts)
                except _Unresolved:
                    first_value = None
                num_node = _arg(call, 1, "num_or_size_splits") or _arg(call, 1, "num_split")
                try:
                    t = _eval(num_node, self.a.consts)
                except _Unresolved:
                    continue
                if first_value == 0 or _arg(call, None, "split_dim") is not None:
                    steps = steps or t  # 0.x: tf.split(0, T, x)
                else:
                    axis = _arg(call, 2, "axis")
                    try:
                        if axis is not None and _eval(axis, self.a.consts) == 0:
                            steps = steps or t
                    except _Unresolved:
                        pass
        if steps is None or input_size is None:
            self.miss(runner_line, "input shape: no tf.placeholder(dtype, [None, steps, "
                                   "input_size]) with constant sizes")
        self.r.steps, self.r.input_size = steps, input_size

    def readout(self, runner_call, runner_line):
        """``tf.matmul(outputs[-1], W) + b`` -> (num_classes, init) or None (listed)."""
        # the runner's outputs: `outputs, state = runner(...)`
        out_names = {name for name, assigns in self.a.assigns.items()
                     for value, _, index in assigns if value is runner_call and index in (0, None)}
        for node, line in self.a.adds:
            call = node.left
            if _last(self.a.canonical(call.func)) != "matmul":
                continue
            x, w = _arg(call, 0, "a"), _arg(call, 1, "b")
            if isinstance(x, cst.Name):  # last = outputs[:, -1, :]; tf.matmul(last, W)
                x = self.resolve_name(x, line)
            if not isinstance(x, cst.Subscript) or not isinstance(x.value, cst.Name):
                continue
            if x.value.value not in out_names or self.resolve_name(x.value, line) \
                    is not runner_call:
                if not self.concat_of_outputs(x.value, line, runner_call):
                    continue
            elif self.r.runner == "bidirectional_dynamic_rnn":
                self.miss(line, "readout on bidirectional_dynamic_rnn's (out_fw, out_bw) tuple: "
                                "only `outputs = tf.concat(outputs, 2)` then its last step is "
                                "ported")
                return None
            idx = [s.slice for s in x.slice]
            last_step = None
            if len(idx) == 1 and isinstance(idx[0], cst.Index):
                last_step = "list"
            elif len(idx) >= 2 and isinstance(idx[0], cst.Slice) and isinstance(idx[1], cst.Index):
                last_step = "tensor"
            try:
                pos = _eval(idx[0 if last_step == "list" else 1].value, {}) if last_step else None
            except _Unresolved:
                pos = None
            if pos != -1:
                self.miss(line, "readout: only the last output (outputs[-1]) is ported")
                return None
            if (last_step == "list") != (self.r.runner in ("static_rnn",
                                                           "static_bidirectional_rnn")):
                self.miss(line, f"readout `{self.a.module.code_for_node(x)}` with "
                                f"{self.r.runner}: not the last time step")
                return None
            self.r.lines["readout"] = line
            shape_w, init_w = self.variable(w, line)
            shape_b, init_b = self.variable(node.right, line)
            if shape_w is None or shape_b is None:
                return None
            if init_w != init_b:
                self.miss(line, "readout: W and b have different initialisers")
                return None
            if len(shape_w) != 2 or list(shape_b) != [shape_w[1]]:
                self.miss(line, f"readout: shapes {shape_w} and {shape_b} do not form "
                                "outputs @ W + b")
                return None
            self.r.readout_init = init_w
            return int(shape_w[1]), int(shape_w[0])
        self.miss(runner_line, "no readout `tf.matmul(outputs[-1], W) + b` on the RNN's outputs")
        return None

    def concat_of_outputs(self, name, line, runner_call):
        """``outputs = tf.concat(outputs, 2)`` of bidirectional_dynamic_rnn's (fw, bw)."""
        if self.r.runner != "bidirectional_dynamic_rnn":
            return False
        value = self.resolve_name(name, line)
        if not (isinstance(value, cst.Call) and _last(self.a.canonical(value.func)) == "concat"):
            return False
        concat_line = self.a.line_of(value)
        inner, axis = _arg(value, 0, "values"), _arg(value, 1, "axis")
        try:
            axis = _eval(axis, self.a.consts)
        except _Unresolved:
            return False
        if axis not in (2, -1) or not isinstance(inner, cst.Name) \
                or self.resolve_name(inner, concat_line - 1) is not runner_call:
            return False
        self.consumed.add(id(value))
        return True

    def variable(self, node, line):
        value = node
        if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name):
            container = self.resolve_name(node.value, line)
            key = _eval(node.slice[0].slice.value, {}) if isinstance(
                node.slice[0].slice, cst.Index) else None
            value = None
            if isinstance(container, cst.Dict):
                for el in container.elements:
                    try:
                        if _eval(el.key, {}) == key:
                            value = el.value
                    except _Unresolved:
                        pass
        else:
            value = self.resolve_name(node, line)
        if isinstance(value, cst.Call) and _last(self.a.canonical(value.func)) == "Variable":
            init = _arg(value, 0, "initial_value")
            if isinstance(init, cst.Call) and _last(self.a.canonical(init.func)) == "random_normal":
                shape = self.value(_arg(init, 0, "shape"), "readout shape", line)
                mean = self.value(_arg(init, 1, "mean") or cst.Float("0.0"), "mean", line)
                stddev = self.value(_arg(init, 2, "stddev") or cst.Float("1.0"), "stddev", line)
                for kw in ("seed", "dtype"):
                    if _arg(init, None, kw) is not None:
                        self.miss(line, f"readout initialiser option `{kw}` is not ported")
                        return None, None
                if shape is None or mean is None or stddev is None:
                    return None, None
                return shape, {"mean": float(mean), "stddev": float(stddev)}
        code = self.a.module.code_for_node(node)
        self.miss(line, f"readout variable `{code}` is not tf.Variable(tf.random_normal([...]))")
        return None, None

    def loss(self):
        found = self.calls_named("softmax_cross_entropy_with_logits",
                                 "softmax_cross_entropy_with_logits_v2")
        if len(found) != 1:
            others = self.calls_named("sparse_softmax_cross_entropy_with_logits",
                                      "sigmoid_cross_entropy_with_logits")
            for _, line, name in others:
                self.miss(line, f"loss `{name}` is not ported (only "
                                "softmax_cross_entropy_with_logits)")
            if not others:
                self.miss(1, "no softmax_cross_entropy_with_logits loss found")
            return
        call, line, _ = found[0]
        self.r.lines["loss"] = line
        # keywords since 1.0; 0.x positional order is (logits, labels)
        logits, labels = _arg(call, 0, "logits"), _arg(call, 1, "labels")
        if logits is None or labels is None:
            self.miss(line, "softmax_cross_entropy_with_logits without logits and labels")
            return
        self.r.loss = "softmax_cross_entropy"

    def optimizer(self):
        found = [(c, line, n) for c, line, n in self.a.calls
                 if n and n.startswith("tensorflow.train.") and n.endswith("Optimizer")]
        if len(found) != 1:
            self.miss(found[1][1] if found else 1,
                      "expected exactly one tf.train optimizer, found %d" % len(found))
            return
        call, line, name = found[0]
        self.r.lines["optimizer"] = line
        kinds = {"AdamOptimizer": "adam", "GradientDescentOptimizer": "sgd",
                 "RMSPropOptimizer": "rmsprop"}
        kind = kinds.get(_last(name))
        if kind is None:
            self.miss(line, f"optimizer `{name}` is not ported (Adam, GradientDescent, RMSProp)")
            return
        self.r.optimizer = kind
        lr = _arg(call, 0, "learning_rate")
        self.r.learning_rate = self.value(lr, "learning_rate", line) if lr is not None else (
            0.001 if kind == "adam" else None)
        if self.r.learning_rate is None and lr is None:
            self.miss(line, f"{_last(name)}: no learning_rate")
        allowed = {"adam": ("beta1", "beta2", "epsilon"),
                   "sgd": (),
                   "rmsprop": ("decay", "momentum", "epsilon", "centered")}[kind]
        for a in call.args[1:]:
            if a.keyword is None or a.keyword.value not in allowed + ("use_locking", "name"):
                self.miss(line, f"{_last(name)}: argument "
                                f"`{self.a.module.code_for_node(a)}` is not ported")
                continue
            if a.keyword.value in allowed:
                self.r.optimizer_options[a.keyword.value] = self.value(
                    a.value, a.keyword.value, line)
        # minimize(loss) must be the plain call: gradient clipping etc. is listed
        for c, l, n in self.a.calls:
            if n and _last(n) in ("compute_gradients", "apply_gradients", "clip_by_global_norm",
                                  "clip_by_value", "clip_by_norm"):
                self.miss(l, f"`{n}`: custom gradient processing is not ported")

    def training(self):
        batches = [(c, line) for c, line, n in self.a.calls
                   if isinstance(c.func, cst.Attribute) and c.func.attr.value == "next_batch"]
        if not batches:
            self.miss(1, "no `<data>.train.next_batch(batch_size)` found")
            return
        call, line = batches[0]
        self.r.batch_size = self.value(_arg(call, 0, "batch_size"), "batch size", line)
        loop = None
        for node, lline in self.a.loops:
            if lline < line and lline <= line and self._contains(node, call):
                loop = (node, lline)
        if loop is None:
            self.miss(line, "next_batch is not inside a for/while training loop")
            return
        node, lline = loop
        self.r.lines["loop"] = lline
        counter = None
        if isinstance(node, cst.For):
            it = node.iter
            if isinstance(it, cst.Call) and _dotted(it.func) == "range" \
                    and isinstance(node.target, cst.Name):
                bounds = [self.value(a.value, "training loop range", lline) for a in it.args]
                if None not in bounds:
                    r = range(*bounds)
                    self.r.training_steps, self.r.first_step = len(r), (r[0] if len(r) else 1)
                    counter = node.target.value
                    if r.step != 1:
                        self.miss(lline, "training loop range with a step other than 1")
            else:
                self.miss(lline, "training loop is not `for step in range(...)`")
        else:
            counter = self._while_steps(node, lline)
        if counter is not None:
            self._display(node, counter)

    @staticmethod
    def _contains(outer, inner):
        found = []

        class V(cst.CSTVisitor):
            def visit_Call(self, n):
                if n is inner:
                    found.append(n)

        outer.visit(V())
        return bool(found)

    def _while_steps(self, node, lline):
        test = node.test
        names = set()

        class V(cst.CSTVisitor):
            def visit_Name(self, n):
                names.add(n.value)

        test.visit(V())
        counters = [n for n in names if n not in self.a.consts]
        if len(counters) != 1:
            self.miss(lline, "while loop: cannot find its step counter")
            return None
        counter = counters[0]
        start = [v for v, line, i in self.a.assigns.get(counter, []) if line < lline and i is None]
        increments = []

        class A(cst.CSTVisitor):
            def visit_AugAssign(self, n):
                if isinstance(n.target, cst.Name) and n.target.value == counter \
                        and isinstance(n.operator, cst.AddAssign):
                    increments.append(n.value)

        node.body.visit(A())
        if not start or len(increments) != 1:
            self.miss(lline, f"while loop: `{counter}` needs a start value and one "
                             f"`{counter} += k`")
            return None
        first = self.value(start[-1], "loop start", lline)
        inc = self.value(increments[0], "loop increment", lline)
        if first is None or inc != 1:
            self.miss(lline, "while loop: only `step += 1` counters are ported")
            return None
        env = dict(self.a.consts)
        count, step = 0, first
        while True:
            env[counter] = step
            try:
                go = _eval(test, env)
            except (_Unresolved, TypeError):
                self.miss(lline, "while loop condition is not a constant comparison")
                return None
            if not go:
                break
            count, step = count + 1, step + 1
            if count > 10_000_000:
                self.miss(lline, "while loop does not end")
                return None
        self.r.training_steps, self.r.first_step = count, first
        return counter

    def _display(self, loop, counter):
        found = []
        consts = self.a.consts

        class V(cst.CSTVisitor):
            def visit_If(self, n):
                mods, firsts = [], []

                class M(cst.CSTVisitor):
                    def visit_BinaryOperation(self, b):
                        if isinstance(b.operator, cst.Modulo) and isinstance(b.left, cst.Name) \
                                and b.left.value == counter:
                            mods.append(b.right)

                    def visit_Comparison(self, c):
                        if isinstance(c.left, cst.Name) and c.left.value == counter \
                                and isinstance(c.comparisons[0].operator, cst.Equal):
                            firsts.append(c.comparisons[0].comparator)

                n.test.visit(M())
                if mods:
                    found.append((mods[0], firsts))

        loop.body.visit(V())
        if not found:
            return
        mod, firsts = found[0]
        try:
            self.r.display_step = int(_eval(mod, consts))
            self.r.display_first = any(_eval(f, consts) == self.r.first_step for f in firsts)
        except _Unresolved:
            self.miss(self.r.lines.get("loop"), "display step is not a constant")

    def data_and_seeds(self):
        for call, line, name in self.a.calls:
            last = _last(name)
            if last == "read_data_sets":
                one_hot = _arg(call, 1, "one_hot")
                train_dir = _arg(call, 0, "train_dir")
                try:
                    self.r.data = {"train_dir": _eval(train_dir, self.a.consts),
                                   "one_hot": bool(_eval(one_hot, {})) if one_hot else False}
                except _Unresolved:
                    self.miss(line, "read_data_sets: arguments are not constants")
                    continue
                self.r.lines["data"] = line
                if not self.r.data["one_hot"]:
                    self.miss(line, "read_data_sets without one_hot=True: the loss needs "
                                    "one-hot labels")
            elif name in ("tensorflow.set_random_seed", "tensorflow.random.set_random_seed",
                          "tensorflow.random.set_seed"):
                self.r.tf_seed = self.value(_arg(call, 0, "seed"), "graph seed", line)
            elif name and name.endswith("random.seed") and name.split(".")[0] in ("numpy", "np"):
                self.r.np_seed = self.value(_arg(call, 0, "seed"), "numpy seed", line)
        if self.r.data is None:
            self.miss(1, "no `input_data.read_data_sets(..., one_hot=True)` data source")

    def leftovers(self):
        """TF calls that are neither a recognised part nor harmless plumbing."""
        known = set(CELL_TYPES) | set(RUNNERS) | {
            "MultiRNNCell", "DropoutWrapper", "softmax_cross_entropy_with_logits",
            "softmax_cross_entropy_with_logits_v2", "set_random_seed", "set_seed"}
        for call, line, name in self.a.calls:
            if not name or not name.startswith("tensorflow."):
                continue
            last = _last(name)
            if last in _HARMLESS or last in known or name.startswith("tensorflow.train.") \
                    or id(call) in self.consumed:
                continue
            if any(line == l and name in reason for l, reason in self.r.unrecognized):
                continue
            self.miss(line, f"`{name}` is not part of the recognised pipeline (no Keras port "
                            "for it here)")

    def run(self):
        r = self.r
        self.data_and_seeds()
        found = self.runner()
        if found is not None:
            call, line, cells, bidirectional, masked = found
            self.shapes(call, line)
            readout = self.readout(call, line)
            if r.input_size is not None:
                num_classes = None
                if readout is not None:
                    num_classes, w_rows = readout
                    expected = cells[-1].output_size * (2 if bidirectional else 1)
                    if w_rows != expected:
                        self.miss(r.lines.get("readout"), f"readout W has {w_rows} rows; the "
                                                          f"RNN outputs {expected}")
                try:
                    r.spec = RNNSpec(cells=cells, input_size=r.input_size,
                                     bidirectional=bidirectional, masked=masked,
                                     num_classes=num_classes)
                except ValueError as e:
                    self.miss(line, str(e))
            if masked:
                self.r.lines["sequence_length"] = line
        self.loss()
        self.optimizer()
        self.training()
        self.leftovers()
        r.unrecognized.sort()
        return r


def recognize(source: str, *, filename: str = "<string>") -> RecognizedPipeline:
    """Recognise the TF1 RNN pipeline of ``source`` (static analysis only)."""
    return _Recognizer(source, filename).run()
