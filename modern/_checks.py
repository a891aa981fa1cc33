"""Argument validation shared by ``modern``'s cells and weight maps (pure Python).

Messages follow Keras' style: name the argument, echo what was received, say
what is expected.
"""
import math
import numbers


def positive_int(name, value, *, owner):
    """Return ``value`` as an int if it is a positive integer (bools rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{owner}: argument `{name}` must be a positive integer. "
            f"Received: {name}={value!r} (of type {type(value).__name__})"
        )
    if value <= 0:
        raise ValueError(
            f"{owner}: argument `{name}` must be a positive integer. Received: {name}={value!r}"
        )
    return int(value)


def optional_positive_int(name, value, *, owner):
    return None if value is None else positive_int(name, value, owner=owner)


def real(name, value, *, owner):
    """Return ``value`` as a float if it is a finite real number (bools rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner}: argument `{name}` must be a real number. "
            f"Received: {name}={value!r} (of type {type(value).__name__})"
        )
    if not math.isfinite(value):
        raise ValueError(
            f"{owner}: argument `{name}` must be finite. Received: {name}={value!r}"
        )
    return float(value)


def optional_non_negative(name, value, *, owner):
    """A clipping value: None (no clipping) or a finite real number >= 0."""
    if value is None:
        return None
    value = real(name, value, owner=owner)
    if value < 0:
        raise ValueError(
            f"{owner}: argument `{name}` must be None or a number >= 0 (values are "
            f"clipped to [-{name}, {name}]). Received: {name}={value!r}"
        )
    return value


def boolean(name, value, *, owner):
    if not isinstance(value, bool):
        raise TypeError(
            f"{owner}: argument `{name}` must be True or False. Received: {name}={value!r}"
        )
    return value


def reject_tf1_only_options(owner, kwargs, hints):
    """Raise TypeError for TF1 constructor options that have no place in the Keras cell.

    ``hints`` maps such an option name to what to do instead. Other unknown keyword
    arguments are left for ``keras.layers.Layer`` to reject.
    """
    found = [name for name in kwargs if name in hints]
    if found:
        advice = " ".join(f"`{name}`: {hints[name]}" for name in found)
        received = ", ".join(f"{name}={kwargs[name]!r}" for name in found)
        raise TypeError(
            f"{owner} does not take TF1's option(s) {', '.join(found)}. {advice} "
            f"Received: {received}"
        )
