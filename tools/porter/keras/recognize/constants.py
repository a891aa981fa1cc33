"""Constants: the module-level constants environment and constant expressions over it."""
import operator

import libcst as cst

__all__ = ["Unresolved", "NOT_CONSTANT", "SHAPES", "evaluate", "record_module_constant"]

# the key of the environment's {placeholder name: static shape} (not a Python name)
SHAPES = "<static shapes>"


class Unresolved(Exception):
    """An expression that is not constant over the environment."""


# what evaluating a non-constant (or a failing constant) expression raises
NOT_CONSTANT = (Unresolved, ZeroDivisionError, TypeError)

_BINOPS = {cst.Add: operator.add, cst.Subtract: operator.sub, cst.Multiply: operator.mul,
           cst.Divide: operator.truediv, cst.FloorDivide: operator.floordiv,
           cst.Modulo: operator.mod, cst.Power: operator.pow}
_CMPOPS = {cst.LessThan: operator.lt, cst.LessThanEqual: operator.le,
           cst.GreaterThan: operator.gt, cst.GreaterThanEqual: operator.ge,
           cst.Equal: operator.eq, cst.NotEqual: operator.ne}
_NAMED = {"True": True, "False": False, "None": None}
_CONVERSIONS = {"int": int, "float": float}


def evaluate(node, env):
    """Value of a constant expression over ``env`` (names -> numbers); else Unresolved."""
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return node.evaluated_value
    if isinstance(node, cst.Name):
        if node.value in _NAMED:
            return _NAMED[node.value]
        if node.value in env:
            return env[node.value]
        raise Unresolved(node.value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return -evaluate(node.expression, env)
    if isinstance(node, cst.BinaryOperation) and type(node.operator) in _BINOPS:
        return _BINOPS[type(node.operator)](evaluate(node.left, env), evaluate(node.right, env))
    if isinstance(node, cst.Comparison) and len(node.comparisons) == 1 \
            and type(node.comparisons[0].operator) in _CMPOPS:
        target = node.comparisons[0]
        return _CMPOPS[type(target.operator)](evaluate(node.left, env),
                                              evaluate(target.comparator, env))
    if isinstance(node, (cst.List, cst.Tuple)):
        return [evaluate(e.value, env) for e in node.elements]
    if isinstance(node, cst.Subscript) or (isinstance(node, cst.Attribute)
                                           and node.attr.value == "value"):
        return _static_dimension(node, env)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) \
            and node.func.value in _CONVERSIONS and len(node.args) == 1:
        return _CONVERSIONS[node.func.value](evaluate(node.args[0].value, env))
    raise Unresolved(type(node).__name__)


def _static_dimension(node, env):
    """``x.get_shape()[i]`` / ``x.shape[i]`` (``.value``) of a placeholder ``x`` whose
    static shape is in ``env[SHAPES]``."""
    if isinstance(node, cst.Attribute):  # TF1's Dimension.value
        node = node.value
    if not isinstance(node, cst.Subscript) or len(node.slice) != 1 \
            or not isinstance(node.slice[0].slice, cst.Index):
        raise Unresolved("subscript")
    base = node.value
    if isinstance(base, cst.Call) and not base.args:
        base = base.func
    if not (isinstance(base, cst.Attribute) and base.attr.value in ("get_shape", "shape")
            and isinstance(base.value, cst.Name)):
        raise Unresolved("subscript")
    shape = env.get(SHAPES, {}).get(base.value.value)
    if shape is None:
        raise Unresolved(base.value.value)
    value = shape[evaluate(node.slice[0].slice.value, env)]
    if value is None:
        raise Unresolved("unknown dimension")
    return value


def record_module_constant(env, assign: cst.Assign):
    """A module-level ``name = <constant expression>`` (or ``a, b = 1, 2``) -> ``env[name]``
    (in source order); a later assignment that is not constant forgets the name."""
    if len(assign.targets) != 1:
        return
    target, value = assign.targets[0].target, assign.value
    if isinstance(target, cst.Name):
        pairs = [(target, value)]
    elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)) \
            and len(target.elements) == len(value.elements):
        pairs = [(t.value, v.value) for t, v in zip(target.elements, value.elements)]
    else:
        for element in getattr(target, "elements", ()):
            if isinstance(element.value, cst.Name):
                env.pop(element.value.value, None)
        return
    for name, node in pairs:
        if not isinstance(name, cst.Name):
            continue
        try:
            env[name.value] = evaluate(node, env)
        except NOT_CONSTANT:
            env.pop(name.value, None)
