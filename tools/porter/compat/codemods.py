"""The LibCST codemods of ``--to compat``: import rewrites and the unconverted-construct check.

One pass of :class:`CompatCodemod` over a module (with QualifiedNameProvider metadata,
so every import alias is resolved) does four things, each driven by :mod:`.spec`:

* rewrites ``tensorflow`` imports to their ``legacy_compat`` mirrors (``changes``);
* finds uses of TF names legacy_compat does not provide, leaves them in place and puts a
  ``# rnn-migrate: <reason>`` line above their statement (``unconverted``);
* notes the TF 0.x spellings of ``legacy_compat.spellings`` that ``legacy_compat.v1``
  serves at run time; they are left as written, as ``examples/ported/`` does (``notes``);
* rewrites what NumPy 2 removed (:class:`NumpyRewrites`): the aliases ``np.float``...
  to the builtins they were, and ``int(x)`` / ``float(x)`` of a statically evident NumPy
  value to ``int(x.item())``; unsure spots are warnings.

:class:`TF2Evidence` tells a TF 2 program (left unchanged by the engine) from a TF1 one.
"""
import dataclasses

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    BuiltinAssignment,
    ExpressionContext,
    ExpressionContextProvider,
    PositionProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from tools.porter.compat import names as spec


@dataclasses.dataclass
class Change:
    line: int
    col: int
    old: str
    new: str
    why: str


@dataclasses.dataclass
class Unconverted:
    line: int
    col: int
    construct: str
    reason: str
    todo: str


@dataclasses.dataclass
class Note:
    severity: str  # "info" or "warning"
    line: int
    col: int
    message: str


def normalize(qualified):
    """Map a ``legacy_compat`` qualified name back to the ``tensorflow`` one it mirrors."""
    if qualified == "legacy_compat.v1" or qualified.startswith("legacy_compat.v1."):
        return "tensorflow" + qualified[len("legacy_compat.v1"):]
    if qualified.startswith("legacy_compat."):
        return "tensorflow" + qualified[len("legacy_compat"):]
    if qualified == "tensorflow.compat.v1" or qualified.startswith("tensorflow.compat.v1."):
        return "tensorflow" + qualified[len("tensorflow.compat.v1"):]
    return qualified


def check_tf_name(name):
    """``(reason, todo)`` when TF name ``name`` is not provided by legacy_compat, else None."""
    parts = name.split(".")
    if parts[0] != "tensorflow" or len(parts) < 3:
        return None
    first, second = parts[1], parts[2]
    if first == "contrib":
        if second not in spec.V1_CONTRIB:
            return (
                f"tf.contrib.{second} is not provided by legacy_compat",
                spec.CONTRIB_HINTS.get(second, spec.CONTRIB_DEFAULT_HINT),
            )
        if len(parts) > 3 and not spec.provides(f"legacy_compat.contrib.{second}", parts[3]):
            return (
                f"tf.contrib.{second}.{parts[3]} is not provided by "
                f"legacy_compat.contrib.{second}",
                f"use what legacy_compat.contrib.{second} provides or port this part to Keras 3",
            )
        return None
    if first == "layers":
        if second not in spec.V1_LAYERS:
            return (f"tf.layers.{second} is not available with Keras 3", spec.LAYERS_HINT)
        return None
    if first == "nn":
        if second == "rnn_cell" and len(parts) > 3:
            if not spec.provides("legacy_compat.nn.rnn_cell", parts[3]):
                return (
                    f"tf.nn.rnn_cell.{parts[3]} is not provided by legacy_compat.nn.rnn_cell",
                    "use a cell of legacy_compat.nn.rnn_cell or port this part to Keras 3",
                )
        return None
    # Mirror modules reached through a module import (python.ops.rnn, models.rnn, ...).
    for k in range(len(parts) - 1, 2, -1):
        module = spec.mirror_module(".".join(parts[:k]))
        if module is not None and module != "legacy_compat.v1":
            if not spec.provides(module, parts[k]):
                return (
                    f"{'.'.join(parts[:k + 1])} is not provided by {module}",
                    "port this part by hand (see legacy_compat's module docs)",
                )
            return None
    return None


def _dotted(node):
    return get_full_name_for_node(node) if node is not None else None


def _code(node):
    return cst.Module([]).code_for_node(node)


