"""``tf.contrib.layers.optimize_loss``, as TF 1.15's ``contrib/layers/python/layers/optimizers.py``.

``optimize_loss(loss, global_step, learning_rate, optimizer, gradient_noise_scale=None,
gradient_multipliers=None, clip_gradients=None, learning_rate_decay_fn=None,
update_ops=None, variables=None, name=None, summaries=None,
colocate_gradients_with_ops=False, increment_global_step=True)`` returns the train
"op" TF1 returned: a tensor equal to ``loss`` that runs the update first
(``with_dependencies([apply_gradients(...)], loss)``), so ``sess.run(train_op)`` gives
the loss before the update. In ``variable_scope(name, default_name='OptimizeLoss')``:

* a float ``learning_rate`` becomes the non-trainable variable
  ``OptimizeLoss/learning_rate`` (a scalar tensor is used as is; anything else, a
  Python int included, raises ValueError as in TF1); ``learning_rate_decay_fn(lr,
  global_step)`` then decays it (it needs a global step);
* ``optimizer``: a name of :data:`OPTIMIZER_CLS_NAMES` (``'SGD'``, ``'Adam'``,
  ``'Adagrad'``, ``'Momentum'`` (momentum 0.9), ``'RMSProp'``, ``'Ftrl'``), a
  ``tf.train.Optimizer`` subclass (called with ``learning_rate=lr``), an instance, or a
  function of the learning rate returning one;
* gradients of ``variables`` (default: all trainable variables), with truncated-normal
  noise times ``gradient_noise_scale``, ``gradient_multipliers`` (by variable or name),
  then ``clip_gradients``: a float clips by global norm, a callable maps the list of
  ``(gradient, variable)``;
* ``apply_gradients(..., global_step=global_step if increment_global_step else None,
  name='train')``; ``global_step`` None means ``tf.train.get_global_step()`` (none: no
  step is counted). Update ops (``UPDATE_OPS`` unless given) run before the loss.

``summaries`` are written as TF1 wrote them (``tf.summary.scalar``/``histogram`` ops in
the ``SUMMARIES`` collection: ``loss``, ``learning_rate`` when decayed,
``global_norm/gradient_norm``, ...); they only matter to a program that merges and
writes them.
"""
import tensorflow as tf

_v1 = tf.compat.v1
_train = _v1.train

__all__ = ["optimize_loss", "OPTIMIZER_CLS_NAMES", "OPTIMIZER_SUMMARIES"]

OPTIMIZER_CLS_NAMES = {
    "Adagrad": _train.AdagradOptimizer,
    "Adam": _train.AdamOptimizer,
    "Ftrl": _train.FtrlOptimizer,
    "Momentum": lambda learning_rate: _train.MomentumOptimizer(learning_rate, momentum=0.9),
    "RMSProp": _train.RMSPropOptimizer,
    "SGD": _train.GradientDescentOptimizer,
}

OPTIMIZER_SUMMARIES = ["learning_rate", "loss", "gradients", "gradient_norm",
                       "global_gradient_norm"]


def _with_dependencies(dependencies, output_tensor):
    """TF1's ``control_flow_ops.with_dependencies`` for a tensor."""
    with _v1.name_scope(None, "control_dependency", list(dependencies) + [output_tensor]) as name:
        with output_tensor.graph.colocate_with(output_tensor.op):
            with tf.control_dependencies(dependencies):
                return tf.identity(output_tensor, name=name)


def _learning_rate_variable(learning_rate):
    if tf.is_tensor(learning_rate) and learning_rate.shape.rank == 0:
        return learning_rate
    if isinstance(learning_rate, float):
        if learning_rate < 0.0:
            raise ValueError(
                f"optimize_loss: invalid learning_rate {learning_rate}; expected >= 0.")
        return _v1.get_variable("learning_rate", [], trainable=False,
                                initializer=_v1.constant_initializer(learning_rate))
    raise ValueError(
        "optimize_loss: learning rate should be a 0-d Tensor or a Python float (TF1 "
        f"refused ints too). Got {learning_rate!r} of type {type(learning_rate).__name__}."
    )


def _make_optimizer(optimizer, learning_rate, lr):
    if isinstance(optimizer, str):
        if lr is None:
            raise ValueError("optimize_loss: learning_rate is None, but must be given when "
                             f"optimizer is a name ({optimizer!r}).")
        if optimizer not in OPTIMIZER_CLS_NAMES:
            raise ValueError(
                f"optimize_loss: optimizer name should be one of "
                f"[{', '.join(OPTIMIZER_CLS_NAMES)}], you provided {optimizer!r}.")
        return OPTIMIZER_CLS_NAMES[optimizer](learning_rate=lr)
    if isinstance(optimizer, type) and issubclass(optimizer, _train.Optimizer):
        if lr is None:
            raise ValueError("optimize_loss: learning_rate is None, but must be given when "
                             f"optimizer is a class ({optimizer.__name__}).")
        return optimizer(learning_rate=lr)
    if isinstance(optimizer, _train.Optimizer):
        return optimizer
    if callable(optimizer):
        opt = optimizer(lr) if learning_rate is not None else optimizer()
        if not isinstance(opt, _train.Optimizer):
            raise ValueError("optimize_loss: unrecognized optimizer: the function should "
                             f"return a tf.train.Optimizer instance. Got {opt!r}.")
        return opt
    raise ValueError(
        "optimize_loss: unrecognized optimizer: should be a name "
        f"({', '.join(OPTIMIZER_CLS_NAMES)}), a subclass of tf.train.Optimizer, an instance "
        f"of one, or a function of the learning rate returning one. Got {optimizer!r}.")


