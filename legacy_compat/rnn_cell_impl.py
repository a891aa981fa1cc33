"""TF1 RNN cells (``tf.nn.rnn_cell`` / ``tf.contrib.rnn``) for TensorFlow 2.16+ with Keras 3.

On TensorFlow 2.16+ every ``tf.compat.v1.nn.rnn_cell`` class raises "not available
with Keras 3", because TF1's cells were Keras-2 layers. The classes here are plain
Python objects that follow the RNNCell protocol used by ``tf.compat.v1.nn``'s
``static_rnn``, ``dynamic_rnn``, ``static_bidirectional_rnn`` and
``bidirectional_dynamic_rnn`` (``state_size``, ``output_size``, ``zero_state`` and
``__call__(inputs, state, scope=None)``). They never import Keras or tf-keras.

Faithfulness to TF1 (checked by the oracle tests against tf-keras' copy of the
original TF1 code):

* Variable names: the cell captures its variable scope on its first call exactly
  like TF1's ``tf.layers.Layer`` did (``variable_scope(None, default_name=<snake
  case class name>)``, so ``rnn/basic_lstm_cell/kernel``,
  ``bidirectional_rnn/fw/...``, ``rnn/multi_rnn_cell/cell_0/...``, and
  ``basic_lstm_cell_1`` for a second cell in the same scope), then re-enters it
  with ``reuse=True`` on later calls. A TF1 checkpoint therefore restores with
  ``tf.compat.v1.train.Saver``.
* Variable shapes, initialisers and the arithmetic (operation by operation) are
  TF1's, so outputs agree with the original cells to the last bit or within a
  few float32 ulps.
"""
import collections
import hashlib
import numbers

import tensorflow as tf

from legacy_compat._tf1_layer import TF1Layer, check_options, static_dim

_v1 = tf.compat.v1

_BIAS_VARIABLE_NAME = "bias"
_WEIGHTS_VARIABLE_NAME = "kernel"

__all__ = [
    "RNNCell",
    "LayerRNNCell",
    "BasicRNNCell",
    "BasicLSTMCell",
    "LSTMCell",
    "GRUCell",
    "MultiRNNCell",
    "DropoutWrapper",
    "ResidualWrapper",
    "DeviceWrapper",
    "LSTMStateTuple",
    "LayerNormBasicLSTMCell",
]


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
# concrete cells
# --------------------------------------------------------------------------
class BasicRNNCell(LayerRNNCell):
    """``output = new_state = act([inputs, state] @ kernel + bias)``.

    Variables: ``basic_rnn_cell/kernel`` [input_size + num_units, num_units] (the
    scope's initializer, glorot_uniform by default) and ``basic_rnn_cell/bias``
    [num_units] (zeros).
    """

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None,
                 trainable=True, **kwargs):
        check_options("BasicRNNCell", BasicRNNCell.__init__, kwargs)
        super().__init__(trainable=trainable, name=name, dtype=dtype, _reuse=reuse)
        self._num_units = num_units
        self._activation = _get_activation(activation, "BasicRNNCell")

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        input_depth = static_dim(inputs_shape[-1])
        self._kernel = self.add_variable(
            _WEIGHTS_VARIABLE_NAME, shape=[input_depth + self._num_units, self._num_units])
        self._bias = self.add_variable(
            _BIAS_VARIABLE_NAME, shape=[self._num_units],
            initializer=_v1.zeros_initializer(dtype=self._dtype))

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state], "BasicRNNCell")
        gate_inputs = tf.matmul(tf.concat([inputs, state], 1), self._kernel)
        gate_inputs = tf.nn.bias_add(gate_inputs, self._bias)
        output = self._activation(gate_inputs)
        return output, output


