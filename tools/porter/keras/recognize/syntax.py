"""LibCST helpers the passes share: dotted names, call arguments, searching a subtree."""
from typing import Optional, Sequence, Set

import libcst as cst


def dotted_name(node) -> Optional[str]:
    """``a.b.c`` of a Name / Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def last_part(name: Optional[str]) -> Optional[str]:
    """``c`` of ``a.b.c`` (None for None)."""
    return name.rsplit(".", 1)[-1] if name else None


def argument(call: cst.Call, position: Optional[int], keyword: Optional[str]):
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


def is_method_call(node, method: str) -> bool:
    """``<anything>.method(...)``."""
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
        and node.func.attr.value == method


def range_arguments(node) -> Optional[Sequence[cst.Arg]]:
    """The arguments of a ``range(...)`` call, else None."""
    if isinstance(node, cst.Call) and dotted_name(node.func) == "range":
        return node.args
    return None


def contains_call(outer: cst.CSTNode, inner: cst.Call) -> bool:
    """True when the Call node ``inner`` is inside ``outer``."""
    found = []

    class _Find(cst.CSTVisitor):
        def visit_Call(self, node):
            if node is inner:
                found.append(node)

    outer.visit(_Find())
    return bool(found)


def names_in(node: cst.CSTNode) -> Set[str]:
    """Every Name in ``node`` (attribute names included)."""
    names = set()

    class _Names(cst.CSTVisitor):
        def visit_Name(self, name):
            names.add(name.value)

    node.visit(_Names())
    return names
