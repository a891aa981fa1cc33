"""TF1's ``tf.layers`` pieces used by RNN programs: ``dense``, ``dropout``, ``flatten``.

On TensorFlow 2.16+ ``tf.compat.v1.layers.dense`` (and ``Dense``, ``dropout``,
``Dropout``, ``flatten``, ``Flatten``) raise "not available with Keras 3", because
TF1's ``tf.layers`` were Keras-2 layers. The classes and functions here re-create
them as plain Python objects with TF1's signatures and semantics, in graph mode
(``import legacy_compat.v1 as tf``, or inside ``tf.Graph().as_default()``). They
never import Keras or tf-keras.

Faithfulness to TF1 (checked by tests/legacy_compat/test_layers.py against tf-keras' copy of the
original ``tf.layers`` code):

* Variable scoping is TF1's ``tf.layers.Layer``: the scope is captured on the first
  call with ``variable_scope(None, default_name=<name or snake case class name>)``
  (``dense``, then ``dense_1`` for a second layer in the same scope, so
  ``Dense(name="out")`` twice gives ``out`` and ``out_1``), re-entered with
  ``reuse=True`` on later calls. The functional ``dense(..., name=n)`` captures
  ``variable_scope(n)`` itself (no uniquification; a second ``dense(x, k, name=n)``
  needs ``reuse=True`` or a reusing scope, as in TF1). Ops are created under the
  scope's original name scope (``dense/BiasAdd``).
* ``Dense`` creates ``<scope>/kernel`` [input_depth, units] (the variable scope's
  initializer when ``kernel_initializer`` is None: glorot_uniform by default) and
  ``<scope>/bias`` [units] (zeros) with ``tf.compat.v1.get_variable``. Inputs of
  rank > 2 are multiplied with ``tensordot`` over their last axis, as TF1's core
  ``Dense`` did. Kernel/bias regularizers are called once, when the variable is
  created (not when it is reused), under ``<scope>/kernel/Regularizer`` and their
  losses go to ``layer.losses`` and the ``REGULARIZATION_LOSSES`` collection.
  Constraints are attached to the variable (``variable.constraint``), where
  ``tf.compat.v1.train`` optimizers apply them after each update, as in TF1.
* ``activity_regularizer`` raises NotImplementedError: TF 1.0-1.12 added
  ``regularizer(outputs)`` to ``REGULARIZATION_LOSSES`` while later TF1 releases
  (Keras-based layers) added ``regularizer(outputs) / batch_size``; rather than
  pick one silently, the program must add the loss it meant itself.
* ``dropout``/``Dropout`` are identity unless ``training`` is true; ``training`` may
  be a Python bool (or 0/1), a boolean tensor (e.g. a placeholder: ``tf.cond``
  chooses) or a boolean variable. Training mode is ``tf.nn.dropout(inputs,
  rate=rate, noise_shape=noise_shape, seed=seed)``: ``rate`` is the fraction
  dropped (not ``keep_prob``); ``noise_shape`` entries may be None (taken from the
  input's dynamic shape). A ``Dropout`` object called several times uses the same
  op seed each time, as TF1's did.
* Unknown keyword arguments raise TypeError naming them; a non-callable
  activation, initializer, regularizer or constraint raises TypeError (TF1 took
  callables only; Keras' string names were not accepted by ``tf.layers``).
"""
import numbers

import numpy as np
import tensorflow as tf

from legacy_compat._tf1_layer import TF1Layer, check_options, outermost_graph, static_dim

_v1 = tf.compat.v1

__all__ = ["Layer", "Dense", "dense", "Dropout", "dropout", "Flatten", "flatten"]

_ACTIVITY_REGULARIZER_MESSAGE = (
    "{owner}: activity_regularizer is not supported by legacy_compat. Its meaning "
    "changed inside TF1: TF 1.0-1.12 added activity_regularizer(outputs) to the "
    "REGULARIZATION_LOSSES collection, later TF1 releases added "
    "activity_regularizer(outputs) / batch_size. Add the loss your program expects "
    "yourself, e.g. tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, "
    "regularizer(outputs))."
)


def _check_callable(owner, argument, value):
    if value is not None and not callable(value):
        raise TypeError(
            f"{owner}: {argument} must be a callable or None (TF1's tf.layers took "
            f"callables only). Received: {value!r}."
        )


def _smart_cond(pred, true_fn, false_fn):
    """TF1's ``smart_cond``: choose statically when ``pred`` is known, else ``tf.cond``."""
    if isinstance(pred, tf.Variable):
        return _v1.cond(pred, true_fn, false_fn)
    if tf.is_tensor(pred):
        if pred.dtype.base_dtype != tf.bool:
            raise TypeError(
                f"training must be a Python bool or a boolean tensor. Received a tensor "
                f"of dtype {pred.dtype.name}."
            )
        value = tf.get_static_value(pred)
        if value is None:
            return _v1.cond(pred, true_fn, false_fn)
    elif isinstance(pred, (bool, np.bool_)) or (
        isinstance(pred, numbers.Integral) and pred in (0, 1)
    ):
        value = bool(pred)
    else:
        raise TypeError(
            "training must be a Python bool (or 0/1), a boolean tensor or a boolean "
            f"variable. Received: {pred!r}."
        )
    return true_fn() if value else false_fn()


