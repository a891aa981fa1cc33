"""The loss (:data:`tools.porter.keras.losses.LOSSES`) and the ``tf.train`` optimizer."""
from modern.optimizers import OPTIMIZERS, NotPortableError

from .syntax import argument, last_part

__all__ = ["find_loss", "find_optimizer"]

# result.optimizer: the short names tools.proof.pipelines trains with
_SHORT_NAMES = {"AdamOptimizer": "adam", "GradientDescentOptimizer": "sgd",
                "RMSPropOptimizer": "rmsprop"}
_GRADIENT_PROCESSING = ("compute_gradients", "apply_gradients", "clip_by_global_norm",
                        "clip_by_value", "clip_by_norm")


def _mean_squared_error(context):
    """``reduce_mean(square(a - b))`` / ``reduce_mean(squared_difference(a, b))`` /
    ``tf.losses.mean_squared_error(labels, predictions)`` -> (call, line, the readout
    side) or None."""
    import libcst as cst

    for call, line, name in context.calls:
        last = last_part(name)
        if last == "mean_squared_error" and (name or "").startswith("tensorflow."):
            return call, line, [argument(call, 1, "predictions")]
        if last not in ("square", "squared_difference") or not call.args:
            continue
        if last == "squared_difference" and len(call.args) == 2:
            sides = [a.value for a in call.args]
        elif last == "square" and isinstance(call.args[0].value, cst.BinaryOperation) \
                and isinstance(call.args[0].value.operator, cst.Subtract):
            sides = [call.args[0].value.left, call.args[0].value.right]
        else:
            continue
        means = [c for c, _, n in context.calls
                 if last_part(n) == "reduce_mean" and c.args and c.args[0].value is call]
        if means:
            return means[0], line, sides
    return None


def find_loss(context):
    """The loss -> result.loss, a name of :data:`tools.porter.keras.losses.LOSSES`:
    ``softmax_cross_entropy_with_logits(logits=..., labels=...)``, or the mean squared
    error of the readout's output (a regressor)."""
    found = context.calls_named("softmax_cross_entropy_with_logits",
                                "softmax_cross_entropy_with_logits_v2")
    squared = _mean_squared_error(context) if not found else None
    if squared is not None:
        call, line, sides = squared
        context.result.lines["loss"] = line
        if context.readout_node is not None and not any(
                side is not None and context.holds(side, line, context.readout_node)
                for side in sides):
            context.miss(line, "the squared error is not of the readout's output (the "
                               "RNN's dense layer): not ported")
            return
        context.consume(call)
        context.result.loss = "mean_squared_error"
        return
    if len(found) != 1:
        others = context.calls_named("sparse_softmax_cross_entropy_with_logits",
                                     "sigmoid_cross_entropy_with_logits")
        for _, line, name in others:
            context.miss(line, f"loss `{name}` is not ported (only "
                               "softmax_cross_entropy_with_logits)")
        if not others:
            context.miss(1, "no softmax_cross_entropy_with_logits loss found")
        return
    call, line, _ = found[0]
    context.result.lines["loss"] = line
    # keywords since 1.0; 0.x positional order is (logits, labels)
    logits, labels = argument(call, 0, "logits"), argument(call, 1, "labels")
    if logits is None or labels is None:
        context.miss(line, "softmax_cross_entropy_with_logits without logits and labels")
        return
    if context.readout_node is not None \
            and not context.holds(logits, line, context.readout_node):
        context.miss(line, f"the loss' logits `{context.code(logits)}` are not the readout's "
                           "output (the RNN's dense layer): not ported")
        return
    context.result.loss = "softmax_cross_entropy"


def find_optimizer(context):
    """The one ``tf.train.<X>Optimizer(learning_rate, ...)`` -> result.optimizer,
    learning_rate, optimizer_options and optimizer_keras (the Keras class and arguments
    from :data:`modern.optimizers.OPTIMIZERS`, the table the optimizer pairs prove);
    custom gradient processing is listed."""
    result = context.result
    found = [(c, line, n) for c, line, n in context.calls
             if n and n.startswith("tensorflow.train.") and n.endswith("Optimizer")]
    if len(found) != 1:
        context.miss(found[1][1] if found else 1,
                     "expected exactly one tf.train optimizer, found %d" % len(found))
        return
    call, line, name = found[0]
    result.lines["optimizer"] = line
    target = OPTIMIZERS.get(last_part(name))
    if target is None:
        context.miss(line, f"optimizer `{name}` is not ported (modern.optimizers.OPTIMIZERS "
                           f"has {', '.join(OPTIMIZERS)})")
        return
    args, kwargs = _constant_arguments(context, call, line, last_part(name))
    if args is None:
        return
    try:
        keras_kwargs = target.keras_kwargs(*args, **kwargs)
    except NotPortableError as e:
        context.miss(line, str(e))
        return
    result.optimizer = _SHORT_NAMES.get(last_part(name), last_part(name))
    result.learning_rate = keras_kwargs["learning_rate"]
    given = [n for n, _ in target.signature][:len(args)] + list(kwargs)
    result.optimizer_options = {k: v for k, v in target.bind(*args, **kwargs).items()
                                if k in given and k in target.renames and k != "learning_rate"}
    result.optimizer_keras = (target.keras, keras_kwargs)
    result.optimizer_tf1 = (target.tf1, {k: v for k, v in target.bind(*args, **kwargs).items()
                                         if k in given and k != "name"})
    # minimize(loss) must be the plain call: gradient clipping etc. is listed
    for other_call, other_line, other in context.calls:
        if other and last_part(other) in _GRADIENT_PROCESSING:
            context.miss(other_line, f"`{other}`: custom gradient processing is not ported",
                         col=context.column_of(other_call))


def _constant_arguments(context, call, line, class_name):
    """The optimizer call's arguments as constants -> (args, kwargs); (None, None) when
    one is not a constant (listed)."""
    args, kwargs = [], {}
    for a in call.args:
        value = context.constant(a.value, f"{class_name} argument", line)
        if value is None:
            return None, None
        if a.keyword is None:
            args.append(value)
        else:
            kwargs[a.keyword.value] = value
    return args, kwargs