def _qualified(visitor, node):
    """The raw qualified names of ``node`` (a set of str; empty when unknown)."""
    try:
        found = visitor.get_metadata(QualifiedNameProvider, node, set())
    except KeyError:
        return set()
    return {q.name for q in found}


def _under(name, prefixes):
    return any(name == p or name.startswith(p + ".") for p in prefixes)


class TF2Evidence(cst.CSTVisitor):
    """Whether a program is TF 2 (eager) code: ``tf2`` lists its TF 2 uses
    (:data:`names.TF2_MARKERS`), ``tf1`` its TF1 ones (``tf.compat.v1``, legacy_compat,
    or a ``tf.`` name TF 2's API does not have, e.g. placeholders, sessions, contrib).
    A program is TF 2 when ``tf2`` is not empty and ``tf1`` is (:attr:`is_tf2`)."""

    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def __init__(self):
        super().__init__()
        self.tf1, self.tf2 = [], []

    @property
    def is_tf2(self):
        return bool(self.tf2) and not self.tf1

    def _record(self, node, dotted):
        start = self.get_metadata(PositionProvider, node).start
        where = (start.line, start.column + 1, dotted)
        if _under(dotted, spec.TF1_PREFIXES):
            self.tf1.append(where)
        elif _under(dotted, ("tensorflow",)) and not spec.tf2_provides(dotted):
            self.tf1.append(where)  # also when TensorFlow is not installed: unsure is TF1
        if _under(dotted, spec.TF2_MARKERS):
            self.tf2.append(where)

    def visit_Import(self, node):
        for alias in node.names:
            self._record(alias, _dotted(alias.name))
        return False

    def visit_ImportFrom(self, node):
        if node.relative or node.module is None:
            return False
        module = _dotted(node.module)
        names = [] if isinstance(node.names, cst.ImportStar) else node.names
        for alias in names:
            self._record(alias, f"{module}.{_dotted(alias.name)}")
        if not names:
            self._record(node, module)
        return False

    def visit_Name(self, node):
        for name in _qualified(self, node):
            self._record(node, name)

    def visit_Attribute(self, node):
        for name in _qualified(self, node):
            self._record(node, name)


_NUMPY_ARRAY, _NUMPY_MAYBE, _NOT_NUMPY = "array", "maybe", "no"


class _ValueIndex(cst.CSTVisitor):
    """What each assignment target was assigned (for :class:`NumpyRewrites`)."""

    def __init__(self, owner):
        super().__init__()
        self.owner = owner
        self.values = {}  # target Name -> (value, element of it?)
        self.sessions = set()  # target Names bound to a TF session
        self.uses_tf = False

    def _is_session_call(self, node):
        return isinstance(node, cst.Call) and any(
            normalize(q) in spec.TF_SESSIONS for q in _qualified(self.owner, node.func))

    def _bind(self, target, value):
        if isinstance(target, cst.Name):
            self.values[target] = (value, False)
            if self._is_session_call(value):
                self.sessions.add(target)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                if isinstance(element.value, cst.Name):  # not *starred (a list)
                    self.values[element.value] = (value, True)

    def visit_Assign(self, node):
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_WithItem(self, node):
        if node.asname is not None and isinstance(node.asname.name, cst.Name) \
                and self._is_session_call(node.item):
            self.sessions.add(node.asname.name)

    def visit_Import(self, node):
        self.uses_tf |= any(_under(_dotted(a.name), ("tensorflow", "legacy_compat"))
                            for a in node.names)

    def visit_ImportFrom(self, node):
        if not node.relative and node.module is not None:
            self.uses_tf |= _under(_dotted(node.module), ("tensorflow", "legacy_compat"))


def _imports_numpy_alias(node, name, builtin):
    """Whether ``node`` is ``from numpy import <name>`` (no ``as``) of an alias of ``builtin``."""
    return (isinstance(node, cst.ImportFrom) and not node.relative and node.module is not None
            and _dotted(node.module) == "numpy" and not isinstance(node.names, cst.ImportStar)
            and spec.NUMPY_BUILTIN_ALIASES.get(name) == builtin
            and any(a.asname is None and _dotted(a.name) == name for a in node.names))


