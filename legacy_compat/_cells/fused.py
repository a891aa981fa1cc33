"""contrib's fused ("block") cells: ``LSTMBlockCell`` and ``GRUBlockCell`` (TF 1.15
``tensorflow/contrib/rnn/python/ops/lstm_ops.py`` and ``gru_ops.py``).

TF1 ran them as one C++ kernel per step (``LSTMBlockCell`` / ``GRUBlockCell`` ops, which
TF 2.x still ships in ``tf.raw_ops``, without gradients). Here each step is the same
arithmetic written with plain TF ops, in the kernel's order (``lstm_ops.h``,
``gru_ops.h``), so gradients come from TF's own op gradients, except where TF1's gradient
kernel differs from the forward's derivative: ``LSTMBlockCell``'s ``cell_clip`` passes
the gradient through unchanged (straight through), as ``LSTMBlockCellGrad`` /
``BlockLSTMGrad`` did, where ``LSTMCell``'s ``clip_by_value`` stops it. The kernels only support
float32 (LSTMBlockCell also float16); other dtypes raise TypeError as TF1's op did.

Variables (TF 1.15 names):

* ``LSTMBlockCell``: ``lstm_cell/kernel`` [D+U, 4U] with the column blocks ``i, c, f, o``
  (input gate, cell input, forget gate, output gate: the same layout as ``LSTMCell``'s
  ``i, j, f, o``, so the two share checkpoints), ``lstm_cell/bias`` [4U] (zeros), and
  with ``use_peephole`` ``w_i_diag``, ``w_f_diag``, ``w_o_diag`` [U];
* ``GRUBlockCell``: ``gru_cell/w_ru`` [D+U, 2U] (columns ``r | u``), ``b_ru`` [2U] (ones),
  ``w_c`` [D+U, U], ``b_c`` [U] (zeros).
"""
import tensorflow as tf

from legacy_compat._cells.base import _BIAS_VARIABLE_NAME, _WEIGHTS_VARIABLE_NAME
from legacy_compat._cells.base import LayerRNNCell, LSTMStateTuple
from legacy_compat._tf1_layer import check_options, static_dim

_v1 = tf.compat.v1


def _check_kernel_dtype(owner, supported, *tensors):
    for t in tf.nest.flatten(tensors):
        dtype = tf.as_dtype(t.dtype).base_dtype
        if dtype not in supported:
            raise TypeError(
                f"{owner}: TF1's fused {owner} kernel supports "
                f"{', '.join(d.name for d in supported)} only; received {dtype.name}. "
                "Use LSTMCell / GRUCell for other dtypes."
            )


