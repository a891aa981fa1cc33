"""The RNNCell protocol and what every cell family shares (TF1's ``rnn_cell_impl`` core).

``RNNCell`` and ``LayerRNNCell`` (TF1's variable scoping on top of :class:`TF1Layer`),
``LSTMStateTuple``, the variable-name constants, activation lookup, dtype checks,
zero-state construction and ``assert_like_rnncell``.
"""
import collections

import tensorflow as tf

from legacy_compat._tf1_layer import TF1Layer, static_dim

_v1 = tf.compat.v1

_BIAS_VARIABLE_NAME = "bias"
_WEIGHTS_VARIABLE_NAME = "kernel"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
_ACTIVATIONS = {
    "tanh": tf.tanh,
    "sigmoid": tf.sigmoid,
    "relu": tf.nn.relu,
    "relu6": tf.nn.relu6,
    "elu": tf.nn.elu,
    "selu": tf.nn.selu,
    "softsign": tf.nn.softsign,
    "softplus": tf.nn.softplus,
    "linear": tf.identity,
}


def _get_activation(activation, owner):
    """TF1 semantics: a falsy activation means tanh; strings name an activation."""
    if not activation:
        return tf.tanh
    if callable(activation):
        return activation
    if isinstance(activation, str) and activation in _ACTIVATIONS:
        return _ACTIVATIONS[activation]
    raise ValueError(
        f"{owner}: unknown activation {activation!r}. Expected a callable or one of "
        f"{sorted(_ACTIVATIONS)}."
    )


def check_supported_dtype(dtype, owner):
    if dtype is None:
        return
    dtype = tf.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_complex):
        raise ValueError(
            f"{owner}: RNN cells only support floating point inputs, but received dtype: "
            f"{dtype.name}."
        )


def _check_rnn_cell_input_dtypes(values, owner):
    for t in tf.nest.flatten(values):
        check_supported_dtype(t.dtype, owner)


def _concat(prefix, suffix, static=False):
    """Concatenate a batch prefix (int or scalar tensor) and a state size."""
    if isinstance(prefix, tf.Tensor):
        p = prefix
        p_static = tf.get_static_value(prefix)
        if p.shape.ndims == 0:
            p = tf.expand_dims(p, 0)
        elif p.shape.ndims != 1:
            raise ValueError(
                f"batch_size must be a scalar or vector tensor. Received: {p}"
            )
    else:
        p = tf.TensorShape(prefix)
        p_static = p.as_list() if p.ndims is not None else None
        p = tf.constant(p.as_list(), dtype=tf.int32) if p.is_fully_defined() else None
    if isinstance(suffix, tf.Tensor):
        s = suffix
        s_static = tf.get_static_value(suffix)
        if s.shape.ndims == 0:
            s = tf.expand_dims(s, 0)
    else:
        s = tf.TensorShape(suffix)
        s_static = s.as_list() if s.ndims is not None else None
        s = tf.constant(s.as_list(), dtype=tf.int32) if s.is_fully_defined() else None
    if static:
        shape = tf.TensorShape(p_static).concatenate(s_static)
        return shape.as_list() if shape.ndims is not None else None
    if p is None or s is None:
        raise ValueError(f"Prefix or suffix can't be None. Received {prefix} and {suffix}.")
    return tf.concat((p, s), 0)


def _zero_state_tensors(state_size, batch_size, dtype):
    def get_state_shape(s):
        size = tf.zeros(_concat(batch_size, s), dtype=dtype)
        if not tf.executing_eagerly():
            size.set_shape(_concat(batch_size, s, static=True))
        return size

    return tf.nest.map_structure(get_state_shape, state_size)


_LSTMStateTupleBase = collections.namedtuple("LSTMStateTuple", ("c", "h"))


class LSTMStateTuple(_LSTMStateTupleBase):
    """``(c, h)``: the LSTM cell state and the output (hidden) state, in that order."""

    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent dtypes for internal state: {c.dtype} vs {h.dtype}")
        return c.dtype


