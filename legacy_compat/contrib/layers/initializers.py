"""``tf.contrib.layers``' initializers, as TF 1.15's
``contrib/layers/python/layers/initializers.py``.

* ``variance_scaling_initializer(factor=2.0, mode='FAN_IN', uniform=False, seed=None,
  dtype=tf.float32)``: ``n`` is fan_in, fan_out or their mean (``mode``), where for a
  shape ``[..., fan_in, fan_out]`` both are multiplied by the leading dimensions (a
  vector's fan_in is its length, a scalar's 1). ``uniform=True`` draws
  ``random_uniform(shape, -limit, limit)`` with ``limit = sqrt(3 * factor / n)``;
  otherwise ``truncated_normal(shape, 0, sqrt(1.3 * factor / n))``. The constant 1.3 is
  contrib's: ``tf.compat.v1.variance_scaling_initializer`` (another signature:
  ``scale``, lower-case ``mode``, ``distribution``) divides by 0.87962566103423978
  instead (stddev factor 1.2924), so the two truncated-normal forms differ by 0.29%.
* ``xavier_initializer(uniform=True, seed=None, dtype=tf.float32)`` =
  ``variance_scaling_initializer(1.0, 'FAN_AVG', uniform)``: Glorot uniform (the same
  draws as ``tf.compat.v1.glorot_uniform_initializer(seed)``) or, with
  ``uniform=False``, a truncated normal of stddev ``sqrt(1.3 / n)``;
  ``xavier_initializer_conv2d`` is the same function.

The random ops are TF's own (``tf.compat.v1.random_uniform``/``truncated_normal`` with
the op seed ``seed``), so a graph seed gives the values TF1 gave.
"""
import math

import tensorflow as tf

_v1 = tf.compat.v1

__all__ = ["xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer"]

_MODES = ("FAN_IN", "FAN_OUT", "FAN_AVG")


def _floating_dtype(dtype, owner):
    dtype = tf.as_dtype(dtype)
    if not dtype.is_floating:
        raise TypeError(
            f"{owner}: cannot create an initializer for the non-floating-point dtype "
            f"{dtype.name}; expected a floating-point dtype such as tf.float32."
        )
    return dtype


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None,
                                 dtype=tf.float32):
    """TF1 contrib's variance-scaling initializer (see the module docstring)."""
    default_dtype = _floating_dtype(dtype, "variance_scaling_initializer")
    if mode not in _MODES:
        raise TypeError(
            f"variance_scaling_initializer: unknown mode {mode!r}; expected one of "
            f"{', '.join(_MODES)} (upper case, TF1 contrib's spelling)."
        )

    def _initializer(shape, dtype=default_dtype, partition_info=None):  # noqa: ARG001
        dtype = _floating_dtype(dtype, "variance_scaling_initializer")
        if isinstance(shape, tf.TensorShape):
            shape = shape.as_list()
        if shape:
            fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
            fan_out = float(shape[-1])
        else:
            fan_in = fan_out = 1.0
        for dim in shape[:-2]:
            fan_in *= float(dim)
            fan_out *= float(dim)
        if mode == "FAN_IN":
            n = fan_in
        elif mode == "FAN_OUT":
            n = fan_out
        else:
            n = (fan_in + fan_out) / 2.0
        if uniform:
            limit = math.sqrt(3.0 * factor / n)
            return _v1.random_uniform(shape, -limit, limit, dtype, seed=seed)
        trunc_stddev = math.sqrt(1.3 * factor / n)
        return _v1.truncated_normal(shape, 0.0, trunc_stddev, dtype, seed=seed)

    return _initializer


def xavier_initializer(uniform=True, seed=None, dtype=tf.float32):
    """Glorot/Xavier: ``variance_scaling_initializer(1.0, 'FAN_AVG', uniform, seed, dtype)``."""
    return variance_scaling_initializer(factor=1.0, mode="FAN_AVG", uniform=uniform,
                                        seed=seed, dtype=dtype)


xavier_initializer_conv2d = xavier_initializer
