"""The input idiom: the placeholder's shape and the list-making call of static runners."""
import libcst as cst

from .constants import NOT_CONSTANT, Unresolved, evaluate
from .syntax import argument, last_part

__all__ = ["find_input_shape", "placeholders_reaching"]

_MAX_DEPTH = 40


def placeholders_reaching(context, node, line):
    """The ``tf.placeholder`` calls whose values reach ``node`` (at ``line``), followed
    through names, calls' arguments and operators: ``[(Call, line)]`` in source order."""
    found, seen = {}, set()

    def walk(node, line, depth):
        if depth > _MAX_DEPTH or id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, cst.Name):
            value, index, at = context.binding(node.value, line)
            if index is not None and isinstance(value, (cst.Tuple, cst.List)):
                value = value.elements[index].value  # `x, y = tf.placeholder(...), ...`
            if value is not None:
                walk(value, at - 1, depth + 1)
            return
        if isinstance(node, cst.Call):
            if last_part(context.canonical(node.func)) == "placeholder":
                found[id(node)] = (node, context.line_of(node) or line)
                return
            if isinstance(node.func, cst.Attribute):  # x.reshape(...), not a TF module
                walk(node.func.value, line, depth + 1)
            for a in node.args:
                walk(a.value, line, depth + 1)
            return
        for child in node.children:
            if isinstance(child, cst.BaseExpression):
                walk(child, line, depth + 1)
            elif isinstance(child, (cst.Element, cst.SubscriptElement, cst.Index, cst.Arg)):
                for inner in child.children:
                    walk(inner, line, depth + 1)

    walk(node, line, 0)
    return sorted(found.values(), key=lambda item: item[1])


def find_input_shape(context, runner_line, reaching=()):
    """``tf.placeholder(dtype, [None, steps, input_size])`` (and ``tf.unstack`` /
    ``tf.split``'s number of steps) -> result.steps, result.input_size. ``reaching``: the
    placeholders that reach the runner's input (:func:`placeholders_reaching`), of which
    the first of that shape is the model's input; without one, the program's first."""
    steps, input_size = _placeholder_shape(context, reaching)
    placeholder = context.input_placeholder
    # the list-making idiom (static runners) gives the number of steps, too
    for call, line, name in context.calls_named("unstack", "unpack", "split"):
        if reaching and placeholder not in [
                p for p, _ in placeholders_reaching(context, call, line)]:
            continue  # another input's (an encoder-decoder)
        last = last_part(name)
        if last in ("unstack", "unpack"):
            steps = _unstack_steps(context, call, line, last, steps)
        else:
            steps = _split_steps(context, call, steps)
    if steps is None or (input_size is None and context.result.token_input is None):
        context.miss(runner_line, "input shape: no tf.placeholder(dtype, [None, steps, "
                                  "input_size]) with constant sizes")
    context.result.steps, context.result.input_size = steps, input_size


def _placeholder_shape(context, reaching=()):
    """(steps, input_size) of the first ``[None, steps, input_size]`` placeholder (or
    ``[None, steps]`` of token ids) of ``reaching``, else of the program. The batch
    dimension may be a constant (a program written for one batch size, as the PTB
    tutorial): the Keras model takes any batch."""
    def batch(dim):
        return dim is None or (isinstance(dim, int) and not isinstance(dim, bool) and dim > 0)

    for call, line in _candidates(context, reaching):
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
            context.input_placeholder = call
            return shape
        dtype = context.code(argument(call, 0, "dtype") or call.args[0].value)
        if isinstance(dims, list) and len(dims) == 2 and batch(dims[0]) and "int" in dtype:
            # token ids: the input size is the embedding's (tools...recognize.inputs)
            context.result.lines["input"] = line
            context.input_placeholder = call
            context.result.token_input = {}
            return int(dims[1]), None
    return None, None


def _candidates(context, reaching):
    """The placeholders that may be the model's input: those of ``reaching`` of the
    input's shape (their number of dimensions), else every placeholder of the program."""
    def rank(call):
        shape = argument(call, 1, "shape")
        try:
            dims = evaluate(shape, context.constants) if shape is not None else None
        except NOT_CONSTANT:
            return None
        return len(dims) if isinstance(dims, list) else None

    shaped = [(call, line) for call, line in reaching if rank(call) in (2, 3)]
    return shaped or [(call, line) for call, line, _ in context.calls_named("placeholder")]


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