class GRUCell(LayerRNNCell):
    """Gated Recurrent Unit (Cho et al., 2014), TF1's variant (reset before the matmul).

    Variables: ``gru_cell/gates/kernel`` [D+U, 2U] (columns r | u), ``gates/bias``
    [2U] (initialised to 1.0), ``candidate/kernel`` [D+U, U], ``candidate/bias`` [U]
    (zeros). ``h' = u * h + (1 - u) * act([x, r * h] @ Wc + bc)``.
    """

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None, trainable=True, **kwargs):
        check_options("GRUCell", GRUCell.__init__, kwargs)
        super().__init__(trainable=trainable, name=name, dtype=dtype, _reuse=reuse)
        self._num_units = num_units
        self._activation = _get_activation(activation, "GRUCell")
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        input_depth = static_dim(inputs_shape[-1])
        u = self._num_units
        self._gate_kernel = self.add_variable(
            f"gates/{_WEIGHTS_VARIABLE_NAME}", shape=[input_depth + u, 2 * u],
            initializer=self._kernel_initializer)
        self._gate_bias = self.add_variable(
            f"gates/{_BIAS_VARIABLE_NAME}", shape=[2 * u],
            initializer=(self._bias_initializer if self._bias_initializer is not None
                         else _v1.constant_initializer(1.0, dtype=self._dtype)))
        self._candidate_kernel = self.add_variable(
            f"candidate/{_WEIGHTS_VARIABLE_NAME}", shape=[input_depth + u, u],
            initializer=self._kernel_initializer)
        self._candidate_bias = self.add_variable(
            f"candidate/{_BIAS_VARIABLE_NAME}", shape=[u],
            initializer=(self._bias_initializer if self._bias_initializer is not None
                         else _v1.zeros_initializer(dtype=self._dtype)))

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state], "GRUCell")
        gate_inputs = tf.matmul(tf.concat([inputs, state], 1), self._gate_kernel)
        gate_inputs = tf.nn.bias_add(gate_inputs, self._gate_bias)
        value = tf.sigmoid(gate_inputs)
        r, u = tf.split(value=value, num_or_size_splits=2, axis=1)
        r_state = r * state
        candidate = tf.matmul(tf.concat([inputs, r_state], 1), self._candidate_kernel)
        candidate = tf.nn.bias_add(candidate, self._candidate_bias)
        c = self._activation(candidate)
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class BasicLSTMCell(LayerRNNCell):
    """The basic LSTM cell of TF1 (no peepholes, clipping or projection).

    Variables: ``basic_lstm_cell/kernel`` [D+U, 4U] (columns i, j, f, o) and
    ``basic_lstm_cell/bias`` [4U] (zeros). ``forget_bias`` is added at run time and
    is not stored in ``bias``: ``c' = c*sigmoid(f + forget_bias) + sigmoid(i)*act(j)``,
    ``h' = act(c') * sigmoid(o)``. The state is ``LSTMStateTuple(c, h)``, or
    ``concat([c, h], 1)`` when ``state_is_tuple=False``.
    """

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, name=None, dtype=None, trainable=True, **kwargs):
        check_options("BasicLSTMCell", BasicLSTMCell.__init__, kwargs)
        super().__init__(trainable=trainable, name=name, dtype=dtype, _reuse=reuse)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _get_activation(activation, "BasicLSTMCell")

    @property
    def state_size(self):
        if self._state_is_tuple:
            return LSTMStateTuple(self._num_units, self._num_units)
        return 2 * self._num_units

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        input_depth = static_dim(inputs_shape[-1])
        self._kernel = self.add_variable(
            _WEIGHTS_VARIABLE_NAME,
            shape=[input_depth + self._num_units, 4 * self._num_units])
        self._bias = self.add_variable(
            _BIAS_VARIABLE_NAME, shape=[4 * self._num_units],
            initializer=_v1.zeros_initializer(dtype=self._dtype))

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state], "BasicLSTMCell")
        sigmoid = tf.sigmoid
        one = tf.constant(1, dtype=tf.int32)
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = tf.split(value=state, num_or_size_splits=2, axis=one)
        gate_inputs = tf.matmul(tf.concat([inputs, h], 1), self._kernel)
        gate_inputs = tf.nn.bias_add(gate_inputs, self._bias)
        i, j, f, o = tf.split(value=gate_inputs, num_or_size_splits=4, axis=one)
        forget_bias_tensor = tf.constant(self._forget_bias, dtype=f.dtype)
        new_c = tf.add(tf.multiply(c, sigmoid(tf.add(f, forget_bias_tensor))),
                       tf.multiply(sigmoid(i), self._activation(j)))
        new_h = tf.multiply(self._activation(new_c), sigmoid(o))
        if self._state_is_tuple:
            new_state = LSTMStateTuple(new_c, new_h)
        else:
            new_state = tf.concat([new_c, new_h], 1)
        return new_h, new_state


