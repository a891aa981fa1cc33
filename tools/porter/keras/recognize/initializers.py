"""TF1 variables and their initial values -> Keras initializers (one table).

A readout variable is ``tf.Variable(<initial tensor>)`` or ``tf.get_variable(name, shape,
initializer=<initializer>)``. Each TF1 spelling of an initial value maps to the Keras 3
initializer that draws from the same distribution (not the same draws: TF1's graph seed
and Keras' seeds differ):

* tensors: ``random_normal``, ``truncated_normal`` (both truncate at 2 stddev),
  ``random_uniform``, ``zeros``, ``ones``, ``constant(scalar)``;
* initializers: their ``*_initializer`` spellings, ``glorot_uniform_initializer`` and
  contrib's ``xavier_initializer()`` (uniform by default), ``glorot_normal_initializer``;
  ``tf.get_variable`` without one uses the variable scope's default, glorot uniform (so
  do ``tf.layers.dense`` and ``fully_connected`` for their kernels; biases start at 0).
"""
from typing import NamedTuple, Optional, Tuple

import libcst as cst

from .syntax import argument, last_part

__all__ = ["Initial", "variable_initial", "initializer_of", "GLOROT_UNIFORM", "ZEROS"]


class Initial(NamedTuple):
    """A Keras initializer as code, and TF1's ``{"mean", "stddev"}`` for a normal one."""

    code: str
    normal: Optional[dict] = None


GLOROT_UNIFORM = Initial("keras.initializers.GlorotUniform()")
ZEROS = Initial("keras.initializers.Zeros()")

# TF1 spelling -> (Keras class, ((TF1 argument, position, default, Keras argument), ...));
# the position counts after the shape for tensors, from 0 for initializers
_TENSORS = {
    "random_normal": ("RandomNormal", (("mean", 1, 0.0, "mean"), ("stddev", 2, 1.0, "stddev"))),
    "truncated_normal": ("TruncatedNormal", (("mean", 1, 0.0, "mean"),
                                             ("stddev", 2, 1.0, "stddev"))),
    "random_uniform": ("RandomUniform", (("minval", 1, 0.0, "minval"),
                                         ("maxval", 2, 1.0, "maxval"))),
    "zeros": ("Zeros", ()),
    "ones": ("Ones", ()),
}
_INITIALIZERS = {
    "random_normal_initializer": _TENSORS["random_normal"][:1] + (
        (("mean", 0, 0.0, "mean"), ("stddev", 1, 1.0, "stddev")),),
    "truncated_normal_initializer": _TENSORS["truncated_normal"][:1] + (
        (("mean", 0, 0.0, "mean"), ("stddev", 1, 1.0, "stddev")),),
    "random_uniform_initializer": ("RandomUniform", (("minval", 0, 0.0, "minval"),
                                                     ("maxval", 1, 1.0, "maxval"))),
    "zeros_initializer": ("Zeros", ()),
    "ones_initializer": ("Ones", ()),
    "constant_initializer": ("Constant", (("value", 0, 0.0, "value"),)),
    "glorot_uniform_initializer": ("GlorotUniform", ()),
    "glorot_normal_initializer": ("GlorotNormal", ()),
}
# options of TF1's calls that change nothing the port writes
_IGNORED = ("dtype", "name")


def _keras(context, call, table_entry, line, skip):
    """The Keras initializer of a TF1 call and its arguments (positions after ``skip``)."""
    cls, arguments = table_entry
    values = {}
    for tf1, position, default, keras_name in arguments:
        node = argument(call, position, tf1)
        value = default if node is None else context.constant(node, f"initial {tf1}", line)
        if value is None or isinstance(value, (list, str)):
            if value is not None:
                context.miss(line, f"initial {tf1} `{context.code(node)}`: only a number "
                                   "is ported")
            return None
        values[keras_name] = float(value)
    known = {a[0] for a in arguments} | set(_IGNORED) | set(skip)
    for a in call.args:
        if a.keyword is not None and a.keyword.value not in known:
            context.miss(line, f"initializer option `{a.keyword.value}` is not ported")
            return None
    settings = ", ".join(f"{k}={v!r}" for k, v in values.items())
    normal = values if cls == "RandomNormal" else None
    return Initial(f"keras.initializers.{cls}({settings})", normal)


