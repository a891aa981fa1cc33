"""The training setup around the optimizer: gradient clipping and learning-rate schedules.

Read from the tables :mod:`modern.optimizers` proves against TF1's own code
(:data:`~modern.optimizers.CLIPPING`, :data:`~modern.optimizers.SCHEDULES`):

* clipping (:func:`find_gradient_processing`): the gradients of the loss --
  ``optimizer.compute_gradients(loss)`` or ``tf.gradients(loss, tf.trainable_variables())``
  -- through one ``tf.clip_by_global_norm`` / ``tf.clip_by_value`` / ``tf.clip_by_norm``
  (on the list, or on each gradient in a comprehension) into the one
  ``optimizer.apply_gradients(...)``: ``result.clipping`` (the Keras optimizer argument,
  ``global_clipnorm`` / ``clipvalue`` / ``clipnorm``, which clips every gradient, as the
  program did). Anything else between the gradients and their application is listed;
* schedules (:func:`schedule_of`): the optimizer's learning rate
  ``tf.train.exponential_decay(lr, global_step, ...)`` / ``piecewise_constant(global_step,
  ...)``: ``result.schedule`` (its ``keras.optimizers.schedules`` class). The
  ``global_step`` it reads must be the one ``minimize`` / ``apply_gradients`` increments
  (Keras' ``optimizer.iterations``); a schedule on a step nothing increments is listed
  (TF1's rate never decayed);
* a learning rate held in a variable (:func:`rate_variable_of`): ``lr =
  tf.Variable(0.5, trainable=False)`` passed to the optimizer, set with ``tf.assign(lr,
  value)`` (directly, or an op ``lr_update = tf.assign(lr, new_lr)`` fed ``new_lr``):
  ``result.rate_variable``; a kept program sets the Keras optimizer's ``learning_rate``
  where the program ran the assign (SCHEDULES["assign"]).

The data flow is followed through names, subscripts, ``zip`` and comprehensions
(:func:`reaches`); the program is never run.
"""
import libcst as cst

from modern.optimizers import CLIPPING, SCHEDULES, NotPortableError

from .syntax import argument, is_method_call, last_part

__all__ = ["find_gradient_processing", "schedule_of", "rate_variable_of", "reaches",
           "call_arguments"]

_DEPTH = 10
_SCHEDULE_NAMES = {"exponential_decay": "exponential_decay",
                   "piecewise_constant": "piecewise_constant",
                   "piecewise_constant_decay": "piecewise_constant"}


def reaches(context, node, target, line, depth=_DEPTH) -> bool:
    """True when the expression ``node`` (at ``line``) computes from ``target`` (a node):
    ``target`` is in it, or in what one of its names was last bound to."""
    if depth <= 0 or node is None:
        return False
    found, names = [], []

    class _Walk(cst.CSTVisitor):
        def on_visit(self, sub):
            if sub is target:
                found.append(sub)
            elif isinstance(sub, cst.Name):
                names.append(sub.value)
            return not found

    node.visit(_Walk())
    if found:
        return True
    for name in dict.fromkeys(names):
        value, _, at = context.binding(name, line)
        if value is not None and value is not node and reaches(context, value, target,
                                                               at - 1, depth - 1):
            return True
    return False


def _method_calls(context, method):
    return [(c, line) for c, line, _ in context.calls if is_method_call(c, method)]