class LSTMCell(LayerRNNCell):
    """TF1's full LSTM cell: optional peepholes, cell clipping and a projection.

    Variables: ``lstm_cell/kernel`` [D+H, 4U] with H = num_proj or U (columns i, j,
    f, o), ``bias`` [4U], ``w_f_diag``/``w_i_diag``/``w_o_diag`` [U] when
    ``use_peepholes``, and ``projection/kernel`` [U, num_proj] when ``num_proj``.
    ``num_unit_shards``/``num_proj_shards`` partition kernel/projection as TF1 did.
    """

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_proj=None, proj_clip=None, num_unit_shards=None, num_proj_shards=None,
                 forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None,
                 name=None, dtype=None, trainable=True, **kwargs):
        check_options("LSTMCell", LSTMCell.__init__, kwargs)
        super().__init__(trainable=trainable, name=name, dtype=dtype, _reuse=reuse)
        self._num_units = num_units
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        self._num_unit_shards = num_unit_shards
        self._num_proj_shards = num_proj_shards
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _get_activation(activation, "LSTMCell")
        if num_proj:
            self._state_size = (LSTMStateTuple(num_units, num_proj) if state_is_tuple
                                else num_units + num_proj)
            self._output_size = num_proj
        else:
            self._state_size = (LSTMStateTuple(num_units, num_units) if state_is_tuple
                                else 2 * num_units)
            self._output_size = num_units

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size

    def build(self, inputs_shape):
        input_depth = static_dim(inputs_shape[-1])
        h_depth = self._num_units if self._num_proj is None else self._num_proj
        maybe_partitioner = (_v1.fixed_size_partitioner(self._num_unit_shards)
                             if self._num_unit_shards is not None else None)
        self._kernel = self.add_variable(
            _WEIGHTS_VARIABLE_NAME, shape=[input_depth + h_depth, 4 * self._num_units],
            initializer=self._initializer, partitioner=maybe_partitioner)
        self._bias = self.add_variable(
            _BIAS_VARIABLE_NAME, shape=[4 * self._num_units],
            initializer=_v1.zeros_initializer(dtype=self._dtype))
        if self._use_peepholes:
            self._w_f_diag = self.add_variable(
                "w_f_diag", shape=[self._num_units], initializer=self._initializer)
            self._w_i_diag = self.add_variable(
                "w_i_diag", shape=[self._num_units], initializer=self._initializer)
            self._w_o_diag = self.add_variable(
                "w_o_diag", shape=[self._num_units], initializer=self._initializer)
        if self._num_proj is not None:
            maybe_proj_partitioner = (_v1.fixed_size_partitioner(self._num_proj_shards)
                                      if self._num_proj_shards is not None else None)
            self._proj_kernel = self.add_variable(
                f"projection/{_WEIGHTS_VARIABLE_NAME}",
                shape=[self._num_units, self._num_proj],
                initializer=self._initializer, partitioner=maybe_proj_partitioner)

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state], "LSTMCell")
        num_proj = self._num_units if self._num_proj is None else self._num_proj
        sigmoid = tf.sigmoid
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = tf.slice(state, [0, 0], [-1, self._num_units])
            m_prev = tf.slice(state, [0, self._num_units], [-1, num_proj])
        lstm_matrix = tf.matmul(tf.concat([inputs, m_prev], 1), self._kernel)
        lstm_matrix = tf.nn.bias_add(lstm_matrix, self._bias)
        i, j, f, o = tf.split(value=lstm_matrix, num_or_size_splits=4, axis=1)
        if self._use_peepholes:
            c = (sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev
                 + sigmoid(i + self._w_i_diag * c_prev) * self._activation(j))
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = tf.clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + self._w_o_diag * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = tf.matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = tf.clip_by_value(m, -self._proj_clip, self._proj_clip)
        new_state = LSTMStateTuple(c, m) if self._state_is_tuple else tf.concat([c, m], 1)
        return m, new_state


