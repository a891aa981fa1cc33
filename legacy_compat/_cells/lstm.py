"""TF1's LSTM cells: ``BasicLSTMCell``, ``LSTMCell`` and contrib's ``LayerNormBasicLSTMCell``."""
import tensorflow as tf

from legacy_compat._cells.base import _BIAS_VARIABLE_NAME, _WEIGHTS_VARIABLE_NAME
from legacy_compat._cells.base import LayerRNNCell, LSTMStateTuple, RNNCell
from legacy_compat._cells.base import _check_rnn_cell_input_dtypes, _get_activation
from legacy_compat._tf1_layer import check_options, static_dim

_v1 = tf.compat.v1


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
