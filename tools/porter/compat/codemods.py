"""The LibCST codemods of ``--to compat``: import rewrites and the unconverted-construct check.

One pass of :class:`CompatCodemod` over a module (with QualifiedNameProvider metadata,
so every import alias is resolved) does three things, each driven by :mod:`.spec`:

* rewrites ``tensorflow`` imports to their ``legacy_compat`` mirrors (``changes``);
* finds uses of TF names legacy_compat does not provide, leaves them in place and puts a
  ``# rnn-migrate: <reason>`` line above their statement (``unconverted``);
* notes the TF 0.x spellings of ``legacy_compat.spellings`` that ``legacy_compat.v1``
  serves at run time; they are left as written, as ``examples/ported/`` does (``notes``).
"""
import dataclasses

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import PositionProvider, QualifiedNameProvider

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
        if len(parts) > 3 and not spec.provides("legacy_compat.contrib.rnn", parts[3]):
            return (
                f"tf.contrib.rnn.{parts[3]} is not provided by legacy_compat.contrib.rnn",
                "use a cell of legacy_compat.contrib.rnn or port this part to Keras 3",
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


class CompatCodemod(cst.CSTTransformer):
    """Rewrite imports, mark and report unconverted constructs, note 0.x spellings."""

    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    def __init__(self, source_lines):
        super().__init__()
        self.source_lines = source_lines
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
        if not (dotted == "tensorflow" or dotted.startswith("tensorflow.")):
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
        try:
            names = self.get_metadata(QualifiedNameProvider, node, set())
        except KeyError:
            return []
        return sorted(normalize(q.name) for q in names)

    def visit_Attribute(self, node):
        self._chain_values.add(node.value)
        if node in self._chain_values:
            return True
        for name in self._tf_names(node):
            problem = check_tf_name(name)
            if problem:
                self._flag(node, _code(node), *problem)
                break
        return True

    def visit_Call(self, node):
        for name in self._tf_names(node.func):
            spelling = spec.SPELLINGS_BY_PATH.get(name)
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
