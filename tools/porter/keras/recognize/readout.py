"""The readout: a dense layer on the RNN's last output -> the model's logits.

The readout's input is followed back through names to what the runner returned
(:func:`last_output`):

* the outputs' last step: ``outputs[-1]`` (static runners), ``outputs[:, -1]`` /
  ``outputs[:, -1, :]`` (dynamic runners), ``tf.transpose(outputs, [1, 0, 2])[-1]`` and
  ``tf.gather(t, int(t.get_shape()[0]) - 1)`` of that transpose; for
  ``bidirectional_dynamic_rnn`` through ``tf.concat(outputs, 2)``;
* every step's output (a many-to-many model): ``tf.reshape(outputs, [-1, H])`` of a
  dynamic runner, or its ``[batch, steps, H]`` outputs themselves (``tf.layers.dense``,
  contrib's ``linear`` / ``fully_connected`` act on the last axis), ``tf.reshape(tf.concat(outputs, 1), [-1, H])`` (or of
  ``tf.stack(outputs, axis=1)``) of a static one -- batch-major rows, one per step; the
  logits may then be reshaped back to [batch, steps, classes];
* the final state's ``h`` (which is the last output without sequence_length): ``state``
  (a GRU or basic RNN), ``state[1]`` / ``state.h`` / ``state[-1]`` (an LSTMStateTuple),
  and, for a ``MultiRNNCell``, the same on its last layer (``state[-1].h``); what each
  part of a state is comes from :data:`modern.spec.CELL_KINDS` (``state_parts``).

The layer itself (:data:`tools.porter.keras.ops.LAYERS`, the ops table's dense layers): ``tf.matmul(x, W) + b``, ``tf.add(tf.matmul(x, W),
b)``, ``tf.nn.bias_add(...)``, ``tf.nn.xw_plus_b(x, W, b)`` over variables
(:mod:`.initializers`), ``tf.layers.dense(x, n)``, ``tf.contrib.layers.fully_connected(x,
n, activation_fn=None)`` and ``linear(x, n)``.
"""
from typing import NamedTuple, Optional

import libcst as cst

from modern.spec import CELL_KINDS, RUNNERS

from tools.porter.keras.ops import ACTIVATIONS, LAYERS, Layer, tensor_of

from .constants import Unresolved, evaluate
from .initializers import GLOROT_UNIFORM, ZEROS, Initial, initializer_of, variable_initial
from .syntax import argument, dotted_name, last_part

__all__ = ["find_readout", "last_output"]

_MAX_DEPTH = 12
# layer options with no effect on the model's values
_IGNORED_OPTIONS = {"name", "scope", "reuse", "trainable", "use_bias", "inputs", "x",
                    "units", "num_outputs", "weights", "biases"}


class _Readout(NamedTuple):
    node: cst.CSTNode
    line: int
    x: cst.CSTNode
    layer: Layer
    call: Optional[cst.Call]  # the layer call (None for `matmul(x, W) + b`)
    kernel: Optional[cst.CSTNode]
    bias: Optional[cst.CSTNode]


def _candidates(context):
    """Every dense-layer expression of the program, in source order."""
    found = []
    matmul_layer = Layer((0, "a"))
    for node, line in context.additions:  # tf.matmul(x, W) + b
        if last_part(context.canonical(node.left.func)) == "matmul":
            found.append(_Readout(node, line, argument(node.left, 0, "a"), matmul_layer,
                                  None, argument(node.left, 1, "b"), node.right))
    for call, line, name in context.calls:
        last = last_part(name)
        if not name or not name.startswith("tensorflow."):
            continue
        first = argument(call, 0, None)
        if last in ("add", "bias_add") and isinstance(first, cst.Call) \
                and last_part(context.canonical(first.func)) == "matmul":
            found.append(_Readout(call, line, argument(first, 0, "a"), matmul_layer, None,
                                  argument(first, 1, "b"), argument(call, 1, None)))
        elif last in LAYERS and (last == "xw_plus_b" or ".layers." in name):
            layer = LAYERS[last]
            found.append(_Readout(call, line, argument(call, *layer.input), layer, call,
                                  argument(call, *layer.kernel) if layer.kernel else None,
                                  argument(call, *layer.bias) if layer.bias else None))
    return sorted(found, key=lambda r: r.line)


