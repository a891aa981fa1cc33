"""Drop-in for the TensorFlow 1.x namespace: ``import legacy_compat.v1 as tf``.

Graph mode, process-wide
------------------------
Importing this module puts the whole Python process in TF1 graph mode, as TensorFlow
1.x itself was: it calls ``tf.compat.v1.disable_v2_behavior()`` (eager execution off,
the v1 ``TensorShape`` so that ``x.get_shape()[1].value`` works, reference variables,
v1 control flow). The switch is global and cannot be undone in the same process; after
it, Keras 3 layers and models return symbolic tensors instead of values. Import it
only in a process that runs a TF1-style program, first, where the program imported
``tensorflow`` (the test-suite does so in subprocesses). Importing the
``legacy_compat`` package itself changes nothing.

Name resolution
---------------
* Everything not listed below is ``tf.compat.v1``'s (module ``__getattr__``; ``dir()``
  lists both).
* ``tf.nn`` serves ``tf.compat.v1.nn``, except ``tf.nn.rnn_cell``
  (:mod:`legacy_compat.nn.rnn_cell`; ``tf.compat.v1.nn.rnn_cell.*`` raises "not
  available with Keras 3") and the RNN runners ``static_rnn``, ``dynamic_rnn``,
  ``static_bidirectional_rnn``, ``bidirectional_dynamic_rnn``, ``raw_rnn`` and
  ``static_state_saving_rnn`` (:mod:`legacy_compat.rnn`).
* ``tf.train`` serves ``tf.compat.v1.train``.
* ``tf.layers`` serves ``Dense``, ``dense``, ``Dropout``, ``dropout``, ``Flatten`` and
  ``flatten`` from :mod:`legacy_compat.layers` (``tf.compat.v1.layers.*`` raises "not
  available with Keras 3"); any other name goes to ``tf.compat.v1.layers``.
* ``tf.contrib`` provides the modules of :mod:`legacy_compat.contrib` (``tf.contrib.rnn``
  ...); any other contrib module raises AttributeError saying what to use instead.
* The TF 0.x / early-1.x spellings of :data:`legacy_compat.spellings.SPELLINGS`
  (``tf.split(0, 3, x)``, ``tf.concat(1, [a, b])``, ``tf.pack``, ``tf.nn.rnn``,
  positional ``tf.nn.softmax_cross_entropy_with_logits(logits, labels)``, ...) are
  served as that table says: renamed ones are the new objects themselves
  (``tf.pack is tf.stack``); reordered ones are wrappers that recognise the old form
  of a call and pass any other call unchanged. Their docstrings (``help(tf.split)``)
  state each rule and the version facts behind it.
"""
import functools as _functools
import importlib as _importlib
import numbers as _numbers
import sys as _sys
import types as _types

import numpy as _np
import tensorflow as _tf

from legacy_compat import spellings as _spellings

_tf.compat.v1.disable_v2_behavior()

_V1 = _tf.compat.v1

__version__ = _tf.__version__

_RNN_RUNNERS = (
    "static_rnn",
    "dynamic_rnn",
    "static_bidirectional_rnn",
    "bidirectional_dynamic_rnn",
    "raw_rnn",
    "static_state_saving_rnn",
)

_CONTRIB_MESSAGE = (
    "tf.contrib.{name} is not provided by legacy_compat: TensorFlow 2 removed tf.contrib, "
    "and legacy_compat.v1 recreates only tf.contrib.{provided} (legacy_compat.contrib). Use the "
    "TensorFlow 2 / Keras 3 replacement of contrib.{name} named in the contrib sunset RFC "
    "(https://github.com/tensorflow/community/blob/master/rfcs/20180907-contrib-sunset.md), "
    "or its tf.compat.v1 equivalent where one exists."
)


def _is_dunder(name):
    return name.startswith("__") and name.endswith("__")


def _lookup(cache, loaders, fallback, path, name):
    """Serve ``name`` of namespace ``path``: from ``loaders`` (cached) or from ``fallback``.

    Dunder names are never forwarded: forwarding ``__path__`` or ``__file__`` would make
    the import system treat TensorFlow's package as this one.
    """
    loader = loaders.get(name)
    if loader is not None:
        value = cache[name] = loader()
        return value
    if _is_dunder(name):
        raise AttributeError(f"module {path!r} (legacy_compat.v1) has no attribute {name!r}")
    try:
        return getattr(fallback, name)
    except AttributeError as error:
        raise AttributeError(
            f"module {path!r} (legacy_compat.v1) has no attribute {name!r}: it is neither one "
            f"of legacy_compat's overrides nor an attribute of {fallback.__name__} in "
            f"TensorFlow {_tf.__version__}."
        ) from error


