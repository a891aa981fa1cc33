"""The readout: ``tf.matmul(outputs[-1], W) + b`` on the runner's last output."""
import libcst as cst

from modern.spec import RUNNERS

from .constants import Unresolved, evaluate
from .syntax import argument, last_part

__all__ = ["find_readout", "readout_variable"]


def find_readout(context, runner_call, runner_line):
    """``tf.matmul(outputs[-1], W) + b`` -> (num_classes, W's rows) or None (listed);
    result.readout_init, the initialiser of W and b."""
    # the runner's outputs: `outputs, state = runner(...)`
    outputs = {name for name, assignments in context.assignments.items()
               for value, _, index in assignments
               if value is runner_call and index in (0, None)}
    for node, line in context.additions:
        operands = _matmul_of_outputs(context, node, line, outputs, runner_call)
        if operands is not None:
            return _readout(context, node, line, *operands)
    context.miss(runner_line, "no readout `tf.matmul(outputs[-1], W) + b` on the RNN's outputs")
    return None


def _outputs_are_a_pair(runner):
    """bidirectional_dynamic_rnn's outputs are an ``(out_fw, out_bw)`` pair."""
    return runner.bidirectional and not runner.static


def _matmul_of_outputs(context, node, line, outputs, runner_call):
    """``tf.matmul(x, W) + ...`` with ``x`` a subscript of the runner's outputs ->
    ``(x, W, directly)`` (``directly``: not through ``tf.concat``), else None."""
    call = node.left
    if last_part(context.canonical(call.func)) != "matmul":
        return None
    x, w = argument(call, 0, "a"), argument(call, 1, "b")
    if isinstance(x, cst.Name):  # last = outputs[:, -1, :]; tf.matmul(last, W)
        x = context.resolve_name(x, line)
    if not isinstance(x, cst.Subscript) or not isinstance(x.value, cst.Name):
        return None
    directly = x.value.value in outputs and context.resolve_name(x.value, line) is runner_call
    if not directly and not _concat_of_outputs(context, x.value, line, runner_call):
        return None
    return x, w, directly


def _concat_of_outputs(context, name, line, runner_call):
    """``outputs = tf.concat(outputs, 2)`` of bidirectional_dynamic_rnn's (fw, bw)."""
    if not _outputs_are_a_pair(RUNNERS[context.result.runner]):
        return False
    value = context.resolve_name(name, line)
    if not (isinstance(value, cst.Call) and last_part(context.canonical(value.func)) == "concat"):
        return False
    concat_line = context.line_of(value)
    inner, axis = argument(value, 0, "values"), argument(value, 1, "axis")
    try:
        axis = evaluate(axis, context.constants)
    except Unresolved:
        return False
    if axis not in (2, -1) or not isinstance(inner, cst.Name) \
            or context.resolve_name(inner, concat_line - 1) is not runner_call:
        return False
    context.consumed.add(id(value))
    return True


def _last_step(x):
    """How ``x`` indexes the outputs ("list": ``outputs[i]``, "tensor": ``outputs[:, i]``,
    or None) and the step index (None when not constant)."""
    index = [s.slice for s in x.slice]
    kind = None
    if len(index) == 1 and isinstance(index[0], cst.Index):
        kind = "list"
    elif len(index) >= 2 and isinstance(index[0], cst.Slice) and isinstance(index[1], cst.Index):
        kind = "tensor"
    try:
        position = evaluate(index[0 if kind == "list" else 1].value, {}) if kind else None
    except Unresolved:
        position = None
    return kind, position


def _readout(context, node, line, x, w, directly):
    """The readout ``node`` (``tf.matmul(x, w) + b``) -> (num_classes, W's rows) or None."""
    result = context.result
    runner = RUNNERS[result.runner]
    if directly and _outputs_are_a_pair(runner):
        context.miss(line, "readout on bidirectional_dynamic_rnn's (out_fw, out_bw) tuple: "
                           "only `outputs = tf.concat(outputs, 2)` then its last step is "
                           "ported")
        return None
    kind, position = _last_step(x)
    if position != -1:
        context.miss(line, "readout: only the last output (outputs[-1]) is ported")
        return None
    if (kind == "list") != runner.static:
        context.miss(line, f"readout `{context.code(x)}` with {result.runner}: not the last "
                           "time step")
        return None
    result.lines["readout"] = line
    shape_w, init_w = readout_variable(context, w, line)
    shape_b, init_b = readout_variable(context, node.right, line)
    if shape_w is None or shape_b is None:
        return None
    if init_w != init_b:
        context.miss(line, "readout: W and b have different initialisers")
        return None
    if len(shape_w) != 2 or list(shape_b) != [shape_w[1]]:
        context.miss(line, f"readout: shapes {shape_w} and {shape_b} do not form "
                           "outputs @ W + b")
        return None
    result.readout_init = init_w
    return int(shape_w[1]), int(shape_w[0])


def _variable_value(context, node, line):
    """The value assigned to ``node``: a name, or ``weights['key']`` of a dict literal."""
    if not (isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name)):
        return context.resolve_name(node, line)
    container = context.resolve_name(node.value, line)
    key = evaluate(node.slice[0].slice.value, {}) if isinstance(
        node.slice[0].slice, cst.Index) else None
    value = None
    if isinstance(container, cst.Dict):
        for element in container.elements:
            try:
                if evaluate(element.key, {}) == key:
                    value = element.value
            except Unresolved:
                pass
    return value


def readout_variable(context, node, line):
    """``tf.Variable(tf.random_normal(shape, mean, stddev))`` -> (shape, {"mean", "stddev"}),
    or (None, None) (listed)."""
    value = _variable_value(context, node, line)
    if isinstance(value, cst.Call) and last_part(context.canonical(value.func)) == "Variable":
        init = argument(value, 0, "initial_value")
        if isinstance(init, cst.Call) \
                and last_part(context.canonical(init.func)) == "random_normal":
            return _random_normal(context, init, line)
    context.miss(line, f"readout variable `{context.code(node)}` is not "
                       "tf.Variable(tf.random_normal([...]))")
    return None, None


def _random_normal(context, init, line):
    shape = context.constant(argument(init, 0, "shape"), "readout shape", line)
    mean = context.constant(argument(init, 1, "mean") or cst.Float("0.0"), "mean", line)
    stddev = context.constant(argument(init, 2, "stddev") or cst.Float("1.0"), "stddev", line)
    for keyword in ("seed", "dtype"):
        if argument(init, None, keyword) is not None:
            context.miss(line, f"readout initialiser option `{keyword}` is not ported")
            return None, None
    if shape is None or mean is None or stddev is None:
        return None, None
    return shape, {"mean": float(mean), "stddev": float(stddev)}