# --------------------------------------------------------------------------
# base classes
# --------------------------------------------------------------------------
class RNNCell(TF1Layer):
    """Abstract TF1 RNN cell: ``(output, new_state) = cell(inputs, state)``.

    Subclasses implement ``state_size``, ``output_size``, ``build(inputs_shape)``
    (create variables with :meth:`add_variable`) and ``call(inputs, state)``.
    Variable scoping is TF1's ``tf.layers.Layer`` (:class:`TF1Layer`); like TF1's
    ``RNNCell.__call__``, the first call also captures the variable scope it was
    called in, and later calls re-enter it.
    """

    def __init__(self, trainable=True, name=None, dtype=None, _reuse=None):
        super().__init__(trainable=trainable, name=name, dtype=dtype, _reuse=_reuse)
        check_supported_dtype(self._dtype, type(self).__name__)
        self._rnncell_scope = None
        self._built_input_depth = None

    # -- protocol ------------------------------------------------------------------
    @property
    def state_size(self):
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self):
        raise NotImplementedError("Abstract method")

    def zero_state(self, batch_size, dtype):
        """Zero-filled state tensor(s) of shape ``[batch_size, s]`` for each state size."""
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            return _zero_state_tensors(self.state_size, batch_size, dtype)

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        if inputs is not None:
            inputs = tf.convert_to_tensor(inputs, name="inputs")
            if dtype is not None and inputs.dtype != dtype:
                raise ValueError(
                    f"dtype from input tensor is different from the input param. Input "
                    f"tensor dtype: {inputs.dtype}, dtype: {dtype}"
                )
            batch_size = static_dim(inputs.shape[0]) or tf.shape(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError(
                "batch_size and dtype cannot be None while constructing initial state: "
                f"batch_size={batch_size}, dtype={dtype}"
            )
        return self.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        """Run the cell on ``inputs`` ([batch, input_size]) from ``state``."""
        self._ensure_graph()
        if scope is not None:
            with _v1.variable_scope(scope) as captured:
                return self._layer_call(inputs, state, scope=captured)
        if self._rnncell_scope is None:
            self._rnncell_scope = _v1.variable_scope(_v1.get_variable_scope())
        with self._rnncell_scope:
            return self._layer_call(inputs, state)

    def _layer_call(self, inputs, state, scope=None):
        with self._layer_scope(scope):
            if not self.built:
                inputs_shape = self._checked_first_inputs(inputs)
                if self._dtype is None:
                    self._dtype = tf.nest.flatten(inputs)[0].dtype.base_dtype
                self.build(inputs_shape)
                self.built = True
            else:
                self._check_inputs(inputs)
            return self.call(inputs, state)

    # -- input validation (clear errors instead of deep matmul shape errors)
    def _checked_first_inputs(self, inputs):
        flat = tf.nest.flatten(inputs)
        if len(flat) != 1:
            return tf.nest.map_structure(lambda t: t.shape, inputs)
        shape = flat[0].shape
        owner = type(self).__name__
        if shape.rank is not None and shape.rank != 2:
            raise ValueError(
                f"{owner} expects inputs of rank 2, shape [batch_size, input_size]; "
                f"received shape {shape}."
            )
        if shape.rank is None or static_dim(shape[-1]) is None:
            raise ValueError(
                f"{owner} expects inputs of shape [batch_size, input_size] with a known "
                f"input_size; received shape {shape}."
            )
        self._built_input_depth = static_dim(shape[-1])
        return shape

    def _check_inputs(self, inputs):
        flat = tf.nest.flatten(inputs)
        if len(flat) != 1 or self._built_input_depth is None:
            return
        shape = flat[0].shape
        owner = type(self).__name__
        if shape.rank is not None and shape.rank != 2:
            raise ValueError(
                f"{owner} expects inputs of rank 2, shape [batch_size, "
                f"{self._built_input_depth}]; received shape {shape}."
            )
        depth = static_dim(shape[-1]) if shape.rank is not None else None
        if depth is not None and depth != self._built_input_depth:
            raise ValueError(
                f"{owner} (scope {self._scope.name!r}) was built for inputs of shape "
                f"[batch_size, {self._built_input_depth}]; received shape {shape}."
            )

    def build(self, inputs_shape):
        """Create the variables; the base cell has none."""

    def call(self, inputs, state):
        raise NotImplementedError("Abstract method")

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable,
                "dtype": self._dtype.name if self._dtype is not None else None}


class LayerRNNCell(RNNCell):
    """An RNNCell whose variables are all created in ``build`` (TF1's ``LayerRNNCell``).

    As in TF1, its ``__call__`` goes straight to the layer scope logic, without
    first re-entering the variable scope current at the first call (which plain
    ``RNNCell`` subclasses such as ``MultiRNNCell`` do). The difference is
    visible: two such cells called in one scope get ``basic_lstm_cell`` and
    ``basic_lstm_cell_1``.
    """

    def __call__(self, inputs, state, scope=None):
        self._ensure_graph()
        return self._layer_call(inputs, state, scope=scope)


# --------------------------------------------------------------------------
# the protocol check (used by the wrappers)
# --------------------------------------------------------------------------
def _hasattr(obj, attr_name):
    try:
        getattr(obj, attr_name)
    except AttributeError:
        return False
    return True


def assert_like_rnncell(cell_name, cell):
    """Raise TypeError if ``cell`` does not follow the RNNCell protocol."""
    conditions = [
        _hasattr(cell, "output_size"),
        _hasattr(cell, "state_size"),
        _hasattr(cell, "get_initial_state") or _hasattr(cell, "zero_state"),
        callable(cell),
    ]
    errors = [
        "'output_size' property is missing",
        "'state_size' property is missing",
        "either 'zero_state' or 'get_initial_state' method is required",
        "is not callable",
    ]
    if not all(conditions):
        errors = [e for e, ok in zip(errors, conditions) if not ok]
        raise TypeError(f"The argument {cell_name!r} ({cell}) is not an RNNCell: "
                        f"{', '.join(errors)}.")