def find_readout(context, runner_call, runner_line):
    """The readout on the runner's last output -> (num_classes, W's rows) or None
    (listed); result.readout_init / readout_initializers / readout_activation."""
    for candidate in _candidates(context):
        how = last_output(context, candidate.x, candidate.line, runner_call)
        if how is None:
            continue
        if how is False:  # on the RNN, but not its last output (listed)
            return None
        if how == "every":
            context.result.readout_from = "every output"
        return _readout(context, candidate)
    context.miss(runner_line, "no readout on the RNN's last output (`tf.matmul(outputs[-1], "
                              "W) + b`, tf.layers.dense, fully_connected) found")
    return None


# --------------------------------------------------------------------------------------
# following the readout's input back to the runner
# --------------------------------------------------------------------------------------
def _constant(node, context):
    try:
        return evaluate(node, context.constants)
    except (Unresolved, TypeError, ZeroDivisionError):
        return None


def _accessor(context, node):
    """``x[i]`` -> ("index", i); ``x[:, i]`` / ``x[:, i, :]`` -> ("step", i); ``x.h`` ->
    ("attr", "h"); else None."""
    if isinstance(node, cst.Attribute):
        return "attr", node.attr.value
    index = [s.slice for s in node.slice]
    if len(index) == 1 and isinstance(index[0], cst.Index):
        return "index", _constant(index[0].value, context)
    if len(index) in (2, 3) and isinstance(index[0], cst.Slice) \
            and isinstance(index[1], cst.Index) and all(
                isinstance(s, cst.Slice) and s.lower is s.upper is s.step is None
                for s in index[:1] + index[2:]):
        return "step", _constant(index[1].value, context)
    return None


def last_output(context, x, line, runner_call):
    """How the readout input ``x`` reads the runner: True for its last output,
    ``"every"`` for every step's output (a many-to-many model), False (listed) for another
    part of it, None when it does not read the runner at all."""
    path, node, transposed = [], x, False
    for _ in range(_MAX_DEPTH):
        if isinstance(node, cst.Subscript) or (
                isinstance(node, cst.Attribute) and node.attr.value in ("h", "c")):
            access = _accessor(context, node)
            if access is None:
                return None
            path.insert(0, access)
            node = node.value
        elif isinstance(node, cst.Name):
            value, index, at = context.binding(node.value, line)
            if value is None:
                return None
            if context.is_runner(value, runner_call):
                return _read(context, x, line, index, path, transposed)
            if isinstance(value, (cst.Tuple, cst.List)) and index is not None:
                value = value.elements[index].value
            node, line = value, at - 1  # its names were bound before its assignment
        elif isinstance(node, cst.Call):
            name = last_part(context.canonical(node.func))
            if name == "transpose" and _constant(argument(node, 1, "perm"), context) \
                    == [1, 0, 2]:  # time major
                node, transposed = argument(node, *tensor_of(name)), not transposed
            elif name == "gather" and _is_last_index(argument(node, 1, "indices"),
                                                     argument(node, 0, "params")):
                context.consumed.add(id(node))
                node = argument(node, *tensor_of(name))
                path.insert(0, ("index", -1))
            elif name == "concat" and _is_concat_of_pair(context, node):
                context.consumed.add(id(node))
                node = argument(node, *tensor_of(name))
                path.insert(0, ("concat", None))
            elif name in ("concat", "stack") and _steps_axis(context, node, name):
                context.consumed.add(id(node))  # a static runner's steps, batch-major
                node = argument(node, *tensor_of(name))
                path.insert(0, ("steps", None))
            elif name == "reshape" and _is_flattening(context, node):
                context.consumed.add(id(node))  # every step's output, one per row
                node = argument(node, *tensor_of(name))
                path.insert(0, ("flatten", None))
            else:
                return None
        else:
            return None
    return None


