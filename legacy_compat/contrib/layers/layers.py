"""``tf.contrib.layers``' layers, as TF 1.15's ``contrib/layers/python/layers/layers.py``.

``fully_connected``, ``linear``, ``flatten`` and ``layer_norm`` with TF1's signatures,
defaults, variable names and name scopes, in graph mode (``import legacy_compat.v1 as
tf``, or inside ``tf.Graph().as_default()``). They never import Keras.

* ``fully_connected(inputs, num_outputs, activation_fn=tf.nn.relu, ...)`` opens
  ``variable_scope(scope, default_name='fully_connected', reuse=reuse)`` (so
  ``fully_connected``, ``fully_connected_1``, ... without ``scope``; ``reuse=True`` needs
  ``scope``, as in TF1) and applies :class:`legacy_compat.layers.Dense` in it, as TF1
  applied ``tf.layers.Dense``, through a custom getter that renames ``kernel`` to
  ``weights`` and ``bias`` to ``biases`` and adds them to ``GraphKeys.MODEL_VARIABLES``:
  variables ``<scope>/weights`` [depth, num_outputs] (``weights_initializer``, default
  contrib's ``xavier_initializer()`` = Glorot uniform) and ``<scope>/biases``
  [num_outputs] (``biases_initializer``, default zeros; None: no biases). Then
  ``normalizer_fn(outputs, **normalizer_params)`` (any callable, e.g. ``layer_norm``;
  given a normalizer, no biases are created, as in TF1), then ``activation_fn``
  (default ReLU; None: linear). Inputs of rank > 2 are contracted over their last axis
  (``tensordot``), as TF 1.15 did. ``linear`` is ``fully_connected`` with
  ``activation_fn=None`` (a ``functools.partial``, as in TF1).
* ``flatten(inputs, outputs_collections=None, scope=None)``: ``tf.layers.flatten`` under
  the name scope ``Flatten``: ``[batch, d1, ..., dk] -> [batch, d1 * ... * dk]``.
* ``layer_norm(inputs, center=True, scale=True, activation_fn=None, reuse=None,
  variables_collections=None, outputs_collections=None, trainable=True,
  begin_norm_axis=1, begin_params_axis=-1, scope=None)``: moments over the axes
  ``begin_norm_axis..rank-1`` (by default every axis but the batch axis), then
  ``tf.nn.batch_normalization(..., variance_epsilon=1e-12)`` (1e-3 for float16) with
  ``<scope>/beta`` (zeros) and ``<scope>/gamma`` (ones) of shape
  ``inputs.shape[begin_params_axis:]``; scope ``LayerNorm``. Keras'
  ``LayerNormalization`` uses epsilon 1e-3 and normalises over the last axis only.
* ``variables_collections`` (a list, or a dict by variable name: ``weights``,
  ``biases``, ``beta``, ``gamma``) adds the variables to more collections;
  ``outputs_collections`` adds the output tensor, with ``tensor.aliases`` set to the
  scope name, as TF1's ``collect_named_outputs`` did.
"""
import functools

import tensorflow as tf

from legacy_compat.contrib.layers.initializers import xavier_initializer
from legacy_compat.layers import Dense
from legacy_compat.layers import flatten as _core_flatten

_v1 = tf.compat.v1

__all__ = ["fully_connected", "linear", "flatten", "layer_norm"]

_FULLY_CONNECTED_NAMES = {"kernel": "weights", "bias": "biases"}


# --- TF1 contrib's variable and collection helpers -----------------------------------
def variable_collections(variables_collections, name):
    """TF1's ``utils.get_variable_collections``: the list for ``name`` (dict) or the list."""
    if isinstance(variables_collections, dict):
        return variables_collections.get(name)
    return variables_collections


def _model_collections(collections):
    """``collections`` plus GLOBAL_VARIABLES and MODEL_VARIABLES, as ``model_variable``."""
    keys = list(collections or []) + [_v1.GraphKeys.GLOBAL_VARIABLES,
                                      _v1.GraphKeys.MODEL_VARIABLES]
    return list(dict.fromkeys(keys))


def model_variable(name, collections=None, **kwargs):
    """TF1 contrib's ``model_variable``: ``get_variable`` also in MODEL_VARIABLES."""
    return _v1.get_variable(name, collections=_model_collections(collections), **kwargs)


def _renaming_model_getter(renames):
    """TF1's ``_build_variable_getter``: rename the last name component, model variable."""

    def model_getter(getter, name, *args, **kwargs):
        head, _, short = name.rpartition("/")
        short = renames.get(short, short)
        kwargs["collections"] = _model_collections(kwargs.get("collections"))
        return getter(f"{head}/{short}" if head else short, *args, **kwargs)

    return model_getter


def add_to_collections(variable, variables_collections, name):
    """TF1's ``_add_variable_to_collections`` (each part of a partitioned variable)."""
    parts = [variable] if isinstance(variable, tf.Variable) else list(variable)
    for collection in variable_collections(variables_collections, name) or []:
        for part in parts:
            if all(part is not known for known in _v1.get_collection(collection)):
                _v1.add_to_collection(collection, part)