def initializer_of(context, node, line) -> Optional[Initial]:
    """A TF1 initializer expression (``tf.truncated_normal_initializer(stddev=0.1)``,
    ``xavier_initializer()``) -> its :class:`Initial`, or None (listed)."""
    node = context.resolve_name(node, line)
    context.consume(node)
    if isinstance(node, cst.Call):
        name = last_part(context.canonical(node.func))
        if name == "xavier_initializer":
            uniform = argument(node, 0, "uniform")
            uniform = True if uniform is None else context.constant(uniform, "uniform", line)
            return GLOROT_UNIFORM if uniform else Initial("keras.initializers.GlorotNormal()")
        if name in _INITIALIZERS:
            return _keras(context, node, _INITIALIZERS[name], line, ())
    code = context.code(node) if isinstance(node, cst.CSTNode) else "?"
    context.miss(line, f"initializer `{code}` is not one the port maps to Keras")
    return None


def variable_initial(context, node, line) -> Tuple[Optional[list], Optional[Initial]]:
    """A variable (a name, or ``weights['out']`` of a dict literal) -> (its shape, its
    :class:`Initial`), or (None, None) (listed)."""
    value = _variable_value(context, node, line)
    context.consume(value)
    line = context.line_of(value) or line  # what is wrong is listed where it is
    name = last_part(context.canonical(value.func)) if isinstance(value, cst.Call) else None
    if name == "Variable":
        init = context.resolve_name(argument(value, 0, "initial_value"), line)
        kind = last_part(context.canonical(init.func)) if isinstance(init, cst.Call) else None
        if kind in _TENSORS:
            if argument(init, None, "seed") is not None:
                context.miss(line, "readout initialiser option `seed` is not ported")
                return None, None
            shape = context.constant(argument(init, 0, "shape"), "variable shape", line)
            initial = _keras(context, init, _TENSORS[kind], line, ("shape", "seed"))
            return (shape, initial) if shape is not None and initial else (None, None)
        if kind == "constant":
            return _constant_tensor(context, init, line)
    elif name == "get_variable":
        unported = [context.code(a.value) if a.keyword is None else a.keyword.value
                    for a in value.args[2:] if a.keyword is None
                    or a.keyword.value not in ("shape", "dtype", "initializer", "trainable")]
        if unported:
            context.miss(line, f"tf.get_variable option(s) {unported} not ported (only "
                               "name, shape, dtype, initializer)")
            return None, None
        shape = context.constant(argument(value, 1, "shape"), "variable shape", line)
        given = argument(value, 3, "initializer")
        initial = GLOROT_UNIFORM if given is None else initializer_of(context, given, line)
        return (shape, initial) if shape is not None and initial else (None, None)
    context.miss(line, f"readout variable `{context.code(node)}` is not a "
                       "tf.Variable(<random_normal / truncated_normal / zeros / constant ...>) "
                       "or tf.get_variable(name, shape, initializer=...)")
    return None, None


def _constant_tensor(context, init, line):
    """``tf.constant(0.1, shape=[n])`` -> ([n], Constant(0.1))."""
    value = context.constant(argument(init, 0, "value"), "constant value", line)
    shape = context.constant(argument(init, 2, "shape"), "constant shape", line)
    if not isinstance(value, (int, float)) or shape is None:
        context.miss(line, "tf.constant readout variable: only a number with shape=[...] "
                           "is ported")
        return None, None
    return shape, Initial(f"keras.initializers.Constant(value={float(value)!r})")


def _variable_value(context, node, line):
    """The value assigned to ``node``: a name, or ``weights['key']`` of a dict literal."""
    if not (isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name)):
        return context.resolve_name(node, line)
    container = context.resolve_name(node.value, line)
    index = node.slice[0].slice
    key = context.constant(index.value, "dict key", line) if isinstance(index, cst.Index) \
        else None
    if isinstance(container, cst.Dict):
        for element in container.elements:
            if isinstance(element, cst.DictElement) and isinstance(
                    element.key, cst.SimpleString) and element.key.evaluated_value == key:
                return element.value
    return None