def _is_last_index(index, params):
    """``int(t.get_shape()[0]) - 1`` (or ``t.shape[0] - 1``) with ``t`` the gathered name."""
    if not (isinstance(index, cst.BinaryOperation) and isinstance(index.operator, cst.Subtract)
            and isinstance(index.right, cst.Integer) and index.right.value == "1"
            and isinstance(params, cst.Name)):
        return False
    size = index.left
    if isinstance(size, cst.Call) and dotted_name(size.func) == "int" and size.args:
        size = size.args[0].value
    if not isinstance(size, cst.Subscript):
        return False
    base = size.value
    if isinstance(base, cst.Call):
        base = base.func
    return dotted_name(base) in (f"{params.value}.get_shape", f"{params.value}.shape")


def _is_flattening(context, call):
    """``tf.reshape(x, [-1, H])``: rows of the last axis (every step's output)."""
    shape = _constant(argument(call, 1, "shape"), context)
    return isinstance(shape, list) and len(shape) == 2 and shape[0] == -1


def _steps_axis(context, call, name):
    """``tf.concat(outputs, 1)`` / ``tf.stack(outputs, axis=1)`` of a static runner's
    list of steps: batch-major ([batch, steps * H] / [batch, steps, H])."""
    runner = RUNNERS[context.result.runner]
    axis = _constant(argument(call, 1, "axis"), context)
    return runner.static and axis == 1 and isinstance(argument(call, 0, "values"), cst.Name)


def _is_concat_of_pair(context, call):
    """``tf.concat(outputs, 2)``: bidirectional_dynamic_rnn's (fw, bw) on the last axis."""
    if last_part(context.canonical(call.func)) != "concat":
        return False
    runner = RUNNERS[context.result.runner]
    axis = _constant(argument(call, 1, "axis"), context)
    return runner.bidirectional and not runner.static and axis in (2, -1) \
        and isinstance(argument(call, 0, "values"), cst.Name)


def _read(context, x, line, index, path, transposed):
    """What ``path`` reads of the runner's returned value ``index``."""
    result = context.result
    runner = RUNNERS[result.runner]
    code = context.code(x)
    if index in (0, None):
        return _read_outputs(context, code, line, runner, path, transposed)
    if runner.bidirectional:
        context.miss(line, f"readout `{code}` on a bidirectional RNN's final states: "
                           "only the last output (outputs[-1]) is ported")
        return False
    return _read_state(context, code, line, path)


def _read_outputs(context, code, line, runner, path, transposed):
    pair = runner.bidirectional and not runner.static
    if pair and (not path or path[0] != ("concat", None)):
        context.miss(line, "readout on bidirectional_dynamic_rnn's (out_fw, out_bw) tuple: "
                           "only `outputs = tf.concat(outputs, 2)` then its last step is "
                           "ported")
        return False
    path = [p for p in path if p != ("concat", None)]
    if ("flatten", None) in path:  # every step's output through the readout
        every = [("steps", None), ("flatten", None)] if runner.static else [("flatten", None)]
        if path != every or transposed:
            context.miss(line, f"readout `{code}`: every step's output is ported as "
                               "`tf.reshape(outputs, [-1, H])` (dynamic runners) or "
                               "`tf.reshape(tf.concat(outputs, 1), [-1, H])` (static), "
                               "batch-major")
            return False
        return "every"
    if not path and not runner.static and not transposed:
        return "every"  # a dense layer on the [batch, steps, H] outputs: every step's
    listed = runner.static != transposed  # a list (or time-major tensor) of steps
    want = ("index" if listed else "step")
    steps = context.result.steps
    if len(path) != 1 or path[0][0] != want or path[0][1] not in (-1, (steps or 0) - 1):
        context.miss(line, f"readout `{code}` with {runner.name}: only the last output "
                           f"({'outputs[-1]' if listed else 'outputs[:, -1]'}) is ported")
        return False
    return True


