"""The context every recognition pass shares: the parsed program, its indexes, the result.

One ordered traversal (:class:`_Indexer`) builds the indexes; the passes then read them
through :class:`Context` and write what they recognise into ``context.result``.
"""
from typing import Dict, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from .constants import NOT_CONSTANT, evaluate, record_module_constant
from .imports import canonical_name, is_rnn_module, record_import, record_import_from
from .result import RecognizedPipeline
from .syntax import last_part

__all__ = ["Context"]


class Context:
    """One program under recognition.

    * ``module``: the parsed program (LibCST), ``filename`` its name;
    * ``aliases``: local name -> the dotted module or object it was imported as;
    * ``calls``: ``[(Call, line, canonical dotted name or None)]`` in source order;
    * ``assignments``: name -> ``[(value node, line, index in a tuple target or None)]``;
    * ``constants``: module-level name -> constant value (numbers, strings, lists);
    * ``loops``: ``[(For or While, line)]``; ``additions``: ``[(<call> + x, line)]``;
    * ``result``: the :class:`RecognizedPipeline` the passes fill in (``miss`` lists
      what they do not recognise); ``consumed``: ids of TF calls recognised as part of
      the pipeline beyond their names.
    """

    def __init__(self, source: str, filename: str = "<string>"):
        self.filename = filename
        self.module = cst.parse_module(source)
        self.aliases: Dict[str, str] = {}
        self.calls: List[Tuple[cst.Call, int, Optional[str]]] = []
        self.assignments: Dict[str, list] = {}
        self.constants: Dict[str, object] = {}
        self.loops: List[Tuple[cst.CSTNode, int]] = []
        self.additions: List[Tuple[cst.BinaryOperation, int]] = []
        MetadataWrapper(self.module, unsafe_skip_copy=True).visit(_Indexer(self))
        self.result = RecognizedPipeline()
        self.consumed = set()

    # reporting ---------------------------------------------------------------------------
    def miss(self, line, reason):
        """List ``reason`` at ``line`` (0 when unknown) as not recognised."""
        self.result.unrecognized.append((line or 0, reason))

    def code(self, node) -> str:
        """The source code of ``node``."""
        return self.module.code_for_node(node)

    # names and values --------------------------------------------------------------------
    def canonical(self, func) -> Optional[str]:
        """The canonical dotted name of ``func`` through the program's imports."""
        return canonical_name(self.aliases, func)

    def constant(self, node, what, line):
        """The constant value of ``node``; None, listed as ``what``, when it is not one."""
        try:
            return evaluate(node, self.constants)
        except NOT_CONSTANT:
            code = self.code(node) if node is not None else "?"
            self.miss(line, f"{what}: cannot resolve `{code}` to a constant")
            return None

    def resolve_name(self, node, before_line=None):
        """A Name -> the value node of its latest assignment (at or before a line)."""
        if not isinstance(node, cst.Name) or node.value not in self.assignments:
            return node
        candidates = [(v, line, i) for v, line, i in self.assignments[node.value]
                      if before_line is None or line <= before_line]
        if not candidates:
            return node
        value, _, index = candidates[-1]
        if index is not None and isinstance(value, (cst.Tuple, cst.List)):
            return value.elements[index].value
        return value

    # calls -------------------------------------------------------------------------------
    def calls_named(self, *lasts, rnn_only=False):
        """``[(Call, line, name)]`` of the TensorFlow calls whose last name part is one of
        ``lasts`` (``rnn_only``: from a module of TF1's cells and runners)."""
        return [(c, line, n) for c, line, n in self.calls
                if n and n.startswith("tensorflow.") and last_part(n) in lasts
                and (not rnn_only or is_rnn_module(n))]

    def line_of(self, node):
        """The line of a Call node (None for other nodes)."""
        for call, line, _ in self.calls:
            if call is node:
                return line
        return None


class _Indexer(cst.CSTVisitor):
    """Builds the context's indexes in one traversal, in source order (a call's canonical
    name uses the imports above it)."""

    METADATA_DEPENDENCIES = (PositionProvider, ParentNodeProvider)

    def __init__(self, context: Context):
        super().__init__()
        self.context = context

    def _line(self, node):
        return self.get_metadata(PositionProvider, node).start.line

    def visit_Import(self, node):
        record_import(self.context.aliases, node)

    def visit_ImportFrom(self, node):
        record_import_from(self.context.aliases, node)

    def visit_Call(self, node):
        self.context.calls.append((node, self._line(node), self.context.canonical(node.func)))

    def visit_Assign(self, node):
        line = self._line(node)
        for target in node.targets:
            t = target.target
            names = [t] if isinstance(t, cst.Name) else (
                [e.value for e in t.elements] if isinstance(t, (cst.Tuple, cst.List)) else [])
            for i, n in enumerate(names):
                if isinstance(n, cst.Name):
                    self.context.assignments.setdefault(n.value, []).append(
                        (node.value, line, i if len(names) > 1 else None))
        parent = self.get_metadata(ParentNodeProvider, node)
        if isinstance(self.get_metadata(ParentNodeProvider, parent), cst.Module):
            record_module_constant(self.context.constants, node)

    def visit_For(self, node):
        self.context.loops.append((node, self._line(node)))

    def visit_While(self, node):
        self.context.loops.append((node, self._line(node)))

    def visit_BinaryOperation(self, node):
        if isinstance(node.operator, cst.Add) and isinstance(node.left, cst.Call):
            self.context.additions.append((node, self._line(node)))