class LSTMBlockCell(LayerRNNCell):
    """TF1's fused LSTM cell (``tf.contrib.rnn.LSTMBlockCell``), one step per call.

    ``i = sigmoid(icfo_i + cs_prev*w_i_diag)``, ``ci = tanh(icfo_c)``,
    ``f = sigmoid(icfo_f + forget_bias + cs_prev*w_f_diag)``, ``cs = i*ci + f*cs_prev``
    (clipped to ``[-cell_clip, cell_clip]`` when ``cell_clip > 0``), ``co = tanh(cs)``,
    ``o = sigmoid(icfo_o + cs*w_o_diag)``, ``h = o*co``, with ``icfo = [x, h_prev] @ kernel
    + bias`` and the peephole terms only with ``use_peephole``. State ``LSTMStateTuple(cs,
    h)``; the default scope is ``lstm_cell`` (TF1's ``name="lstm_cell"``).
    """

    _DTYPES = (tf.float32, tf.float16)

    def __init__(self, num_units, forget_bias=1.0, cell_clip=None, use_peephole=False,
                 dtype=None, reuse=None, name="lstm_cell", **kwargs):
        check_options("LSTMBlockCell", LSTMBlockCell.__init__, kwargs)
        super().__init__(_reuse=reuse, dtype=dtype, name=name)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._use_peephole = use_peephole
        self._cell_clip = cell_clip if cell_clip is not None else -1

    @property
    def state_size(self):
        return LSTMStateTuple(self._num_units, self._num_units)

    @property
    def output_size(self):
        return self._num_units

    def build(self, inputs_shape):
        input_size = static_dim(inputs_shape[1])
        u = self._num_units
        self._kernel = self.add_variable(_WEIGHTS_VARIABLE_NAME, [input_size + u, 4 * u])
        self._bias = self.add_variable(_BIAS_VARIABLE_NAME, [4 * u],
                                       initializer=_v1.constant_initializer(0.0))
        if self._use_peephole:
            self._w_i_diag = self.add_variable("w_i_diag", [u])
            self._w_f_diag = self.add_variable("w_f_diag", [u])
            self._w_o_diag = self.add_variable("w_o_diag", [u])

    def call(self, inputs, state):
        if len(state) != 2:
            raise ValueError("LSTMBlockCell expects its state to be a tuple (c, h) of length "
                             f"2; received {state}.")
        cs_prev, h_prev = state
        _check_kernel_dtype("LSTMBlockCell", self._DTYPES, inputs, cs_prev, h_prev)
        icfo = tf.matmul(tf.concat([inputs, h_prev], 1), self._kernel) + self._bias
        i, ci, f, o = tf.split(icfo, 4, axis=1)
        if self._use_peephole:
            i = tf.sigmoid(i + cs_prev * self._w_i_diag)
            f = tf.sigmoid(f + tf.cast(self._forget_bias, f.dtype) + cs_prev * self._w_f_diag)
        else:
            i = tf.sigmoid(i)
            f = tf.sigmoid(f + tf.cast(self._forget_bias, f.dtype))
        ci = tf.tanh(ci)
        cs = i * ci + f * cs_prev
        if self._cell_clip > 0:
            clip = tf.cast(self._cell_clip, cs.dtype)
            clipped = tf.minimum(tf.maximum(cs, -clip), clip)
            # TF1's gradient kernel (LSTMBlockCellGrad) backpropagates through the clip as
            # if it were the identity: the clipped value, with a straight-through gradient
            # (cs - stop_gradient(cs) is exactly 0 and has gradient 1)
            cs = tf.stop_gradient(clipped) + (cs - tf.stop_gradient(cs))
        co = tf.tanh(cs)
        o = tf.sigmoid(o + cs * self._w_o_diag) if self._use_peephole else tf.sigmoid(o)
        h = o * co
        return h, LSTMStateTuple(cs, h)


class GRUBlockCell(LayerRNNCell):
    """TF1's fused GRU cell (``tf.contrib.rnn.GRUBlockCell``), one step per call.

    ``r, u = split(sigmoid([x, h_prev] @ w_ru + b_ru))``,
    ``c = tanh([x, h_prev*r] @ w_c + b_c)``, ``h = u*(h_prev - c) + c`` (the kernel's form
    of ``u*h_prev + (1-u)*c``). ``cell_size`` is the deprecated name of ``num_units``.
    """

    _DTYPES = (tf.float32,)

    def __init__(self, num_units=None, cell_size=None, reuse=None, name="gru_cell", **kwargs):
        check_options("GRUBlockCell", GRUBlockCell.__init__, kwargs)
        super().__init__(_reuse=reuse, name=name)
        if (cell_size is None) == (num_units is None):
            raise ValueError("GRUBlockCell: exactly one of num_units or cell_size (its "
                             f"deprecated name) must be given; received num_units={num_units},"
                             f" cell_size={cell_size}.")
        self._cell_size = num_units if num_units is not None else cell_size

    @property
    def state_size(self):
        return self._cell_size

    @property
    def output_size(self):
        return self._cell_size

    def build(self, inputs_shape):
        input_size = static_dim(inputs_shape[1])
        u = self._cell_size
        self._gate_kernel = self.add_variable("w_ru", [input_size + u, 2 * u])
        self._gate_bias = self.add_variable("b_ru", [2 * u],
                                            initializer=_v1.constant_initializer(1.0))
        self._candidate_kernel = self.add_variable("w_c", [input_size + u, u])
        self._candidate_bias = self.add_variable("b_c", [u],
                                                 initializer=_v1.constant_initializer(0.0))

    def call(self, inputs, h_prev):
        cell_size = static_dim(h_prev.shape.with_rank(2)[1])
        if cell_size != self._cell_size:
            raise ValueError(f"GRUBlockCell: shape of h_prev[1] incorrect: cell_size "
                             f"{self._cell_size} vs {cell_size}.")
        _check_kernel_dtype("GRUBlockCell", self._DTYPES, inputs, h_prev)
        r_u = tf.sigmoid(tf.matmul(tf.concat([inputs, h_prev], 1), self._gate_kernel)
                         + self._gate_bias)
        r, u = tf.split(r_u, 2, axis=1)
        c = tf.tanh(tf.matmul(tf.concat([inputs, h_prev * r], 1), self._candidate_kernel)
                    + self._candidate_bias)
        h = u * (h_prev - c) + c
        return h, h