class NumpyRewrites:
    """What NumPy 2 removed, for :class:`CompatCodemod` (a mixin of it).

    * ``np.float``, ``np.int``, ``np.bool``, ``np.object``, ``np.str``, ``np.long``,
      ``np.unicode``, ``np.complex`` (any alias of numpy) become the builtins they were
      (:data:`names.NUMPY_BUILTIN_ALIASES`); ``from numpy import float`` is dropped (the
      name is then the builtin) and ``from numpy import float as f`` is a warning;
    * ``int(x)`` / ``float(x)`` where ``x`` is statically a NumPy value (``t.eval()`` and
      ``sess.run(...)`` of a TF session in a TF program, ``t.numpy()``, ``np.f(...)`` of
      :data:`names.NUMPY_ARRAY_FUNCTIONS`, indexing, the ndarray methods of
      :data:`names.NDARRAY_METHODS`, a name every assignment of which is one of these)
      become ``int(x.item())``: NumPy 1 converted a size-1 array of any ndim, NumPy 2
      raises TypeError for ndim > 0, and ``.item()`` gives the same Python scalar for
      both arrays and NumPy scalars, so the rewrite is exact. When ``x`` may be such a
      value (``.run(...)`` of an object not seen to be a session, a name assigned both a
      NumPy value and something else) it is a warning note, not a rewrite.

    With ``self.tf2`` set (a TF 2 program, left unchanged) every finding is a warning.
    """

    def _numpy_index(self, module):
        index = _ValueIndex(self)
        module.visit(index)
        self._np_index = index

    def _np_report(self, node, old, new, why):
        line, col = self._pos(node)
        if self.tf2:
            self.notes.append(Note("warning", line, col, f"{old}: {why}; write {new} (not "
                                   "rewritten: the program is TF 2 and left unchanged)"))
            return False
        self.changes.append(Change(line, col, old, new, why))
        return True

    def _referents(self, name):
        try:
            scope = self.get_metadata(ScopeProvider, name, None)
        except KeyError:
            return None
        if scope is None:
            return None
        for access in scope.accesses[name.value]:
            if access.node is name:
                return access.referents
        return None

    def _is_session(self, node):
        if isinstance(node, cst.Call):
            names = {normalize(q) for q in _qualified(self, node.func)}
            return bool(names & (spec.TF_SESSIONS | {"tensorflow.get_default_session"}))
        if isinstance(node, cst.Name):
            referents = self._referents(node)
            return bool(referents) and all(
                getattr(r, "node", None) in self._np_index.sessions for r in referents)
        return False

    def _numpy_value(self, node, seen=frozenset()):
        """``"array"`` (a NumPy value), ``"maybe"`` or ``"no"`` for an expression."""
        if id(node) in seen:
            return _NOT_NUMPY
        seen = seen | {id(node)}
        if isinstance(node, cst.Call):
            if any(q.count(".") == 1 and q.startswith("numpy.")
                   and q[6:] in spec.NUMPY_ARRAY_FUNCTIONS for q in _qualified(self, node.func)):
                return _NUMPY_ARRAY
            if not isinstance(node.func, cst.Attribute):
                return _NOT_NUMPY
            method, receiver = node.func.attr.value, node.func.value
            if method == "numpy" and not node.args:
                return _NUMPY_ARRAY
            if method == "eval" and self._np_index.uses_tf and not any(
                    isinstance(a.value, (cst.SimpleString, cst.ConcatenatedString,
                                         cst.FormattedString)) for a in node.args):
                return _NUMPY_ARRAY
            if method == "run" and self._np_index.uses_tf and node.args:
                return _NUMPY_ARRAY if self._is_session(receiver) else _NUMPY_MAYBE
            if method in spec.NDARRAY_METHODS:
                return self._numpy_value(receiver, seen)
            return _NOT_NUMPY
        if isinstance(node, cst.Subscript):
            return self._numpy_value(node.value, seen)
        if isinstance(node, cst.Attribute) and node.attr.value in spec.NDARRAY_ATTRIBUTES:
            return self._numpy_value(node.value, seen)
        if isinstance(node, cst.Name):
            referents = self._referents(node)
            if not referents:
                return _NOT_NUMPY
            kinds = set()
            for referent in referents:
                value = self._np_index.values.get(getattr(referent, "node", None))
                kinds.add(self._numpy_value(value[0], seen) if value else _NOT_NUMPY)
            if kinds == {_NUMPY_ARRAY}:
                return _NUMPY_ARRAY
            return _NUMPY_MAYBE if kinds - {_NOT_NUMPY} else _NOT_NUMPY
        return _NOT_NUMPY

    def _builtin_free(self, node, name):
        """Whether ``name`` means the builtin where ``node`` is: not rebound anywhere, but
        by a ``from numpy import <alias of it>`` that :meth:`_numpy_import` drops."""
        try:
            scope = self.get_metadata(ScopeProvider, node, None)
        except KeyError:
            return False
        return scope is not None and all(
            isinstance(a, BuiltinAssignment) or _imports_numpy_alias(a.node, a.name, name)
            for a in scope[name])

    def leave_Attribute(self, original_node, updated_node):
        aliases = [q[6:] for q in _qualified(self, original_node)
                   if q.startswith("numpy.") and q[6:] in spec.NUMPY_BUILTIN_ALIASES]
        if len(aliases) != 1:
            return updated_node
        try:
            context = self.get_metadata(ExpressionContextProvider, original_node, None)
        except KeyError:
            context = None
        if context in (ExpressionContext.STORE, ExpressionContext.DEL):
            return updated_node
        alias, builtin = aliases[0], spec.NUMPY_BUILTIN_ALIASES[aliases[0]]
        old = _code(original_node)
        why = (f"numpy.{alias} was NumPy 1's alias of the builtin {builtin} (deprecated in "
               f"1.20, removed in 1.24/2.0"
               + (f"; NumPy 2's np.{alias} is a different NumPy scalar type)"
                  if alias in ("bool", "long") else ": AttributeError)"))
        if not self._builtin_free(original_node, builtin):
            line, col = self._pos(original_node)
            self.notes.append(Note("warning", line, col, f"{old}: {why}; not rewritten because "
                                   f"the name {builtin} is rebound here: write builtins.{builtin}"))
            return updated_node
        if self._np_report(original_node, old, builtin, why):
            return cst.Name(builtin)
        return updated_node

    def leave_Call(self, original_node, updated_node):
        func = original_node.func
        if not (isinstance(func, cst.Name) and func.value in ("int", "float")
                and self._builtin_free(func, func.value)
                and len(original_node.args) == 1 and original_node.args[0].keyword is None
                and not original_node.args[0].star):
            return updated_node
        value = original_node.args[0].value
        kind = self._numpy_value(value)
        if kind == _NOT_NUMPY:
            return updated_node
        old = _code(original_node)
        new_arg = cst.Call(func=cst.Attribute(value=updated_node.args[0].value,
                                              attr=cst.Name("item")))
        new = updated_node.with_changes(args=[updated_node.args[0].with_changes(value=new_arg)])
        why = (f"{func.value}() of an array with ndim > 0 raises TypeError in NumPy 2 (NumPy 1 "
               "converted any size-1 array); .item() gives the same Python scalar")
        if kind == _NUMPY_MAYBE:
            line, col = self._pos(original_node)
            self.notes.append(Note("warning", line, col, f"{old}: may be {func.value}() of a NumPy "
                                   f"array: {why}; if it is, write {_code(new)} (not rewritten: "
                                   "not statically evident)"))
            return updated_node
        return new if self._np_report(original_node, old, _code(new), why) else updated_node

    def _numpy_import(self, original_node, updated_node):
        """``from numpy import float``: dropped (the name is then the builtin)."""
        if isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        keep = []
        for alias, original_alias in zip(updated_node.names, original_node.names):
            name = _dotted(alias.name)
            if name not in spec.NUMPY_BUILTIN_ALIASES:
                keep.append(alias)
                continue
            builtin = spec.NUMPY_BUILTIN_ALIASES[name]
            if alias.asname is not None:
                line, col = self._pos(original_alias)
                self.notes.append(Note(
                    "warning", line, col,
                    f"from numpy import {_code(alias).rstrip(', ')}: numpy.{name} was NumPy 1's "
                    f"alias of the builtin {builtin}, removed in NumPy 1.24/2.0; not rewritten: "
                    f"use {builtin} instead of {_dotted(alias.asname.name)}"))
                keep.append(alias)
            elif not self._np_report(original_alias, f"from numpy import {name}", "(removed)",
                                     f"numpy.{name} was NumPy 1's alias of the builtin "
                                     f"{builtin} (removed in NumPy 1.24/2.0): without the "
                                     f"import, {name} is that builtin"):
                keep.append(alias)
        if len(keep) == len(updated_node.names):
            return updated_node
        if not keep:
            return cst.RemoveFromParent()
        keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated_node.with_changes(names=keep)


