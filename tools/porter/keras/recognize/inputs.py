"""The RNN's input, followed back to the input placeholder.

Between the placeholder and the runner, TF1 programs only reshaped (``tf.transpose``,
``tf.reshape``, ``tf.split`` in both argument orders, ``tf.unstack`` / ``tf.unpack``: the
Keras model's input is the placeholder's ``[batch, steps, inputs]`` either way) or added
an input projection: ``tf.matmul(x, W_in) + b_in`` (optionally in ``tf.nn.relu`` /
``tanh`` / ``sigmoid``) on the rows, which is a Keras ``Dense`` on the last axis before
the RNN. Anything else between them is listed, never dropped.
"""
import libcst as cst

from modern.spec import RUNNERS
from tools.porter.keras.ops import ACTIVATIONS, tensor_of

from .initializers import variable_initial
from .syntax import argument, last_part

__all__ = ["find_rnn_input"]

_MAX_DEPTH = 24
# the shape-only ops between the placeholder and the runner (split: _split_tensor)
_RESHAPES = ("reshape", "transpose", "unstack", "unpack")


def _split_tensor(context, call):
    """``tf.split(0, n, x)`` (0.x: split_dim first) or ``tf.split(x, n, axis)``."""
    first = argument(call, 0, None)
    if argument(call, None, "split_dim") is not None or (
            isinstance(first, cst.Integer) or (isinstance(first, cst.Name)
                                               and context.constants.get(first.value) == 0)):
        return argument(call, 2, "value")
    return argument(call, 0, "value")


def find_rnn_input(context, runner_call, runner_line):
    """Follow the runner's inputs back to the placeholder -> True, with
    result.input_projection set when there is one; False (listed) otherwise."""
    result = context.result
    runner = RUNNERS[result.runner]
    node = argument(runner_call, 2 if (runner.bidirectional) else 1, "inputs")
    line, activation, seen = runner_line, None, set()
    for _ in range(_MAX_DEPTH):
        if isinstance(node, cst.Name):
            value, index, at = context.binding(node.value, line)
            if index is not None and isinstance(value, (cst.Tuple, cst.List)):
                value, index = value.elements[index].value, None  # `y, x = a, b`
            if value is None or index is not None or id(value) in seen:
                break
            seen.add(id(value))
            node, line = value, at - 1  # its names were bound before it
        elif isinstance(node, cst.Call):
            name = last_part(context.canonical(node.func))
            if name == "placeholder":
                if result.token_input is not None and not result.token_input:
                    context.miss(runner_line, "integer inputs reach the RNN without "
                                              "tf.nn.embedding_lookup or tf.one_hot")
                    return False
                return True
            if name in ("embedding_lookup", "one_hot") and result.token_input == {}:
                node = _tokens(context, node, name, line)
                if node is None:
                    return False
                continue
            if name in _RESHAPES:
                node = argument(node, *tensor_of(name))
            elif name == "split":
                node = _split_tensor(context, node)
            elif name in ACTIVATIONS and activation is None \
                    and isinstance(argument(node, *tensor_of(name)), cst.BinaryOperation):
                context.consumed.add(id(node))
                activation, node = ACTIVATIONS[name], argument(node, *tensor_of(name))
            else:
                break
        elif _is_projection(context, node) and result.input_projection is None:
            node = _projection(context, node, line, activation)
            if node is None:
                return False
        else:
            break
    code = context.code(node) if isinstance(node, cst.CSTNode) else "?"
    context.miss(runner_line, f"the RNN's input: `{code}` between the placeholder and the "
                              "runner is not ported (only reshapes and an input projection "
                              "tf.matmul(x, W) + b)")
    return False


def _tokens(context, node, name, line):
    """``tf.nn.embedding_lookup(E, ids)`` / ``tf.one_hot(ids, depth)`` on the token ids
    -> result.token_input and input_size; the ids node, or None (listed)."""
    result = context.result
    at = context.line_of(node) or line
    context.consumed.add(id(node))
    if name == "one_hot":
        depth = context.constant(argument(node, 1, "depth"), "one_hot depth", at)
        extra = [a for a in node.args[2:]]
        if depth is None or extra:
            if extra:
                context.miss(at, "tf.one_hot options (on/off values, axis, dtype) not ported")
            return None
        result.token_input = {"one_hot": int(depth)}
        result.input_size = int(depth)
        result.lines["token_input"] = at
        return argument(node, *tensor_of(name))
    shape, initial = variable_initial(context, argument(node, 0, "params"), at)
    if shape is None:
        return None
    if len(node.args) > 2 or len(shape) != 2:
        context.miss(at, "tf.nn.embedding_lookup: only (params, ids) of one [vocabulary, "
                         "dim] variable is ported")
        return None
    result.token_input = {"embedding": (int(shape[0]), int(shape[1])),
                          "initializer": initial.code}
    # which variable (an encoder-decoder's two sides may share it)
    context.embedding_variables.append(context.code(argument(node, 0, "params")))
    result.input_size = int(shape[1])
    result.lines["token_input"] = at
    return argument(node, *tensor_of(name))


def _is_projection(context, node):
    return isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add) \
        and isinstance(node.left, cst.Call) \
        and last_part(context.canonical(node.left.func)) == "matmul"


def _projection(context, node, line, activation):
    """``tf.matmul(x, W) + b`` before the RNN -> result.input_projection; ``x``, or None
    (listed)."""
    at = context.line_of(node.left) or line
    shape_w, init_w = variable_initial(context, argument(node.left, 1, "b"), at)
    shape_b, init_b = variable_initial(context, node.right, at)
    if shape_w is None or shape_b is None:
        return None
    if len(shape_w) != 2 or [int(d) for d in shape_b] != [int(shape_w[1])] \
            or int(shape_w[0]) != context.result.input_size:
        context.miss(at, f"input projection: shapes {shape_w} and {shape_b} do not map the "
                         f"{context.result.input_size} inputs")
        return None
    context.result.input_projection = {
        "units": int(shape_w[1]), "initializers": (init_w.code, init_b.code),
        "activation": activation}
    context.result.lines["input_projection"] = at
    return argument(node.left, 0, "a")
