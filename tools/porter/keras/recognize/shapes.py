"""The input idiom: the placeholder's shape and the list-making call of static runners."""
from .constants import Unresolved, evaluate
from .syntax import argument, last_part

__all__ = ["find_input_shape"]


def find_input_shape(context, runner_line):
    """``tf.placeholder(dtype, [None, steps, input_size])`` (and ``tf.unstack`` /
    ``tf.split``'s number of steps) -> result.steps, result.input_size."""
    steps, input_size = _placeholder_shape(context)
    # the list-making idiom (static runners) gives the number of steps, too
    for call, line, name in context.calls_named("unstack", "unpack", "split"):
        last = last_part(name)
        if last in ("unstack", "unpack"):
            steps = _unstack_steps(context, call, line, last, steps)
        else:
            steps = _split_steps(context, call, steps)
    if steps is None or (input_size is None and context.result.token_input is None):
        context.miss(runner_line, "input shape: no tf.placeholder(dtype, [None, steps, "
                                  "input_size]) with constant sizes")
    context.result.steps, context.result.input_size = steps, input_size


def _placeholder_shape(context):
    """(steps, input_size) of the first ``[None, steps, input_size]`` placeholder (or
    ``[None, steps]`` of token ids). The batch dimension may be a constant (a program
    written for one batch size, as the PTB tutorial): the Keras model takes any batch."""
    def batch(dim):
        return dim is None or (isinstance(dim, int) and not isinstance(dim, bool) and dim > 0)

    for call, line, _ in context.calls_named("placeholder"):
        shape = argument(call, 1, "shape")
        if shape is None:
            continue
        try:
            dims = evaluate(shape, context.constants)
        except Unresolved:
            continue
        if isinstance(dims, list) and len(dims) == 3 and batch(dims[0]):
            shape = int(dims[1]), int(dims[2])
            context.result.lines["input"] = line
            return shape
        dtype = context.code(argument(call, 0, "dtype") or call.args[0].value)
        if isinstance(dims, list) and len(dims) == 2 and batch(dims[0]) and "int" in dtype:
            # token ids: the input size is the embedding's (tools...recognize.inputs)
            context.result.lines["input"] = line
            context.result.token_input = {}
            return int(dims[1]), None
    return None, None


def _unstack_steps(context, call, line, last, steps):
    """``tf.unstack(x, T, 1)`` (``tf.unpack``): T steps, which must agree."""
    num = argument(call, 1, "num")
    axis = argument(call, 2, "axis")
    try:
        t = evaluate(num, context.constants)
        ax = evaluate(axis, context.constants) if axis else 0
    except Unresolved:
        return steps
    if ax == 1:
        steps = steps or t
        if t != steps:
            context.miss(line, f"tf.{last} gives {t} steps, the placeholder {steps}")
    return steps


def _split_steps(context, call, steps):
    """``tf.split(0, T, x)`` (0.x order) / ``tf.split(x, T, 0)``: T steps when unknown."""
    try:
        first_value = evaluate(argument(call, 0, None), context.constants)
    except Unresolved:
        first_value = None
    num_node = argument(call, 1, "num_or_size_splits") or argument(call, 1, "num_split")
    try:
        t = evaluate(num_node, context.constants)
    except Unresolved:
        return steps
    if first_value == 0 or argument(call, None, "split_dim") is not None:
        return steps or t  # 0.x: tf.split(0, T, x)
    axis = argument(call, 2, "axis")
    try:
        if axis is not None and evaluate(axis, context.constants) == 0:
            return steps or t
    except Unresolved:
        pass
    return steps