class CompatCodemod(NumpyRewrites, cst.CSTTransformer):
    """Rewrite imports, mark and report unconverted constructs, note 0.x spellings, rewrite
    NumPy 2's removals. ``tf2=True`` (a TF 2 program): only the NumPy 2 warnings."""

    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider, ScopeProvider,
                             ExpressionContextProvider)

    def __init__(self, source_lines, *, tf2=False):
        super().__init__()
        self.source_lines = source_lines
        self.tf2 = tf2
        self.changes = []
        self.unconverted = []
        self.notes = []
        self._statements = []
        self._marks = {}  # original statement -> [reasons]
        self._chain_values = set()

    # --- helpers ------------------------------------------------------------------
    def _pos(self, node):
        start = self.get_metadata(PositionProvider, node).start
        return start.line, start.column + 1

    def _flag(self, node, construct, reason, todo):
        line, col = self._pos(node)
        self.unconverted.append(Unconverted(line, col, construct, reason, todo))
        if self._statements:
            self._marks.setdefault(self._statements[-1], []).append(reason)

    def _already_marked(self, statement, text):
        line = self.get_metadata(PositionProvider, statement).start.line - 2
        while line >= 0 and self.source_lines[line].lstrip().startswith("#"):
            if self.source_lines[line].strip() == text:
                return True
            line -= 1
        return False

    def visit_Module(self, node):
        self._numpy_index(node)
        return True

    # --- statements: where markers go --------------------------------------------
    def on_visit(self, node):
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self._statements.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node, updated_node):
        updated = super().on_leave(original_node, updated_node)
        if isinstance(original_node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            self._statements.pop()
            reasons = self._marks.pop(original_node, None)
            if reasons and isinstance(updated, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                lines = list(updated.leading_lines)
                for reason in dict.fromkeys(reasons):
                    text = f"{spec.MARKER} {' '.join(reason.split())}"
                    if not self._already_marked(original_node, text):
                        lines.append(cst.EmptyLine(indent=True, comment=cst.Comment(text)))
                updated = updated.with_changes(leading_lines=lines)
        return updated

    # --- imports ------------------------------------------------------------------
    def leave_Import(self, original_node, updated_node):
        if self.tf2:
            return updated_node
        names = []
        for alias, original_alias in zip(updated_node.names, original_node.names):
            dotted = _dotted(alias.name)
            new_alias = alias
            if dotted == "tensorflow" or dotted.startswith("tensorflow."):
                target = spec.mirror_module(dotted)
                rest = dotted.partition(".")[2]
                if alias.asname is not None and target is not None:
                    new_alias = alias.with_changes(name=cst.parse_expression(target))
                elif alias.asname is None and (
                    dotted in spec.NAMESPACE_MODULES or rest in spec.V1_ATTRIBUTE_PATHS
                ):
                    new_alias = alias.with_changes(
                        name=cst.parse_expression("legacy_compat.v1"),
                        asname=cst.AsName(name=cst.Name("tensorflow")),
                    )
                elif alias.asname is None and target is not None:
                    self._flag(
                        original_alias, f"import {dotted}",
                        f"import {dotted} binds 'tensorflow'; its mirror is {target}",
                        f"write 'from {target.rpartition('.')[0]} import "
                        f"{target.rpartition('.')[2]}' and shorten the uses of {dotted}",
                    )
                else:
                    self._flag(
                        original_alias, f"import {dotted}",
                        f"{dotted} has no legacy_compat counterpart",
                        self._module_hint(dotted),
                    )
            if new_alias is not alias:
                line, col = self._pos(original_alias)
                self.changes.append(Change(
                    line, col, f"import {_code(alias).rstrip(', ')}",
                    f"import {_code(new_alias).rstrip(', ')}",
                    "legacy_compat mirrors this TF1 module path (legacy_compat/__init__.py)",
                ))
            names.append(new_alias)
        return updated_node.with_changes(names=names)

    def _module_hint(self, dotted):
        parts = dotted.split(".")
        if len(parts) > 2 and parts[1] == "contrib":
            return spec.CONTRIB_HINTS.get(parts[2], spec.CONTRIB_DEFAULT_HINT)
        return "use 'import legacy_compat.v1 as tf' and reach the API through tf., or port by hand"

    def leave_ImportFrom(self, original_node, updated_node):
        if updated_node.relative or updated_node.module is None:
            return updated_node
        dotted = _dotted(updated_node.module)
        if dotted == "numpy":
            return self._numpy_import(original_node, updated_node)
        if self.tf2 or not (dotted == "tensorflow" or dotted.startswith("tensorflow.")):
            return updated_node
        construct = _code(original_node.with_changes(semicolon=cst.MaybeSentinel.DEFAULT))
        if isinstance(updated_node.names, cst.ImportStar):
            self._flag(original_node, construct, f"star import from {dotted}",
                       "import the names you use explicitly")
            return updated_node
        target = spec.mirror_module(dotted)
        if target is None:
            self._flag(original_node, construct, f"{dotted} has no legacy_compat counterpart",
                       self._module_hint(dotted))
            return updated_node
        missing = [a.name.value for a in updated_node.names
                   if not spec.provides(target, _dotted(a.name))]
        if missing:
            if dotted == "tensorflow.contrib":
                todo = "; ".join(spec.CONTRIB_HINTS.get(m, spec.CONTRIB_DEFAULT_HINT)
                                 for m in missing)
            else:
                todo = "port these names by hand or reach them through tf."
            self._flag(original_node, construct,
                       f"{target} does not provide {', '.join(missing)} (from {dotted})", todo)
            return updated_node
        new = updated_node.with_changes(module=cst.parse_expression(target))
        line, col = self._pos(original_node)
        self.changes.append(Change(
            line, col, construct,
            _code(new.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)),
            "legacy_compat mirrors this TF1 module path (legacy_compat/__init__.py)",
        ))
        return new

    # --- uses -----------------------------------------------------------------------
    def visit_Import(self, node):
        return False

    def visit_ImportFrom(self, node):
        return False

    def _tf_names(self, node):
        return sorted(normalize(q) for q in _qualified(self, node))

    def visit_Attribute(self, node):
        self._chain_values.add(node.value)
        if node in self._chain_values or self.tf2:
            return True
        for name in self._tf_names(node):
            problem = check_tf_name(name)
            if problem:
                self._flag(node, _code(node), *problem)
                break
        return True

    def visit_Call(self, node):
        for name in [] if self.tf2 else self._tf_names(node.func):
            # a function spelling (tf.nn.rnn) or a function of a module spelling (tf.nn.seq2seq)
            spelling = (spec.SPELLINGS_BY_PATH.get(name)
                        or spec.SPELLINGS_BY_PATH.get(name.rpartition(".")[0]))
            if spelling is not None and _old_form(spelling, node):
                line, col = self._pos(node)
                self.notes.append(Note(
                    "info", line, col,
                    f"{spelling.old_path} in its TF {spelling.versions} form is left as "
                    f"written: legacy_compat.v1 serves it as {spelling.new} "
                    f"({spelling.kind}; legacy_compat/spellings.py)",
                ))
                break
        return True


def _old_form(spelling, call):
    """Whether a call is statically the old form (per ``spelling.detect``); unsure -> False."""
    from legacy_compat import spellings as sp

    positional = [a for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value for a in call.args if a.keyword is not None}
    if any(old in keywords for old, _ in spelling.renames):
        return True
    if spelling.detect == sp.ALWAYS:
        return True
    if spelling.detect == sp.POSITIONAL:
        return bool(positional)
    if spelling.detect == sp.LEADING_AXIS:
        if not positional:
            return False
        first = positional[0].value
        if isinstance(first, cst.UnaryOperation):
            first = first.expression
        return isinstance(first, cst.Integer) and len(positional) >= 2
    if spelling.detect == sp.BOOL_MASK:
        bound = dict(zip(spelling.old_args, (a.value for a in positional)))
        mask = bound.get(spelling.detect_args[0])
        return isinstance(mask, (cst.List, cst.Tuple)) and bool(mask.elements) and all(
            isinstance(e.value, cst.Name) and e.value.value in ("True", "False")
            for e in mask.elements
        )
    return False
