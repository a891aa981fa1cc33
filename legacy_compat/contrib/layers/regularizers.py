"""``tf.contrib.layers``' regularizers, as TF 1.15's
``contrib/layers/python/layers/regularizers.py``.

* ``l2_regularizer(scale)(w) = scale * tf.nn.l2_loss(w) = scale * sum(w ** 2) / 2`` (note
  the 1/2, which ``keras.regularizers.L2`` does not have), under the name scope
  ``scope`` or ``l2_regularizer``; ``l1_regularizer(scale)(w) = scale * sum(|w|)``.
  ``scale`` is a float or a scalar tensor: a Python int raises ValueError, a negative
  float raises ValueError, and 0.0 returns a regularizer that gives None (no loss).
* ``sum_regularizer([r1, r2, ...])(w) = add_n`` of the regularizers' non-None losses
  (None entries are dropped; an empty list gives None instead of a regularizer).
* ``apply_regularization(regularizer, weights_list=None)``: ``add_n`` of the penalty of
  each weight (``GraphKeys.WEIGHTS`` when no list is given), under the name scope
  ``get_regularization_penalty``, added to ``GraphKeys.REGULARIZATION_LOSSES``.
"""
import numbers

import tensorflow as tf

_v1 = tf.compat.v1

__all__ = ["l1_regularizer", "l2_regularizer", "sum_regularizer", "apply_regularization"]


def _check_scale(owner, scale):
    """TF1's checks; True when ``scale`` disables the regularizer (0.0)."""
    if isinstance(scale, numbers.Integral):
        raise ValueError(
            f"{owner}: scale cannot be an integer: {scale!r}. Pass a float (e.g. "
            f"{float(scale)!r}) or a scalar tensor."
        )
    if isinstance(scale, numbers.Real):
        if scale < 0.0:
            raise ValueError(
                f"{owner}: setting a scale less than 0 on a regularizer: {scale:g}. "
                "Expected scale >= 0."
            )
        return scale == 0.0
    return False


def _scaled(name_scope, scale, weights, penalty):
    with _v1.name_scope(name_scope[0], name_scope[1], [weights]) as name:
        my_scale = tf.convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
        return tf.multiply(my_scale, penalty(weights), name=name)


def l1_regularizer(scale, scope=None):
    """``w -> scale * reduce_sum(abs(w))`` (None when ``scale`` is 0.0)."""
    if _check_scale("l1_regularizer", scale):
        return lambda _: None

    def l1(weights, name=None):  # noqa: ARG001 (TF1's signature)
        return _scaled((scope, "l1_regularizer"), scale, weights,
                       lambda w: tf.reduce_sum(tf.abs(w)))

    return l1


def l2_regularizer(scale, scope=None):
    """``w -> scale * tf.nn.l2_loss(w)`` (None when ``scale`` is 0.0)."""
    if _check_scale("l2_regularizer", scale):
        return lambda _: None

    def l2(weights):
        return _scaled((scope, "l2_regularizer"), scale, weights, tf.nn.l2_loss)

    return l2


def sum_regularizer(regularizer_list, scope=None):
    """The sum of the regularizers' losses (None entries ignored; None if none remain)."""
    regularizer_list = [reg for reg in regularizer_list if reg is not None]
    if not regularizer_list:
        return None

    def sum_reg(weights):
        with _v1.name_scope(scope, "sum_regularizer", [weights]) as name:
            tensors = [t for t in (reg(weights) for reg in regularizer_list) if t is not None]
            return tf.add_n(tensors, name=name) if tensors else None

    return sum_reg


def apply_regularization(regularizer, weights_list=None):
    """The summed penalty of ``regularizer`` over ``weights_list`` (default: WEIGHTS)."""
    if not weights_list:
        weights_list = _v1.get_collection(_v1.GraphKeys.WEIGHTS)
    if not weights_list:
        raise ValueError(
            "apply_regularization: no weights to regularize. Pass weights_list, or add "
            "the weights to the tf.GraphKeys.WEIGHTS collection (empty here)."
        )
    with _v1.name_scope("get_regularization_penalty", values=weights_list) as scope:
        penalties = [regularizer(w) for w in weights_list]
        penalties = [p if p is not None else tf.constant(0.0) for p in penalties]
        for weights, penalty in zip(weights_list, penalties):
            if penalty.shape.rank != 0:
                raise ValueError(
                    "apply_regularization: the regularizer must return a scalar Tensor; "
                    f"for {getattr(weights, 'name', weights)} it returned a Tensor of rank "
                    f"{penalty.shape.rank} (shape {penalty.shape})."
                )
        summed_penalty = tf.add_n(penalties, name=scope)
        _v1.add_to_collection(_v1.GraphKeys.REGULARIZATION_LOSSES, summed_penalty)
        return summed_penalty