def _read_state(context, code, line, path):
    """The final state's h of the last layer -> True; else False (listed)."""
    cells = context.result.runner_cells
    rest = list(path)
    if len(cells) > 1:  # a MultiRNNCell's state: one per layer
        if not rest or rest[0][0] != "index" or rest[0][1] not in (-1, len(cells) - 1):
            context.miss(line, f"readout `{code}`: only the last layer's final state "
                               "(state[-1]) is ported")
            return False
        rest = rest[1:]
    parts = CELL_KINDS[cells[-1].cell_type].state_parts
    if not rest:
        selected = parts[0] if len(parts) == 1 else None
    elif len(rest) == 1 and rest[0][0] == "attr" and len(parts) > 1:
        selected = rest[0][1]
    elif len(rest) == 1 and rest[0][0] == "index" and len(parts) > 1 \
            and isinstance(rest[0][1], int) and -len(parts) <= rest[0][1] < len(parts):
        selected = parts[rest[0][1]]
    else:
        selected = None
    if selected != "h":
        context.miss(line, f"readout `{code}` reads the final state's "
                           f"{selected or 'structure'}: only its h (the last output) is "
                           "ported")
        return False
    masked = context.result.sequence_length_feed is not None or bool(
        context.result.lines.get("sequence_length"))
    if masked and RUNNERS[context.result.runner].bidirectional:
        context.miss(line, f"readout `{code}`: a bidirectional final state under "
                           "sequence_length is not ported")
        return False
    if any(d is not None and d[1] < 1.0 for d in context.result.dropouts[-1:]):
        context.miss(line, f"readout `{code}`: DropoutWrapper's output dropout does not "
                           "reach the final state; not ported")
        return False
    # without sequence_length the final state's h is outputs[-1]; with it, the output of
    # each sequence's last valid step (TF1 copies the state through the padding)
    context.result.readout_from = "last valid output" if masked else "final state h"
    return True


# --------------------------------------------------------------------------------------
# the layer: units, initializers, activation
# --------------------------------------------------------------------------------------
def _readout(context, candidate):
    """The readout -> (num_classes, rows of its kernel) or None (listed)."""
    result, line = context.result, candidate.line
    result.lines["readout"] = line
    context.readout_node = candidate.node
    context.consume(candidate.node)
    if candidate.call is not None and candidate.layer.units is not None:
        return _layer_call(context, candidate)
    shape_w, init_w = variable_initial(context, candidate.kernel, line)
    shape_b, init_b = variable_initial(context, candidate.bias, line)
    if shape_w is None or shape_b is None:
        return None
    if len(shape_w) != 2 or list(shape_b) != [shape_w[1]]:
        context.miss(line, f"readout: shapes {shape_w} and {shape_b} do not form "
                           "outputs @ W + b")
        return None
    _set_initializers(result, init_w, init_b)
    return int(shape_w[1]), int(shape_w[0])


def _set_initializers(result, kernel: Initial, bias: Initial):
    result.readout_initializers = (kernel.code, bias.code)
    same_normal = kernel.normal is not None and kernel.normal == bias.normal
    result.readout_init = dict(kernel.normal) if same_normal else None


def _layer_call(context, candidate):
    """``tf.layers.dense(x, n, ...)`` / ``fully_connected(x, n, ...)`` -> (n, rows)."""
    call, layer, line = candidate.call, candidate.layer, candidate.line
    units = context.constant(argument(call, *layer.units), "readout units", line)
    known = {layer.kernel_initializer, layer.bias_initializer, layer.activation}
    for a in call.args[2:]:
        if a.keyword is None or (a.keyword.value not in known
                                 and a.keyword.value not in _IGNORED_OPTIONS):
            context.miss(line, f"readout option `{context.code(a)}` is not ported")
            return None
    kernel = argument(call, None, layer.kernel_initializer)
    bias = argument(call, None, layer.bias_initializer)
    kernel = GLOROT_UNIFORM if kernel is None else initializer_of(context, kernel, line)
    bias = ZEROS if bias is None else initializer_of(context, bias, line)
    activation = _activation(context, call, layer, line)
    if units is None or kernel is None or bias is None or activation is False:
        return None
    _set_initializers(context.result, kernel, bias)
    context.result.readout_activation = activation
    expected = context.result.runner_cells[-1].output_size * (
        2 if RUNNERS[context.result.runner].bidirectional else 1)
    return int(units), expected


def _activation(context, call, layer, line):
    """The layer's activation name (None: linear), or False (listed)."""
    if layer.activation is None:
        return None
    node = argument(call, None, layer.activation)
    if node is None:
        return layer.default_activation
    if isinstance(node, cst.Name) and node.value == "None":
        return None
    name = last_part(context.canonical(node)) if dotted_name(node) else None
    if name not in ACTIVATIONS:
        context.miss(line, f"readout activation `{context.code(node)}` is not ported")
        return False
    return ACTIVATIONS[name]