class _Namespace(_types.ModuleType):
    """A TF1 sub-namespace: a few names served by legacy_compat, the rest by ``fallback``."""

    def __init__(self, path, fallback):
        super().__init__(
            "legacy_compat.v1." + path.split(".", 1)[1],
            f"``{path}`` of legacy_compat.v1: ``{fallback.__name__}`` with legacy_compat's "
            "overrides (see legacy_compat.v1).",
        )
        self._path = path
        self._fallback = fallback
        self._loaders = {}

    def __getattr__(self, name):
        return _lookup(self.__dict__, self._loaders, self._fallback, self._path, name)

    def __dir__(self):
        return sorted(set(dir(self._fallback)) | set(self._loaders))


class _Contrib(_types.ModuleType):
    """``tf.contrib``: the modules of ``legacy_compat.contrib`` (its ``PROVIDED``); every
    other contrib module raises AttributeError saying what to use instead."""

    def __init__(self):
        super().__init__(
            "legacy_compat.v1.contrib",
            "``tf.contrib`` of legacy_compat.v1: the modules of legacy_compat.contrib.",
        )

    def __getattr__(self, name):
        provided = _importlib.import_module("legacy_compat.contrib").PROVIDED
        if name in provided:
            module = _importlib.import_module(f"legacy_compat.contrib.{name}")
            setattr(self, name, module)
            return module
        if _is_dunder(name):
            raise AttributeError(f"module 'tf.contrib' (legacy_compat.v1) has no {name!r}")
        raise AttributeError(_CONTRIB_MESSAGE.format(name=name,
                                                     provided=", tf.contrib.".join(provided)))

    def __dir__(self):
        return list(_importlib.import_module("legacy_compat.contrib").PROVIDED)


class _KerasLegacyModule(_types.ModuleType):
    """A ``_Namespace`` fallback for ``tf.compat.v1.layers``, a Keras lazy loader.

    Under Keras 3 that loader has no ``__name__``, ``dir()`` of it raises and each of
    its attributes raises AttributeError "not available with Keras 3"; this module
    forwards attribute reads to it and lists what it can.
    """

    def __init__(self, name, loader):
        super().__init__(name)
        self._keras_loader = loader

    def __getattr__(self, name):
        return getattr(self._keras_loader, name)

    def __dir__(self):
        try:
            return dir(self._keras_loader)
        except Exception:  # Keras 3: the lazy loader cannot import the module to list
            return []


nn = _Namespace("tf.nn", _V1.nn)
train = _Namespace("tf.train", _V1.train)
layers = _Namespace("tf.layers", _KerasLegacyModule("tensorflow.compat.v1.layers", _V1.layers))
contrib = _Contrib()

# Names this module serves itself (on first access), by namespace.
_LOADERS = {}
_SERVED = {"tf": _LOADERS, "tf.nn": nn._loaders, "tf.train": train._loaders}
_FALLBACKS = {"tf": _V1, "tf.nn": _V1.nn, "tf.train": _V1.train}


def __getattr__(name):
    return _lookup(globals(), _LOADERS, _V1, "tf", name)


def __dir__():
    public = {name for name in globals() if not name.startswith("_")}
    return sorted(set(dir(_V1)) | set(_LOADERS) | public | {"__version__"})


def _module_attribute(module_name, attribute):
    return getattr(_importlib.import_module(module_name), attribute)


nn._loaders["rnn_cell"] = _functools.partial(_importlib.import_module, "legacy_compat.nn.rnn_cell")
for _runner in _RNN_RUNNERS:
    nn._loaders[_runner] = _functools.partial(_module_attribute, "legacy_compat.rnn", _runner)
del _runner
for _layer in _spellings.V1_LAYERS:
    layers._loaders[_layer] = _functools.partial(_module_attribute, "legacy_compat.layers", _layer)
del _layer


# --- the old spellings --------------------------------------------------------------


