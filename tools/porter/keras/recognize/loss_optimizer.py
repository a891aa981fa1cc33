"""The loss (softmax cross-entropy) and the ``tf.train`` optimizer."""
from .syntax import argument, last_part

__all__ = ["find_loss", "find_optimizer"]

_OPTIMIZERS = {"AdamOptimizer": "adam", "GradientDescentOptimizer": "sgd",
               "RMSPropOptimizer": "rmsprop"}
# the options ported per optimizer (use_locking and name are accepted and dropped)
_OPTIMIZER_OPTIONS = {"adam": ("beta1", "beta2", "epsilon"),
                      "sgd": (),
                      "rmsprop": ("decay", "momentum", "epsilon", "centered")}
_DROPPED_OPTIONS = ("use_locking", "name")
_DEFAULT_LEARNING_RATES = {"adam": 0.001}
_GRADIENT_PROCESSING = ("compute_gradients", "apply_gradients", "clip_by_global_norm",
                        "clip_by_value", "clip_by_norm")


def find_loss(context):
    """``softmax_cross_entropy_with_logits(logits=..., labels=...)`` -> result.loss."""
    found = context.calls_named("softmax_cross_entropy_with_logits",
                                "softmax_cross_entropy_with_logits_v2")
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
    context.result.loss = "softmax_cross_entropy"


def find_optimizer(context):
    """The one ``tf.train.<X>Optimizer(learning_rate, ...)`` -> result.optimizer,
    learning_rate, optimizer_options; custom gradient processing is listed."""
    result = context.result
    found = [(c, line, n) for c, line, n in context.calls
             if n and n.startswith("tensorflow.train.") and n.endswith("Optimizer")]
    if len(found) != 1:
        context.miss(found[1][1] if found else 1,
                     "expected exactly one tf.train optimizer, found %d" % len(found))
        return
    call, line, name = found[0]
    result.lines["optimizer"] = line
    kind = _OPTIMIZERS.get(last_part(name))
    if kind is None:
        context.miss(line, f"optimizer `{name}` is not ported (Adam, GradientDescent, RMSProp)")
        return
    result.optimizer = kind
    rate = argument(call, 0, "learning_rate")
    result.learning_rate = context.constant(rate, "learning_rate", line) if rate is not None \
        else _DEFAULT_LEARNING_RATES.get(kind)
    if result.learning_rate is None and rate is None:
        context.miss(line, f"{last_part(name)}: no learning_rate")
    _optimizer_options(context, call, line, last_part(name), kind)
    # minimize(loss) must be the plain call: gradient clipping etc. is listed
    for _, other_line, other in context.calls:
        if other and last_part(other) in _GRADIENT_PROCESSING:
            context.miss(other_line, f"`{other}`: custom gradient processing is not ported")


def _optimizer_options(context, call, line, class_name, kind):
    """The optimizer's arguments after the learning rate -> result.optimizer_options."""
    allowed = _OPTIMIZER_OPTIONS[kind]
    for a in call.args[1:]:
        if a.keyword is None or a.keyword.value not in allowed + _DROPPED_OPTIONS:
            context.miss(line, f"{class_name}: argument `{context.code(a)}` is not ported")
            continue
        if a.keyword.value in allowed:
            context.result.optimizer_options[a.keyword.value] = context.constant(
                a.value, a.keyword.value, line)