class Layer(TF1Layer):
    """TF1's ``tf.layers.Layer``: :class:`TF1Layer` scoping plus ``__call__``.

    Subclasses implement ``build(input_shape)`` (create variables with
    :meth:`add_variable`) and ``call(inputs, ...)``. Accepted keyword arguments
    besides ``trainable``, ``name`` and ``dtype``: ``_scope`` (capture
    ``variable_scope(_scope)`` now, as the functional forms do with ``name``) and
    ``_reuse``.
    """

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        scope = kwargs.pop("_scope", None)
        reuse = kwargs.pop("_reuse", None)
        check_options(type(self).__name__, type(self).__init__, kwargs)
        super().__init__(trainable=trainable, name=name, dtype=dtype, _reuse=reuse,
                         _scope=scope)

    def __call__(self, inputs, *args, **kwargs):
        """Run the layer on ``inputs`` (building it on the first call)."""
        scope = kwargs.pop("scope", None)
        self._ensure_graph()
        with self._layer_scope(scope):
            if not tf.is_tensor(inputs):
                inputs = tf.convert_to_tensor(inputs, name="input")
            if not self.built:
                if self._dtype is None:
                    self._dtype = inputs.dtype.base_dtype
                self._check_input_rank(inputs)
                self.build(inputs.shape)
                self.built = True
            self._check_inputs(inputs)
            return self.call(inputs, *args, **kwargs)

    apply = __call__

    _min_ndim = None

    def _check_input_rank(self, inputs):
        ndim = inputs.shape.rank
        if self._min_ndim is not None and ndim is not None and ndim < self._min_ndim:
            raise ValueError(
                f"Input 0 of layer {self.name!r} is incompatible with the layer: expected "
                f"min_ndim={self._min_ndim}, found ndim={ndim}. Full shape received: "
                f"{inputs.shape}."
            )

    def _check_inputs(self, inputs):
        self._check_input_rank(inputs)

    def build(self, input_shape):
        """Create the variables; the base layer has none."""

    def call(self, inputs, **kwargs):
        raise NotImplementedError("Abstract method")


class Dense(Layer):
    """TF1's ``tf.layers.Dense``: ``outputs = activation(inputs @ kernel + bias)``.

    Variables: ``<scope>/kernel`` [input_depth, units] (``kernel_initializer``, else
    the variable scope's initializer: glorot_uniform by default) and
    ``<scope>/bias`` [units] (``bias_initializer``, zeros by default; absent with
    ``use_bias=False``). Inputs of rank > 2 are contracted over their last axis with
    ``tensordot``. See the module docstring for regularizers and constraints.
    """

    _min_ndim = 2

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=_v1.zeros_initializer(), kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if activity_regularizer is not None:
            raise NotImplementedError(_ACTIVITY_REGULARIZER_MESSAGE.format(owner="Dense"))
        for argument, value in (
            ("activation", activation),
            ("kernel_initializer", kernel_initializer),
            ("bias_initializer", bias_initializer),
            ("kernel_regularizer", kernel_regularizer),
            ("bias_regularizer", bias_regularizer),
            ("kernel_constraint", kernel_constraint),
            ("bias_constraint", bias_constraint),
        ):
            _check_callable("Dense", argument, value)
        self.units = int(units)
        if self.units < 0 or self.units != units:
            raise ValueError(
                f"Dense: units must be a non-negative integer. Received: units={units!r}."
            )
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = None
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.kernel = None
        self.bias = None
        self._input_depth = None

    def build(self, input_shape):
        input_shape = tf.TensorShape(input_shape)
        if not (self._dtype.is_floating or self._dtype.is_complex):
            raise TypeError(
                f"Dense (scope {self._scope.name!r}) can only be built with a floating-point "
                f"dtype. Received inputs of dtype {self._dtype.name}."
            )
        last_dim = static_dim(input_shape[-1]) if input_shape.rank is not None else None
        if last_dim is None:
            raise ValueError(
                "The last dimension of the inputs to `Dense` should be defined. Found "
                f"`None`. Full input shape received: {input_shape}."
            )
        self._input_depth = last_dim
        self.kernel = self.add_variable(
            "kernel",
            shape=[last_dim, self.units],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            dtype=self._dtype,
        )
        if self.use_bias:
            self.bias = self.add_variable(
                "bias",
                shape=[self.units],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                dtype=self._dtype,
            )
        else:
            self.bias = None

    def _check_inputs(self, inputs):
        self._check_input_rank(inputs)
        shape = inputs.shape
        depth = static_dim(shape[-1]) if shape.rank is not None else None
        if depth is not None and depth != self._input_depth:
            raise ValueError(
                f"Input 0 of layer {self.name!r} (scope {self._scope.name!r}) is incompatible "
                f"with the layer: expected axis -1 of input shape to have value "
                f"{self._input_depth} but received input with shape {shape}."
            )

    def call(self, inputs):
        if inputs.dtype.base_dtype != self._dtype:
            inputs = tf.cast(inputs, self._dtype)
        rank = inputs.shape.rank
        if rank == 2 or rank is None:
            outputs = tf.matmul(a=inputs, b=self.kernel)
        else:
            outputs = tf.tensordot(inputs, self.kernel, [[rank - 1], [0]])
            outputs.set_shape(inputs.shape.as_list()[:-1] + [self.units])
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = tf.TensorShape(input_shape).with_rank_at_least(2)
        return input_shape[:-1].concatenate(self.units)


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=_v1.zeros_initializer(), kernel_regularizer=None,
          bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """TF1's ``tf.layers.dense``: ``Dense(units, ...)`` applied to ``inputs``.

    With ``name``, the layer captures ``variable_scope(name)`` (no ``_1`` suffix:
    creating it twice needs ``reuse=True``); without, ``dense``, ``dense_1``, ...
    """
    if activity_regularizer is not None:
        raise NotImplementedError(_ACTIVITY_REGULARIZER_MESSAGE.format(owner="dense"))
    layer = Dense(
        units,
        activation=activation,
        use_bias=use_bias,
        kernel_initializer=kernel_initializer,
        bias_initializer=bias_initializer,
        kernel_regularizer=kernel_regularizer,
        bias_regularizer=bias_regularizer,
        kernel_constraint=kernel_constraint,
        bias_constraint=bias_constraint,
        trainable=trainable,
        name=name,
        _scope=name,
        _reuse=reuse,
    )
    return layer(inputs)