class LayerNormBasicLSTMCell(RNNCell):
    """contrib's LSTM with layer normalisation and recurrent dropout (Ba et al. 2016).

    Variables: ``layer_norm_basic_lstm_cell/kernel`` [D+U, 4U] (columns i, j, f, o;
    ``bias`` [4U] only when ``layer_norm=False``, initialised like the kernel as TF1
    did), and ``gamma``/``beta`` [U] under each of ``input``, ``transform``,
    ``forget``, ``output`` and ``state`` (initialised to ``norm_gain`` and
    ``norm_shift``). Layer norm: moments over the last axis, epsilon 1e-12.
    """

    _LAYER_NORM_EPSILON = 1e-12

    def __init__(self, num_units, forget_bias=1.0, input_size=None, activation=tf.tanh,
                 layer_norm=True, norm_gain=1.0, norm_shift=0.0, dropout_keep_prob=1.0,
                 dropout_prob_seed=None, reuse=None, **kwargs):
        check_options("LayerNormBasicLSTMCell", LayerNormBasicLSTMCell.__init__, kwargs)
        super().__init__(_reuse=reuse)
        del input_size  # deprecated and unused in TF1 too
        self._num_units = num_units
        self._activation = _get_activation(activation, "LayerNormBasicLSTMCell")
        self._forget_bias = forget_bias
        self._keep_prob = dropout_keep_prob
        self._seed = dropout_prob_seed
        self._layer_norm = layer_norm
        self._norm_gain = norm_gain
        self._norm_shift = norm_shift

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        input_depth = static_dim(inputs_shape[-1])
        out_size = 4 * self._num_units
        self._kernel = self.add_variable(
            _WEIGHTS_VARIABLE_NAME, shape=[input_depth + self._num_units, out_size])
        self._bias = None
        if not self._layer_norm:
            self._bias = self.add_variable(_BIAS_VARIABLE_NAME, shape=[out_size])
        self._norm_params = {}
        if self._layer_norm:
            for part in ("input", "transform", "forget", "output", "state"):
                gamma = self.add_variable(
                    f"{part}/gamma", shape=[self._num_units],
                    initializer=_v1.constant_initializer(self._norm_gain))
                beta = self.add_variable(
                    f"{part}/beta", shape=[self._num_units],
                    initializer=_v1.constant_initializer(self._norm_shift))
                self._norm_params[part] = (gamma, beta)

    def _norm(self, inp, part):
        gamma, beta = self._norm_params[part]
        mean, variance = tf.nn.moments(inp, [1], keepdims=True)
        return tf.nn.batch_normalization(
            inp, mean, variance, offset=beta, scale=gamma,
            variance_epsilon=self._LAYER_NORM_EPSILON)

    def call(self, inputs, state):
        _check_rnn_cell_input_dtypes([inputs, state], "LayerNormBasicLSTMCell")
        c, h = state
        args = tf.concat([inputs, h], 1)
        concat = tf.matmul(args, self._kernel)
        if self._bias is not None:
            concat = tf.nn.bias_add(concat, self._bias)
        i, j, f, o = tf.split(value=concat, num_or_size_splits=4, axis=1)
        if self._layer_norm:
            i = self._norm(i, "input")
            j = self._norm(j, "transform")
            f = self._norm(f, "forget")
            o = self._norm(o, "output")
        g = self._activation(j)
        if (not isinstance(self._keep_prob, float)) or self._keep_prob < 1:
            g = tf.nn.dropout(g, rate=1 - self._keep_prob, seed=self._seed)
        new_c = c * tf.sigmoid(f + self._forget_bias) + tf.sigmoid(i) * g
        if self._layer_norm:
            new_c = self._norm(new_c, "state")
        new_h = self._activation(new_c) * tf.sigmoid(o)
        return new_h, LSTMStateTuple(new_c, new_h)


class MultiRNNCell(RNNCell):
    """Stack of cells: layer ``i`` runs under the scope ``multi_rnn_cell/cell_i``.

    As in TF >= 1.2, passing the same cell object twice (``[cell] * 2``) shares one
    set of variables (the one created under ``cell_0``).
    """

    def __init__(self, cells, state_is_tuple=True, **kwargs):
        check_options("MultiRNNCell", MultiRNNCell.__init__, kwargs)
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not tf.nest.is_nested(cells):
            raise TypeError(f"cells must be a list or tuple, but received: {cells}.")
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(tf.nest.is_nested(c.state_size) for c in self._cells):
            raise ValueError(
                "Some cells return tuples of states, but the flag state_is_tuple is not "
                f"set. State sizes are: {[c.state_size for c in self._cells]}"
            )

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    def zero_state(self, batch_size, dtype):
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)
            return super().zero_state(batch_size, dtype)

    def _checked_first_inputs(self, inputs):
        return tf.nest.map_structure(lambda t: t.shape, inputs)

    def _check_inputs(self, inputs):
        """Each inner cell checks its own inputs."""

    def call(self, inputs, state):
        cur_state_pos = 0
        cur_inp = inputs
        new_states = []
        for i, cell in enumerate(self._cells):
            with _v1.variable_scope("cell_%d" % i):
                if self._state_is_tuple:
                    if not tf.nest.is_nested(state):
                        raise ValueError(
                            f"Expected state to be a tuple of length {len(self.state_size)}"
                            f", but received: {state}"
                        )
                    cur_state = state[i]
                else:
                    cur_state = tf.slice(state, [0, cur_state_pos], [-1, cell.state_size])
                    cur_state_pos += cell.state_size
                cur_inp, new_state = cell(cur_inp, cur_state)
                new_states.append(new_state)
        new_states = tuple(new_states) if self._state_is_tuple else tf.concat(new_states, 1)
        return cur_inp, new_states

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = []
        for cell in self._cells:
            weights += [w for w in cell.trainable_weights if all(w is not x for x in weights)]
        return weights

    @property
    def non_trainable_weights(self):
        weights = []
        for cell in self._cells:
            weights += cell.non_trainable_weights
        return weights