def find_gradient_processing(context, optimizer_line):
    """``result.clipping`` and ``result.global_step`` from the program's
    compute_gradients -> clip -> apply_gradients, or its ``minimize(loss,
    global_step=...)``; listed when it is not one of the forms above."""
    result = context.result
    applies = _method_calls(context, "apply_gradients")
    minimizes = _method_calls(context, "minimize")
    clips = [(c, line, n) for c, line, n in context.calls_named(*CLIPPING)]
    sources = _method_calls(context, "compute_gradients") + [
        (c, line) for c, line, _ in context.calls_named("gradients")]
    if not applies and not clips and not sources:
        if len(minimizes) == 1:
            result.global_step = _global_step(context, minimizes[0][0], minimizes[0][1])
        return
    if len(applies) != 1 or len(sources) != 1 or len(clips) > 1 or minimizes:
        where = (applies or sources or clips or [(None, optimizer_line)])[0][1]
        context.miss(where, "gradient processing is ported as compute_gradients(loss) or "
                            "tf.gradients(loss, ...), at most one tf.clip_by_global_norm / "
                            "clip_by_value / clip_by_norm, then one apply_gradients")
        return
    (apply, apply_line), (source, source_line) = applies[0], sources[0]
    loss = argument(source, 0, "loss" if is_method_call(source, "compute_gradients")
                    else "ys")
    if getattr(context, "loss_node", None) is None or not reaches(
            context, loss, context.loss_node, source_line):
        context.miss(source_line, "the gradients are not of the recognised loss")
        return
    applied = argument(apply, 0, "grads_and_vars")
    if clips:
        clip, clip_line, clip_name = clips[0]
        # the clip reads the gradients: its tensor argument, or the comprehension around
        # it (`[(tf.clip_by_value(g, -1., 1.), v) for g, v in gvs]`)
        around = _assigned_value_holding(context, clip)
        if not (reaches(context, argument(clip, 0, None), source, clip_line)
                or (around is not None and reaches(context, around, source, clip_line))) \
                or not reaches(context, applied, clip, apply_line):
            context.miss(clip_line, f"`{clip_name}` is not between the loss' gradients and "
                                    "apply_gradients")
            return
        result.clipping = _clipping(context, clip, clip_line, clip_name)
        if result.clipping is None:
            return
        context.consume(clip)
    elif not reaches(context, applied, source, apply_line):
        context.miss(apply_line, "apply_gradients does not apply the loss' gradients")
        return
    foreign = _foreign(context, applied, apply_line, stop=source)
    if foreign:
        node, where = foreign[0]
        context.miss(where, f"`{context.code(node)}` between the loss' gradients and "
                            "apply_gradients: only one tf.clip_by_global_norm / "
                            "clip_by_value / clip_by_norm is ported",
                     col=context.column_of(node))
        context.consume(node)  # listed once, as this construct
        return
    result.global_step = _global_step(context, apply, apply_line)
    for call in (apply, source):
        context.consume(call)
    for call, _, _ in context.calls_named("trainable_variables"):
        context.consume(call)


# what may carry the gradients from compute_gradients / tf.gradients to apply_gradients
# without changing them: Python's re-pairing, and the clip (recognised on its own)
_PLUMBING_CALLS = {"zip", "list", "tuple"}


def _foreign(context, node, line, stop, depth=_DEPTH):
    """The operations that compute ``node`` from ``stop`` (the gradients' source) other
    than names, tuples, subscripts, comprehensions, ``zip``/``list``/``tuple``, number
    literals, ``tf.trainable_variables()`` and the one clip, as ``[(node, line of its
    statement)]``: ``[]`` when the gradients reach apply_gradients unchanged but for the
    clip."""
    found = []  # (node, line of its statement)

    def walk(sub, at, left, where=line):
        if sub is None or sub is stop or left <= 0:
            return
        if isinstance(sub, cst.Name):
            value, _, bound = context.binding(sub.value, at)
            if value is not None and not isinstance(value, (cst.Integer, cst.Float)):
                walk(value, bound - 1, left - 1, bound)
            return
        if isinstance(sub, cst.Call):
            name = context.canonical(sub.func) or ""
            if last_part(name) in CLIPPING and name.startswith("tensorflow."):
                for a in sub.args:
                    walk(a.value, at, left, where)
            elif name == "tensorflow.trainable_variables":
                return
            elif isinstance(sub.func, cst.Name) and sub.func.value in _PLUMBING_CALLS:
                for a in sub.args:
                    walk(a.value, at, left, where)
            else:
                found.append((sub, where))
            return
        if isinstance(sub, cst.BinaryOperation) or (
                isinstance(sub, cst.UnaryOperation)
                and not isinstance(sub.expression, (cst.Integer, cst.Float))):
            found.append((sub, where))
            return
        if isinstance(sub, (cst.Integer, cst.Float, cst.SimpleString, cst.UnaryOperation)):
            return
        for child in sub.children:
            if isinstance(child, cst.CSTNode):
                walk(child, at, left, where)

    walk(node, line, depth)
    return found


def _assigned_value_holding(context, node):
    """The value of the assignment whose right-hand side contains ``node``, or None."""
    for assignments in context.assignments.values():
        for value, _, _ in assignments:
            if reaches(context, value, node, 0, depth=1):
                return value
    return None


def call_arguments(context, call, what, line, stand_in=None):
    """The call's arguments as constants -> ``(args, kwargs)``; None when one is not a
    constant (listed). ``stand_in``: ``(position, keyword, value)`` of the one tensor
    argument (the gradients, a global step), for which ``value`` stands: the tables of
    :mod:`modern.optimizers` only check that it is given."""
    args, kwargs = [], {}
    for position, a in enumerate(call.args):
        if stand_in is not None and ((a.keyword is None and position == stand_in[0]) or (
                a.keyword is not None and a.keyword.value == stand_in[1])):
            value = stand_in[2]
        else:
            value = context.constant(a.value, f"{what} argument", line)
            if value is None:
                return None
        if a.keyword is None:
            args.append(value)
        else:
            kwargs[a.keyword.value] = value
    return args, kwargs


