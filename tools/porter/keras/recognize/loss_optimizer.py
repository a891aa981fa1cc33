"""The loss (:data:`tools.porter.keras.losses.LOSSES`) and the ``tf.train`` optimizer."""
from modern.optimizers import OPTIMIZERS, NotPortableError

from .optimizer_setup import (call_arguments, find_gradient_processing,
                              rate_variable_of, schedule_of)
from .syntax import argument, last_part

__all__ = ["find_loss", "find_optimizer"]

# result.optimizer: the short names tools.proof.pipelines trains with
_SHORT_NAMES = {"AdamOptimizer": "adam", "GradientDescentOptimizer": "sgd",
                "RMSPropOptimizer": "rmsprop"}


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
        mean = _mean_of(context, call)
        if mean is not None:
            return mean, line, sides
    return None


def _mean_of(context, call):
    """The ``tf.reduce_mean(call)`` around ``call``, or None."""
    means = [c for c, _, n in context.calls
             if last_part(n) == "reduce_mean" and c.args and c.args[0].value is call]
    return means[0] if means else None


def _sequence_loss(context):
    """``contrib.seq2seq.sequence_loss(logits, targets, weights)`` with weights of ones and
    its default averaging -- the mean over batch and steps of the sparse cross-entropy ->
    (call, line, [logits]), None, or False (listed)."""
    import libcst as cst

    found = [(c, line, n) for c, line, n in context.calls_named("sequence_loss")
             if "seq2seq" in n]
    if not found:
        return None
    call, line, _ = found[0]
    weights = argument(call, 2, "weights")
    ones = isinstance(weights, cst.Call) and last_part(context.canonical(weights.func)) in (
        "ones", "ones_like")
    flags = {a.keyword.value: context.code(a.value) for a in call.args if a.keyword}
    averaged = all(flags.get(k, "True") == "True" for k in ("average_across_timesteps",
                                                            "average_across_batch"))
    summed = any(flags.get(k, "False") != "False" for k in ("sum_over_timesteps",
                                                            "sum_over_batch"))
    if not ones or not averaged or summed or "softmax_loss_function" in flags:
        context.miss(line, "sequence_loss is ported with weights of ones (tf.ones / "
                           "tf.ones_like) and its default averaging over batch and steps "
                           "only (other weights: a mask, Keras' sample_weight)")
        return False
    return call, line, [argument(call, 0, "logits")]


def _per_sequence_loss(context):
    """``tf.reduce_sum(sequence_loss_by_example([logits], [targets], [tf.ones(...)])) / B``
    (legacy_seq2seq, TF 0.x ``tf.nn.seq2seq``; the PTB tutorial's cost) with ``B`` a
    constant -> (the division, line, [logits]) and result.loss_scale = B; None, or False
    (listed)."""
    import libcst as cst

    found = context.calls_named("sequence_loss_by_example")
    if not found:
        return None
    call, line, name = found[0]
    logits, weights = argument(call, 0, "logits"), argument(call, 2, "weights")
    ones = (isinstance(weights, (cst.List, cst.Tuple)) and len(weights.elements) == 1
            and isinstance(weights.elements[0].value, cst.Call)
            and last_part(context.canonical(weights.elements[0].value.func))
            in ("ones", "ones_like"))
    single = isinstance(logits, (cst.List, cst.Tuple)) and len(logits.elements) == 1
    divisions = [(value, at) for assignments in context.assignments.values()
                 for value, at, index in assignments
                 if index is None and isinstance(value, cst.BinaryOperation)
                 and isinstance(value.operator, cst.Divide) and isinstance(value.left, cst.Call)
                 and last_part(context.canonical(value.left.func)) == "reduce_sum"
                 and value.left.args and context.holds(value.left.args[0].value, at, call)]
    if not (ones and single and len(found) == 1 and len(divisions) == 1) \
            or argument(call, None, "softmax_loss_function") is not None:
        context.miss(line, "sequence_loss_by_example is ported as "
                           "`tf.reduce_sum(sequence_loss_by_example([logits], [targets], "
                           "[tf.ones(...)])) / batch_size` only (one logits tensor, weights "
                           "of ones, the sum divided by a constant)")
        return False
    division, at = divisions[0]
    scale = context.constant(division.right, "the cost's divisor", at)
    if scale is None:
        return False
    context.result.loss_scale = scale
    context.consume(call)  # the division reads it through a name
    return division, at, [logits.elements[0].value]


def _sparse_cross_entropy(context):
    """``tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=, logits=))``
    (keywords, or 0.x positional ``(logits, labels)``) -> (the mean, line, [logits]), None,
    or False (listed)."""
    found = context.calls_named("sparse_softmax_cross_entropy_with_logits")
    if not found:
        return None
    call, line, _ = found[0]
    mean = _mean_of(context, call)
    if mean is None or len(found) != 1:
        context.miss(line, "sparse_softmax_cross_entropy_with_logits is ported as the "
                           "tf.reduce_mean of one such call only")
        return False
    return mean, line, [argument(call, 0, "logits")]