# --------------------------------------------------------------------------
# wrappers: they add no variable scope of their own
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


def _nest_internal():
    return tf.__internal__.nest


def _enumerated_map_structure_up_to(shallow_structure, map_fn, *args):
    ix = [0]

    def enumerated_fn(*inner_args):
        r = map_fn(ix[0], *inner_args)
        ix[0] += 1
        return r

    return _nest_internal().map_structure_up_to(shallow_structure, enumerated_fn, *args)


def _default_dropout_state_filter_visitor(substate):
    if isinstance(substate, LSTMStateTuple):
        # Do not perform dropout on the memory state c.
        return LSTMStateTuple(c=False, h=True)
    if isinstance(substate, tf.TensorArray):
        return False
    return True


class _RNNCellWrapper(RNNCell):
    def __init__(self, cell, **kwargs):
        super().__init__(**kwargs)
        assert_like_rnncell("cell", cell)
        self.cell = cell

    @property
    def wrapped_cell(self):
        return self.cell

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def zero_state(self, batch_size, dtype):
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            return self.cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        return self._call_wrapped_cell(inputs, state, self.cell.__call__, scope=scope)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        raise NotImplementedError

    @property
    def trainable_weights(self):
        return list(getattr(self.cell, "trainable_weights", []))

    @property
    def non_trainable_weights(self):
        return list(getattr(self.cell, "non_trainable_weights", []))