def _add_scaled_noise_to_gradients(grads_and_vars, gradient_noise_scale):
    noisy = []
    for gradient, variable in grads_and_vars:
        if gradient is not None:
            shape = (gradient.dense_shape if isinstance(gradient, tf.IndexedSlices)
                     else gradient.shape)
            gradient = gradient + _v1.truncated_normal(shape) * gradient_noise_scale
        noisy.append((gradient, variable))
    return noisy


def _multiplier(gradient_multipliers, var):
    """TF1's lookup: the variable itself as a key first, then its name (no hashing of
    variables, which TF 2 refuses while tensor equality is on)."""
    for key, value in gradient_multipliers.items():
        if key is var:
            return value
    for key, value in gradient_multipliers.items():
        if isinstance(key, str) and key == var.name:
            return value
    return None


def _multiply_gradients(grads_and_vars, gradient_multipliers):
    multiplied = []
    for grad, var in grads_and_vars:
        multiplier = _multiplier(gradient_multipliers, var)
        if grad is not None and multiplier is not None:
            if isinstance(grad, tf.IndexedSlices):
                grad = tf.IndexedSlices(grad.values * multiplier, grad.indices, grad.dense_shape)
            else:
                grad *= tf.cast(multiplier, grad.dtype)
        multiplied.append((grad, var))
    return multiplied


def _clip_gradients_by_norm(grads_and_vars, clip_gradients):
    gradients, variables = zip(*grads_and_vars)
    clipped, _ = tf.clip_by_global_norm(gradients, clip_gradients)
    return list(zip(clipped, variables))


def _check_scalar_loss(loss):
    with _v1.name_scope(None, "assert_scalar", [loss]):
        if loss.shape.rank != 0:
            raise ValueError(
                f"optimize_loss: expected a scalar loss, saw {loss.name} of shape {loss.shape}.")


def _global_norm(gradients):
    return tf.linalg.global_norm(list(gradients))  # None entries are ignored, as in TF1


def optimize_loss(loss, global_step, learning_rate, optimizer, gradient_noise_scale=None,
                  gradient_multipliers=None, clip_gradients=None,
                  learning_rate_decay_fn=None, update_ops=None, variables=None, name=None,
                  summaries=None, colocate_gradients_with_ops=False,
                  increment_global_step=True):
    """TF1's ``tf.contrib.layers.optimize_loss`` (see the module docstring)."""
    loss = tf.convert_to_tensor(loss)
    _check_scalar_loss(loss)
    if global_step is None:
        global_step = _train.get_global_step()
    else:
        _train.assert_global_step(global_step)
    with _v1.variable_scope(name, "OptimizeLoss", [loss, global_step]):
        if update_ops is None:
            update_ops = list(dict.fromkeys(_v1.get_collection(_v1.GraphKeys.UPDATE_OPS)))
        if update_ops:
            loss = _with_dependencies(list(update_ops), loss)

        lr = None if learning_rate is None else _learning_rate_variable(learning_rate)
        if summaries is None:
            summaries = ["loss", "learning_rate", "global_gradient_norm"]
        else:
            for summ in summaries:
                if summ not in OPTIMIZER_SUMMARIES:
                    raise ValueError(
                        "optimize_loss: summaries should be among "
                        f"[{', '.join(OPTIMIZER_SUMMARIES)}], you provided {summ!r}.")
        if learning_rate is not None and learning_rate_decay_fn is not None:
            if global_step is None:
                raise ValueError("optimize_loss: global_step is required for "
                                 "learning_rate_decay_fn (none given and none in the graph).")
            lr = learning_rate_decay_fn(lr, global_step)
            if "learning_rate" in summaries:
                _v1.summary.scalar("learning_rate", lr)

        opt = _make_optimizer(optimizer, learning_rate, lr)
        if variables is None:
            variables = _v1.trainable_variables()
        gradients = opt.compute_gradients(
            loss, variables, colocate_gradients_with_ops=colocate_gradients_with_ops)
        if gradient_noise_scale is not None:
            gradients = _add_scaled_noise_to_gradients(gradients, gradient_noise_scale)
        if gradient_multipliers is not None:
            gradients = _multiply_gradients(gradients, gradient_multipliers)
            if not gradients:
                raise ValueError(
                    "optimize_loss: empty list of (gradient, variable) pairs, most likely "
                    "caused by an improper value of gradient_multipliers.")
        if "global_gradient_norm" in summaries or "gradient_norm" in summaries:
            _v1.summary.scalar("global_norm/gradient_norm",
                               _global_norm(list(zip(*gradients))[0]))

        if isinstance(clip_gradients, float):
            gradients = _clip_gradients_by_norm(gradients, clip_gradients)
        elif callable(clip_gradients):
            gradients = clip_gradients(gradients)
        elif clip_gradients is not None:
            raise ValueError(
                f"optimize_loss: unknown type {type(clip_gradients).__name__} for "
                "clip_gradients; expected a Python float (clip by global norm), a callable "
                "or None.")

        if "loss" in summaries:
            _v1.summary.scalar("loss", loss)
        for gradient, variable in gradients:
            values = gradient.values if isinstance(gradient, tf.IndexedSlices) else gradient
            if values is not None:
                var_name = variable.name.replace(":", "_")
                if "gradients" in summaries:
                    _v1.summary.histogram(f"gradients/{var_name}", values)
                if "gradient_norm" in summaries:
                    _v1.summary.scalar(f"gradient_norm/{var_name}", _global_norm([values]))
        if clip_gradients is not None and ("global_gradient_norm" in summaries
                                           or "gradient_norm" in summaries):
            _v1.summary.scalar("global_norm/clipped_gradient_norm",
                               _global_norm(list(zip(*gradients))[0]))

        grad_updates = opt.apply_gradients(
            gradients, global_step=global_step if increment_global_step else None,
            name="train")
        return _with_dependencies([grad_updates], loss)