class Dropout(Layer):
    """TF1's ``tf.layers.Dropout``: drops a fraction ``rate`` of the inputs when training.

    ``layer(inputs, training=False)``: identity unless ``training`` is true (a Python
    bool or a boolean tensor); in training, ``tf.nn.dropout(inputs, rate=rate,
    noise_shape=noise_shape, seed=seed)`` (kept units are scaled by 1 / (1 - rate)).
    """

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if isinstance(rate, numbers.Real) and not 0 <= rate <= 1:
            raise ValueError(
                f"Dropout: invalid value {rate!r} for rate, expected a value between 0 and 1."
            )
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def _get_noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        if tf.is_tensor(self.noise_shape):
            return self.noise_shape
        dynamic = tf.shape(inputs)
        return tf.convert_to_tensor(
            [dynamic[i] if value is None else value for i, value in enumerate(self.noise_shape)]
        )

    def call(self, inputs, training=False):
        if isinstance(self.rate, numbers.Real) and self.rate == 0:
            return tf.identity(inputs)

        def dropped_inputs():
            return tf.nn.dropout(
                inputs, rate=self.rate, noise_shape=self._get_noise_shape(inputs),
                seed=self.seed,
            )

        return _smart_cond(training, dropped_inputs, lambda: tf.identity(inputs))


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """TF1's ``tf.layers.dropout``: identity unless ``training`` (bool or bool tensor).

    ``rate`` is the fraction of units dropped (``keep_prob = 1 - rate``).
    """
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, name=name)
    return layer(inputs, training=training)


class Flatten(Layer):
    """TF1's ``tf.layers.Flatten``: reshape to ``[batch, -1]`` keeping the batch axis."""

    _min_ndim = 1

    def __init__(self, data_format="channels_last", **kwargs):
        super().__init__(**kwargs)
        if data_format is None:
            data_format = "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                "Flatten: data_format must be 'channels_last' or 'channels_first'. "
                f"Received: {data_format!r}."
            )
        self.data_format = data_format

    def call(self, inputs):
        rank = inputs.shape.rank
        if self.data_format == "channels_first" and rank and rank > 1:
            inputs = tf.transpose(inputs, perm=[0, *range(2, rank), 1])
        if rank == 1:
            return tf.expand_dims(inputs, axis=1)
        shape = inputs.shape
        if rank is not None and shape[1:].is_fully_defined():
            last_dim = int(np.prod(shape[1:].as_list(), dtype=np.int64))
            flattened_shape = tf.constant([-1, last_dim])
        elif rank is not None and static_dim(shape[0]) is not None:
            flattened_shape = tf.constant([int(static_dim(shape[0])), -1])
        else:
            flattened_shape = [tf.shape(inputs)[0], -1]
        return tf.reshape(inputs, flattened_shape)

    def compute_output_shape(self, input_shape):
        input_shape = tf.TensorShape(input_shape).as_list()
        rest = input_shape[1:]
        flat = int(np.prod(rest)) if all(d is not None for d in rest) else None
        return tf.TensorShape([input_shape[0], flat])


def flatten(inputs, name=None, data_format="channels_last"):
    """TF1's ``tf.layers.flatten``: ``[batch, d1, ..., dk]`` -> ``[batch, d1 * ... * dk]``."""
    layer = Flatten(name=name, data_format=data_format)
    return layer(inputs)