def collect_named_outputs(collections, alias, outputs):
    """TF1's ``utils.collect_named_outputs``: alias the tensor, add it to ``collections``."""
    if collections:
        alias = alias[:-1] if alias.endswith("/") else alias
        if hasattr(outputs, "aliases"):
            outputs.aliases.append(alias)
        else:
            outputs.aliases = [alias]
        _v1.add_to_collections(collections, outputs)
    return outputs


# --- the layers -------------------------------------------------------------------------
def fully_connected(inputs, num_outputs, activation_fn=tf.nn.relu, normalizer_fn=None,
                    normalizer_params=None, weights_initializer=xavier_initializer(),
                    weights_regularizer=None, biases_initializer=_v1.zeros_initializer(),
                    biases_regularizer=None, reuse=None, variables_collections=None,
                    outputs_collections=None, trainable=True, scope=None):
    """TF1's ``tf.contrib.layers.fully_connected`` (see the module docstring)."""
    if not isinstance(num_outputs, int) or isinstance(num_outputs, bool):
        raise ValueError(
            "fully_connected: num_outputs must be a Python int (TF1 accepted int only), "
            f"got {num_outputs!r} of type {type(num_outputs).__name__}."
        )
    for argument, value in (("activation_fn", activation_fn), ("normalizer_fn", normalizer_fn)):
        if value is not None and not callable(value):
            raise TypeError(
                f"fully_connected: {argument} must be a callable or None. Received: {value!r}."
            )
    with _v1.variable_scope(scope, "fully_connected", [inputs], reuse=reuse,
                            custom_getter=_renaming_model_getter(_FULLY_CONNECTED_NAMES)) as sc:
        inputs = tf.convert_to_tensor(inputs)
        layer = Dense(
            num_outputs,
            activation=None,
            use_bias=bool(not normalizer_fn and biases_initializer),
            kernel_initializer=weights_initializer,
            bias_initializer=biases_initializer,
            kernel_regularizer=weights_regularizer,
            bias_regularizer=biases_regularizer,
            trainable=trainable,
            name=sc.name,
            dtype=inputs.dtype.base_dtype,
            _scope=sc,
            _reuse=reuse,
        )
        outputs = layer(inputs)
        add_to_collections(layer.kernel, variables_collections, "weights")
        if layer.bias is not None:
            add_to_collections(layer.bias, variables_collections, "biases")
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)


linear = functools.partial(fully_connected, activation_fn=None)


def flatten(inputs, outputs_collections=None, scope=None):
    """TF1's ``tf.contrib.layers.flatten``: ``tf.layers.flatten`` under name scope ``Flatten``."""
    with _v1.name_scope(scope, "Flatten", [inputs]) as sc:
        inputs = tf.convert_to_tensor(inputs)
        outputs = _core_flatten(inputs)
        return collect_named_outputs(outputs_collections, sc, outputs)


def layer_norm(inputs, center=True, scale=True, activation_fn=None, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               begin_norm_axis=1, begin_params_axis=-1, scope=None):
    """TF1's ``tf.contrib.layers.layer_norm`` (see the module docstring)."""
    with _v1.variable_scope(scope, "LayerNorm", [inputs], reuse=reuse) as sc:
        inputs = tf.convert_to_tensor(inputs)
        inputs_shape = inputs.shape
        rank = inputs_shape.rank
        if rank is None:
            raise ValueError(
                f"layer_norm: inputs {inputs.name} has an undefined rank; TF1's layer_norm "
                "needs inputs of known rank."
            )
        if not -rank <= begin_norm_axis < rank or begin_params_axis >= rank:
            raise ValueError(
                f"layer_norm: begin_params_axis ({begin_params_axis}) and begin_norm_axis "
                f"({begin_norm_axis}) must be < rank(inputs) ({rank}) (begin_norm_axis "
                f">= -{rank})."
            )
        if begin_norm_axis < 0:
            begin_norm_axis += rank
        params_shape = inputs_shape[begin_params_axis:]
        if not params_shape.is_fully_defined():
            raise ValueError(
                f"layer_norm: inputs {inputs.name}: shape(inputs)[{begin_params_axis}:] is "
                f"not fully defined: {inputs_shape}. The parameters need a static shape."
            )
        dtype = inputs.dtype.base_dtype
        beta = gamma = None
        if center:
            beta = model_variable(
                "beta", shape=params_shape, dtype=dtype, initializer=_v1.zeros_initializer(),
                collections=variable_collections(variables_collections, "beta"),
                trainable=trainable)
        if scale:
            gamma = model_variable(
                "gamma", shape=params_shape, dtype=dtype, initializer=_v1.ones_initializer(),
                collections=variable_collections(variables_collections, "gamma"),
                trainable=trainable)
        norm_axes = list(range(begin_norm_axis, rank))
        mean, variance = _v1.nn.moments(inputs, norm_axes, keep_dims=True)
        # TF 1.15: "epsilon must be increased for float16 due to the limited range".
        variance_epsilon = 1e-12 if dtype != tf.float16 else 1e-3
        outputs = _v1.nn.batch_normalization(inputs, mean, variance, offset=beta, scale=gamma,
                                             variance_epsilon=variance_epsilon)
        outputs.set_shape(inputs_shape)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return collect_named_outputs(outputs_collections, sc.name, outputs)