def _tensor_dtype_and_shape(value):
    """``(DType, TensorShape)`` of a tensor, variable or NumPy value; ``(None, None)`` otherwise."""
    if isinstance(value, (_np.ndarray, _np.generic)):
        try:
            return _tf.as_dtype(value.dtype), _tf.TensorShape(value.shape)
        except TypeError:  # object or string arrays
            return None, None
    if _tf.is_tensor(value) or isinstance(value, _tf.Variable):
        return _tf.as_dtype(value.dtype).base_dtype, value.shape
    return None, None


def _is_integer_scalar(value):
    """A Python/NumPy integer (not a bool) or a 0-d integer tensor of known rank."""
    if isinstance(value, (bool, _np.bool_)):
        return False
    if isinstance(value, _numbers.Integral):
        return True
    dtype, shape = _tensor_dtype_and_shape(value)
    return dtype is not None and dtype.is_integer and shape.ndims == 0


def _is_tensor_like(value):
    return (
        isinstance(value, (list, tuple, _np.ndarray))
        or _tf.is_tensor(value)
        or isinstance(value, _tf.Variable)
    )


def _dtype_kind(value):
    """``"float"``, ``"integer"`` or None (unknown) for a tensor, array or list of numbers."""
    dtype, _ = _tensor_dtype_and_shape(value)
    if dtype is None and isinstance(value, (list, tuple)):
        try:
            dtype = _tf.as_dtype(_np.asarray(value).dtype)
        except (TypeError, ValueError, NotImplementedError):
            return None
    if dtype is None:
        return None
    if dtype.is_floating:
        return "float"
    if dtype.is_integer:
        return "integer"
    return None


def _is_boolean_mask(value):
    if isinstance(value, (list, tuple)):
        return bool(value) and all(isinstance(flag, (bool, _np.bool_)) for flag in value)
    dtype, _ = _tensor_dtype_and_shape(value)
    return dtype == _tf.bool


def _static_rank(value):
    _, shape = _tensor_dtype_and_shape(value)
    if shape is not None:
        return shape.ndims
    try:
        return _np.ndim(value)
    except (TypeError, ValueError, NotImplementedError):
        return None


def _uses_old_keyword(spelling, kwargs):
    return any(old in kwargs for old, _ in spelling.renames)


def _bound_in_old_order(spelling, args, kwargs):
    """The call's arguments by old parameter name, for inspection only (never raises)."""
    bound = dict(kwargs)
    bound.update(zip(spelling.old_args, args))
    return bound


def _detect_always(spelling, args, kwargs):
    return True


def _detect_positional(spelling, args, kwargs):
    return bool(args) or _uses_old_keyword(spelling, kwargs)


def _detect_leading_axis(spelling, args, kwargs):
    if _uses_old_keyword(spelling, kwargs):
        return True
    if not args or not _is_integer_scalar(args[0]):
        return False
    _, tensor_name = spelling.detect_args
    return _is_tensor_like(_bound_in_old_order(spelling, args, kwargs).get(tensor_name))


def _detect_labels_dtype(spelling, args, kwargs):
    inputs_name, labels_name = spelling.detect_args
    bound = _bound_in_old_order(spelling, args, kwargs)
    return _dtype_kind(bound.get(inputs_name)) == "float" and (
        _dtype_kind(bound.get(labels_name)) == "integer"
    )


def _detect_bool_mask(spelling, args, kwargs):
    if _uses_old_keyword(spelling, kwargs):
        return True
    (mask_name,) = spelling.detect_args
    return _is_boolean_mask(_bound_in_old_order(spelling, args, kwargs).get(mask_name))


_DETECTORS = {
    _spellings.ALWAYS: _detect_always,
    _spellings.POSITIONAL: _detect_positional,
    _spellings.LEADING_AXIS: _detect_leading_axis,
    _spellings.LABELS_DTYPE: _detect_labels_dtype,
    _spellings.BOOL_MASK: _detect_bool_mask,
}


