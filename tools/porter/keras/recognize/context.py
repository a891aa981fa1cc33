"""The context every recognition pass shares: the parsed program, its indexes, the result.

One ordered traversal (:class:`_Indexer`) builds the indexes; the passes then read them
through :class:`Context` and write what they recognise into ``context.result``.
"""
import re
from typing import Dict, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from .constants import NOT_CONSTANT, SHAPES, evaluate, record_module_constant
from .classes import flatten_graph_classes
from .imports import canonical_name, is_rnn_module, record_import, record_import_from
from .result import Miss, RecognizedPipeline
from .syntax import argument, last_part

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
        # a class whose __init__ builds the graph: its attributes become names (.classes)
        self.module, self.graph_classes, unflattened = flatten_graph_classes(
            cst.parse_module(source))
        self.open_names = {flat for graph in self.graph_classes for flat in graph.names.values()}
        self.function_lines: Dict[int, Tuple[int, int]] = {}  # id(FunctionDef) -> lines
        self.class_lines: Dict[str, int] = {}  # class name -> its first line
        self.aliases: Dict[str, str] = {}
        self.calls: List[Tuple[cst.Call, int, Optional[str]]] = []
        self.assignments: Dict[str, list] = {}
        self.constants: Dict[str, object] = {}
        self.loops: List[Tuple[cst.CSTNode, int]] = []
        # single-definition functions: name -> (FunctionDef, first line, last line, params)
        self.functions: Dict[str, tuple] = {}
        # id(Call) -> its 1-based column; line -> the column of its first TF call
        self.call_cols: Dict[int, int] = {}
        self.line_cols: Dict[int, int] = {}
        self.additions: List[Tuple[cst.BinaryOperation, int]] = []
        MetadataWrapper(self.module, unsafe_skip_copy=True).visit(_Indexer(self))
        clashes = self._graph_constructors()
        self.constants[SHAPES] = self._placeholder_shapes()
        self.result = RecognizedPipeline()
        for name, count in unflattened:
            self.miss(self.class_lines.get(name, 1), f"class {name} builds the graph in __init__ and is instantiated "
                            f"{count} times: one instance (one graph) per port (a training "
                            "and an evaluation model sharing variables are not ported)")
        for graph, param in clashes:
            self.miss(self.function_lines[id(graph.init)][0],
                      f"{graph.name}(...): the parameter `{param}` is given another value "
                      f"than the module's constant `{param}`")
        self.consumed = set()
        # id(runner call) -> ids of the nodes that are that one runner (itself, and its
        # copy in another branch of a try/except)
        self.runner_ids: Dict[int, set] = {}
        self.readout_node = None  # the readout expression (the model's logits)
        # an encoder-decoder: the encoder's RunnerCall (recognize.runners; the decoder is the
        # model's runner)
        self.encoder = None
        self.encoder_placeholder = None  # an encoder-decoder's encoder input (recognize.model)
        self.input_placeholder = None  # the model input's tf.placeholder call (.shapes)
        self.embedding_variables = []  # the code of each embedding_lookup's params (.inputs)

    def _graph_constructors(self):
        """Each graph class' ``__init__`` as the function of its one call (its name: the
        class'), its parameters given constants as constants -> [(class, parameter)] of
        those that would shadow a module constant of another value."""
        clashes = []
        for graph in self.graph_classes:
            first, last = self.function_lines[id(graph.init)]
            for name, entry in list(self.functions.items()):
                if entry[0] is graph.init or (name == "__init__" and entry[0] is None):
                    del self.functions[name]
            self.functions[graph.name] = (graph.init, first, last, graph.params)
            values, clashing = graph.constants(self.constants)
            self.constants.update(values)
            clashes += [(graph, param) for param in clashing]
        return clashes

    def _placeholder_shapes(self):
        """{name: static shape} of the names assigned one ``tf.placeholder(dtype, shape)``."""
        shapes = {}
        for name, assignments in self.assignments.items():
            if len(assignments) != 1 or assignments[0][2] is not None:
                continue
            value = assignments[0][0]
            if isinstance(value, cst.Call) and last_part(self.canonical(value.func)) \
                    == "placeholder":
                shape = argument(value, 1, "shape")
                try:
                    dims = evaluate(shape, self.constants) if shape is not None else None
                except NOT_CONSTANT:
                    continue
                if isinstance(dims, list):
                    shapes[name] = dims
        return shapes

    # reporting ---------------------------------------------------------------------------
    def miss(self, line, reason, col=None):
        """List ``reason`` at ``line`` (0 when unknown) as not recognised; its column is
        ``col``, else that of the line's first TF call, else of its first character."""
        line = line or 0
        reason = self.shown(reason)
        if col is None:
            col = self.line_cols.get(line) or self._first_column(line)
        self.result.unrecognized.append(Miss(line, reason, col))

    def _first_column(self, line):
        lines = self.module.code.split("\n")
        if not 1 <= line <= len(lines):
            return 1
        text = lines[line - 1]
        return len(text) - len(text.lstrip()) + 1

    def column_of(self, node):
        """The 1-based column of a recorded Call node (None for others)."""
        return self.call_cols.get(id(node))

    def code(self, node) -> str:
        """The source code of ``node``."""
        return self.module.code_for_node(node)

    def shown(self, text) -> str:
        """``text`` as the program wrote it: a graph class' flat names (``model_loss``)
        back as its instance's attributes (``model.loss``)."""
        for graph in self.graph_classes:
            for attr, flat in graph.names.items():
                text = re.sub(rf"\b{re.escape(flat)}\b", f"{graph.instance}.{attr}", text)
        return text

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

    def binding(self, name, line):
        """What the name ``name`` holds at ``line``: ``(value node, index in a tuple target,
        line of the binding)``, or ``(None, None, None)``. A parameter of the function
        around ``line`` that is not reassigned in it before ``line`` is the argument of the
        function's one call (``def RNN(x, weights, biases)`` ... ``RNN(X, weights,
        biases)``)."""
        for key, (function, first, last, params) in self.functions.items():
            if first <= line <= last and name in params:
                inside = [(v, i, at) for v, at, i in self.assignments.get(name, [])
                          if first < at <= line]
                if inside:
                    return inside[-1]
                return self._argument_of(key, function, params.index(name), name)
        # outside a function, its local names are not seen (a graph class' attributes are)
        local = [(first, last) for _, first, last, _ in self.functions.values()
                 if not first <= line <= last]
        found = [(v, i, at) for v, at, i in self.assignments.get(name, [])
                 if at <= line and (name in self.open_names or not any(
                     first < at <= last for first, last in local))]
        return found[-1] if found else (None, None, None)

    def holds(self, node, line, target, depth=12) -> bool:
        """True when ``node`` (at ``line``) is ``target``, through names, ``tf.reshape``
        (the same values in another shape: a many-to-many model's flat logits reshaped
        back to [batch, steps, classes]) and the one ``return`` of a single-definition
        function it calls (``logits = RNN(x, ...)``)."""
        reshapes = []
        for _ in range(depth):
            if node is target:
                self.consumed.update(reshapes)  # part of the pipeline: not leftovers
                return True
            if isinstance(node, cst.Call) and (self.canonical(node.func) or "").startswith(
                    "tensorflow.") and last_part(self.canonical(node.func)) == "reshape":
                reshapes.append(id(node))
                node = argument(node, 0, "tensor")
            elif isinstance(node, cst.Name):
                value, index, at = self.binding(node.value, line)
                if value is None or index is not None:
                    return False
                node, line = value, at - 1
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Name) \
                    and node.func.value in self.functions:
                function, _, last, _ = self.functions[node.func.value]
                returns = []

                class _Returns(cst.CSTVisitor):
                    def visit_Return(self, r):
                        returns.append(r.value)

                if function is None:
                    return False
                function.visit(_Returns())
                if len(returns) != 1 or returns[0] is None:
                    return False
                node, line = returns[0], last
            else:
                return False
        return False

    def _argument_of(self, key, function, position, name):
        """The argument the one call of ``function`` (``key(...)``: its name, or its
        class' for a graph class' ``__init__``) passes for its parameter ``name``, else
        the parameter's default."""
        sites = [(c, line) for c, line, _ in self.calls
                 if isinstance(c.func, cst.Name) and c.func.value == key]
        if len(sites) != 1:
            return None, None, None
        call, line = sites[0]
        value = argument(call, position, name)
        if value is None:
            params = [p for p in function.params.params if p.name.value != "self"]
            value = params[position].default if position < len(params) else None
        return (value, None, line) if value is not None else (None, None, None)

    def consume(self, node):
        """Mark every call in ``node`` recognised (not listed as a leftover)."""
        calls = self.consumed

        class _Calls(cst.CSTVisitor):
            def visit_Call(self, call):
                calls.add(id(call))

        if isinstance(node, cst.CSTNode):
            node.visit(_Calls())

    def is_runner(self, node, runner_call) -> bool:
        """True when ``node`` is ``runner_call`` or its copy in a try/except branch."""
        return id(node) in self.runner_ids.get(id(runner_call), {id(runner_call)})

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
        name = self.context.canonical(node.func)
        start = self.get_metadata(PositionProvider, node).start
        self.context.calls.append((node, start.line, name))
        self.context.call_cols[id(node)] = start.column + 1
        if name and name.startswith("tensorflow."):
            self.context.line_cols.setdefault(start.line, start.column + 1)

    def visit_ClassDef(self, node):
        self.context.class_lines.setdefault(node.name.value, self._line(node))

    def visit_FunctionDef(self, node):
        where = self.get_metadata(PositionProvider, node)
        self.context.function_lines[id(node)] = (where.start.line, where.end.line)
        name = node.name.value
        params = [p.name.value for p in node.params.params]
        functions = self.context.functions
        if name in functions or name in self.context.assignments:
            functions[name] = (None, 0, -1, [])  # defined twice: not followed
        else:
            functions[name] = (node, where.start.line, where.end.line, params)

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