class DropoutWrapper(_RNNCellWrapper):
    """Dropout on a cell's inputs, outputs and (``h`` of the) state, as in TF1.

    Non-variational: a fresh mask per element and step. ``variational_recurrent``:
    one mask of shape [1, size] per input/state/output, drawn once per
    ``Session.run`` and shared by the batch and all steps (``dtype`` is then
    required, and ``input_size`` when ``input_keep_prob < 1``). ``state_keep_prob``
    drops only ``h`` of an ``LSTMStateTuple`` (the default filter), and the
    returned final state's ``h`` is dropped too.
    """

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None, **kwargs):
        check_options("DropoutWrapper", DropoutWrapper.__init__, kwargs)
        super().__init__(cell, dtype=dtype)
        if dropout_state_filter_visitor is not None and not callable(
                dropout_state_filter_visitor):
            raise TypeError("dropout_state_filter_visitor must be callable. "
                            f"Received: {dropout_state_filter_visitor}")
        self._dropout_state_filter = (dropout_state_filter_visitor
                                      or _default_dropout_state_filter_visitor)
        with tf.name_scope("DropoutWrapperInit"):
            for prob, attr in [(input_keep_prob, "input_keep_prob"),
                               (state_keep_prob, "state_keep_prob"),
                               (output_keep_prob, "output_keep_prob")]:
                tensor_prob = tf.convert_to_tensor(prob)
                const_prob = tf.get_static_value(tensor_prob)
                if const_prob is not None:
                    if const_prob < 0 or const_prob > 1:
                        raise ValueError(f"Parameter {attr} must be between 0 and 1. "
                                         f"Received {const_prob}")
                    setattr(self, f"_{attr}", float(const_prob))
                else:
                    setattr(self, f"_{attr}", tensor_prob)
        self._variational_recurrent = variational_recurrent
        self._input_size = input_size
        self._seed = seed
        self._recurrent_input_noise = None
        self._recurrent_state_noise = None
        self._recurrent_output_noise = None
        if variational_recurrent:
            if dtype is None:
                raise ValueError("When variational_recurrent=True, dtype must be provided")

            def batch_noise(s, inner_seed):
                shape = tf.concat(([1], tf.TensorShape(s).as_list()), 0)
                return tf.random.uniform(shape, seed=inner_seed, dtype=dtype)

            if (not isinstance(self._input_keep_prob, numbers.Real)
                    or self._input_keep_prob < 1.0):
                if input_size is None:
                    raise ValueError(
                        "When variational_recurrent=True and input_keep_prob < 1.0 or is "
                        "unknown, input_size must be provided")
                self._recurrent_input_noise = _enumerated_map_structure_up_to(
                    input_size,
                    lambda i, s: batch_noise(s, inner_seed=self._gen_seed("input", i)),
                    input_size)
            self._recurrent_state_noise = _enumerated_map_structure_up_to(
                cell.state_size,
                lambda i, s: batch_noise(s, inner_seed=self._gen_seed("state", i)),
                cell.state_size)
            self._recurrent_output_noise = _enumerated_map_structure_up_to(
                cell.output_size,
                lambda i, s: batch_noise(s, inner_seed=self._gen_seed("output", i)),
                cell.output_size)

    def _gen_seed(self, salt_prefix, index):
        if self._seed is None:
            return None
        salt = "%s_%d" % (salt_prefix, index)
        string = (str(self._seed) + salt).encode("utf-8")
        return int(hashlib.md5(string).hexdigest()[:8], 16) & 0x7FFFFFFF

    def _variational_recurrent_dropout_value(self, unused_index, value, noise, keep_prob):
        random_tensor = keep_prob + noise
        binary_tensor = tf.floor(random_tensor)
        ret = tf.divide(value, keep_prob) * binary_tensor
        ret.set_shape(value.get_shape())
        return ret

    def _dropout(self, values, salt_prefix, recurrent_noise, keep_prob,
                 shallow_filtered_substructure=None):
        if shallow_filtered_substructure is None:
            shallow_filtered_substructure = values
        if not self._variational_recurrent:
            def dropout(i, do_dropout, v):
                if not isinstance(do_dropout, bool) or do_dropout:
                    return tf.nn.dropout(v, rate=1.0 - keep_prob,
                                         seed=self._gen_seed(salt_prefix, i))
                return v

            return _enumerated_map_structure_up_to(
                shallow_filtered_substructure, dropout,
                *[shallow_filtered_substructure, values])

        def dropout(i, do_dropout, v, n):
            if not isinstance(do_dropout, bool) or do_dropout:
                return self._variational_recurrent_dropout_value(i, v, n, keep_prob)
            return v

        return _enumerated_map_structure_up_to(
            shallow_filtered_substructure, dropout,
            *[shallow_filtered_substructure, values, recurrent_noise])

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        def _should_dropout(p):
            return (not isinstance(p, float)) or p < 1

        if _should_dropout(self._input_keep_prob):
            inputs = self._dropout(inputs, "input", self._recurrent_input_noise,
                                   self._input_keep_prob)
        output, new_state = cell_call_fn(inputs, state, **kwargs)
        if _should_dropout(self._state_keep_prob):
            shallow_filtered_substructure = _nest_internal().get_traverse_shallow_structure(
                self._dropout_state_filter, new_state)
            new_state = self._dropout(new_state, "state", self._recurrent_state_noise,
                                      self._state_keep_prob, shallow_filtered_substructure)
        if _should_dropout(self._output_keep_prob):
            output = self._dropout(output, "output", self._recurrent_output_noise,
                                   self._output_keep_prob)
        return output, new_state


class ResidualWrapper(_RNNCellWrapper):
    """Adds the cell's inputs to its outputs (``residual_fn`` overrides the sum)."""

    def __init__(self, cell, residual_fn=None, **kwargs):
        check_options("ResidualWrapper", ResidualWrapper.__init__, kwargs)
        super().__init__(cell)
        self._residual_fn = residual_fn

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        outputs, new_state = cell_call_fn(inputs, state, **kwargs)

        def default_residual_fn(inputs, outputs):
            tf.nest.assert_same_structure(inputs, outputs)
            tf.nest.map_structure(
                lambda inp, out: inp.get_shape().assert_is_compatible_with(out.get_shape()),
                inputs, outputs)
            return tf.nest.map_structure(lambda inp, out: inp + out, inputs, outputs)

        return (self._residual_fn or default_residual_fn)(inputs, outputs), new_state


class DeviceWrapper(_RNNCellWrapper):
    """Runs the cell (and its zero state) on ``device``."""

    def __init__(self, cell, device, **kwargs):
        check_options("DeviceWrapper", DeviceWrapper.__init__, kwargs)
        super().__init__(cell)
        self._device = device

    def zero_state(self, batch_size, dtype):
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            with _v1.device(self._device):
                return self.cell.zero_state(batch_size, dtype)

    def _call_wrapped_cell(self, inputs, state, cell_call_fn, **kwargs):
        with _v1.device(self._device):
            return cell_call_fn(inputs, state, **kwargs)
