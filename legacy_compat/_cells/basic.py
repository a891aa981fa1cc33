"""TF1's non-LSTM cells: ``BasicRNNCell`` and ``GRUCell`` (the state is the output)."""
import tensorflow as tf

from legacy_compat._cells.base import _BIAS_VARIABLE_NAME, _WEIGHTS_VARIABLE_NAME, LayerRNNCell
from legacy_compat._cells.base import _check_rnn_cell_input_dtypes, _get_activation
from legacy_compat._tf1_layer import check_options, static_dim

_v1 = tf.compat.v1


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
