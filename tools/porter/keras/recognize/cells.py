"""Cells: TF1 cell constructors, ``MultiRNNCell`` and ``DropoutWrapper`` -> CellSpecs.

Which options a cell takes comes from :data:`modern.spec.CELL_KINDS`.
"""
import libcst as cst

from modern.spec import CELL_KINDS, CELL_TYPES, CellSpec
from tools.porter.keras.ops import ACTIVATIONS

from .constants import evaluate
from .feeds import is_placeholder, keep_prob_fed
from .syntax import argument, dotted_name, last_part, range_arguments

__all__ = ["cells_of", "cell_spec"]

_MAX_DEPTH = 10
# constructor arguments with no effect on the port (state_is_tuple must be True)
_IGNORED_CELL_OPTIONS = {"state_is_tuple", "reuse", "name", "dtype"}
_DROPOUT_KEEPS = ((1, "input_keep_prob"), (2, "output_keep_prob"))
# DropoutWrapper options Keras has no equivalent of: keyword -> position
_DROPOUT_UNPORTED = (("state_keep_prob", 3), ("variational_recurrent", None))


def cells_of(context, node, line, depth=0):
    """A cell expression -> [(CellSpec, dropout or None)], or None (listed)."""
    if depth > _MAX_DEPTH:
        context.miss(line, "cell expression nests too deeply")
        return None
    node = context.resolve_name(node, line)
    if not isinstance(node, cst.Call):
        code = context.code(node) if isinstance(node, cst.CSTNode) else "?"
        context.miss(line, f"cannot tell which cell `{code}` is")
        return None
    name = context.canonical(node.func)
    last = last_part(name)
    cell_line = context.line_of(node) or line
    if last in CELL_TYPES and name and name.startswith("tensorflow."):
        cell = cell_spec(context, node, last, cell_line)
        return None if cell is None else [(cell, None)]
    if last == "MultiRNNCell":
        return _multi_rnn_cell(context, node, cell_line, depth)
    if last == "DropoutWrapper":
        return _dropout_wrapper(context, node, cell_line, depth)
    context.miss(cell_line, f"cell `{context.code(node.func)}` is not a recognised TF1 cell")
    return None


def _multi_rnn_cell(context, node, line, depth):
    """``MultiRNNCell([...])``: a list literal or ``[cell(...) for _ in range(n)]``."""
    cells = context.resolve_name(argument(node, 0, "cells"), line)
    if isinstance(cells, cst.List):
        out = []
        for element in cells.elements:
            got = cells_of(context, element.value, line, depth + 1)
            if got is None:
                return None
            out.extend(got)
        return out
    bounds = range_arguments(cells.for_in.iter) if isinstance(cells, cst.ListComp) else None
    if bounds is not None and isinstance(cells.elt, cst.Call):
        bounds = [context.constant(a.value, "MultiRNNCell depth", line) for a in bounds]
        got = cells_of(context, cells.elt, line, depth + 1)
        if got is None or None in bounds:
            return None
        return got * len(range(*bounds))
    if isinstance(cells, cst.BinaryOperation) and isinstance(cells.operator, cst.Multiply):
        context.miss(line, "MultiRNNCell([cell] * n) reuses one cell object for every "
                           "layer (registry limitation 'MultiRNNCell shared object'); "
                           "build one cell per layer")
        return None
    context.miss(line, "MultiRNNCell: the list of cells is not a literal list or "
                       "list comprehension")
    return None


def _dropout_wrapper(context, node, line, depth):
    """``DropoutWrapper(cell, input_keep_prob, output_keep_prob)`` with constant keep
    probabilities or keep_prob placeholders."""
    inner = cells_of(context, argument(node, 0, "cell"), line, depth + 1)
    keeps = []
    for position, keyword in _DROPOUT_KEEPS:
        keep = argument(node, position, keyword)
        if keep is not None and is_placeholder(context, keep, line):
            keeps.append(keep_prob_fed(context, keep, keyword, line))
        else:
            keeps.append(1.0 if keep is None else context.constant(
                keep, f"DropoutWrapper {keyword}", line))
    for keyword, position in _DROPOUT_UNPORTED:
        if argument(node, position, keyword) is not None:
            context.miss(line, f"DropoutWrapper {keyword}: Keras has no equivalent "
                               "(registry limitation of DropoutWrapper)")
            return None
    if inner is None or None in keeps:
        return None
    if len(inner) != 1 or inner[0][1] is not None:
        context.miss(line, "DropoutWrapper around a MultiRNNCell or another wrapper")
        return None
    return [(inner[0][0], tuple(float(k) for k in keeps))]


def cell_spec(context, call, cell_type, line):
    """A TF1 cell constructor call -> its CellSpec, or None (listed)."""
    kind = CELL_KINDS[cell_type]
    units_node = argument(call, 0, "num_units")
    units = context.constant(units_node, f"{cell_type} num_units", line) if units_node else None
    if units_node is None:
        context.miss(line, f"{cell_type}: no num_units")
    options = {}
    misses_before = len(context.result.unrecognized)
    for a in call.args[1:]:
        if a.keyword is None:
            # forget_bias, the first option of BasicLSTMCell and LayerNormBasicLSTMCell,
            # is the one TF1 programs passed by position
            if a is call.args[1] and kind.options[0] == "forget_bias":
                options["forget_bias"] = context.constant(a.value, "forget_bias", line)
                continue
            context.miss(line, f"{cell_type}: positional option `{context.code(a.value)}`")
            return None
        if not _keyword_option(context, kind, a, line, options):
            return None
    if units is None or len(context.result.unrecognized) > misses_before:
        return None
    try:
        return CellSpec(cell_type, int(units), **options)
    except (TypeError, ValueError) as e:
        context.miss(line, f"{cell_type}: {e}")
        return None


def _keyword_option(context, kind, arg, line, options):
    """One keyword argument of a cell constructor into ``options``; False when it is
    not ported (listed)."""
    keyword, cell_type = arg.keyword.value, kind.name
    if keyword == "num_units":
        return True
    if keyword in _IGNORED_CELL_OPTIONS:
        if keyword == "state_is_tuple" and evaluate(arg.value, {}) is not True:
            context.miss(line, f"{cell_type}: state_is_tuple=False (concatenated state)")
            return False
        return True
    if keyword not in kind.options:
        context.miss(line, f"{cell_type}: option `{keyword}` is not supported by the port")
        return False
    if keyword == "activation":
        name = last_part(context.canonical(arg.value)) if dotted_name(arg.value) else None
        if name not in ACTIVATIONS:
            context.miss(line, f"{cell_type}: activation `{context.code(arg.value)}`")
            return False
        options["activation"] = ACTIVATIONS[name]
        return True
    options[keyword] = context.constant(arg.value, f"{cell_type} {keyword}", line)
    return True