def _new_keywords(spelling, args, kwargs):
    """Bind an old-form call in the old order and rename its keywords for ``spelling.new``."""
    if len(args) > len(spelling.old_args):
        raise TypeError(
            f"{spelling.old_path}() takes at most {len(spelling.old_args)} positional "
            f"arguments in its TF {spelling.versions} form {spelling.old_signature}. "
            f"Received: {len(args)} positional arguments."
        )
    bound = dict(zip(spelling.old_args, args))
    for name, value in kwargs.items():
        if name in bound:
            raise TypeError(
                f"{spelling.old_path}() got multiple values for argument {name!r} (TF "
                f"{spelling.versions} order: {spelling.old_signature}). Received: "
                f"{len(args)} positional arguments and {name}= as a keyword."
            )
        bound[name] = value
    renames = dict(spelling.renames)
    arguments = {}
    for name, value in bound.items():
        new_name = renames.get(name, name)
        if new_name in arguments:
            raise TypeError(
                f"{spelling.old_path}() got two values for {new_name!r}: the TF "
                f"{spelling.versions} argument {name!r} becomes {new_name!r}. Received both."
            )
        arguments[new_name] = value
    return arguments


def _axes_of_mask(spelling, mask, tensor):
    """The indices of the True entries of a TF 0.x boolean dimension mask."""
    if _tf.is_tensor(mask) or isinstance(mask, _tf.Variable):
        static = _tf.get_static_value(mask)
        if static is None:
            return _tf.reshape(_V1.where(mask), [-1])
        mask = static
    flags = _np.asarray(mask, dtype=bool)
    rank = _static_rank(tensor)
    if flags.ndim != 1 or (rank is not None and flags.size != rank):
        raise ValueError(
            f"{spelling.old_path}(): the TF {spelling.versions} mask needs one boolean per "
            f"dimension of the first argument (rank {rank}). Received: {flags.tolist()}."
        )
    return [int(axis) for axis in _np.flatnonzero(flags)]


def _masks_to_axes(spelling, arguments):
    first = dict(spelling.renames).get(spelling.old_args[0], spelling.old_args[0])
    for _, mask_name in spelling.renames:
        arguments[mask_name] = _axes_of_mask(spelling, arguments[mask_name], arguments.get(first))


def _legacy_doc(spelling, target):
    renames = ", ".join(f"{old} -> {new}" for old, new in spelling.renames)
    lines = [
        f"``{spelling.old_path}`` as TensorFlow {spelling.versions} wrote it (legacy_compat.v1).",
        "",
        spelling.note,
        "",
        f"Old form: ``{spelling.old_signature}``. It is called as ``{spelling.new}`` with "
        "keyword arguments" + (f" (renamed: {renames})" if renames else "") + ".",
    ]
    if spelling.kind == _spellings.MASK_TO_AXES:
        lines.append("The boolean mask becomes the list of the indices of its True entries.")
    lines += ["", f"Recognising the old form: {spelling.detect_rule()}"]
    if spelling.detect != _spellings.ALWAYS:
        lines.append(
            f"Other calls go to ``{spelling.new}`` "
            f"(``{target.__module__}.{target.__name__}``) unchanged."
        )
    return "\n".join(lines)


def _legacy_function(spelling, target):
    """A function accepting both the old and the new form of ``spelling`` (see its doc)."""
    is_old_form = _DETECTORS[spelling.detect]

    def legacy(*args, **kwargs):
        if not is_old_form(spelling, args, kwargs):
            return target(*args, **kwargs)
        arguments = _new_keywords(spelling, args, kwargs)
        if spelling.kind == _spellings.MASK_TO_AXES:
            _masks_to_axes(spelling, arguments)
        return target(**arguments)

    legacy.__name__ = legacy.__qualname__ = spelling.old
    legacy.__module__ = __name__
    legacy.__doc__ = _legacy_doc(spelling, target)
    return legacy


def _resolve_new(spelling):
    """The object ``spelling.new`` names in this namespace (TF's own when the name is reused)."""
    namespace, _, name = spelling.new.rpartition(".")
    if (namespace, name) == (spelling.namespace, spelling.old):
        return getattr(_FALLBACKS[namespace], name)
    value = _sys.modules[__name__]
    for part in spelling.new.split(".")[1:]:
        value = getattr(value, part)
    return value


def _serve_spelling(spelling):
    target = _resolve_new(spelling)
    if spelling.kind == _spellings.RENAME:
        return target
    return _legacy_function(spelling, target)


for _spelling in _spellings.SPELLINGS:
    _SERVED[_spelling.namespace][_spelling.old] = _functools.partial(_serve_spelling, _spelling)
del _spelling
