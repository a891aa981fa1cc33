"""Graph classes: a class whose ``__init__`` builds the TF1 graph, instantiated once.

Many programs wrap their graph in ``class Model: def __init__(self, num_steps, ...)``,
keep its tensors as attributes (``self.inputs = tf.placeholder(...)``, ``self.train_op =
...minimize(self.loss)``) and use them through the one instance (``model = Model(...)``;
``sess.run(model.train_op, feed_dict={model.inputs: x})``).

:func:`flatten_graph_classes` rewrites each such attribute, line for line, into one name
(``self.inputs`` inside the class and ``model.inputs`` outside -> ``model_inputs``), so
the recognition passes follow it as any name and report the program's own lines. The
constructor is then a function with one call (:meth:`.context.Context.binding`: its
parameters are that call's arguments, or their defaults), and a parameter given a
constant is a constant of the program (:meth:`GraphClass.constants`).
"""
import dataclasses
from typing import Dict, List, Optional, Tuple

import libcst as cst

from .constants import NOT_CONSTANT, evaluate
from .syntax import argument

__all__ = ["GraphClass", "flatten_graph_classes"]


@dataclasses.dataclass
class GraphClass:
    """One flattened class: its name, the instance's name, the constructor and the
    attribute -> name map."""

    name: str
    instance: str
    init: cst.FunctionDef
    call: cst.Call  # the one instantiation, ``instance = name(...)``
    names: Dict[str, str]  # attribute -> the flat name

    @property
    def params(self) -> List[str]:
        """The constructor's parameters after ``self``."""
        return [p.name.value for p in self.init.params.params[1:]]

    def value_of(self, param) -> Optional[cst.BaseExpression]:
        """The argument the instantiation gives ``param``, else its default (None: none)."""
        index = self.params.index(param)
        given = argument(self.call, index, param)
        if given is not None:
            return given
        return self.init.params.params[index + 1].default

    def constants(self, env) -> Tuple[Dict[str, object], List[str]]:
        """``({parameter: constant value}, [parameters that shadow a module constant of
        another value])`` of the parameters given constant values (over ``env``)."""
        values, clashes = {}, []
        for param in self.params:
            node = self.value_of(param)
            try:
                value = evaluate(node, env) if node is not None else None
            except NOT_CONSTANT:
                continue
            if node is None:
                continue
            if param in env and env[param] != value:
                clashes.append(param)
            else:
                values[param] = value
        return values, clashes


def _tf_roots(module):
    """The local names bound to TensorFlow (or legacy_compat) modules by the imports."""
    roots = set()
    for stmt in module.body:
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ()):
            if isinstance(small, cst.Import):
                for alias in small.names:
                    dotted = _dotted(alias.name)
                    if dotted.split(".")[0] in ("tensorflow", "legacy_compat"):
                        roots.add(alias.asname.name.value if alias.asname
                                  else dotted.split(".")[0])
            elif isinstance(small, cst.ImportFrom) and small.module is not None:
                if _dotted(small.module).split(".")[0] in ("tensorflow", "legacy_compat") \
                        and not isinstance(small.names, cst.ImportStar):
                    for alias in small.names:
                        roots.add(alias.asname.name.value if alias.asname
                                  else _dotted(alias.name))
    return roots


def _dotted(node):
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


class _Uses(cst.CSTVisitor):
    """Names used, calls of TF roots, ``self.<attr> = ...`` targets."""

    def __init__(self, roots=()):
        self.roots, self.names, self.tf_calls, self.assigned = set(roots), set(), 0, []

    def visit_Name(self, node):
        self.names.add(node.value)

    def visit_Call(self, node):
        if _dotted(node.func).split(".")[0] in self.roots:
            self.tf_calls += 1

    def visit_AssignTarget(self, node):
        target = node.target
        for t in ([e.value for e in target.elements]
                  if isinstance(target, (cst.Tuple, cst.List)) else [target]):
            if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) \
                    and t.value.value == "self" and t.attr.value not in self.assigned:
                self.assigned.append(t.attr.value)


def _graph_classes(module):
    """The classes to flatten: a ``__init__`` calling TensorFlow and assigning
    ``self.<attr>``, and one module-level ``instance = Class(...)``."""
    roots = _tf_roots(module)
    uses = _Uses()
    module.visit(uses)
    taken = set(uses.names)
    found, skipped = [], []
    for stmt in module.body:
        if not isinstance(stmt, cst.ClassDef):
            continue
        init = next((s for s in stmt.body.body if isinstance(s, cst.FunctionDef)
                     and s.name.value == "__init__" and s.params.params), None)
        if init is None:
            continue
        inside = _Uses(roots)
        init.visit(inside)
        if not inside.tf_calls or not inside.assigned:
            continue
        calls = _instantiations(module, stmt.name.value)
        if len(calls) != 1:
            skipped.append((stmt, len(calls)))
            continue
        instance, call = calls[0]
        names = {}
        for attr in inside.assigned:
            flat = f"{instance}_{attr}"
            while flat in taken:
                flat += "_"
            taken.add(flat)
            names[attr] = flat
        found.append(GraphClass(stmt.name.value, instance, init, call, names))
    return found, skipped


class _Flatten(cst.CSTTransformer):
    def __init__(self, classes):
        self.classes = {c.name: c for c in classes}
        self.instances = {c.instance: c for c in classes}
        self.inside: List[GraphClass] = []

    def visit_ClassDef(self, node):
        self.inside.append(self.classes.get(node.name.value))

    def leave_ClassDef(self, original, updated):
        self.inside.pop()
        return updated

    def leave_Attribute(self, original, updated):
        if not isinstance(updated.value, cst.Name):
            return updated
        base, attr = updated.value.value, updated.attr.value
        current = self.inside[-1] if self.inside else None
        if current is not None and base == "self":
            graph = current
        elif not self.inside and base in self.instances:
            graph = self.instances[base]
        else:
            return updated
        if attr not in graph.names:
            return updated
        return cst.Name(graph.names[attr])


def flatten_graph_classes(module: cst.Module):
    """``(module with each graph class' attributes made names (same lines), the classes
    (:class:`GraphClass`, nodes of the new module), [(class name, instantiations)] of the
    graph classes not instantiated exactly once (not flattened))``."""
    classes, skipped = _graph_classes(module)
    skipped = [(stmt.name.value, count) for stmt, count in skipped]
    if not classes:
        return module, [], skipped
    flat = module.visit(_Flatten(classes))
    # the same classes, their nodes found again in the rewritten module
    again = {c.name: c for c in _graph_classes_by_name(flat, classes)}
    return flat, [again[c.name] for c in classes if c.name in again], skipped


def _graph_classes_by_name(module, classes):
    """``classes`` (of another version of ``module``) with their nodes in ``module``."""
    by_name = {c.name: c for c in classes}
    out = []
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value in by_name:
            old = by_name[stmt.name.value]
            init = next(s for s in stmt.body.body if isinstance(s, cst.FunctionDef)
                        and s.name.value == "__init__")
            call = next(call for instance, call in _instantiations(module, old.name)
                        if instance == old.instance)
            out.append(GraphClass(old.name, old.instance, init, call, old.names))
    return out


def _instantiations(module, class_name):
    """``[(instance, Call)]`` of the module-level ``instance = class_name(...)``."""
    return [(small.targets[0].target.value, small.value)
            for line in module.body if isinstance(line, cst.SimpleStatementLine)
            for small in line.body if isinstance(small, cst.Assign)
            and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)
            and isinstance(small.value, cst.Call) and isinstance(small.value.func, cst.Name)
            and small.value.func.value == class_name]