def _clipping(context, clip, line, name):
    """{"name", "keras": {Keras argument: value}, "args": TF1's arguments after the
    tensors} of the clip call, or None (listed)."""
    target = CLIPPING[last_part(name)]
    tensors = target.signature[0][0]  # "t" or "t_list"
    found = call_arguments(context, clip, last_part(name), line, (0, tensors, "gradients"))
    if found is None:
        return None
    args, kwargs = found
    try:
        keras = target.keras_kwargs(*args, **kwargs)
    except NotPortableError as e:
        context.miss(line, str(e))
        return None
    bound = target.bind(*args, **kwargs)
    tf1_args = {k: v for k, v in bound.items()
                if k not in ("t", "t_list", "name") and v is not None}
    return {"name": last_part(name), "keras": keras, "args": tf1_args}


def _global_step(context, call, line):
    """The name passed as ``global_step=`` (its definition consumed), or None."""
    step = argument(call, None, "global_step")
    if not isinstance(step, cst.Name):
        return None
    value, _, _ = context.binding(step.value, line)
    if value is not None:
        context.consume(value)
    return step.value


def schedule_of(context, node, line):
    """The learning rate ``node`` as a schedule of :data:`modern.optimizers.SCHEDULES`
    (the call itself, or a name bound to it): ``{"name", "keras": (class, kwargs),
    "tf1": TF1's arguments, "step": the global_step name, "initial": the first rate}``;
    None when it is not one; False when it is one that cannot be ported (listed)."""
    call, at = node, line
    if isinstance(node, cst.Name):
        call, _, bound = context.binding(node.value, line)
        at = bound or line
    if not isinstance(call, cst.Call):
        return None
    name = context.canonical(call.func) or ""
    short = _SCHEDULE_NAMES.get(last_part(name))
    if short is None or not name.startswith("tensorflow."):
        return None
    target = SCHEDULES[short]
    step_param = "global_step" if short == "exponential_decay" else "x"
    step_position = [n for n, _ in target.signature].index(step_param)
    found = call_arguments(context, call, short, at, (step_position, step_param, "global_step"))
    if found is None:
        return False
    args, kwargs = found
    step = argument(call, step_position, step_param)
    if not isinstance(step, cst.Name):
        context.miss(at, f"{short}: its global step must be a name (the variable "
                         "minimize/apply_gradients increments)")
        return False
    try:
        keras = target.keras_kwargs(*args, **kwargs)
    except NotPortableError as e:
        context.miss(at, str(e))
        return False
    context.consume(call)
    bound = target.bind(*args, **kwargs)
    tf1 = {k: v for k, v in bound.items() if k not in (step_param, "name")}
    initial = bound.get("learning_rate", (bound.get("values") or [None])[0])
    return {"name": short, "keras": (target.keras, keras), "tf1": tf1,
            "step": step.value, "step_param": step_param, "initial": initial, "line": at}


def rate_variable_of(context, node, line):
    """The learning rate ``node`` as a name bound to ``tf.Variable(<constant>,
    trainable=False)``: ``{"name", "initial", "assigns": {op name: fed placeholder name}}``
    (``assigns``: the names bound to ``tf.assign(var, <placeholder>)``); None when it is
    not one."""
    if not isinstance(node, cst.Name):
        return None
    value, _, at = context.binding(node.value, line)
    if not (isinstance(value, cst.Call) and context.canonical(value.func) in (
            "tensorflow.Variable", "tensorflow.compat.v1.Variable")):
        return None
    trainable = argument(value, None, "trainable")
    if not (isinstance(trainable, cst.Name) and trainable.value == "False"):
        return None
    initial = context.constant(argument(value, 0, "initial_value"), "learning-rate variable",
                               at)
    if initial is None:
        return None
    context.consume(value)
    assigns = {}
    for call, _, name in context.calls_named("assign"):
        ref = argument(call, 0, "ref")
        if not (isinstance(ref, cst.Name) and ref.value == node.value):
            continue
        context.consume(call)
        fed = argument(call, 1, "value")
        for target, bound in context.assignments.items():
            if any(v is call for v, _, i in bound) and isinstance(fed, cst.Name):
                assigns[target] = fed.value
    return {"name": node.value, "initial": initial, "assigns": assigns}