def _softmax_cross_entropy(context):
    """``softmax_cross_entropy_with_logits(logits=..., labels=...)`` (keywords since 1.0;
    0.x positional order ``(logits, labels)``) -> (call, line, [logits]), None, or False."""
    found = context.calls_named("softmax_cross_entropy_with_logits",
                                "softmax_cross_entropy_with_logits_v2")
    if not found:
        return None
    call, line, _ = found[0]
    logits, labels = argument(call, 0, "logits"), argument(call, 1, "labels")
    if len(found) != 1 or logits is None or labels is None:
        context.miss(line, "softmax_cross_entropy_with_logits: one call, with logits and "
                           "labels, is ported")
        return False
    return call, line, [logits]


def _squared_error(context):
    found = _mean_squared_error(context)
    if found is None:
        return None
    call, line, sides = found
    return call, line, [side for side in sides if side is not None]


# the loss spellings the recogniser knows, in the order tried: loss name of
# tools.porter.keras.losses.LOSSES -> its finder
_FINDERS = (("softmax_cross_entropy", _softmax_cross_entropy),
            ("sparse_softmax_cross_entropy", _sequence_loss),
            ("per_sequence_sparse_cross_entropy", _per_sequence_loss),
            ("sparse_softmax_cross_entropy", _sparse_cross_entropy),
            ("mean_squared_error", _squared_error))


def find_loss(context):
    """The loss -> result.loss, a name of :data:`tools.porter.keras.losses.LOSSES`: the
    first spelling of :data:`_FINDERS` the program uses, which must read the readout's
    output (through names and reshapes)."""
    for name, finder in _FINDERS:
        found = finder(context)
        if found is False:
            return
        if found is None:
            continue
        call, line, logits = found
        context.result.lines["loss"] = line
        if context.readout_node is not None and not any(
                node is not None and context.holds(node, line, context.readout_node)
                for node in logits):
            what = " / ".join(f"`{context.code(n)}`" for n in logits if n is not None)
            context.miss(line, f"the loss reads {what}, not the readout's output (the RNN's "
                               "dense layer): not ported")
            return
        context.consume(call)
        context.result.loss = name
        context.loss_node = call  # what the gradients must be of (.optimizer_setup)
        return
    others = context.calls_named("sigmoid_cross_entropy_with_logits",
                                 "weighted_cross_entropy_with_logits")
    for _, line, name in others:
        context.miss(line, f"loss `{name}` is not ported (LOSSES: softmax and sparse softmax "
                           "cross-entropy, sequence_loss, sequence_loss_by_example, mean "
                           "squared error)")
    if not others:
        context.miss(1, "no loss found (softmax_cross_entropy_with_logits, "
                        "sparse_softmax_cross_entropy_with_logits, sequence_loss, the mean "
                        "squared error)")


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
    find_gradient_processing(context, line)  # clipping; the step apply_gradients counts
    if result.schedule is not None and result.schedule["step"] != result.global_step:
        context.miss(result.schedule["line"],
                     f"{result.schedule['name']} reads the step `{result.schedule['step']}`, "
                     "which minimize/apply_gradients does not increment (global_step=...): "
                     "its rate never changed in TF1; not ported")
        return
    result.optimizer = _SHORT_NAMES.get(last_part(name), last_part(name))
    result.learning_rate = keras_kwargs["learning_rate"]
    given = [n for n, _ in target.signature][:len(args)] + list(kwargs)
    result.optimizer_options = {k: v for k, v in target.bind(*args, **kwargs).items()
                                if k in given and k in target.renames and k != "learning_rate"}
    result.optimizer_keras = (target.keras_for(sparse=has_embedding(result)), keras_kwargs)
    result.optimizer_tf1 = (target.tf1, {k: v for k, v in target.bind(*args, **kwargs).items()
                                         if k in given and k != "name"})
    if result.clipping is not None:  # every gradient clipped, as the program did
        keras_class, keras_kwargs = result.optimizer_keras
        result.optimizer_keras = (keras_class, dict(keras_kwargs, **result.clipping["keras"]))


def _constant_arguments(context, call, line, class_name):
    """The optimizer call's arguments as constants -> (args, kwargs); (None, None) when
    one is not a constant (listed). A learning rate that is a schedule
    (:func:`.optimizer_setup.schedule_of`) sets result.schedule and stands for its first
    rate."""
    rate = argument(call, 0, "learning_rate")
    schedule = schedule_of(context, rate, line) if rate is not None else None
    if schedule is False:
        return None, None
    stand_in = None
    if schedule is not None:
        context.result.schedule = schedule
        stand_in = (0, "learning_rate", schedule["initial"])
    variable = rate_variable_of(context, rate, line) if schedule is None else None
    if variable is not None:  # set by tf.assign: its first value stands for the rate
        context.result.rate_variable = variable
        stand_in = (0, "learning_rate", variable["initial"])
    found = call_arguments(context, call, class_name, line, stand_in)
    return found if found is not None else (None, None)


def has_embedding(result):  # (the writer's notes read it too)
    """True when the model looks ids up in an embedding (its gradient is sparse)."""
    return any("embedding" in (tokens or {}) for tokens in (
        result.token_input, (result.encoder or {}).get("token_input")))
