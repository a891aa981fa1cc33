"""``TF1LSTMCell``: TF1's ``LSTMCell`` step as a Keras 3 RNN cell.

TF1's ``tf.nn.rnn_cell.LSTMCell`` (peepholes, cell clipping, projection, a
run-time ``forget_bias``) has no Keras 3 counterpart: ``keras.layers.LSTM`` has
no peepholes, no projection and no clipping. This cell computes TF1's step
operation by operation, with TF1's weight layout, so a TF1 checkpoint loads
without any reordering (see ``modern.weights``: the map is the identity).
"""
import keras
from keras import activations, initializers, ops, regularizers

from modern import _checks

_TF1_ONLY_OPTIONS = {
    "num_units": "it is called `units` here.",
    "initializer": "use kernel_initializer, peephole_initializer and projection_initializer.",
    "num_unit_shards": "partitioned variables are not supported; concatenate the kernel "
                       "shards along axis 0 before loading them.",
    "num_proj_shards": "partitioned variables are not supported; concatenate the projection "
                       "shards along axis 0 before loading them.",
    "state_is_tuple": "Keras states are always a list, here [c, h].",
    "reuse": "Keras layers share weights by reusing the layer object.",
}


@keras.saving.register_keras_serializable(package="modern")
class TF1LSTMCell(keras.layers.Layer):
    """TF1's ``LSTMCell`` (with its peepholes, clipping and projection) for ``keras.layers.RNN``.

    One step, exactly as TF1 computed it (H = ``num_proj`` or ``units``)::

        i, j, f, o = split([x, m_prev] @ kernel + bias, 4)           # TF1 column order
        c = sigmoid(f + forget_bias [+ w_f_diag * c_prev]) * c_prev
            + sigmoid(i [+ w_i_diag * c_prev]) * activation(j)
        c = clip(c, -cell_clip, cell_clip)                            # if cell_clip
        m = sigmoid(o [+ w_o_diag * c]) * activation(c)               # new c in the peephole
        m = clip(m @ projection_kernel, -proj_clip, proj_clip)        # if num_proj (clip if proj_clip)
        output = m;  new state = [c, m]

    Weights (TF1's layout, so ``set_weights`` takes a TF1 checkpoint's arrays as
    they are): ``kernel`` [D + H, 4 * units] (columns i, j, f, o; the input rows
    first, then the recurrent rows), ``bias`` [4 * units], then ``w_f_diag``,
    ``w_i_diag``, ``w_o_diag`` [units] when ``use_peepholes``, then
    ``projection_kernel`` [units, num_proj] when ``num_proj``.

    State order: **[c, h]** (TF1's ``LSTMStateTuple(c, h)``, where h is TF1's
    ``m``), ``state_size = [units, H]``. This differs from ``keras.layers.LSTM``,
    whose states are [h, c]: ``RNN(TF1LSTMCell(...), return_state=True)`` returns
    ``[output, c, h]`` and ``initial_state`` is ``[c0, h0]``, exactly the TF1 tuple.

    Args:
        units: positive int, TF1's ``num_units`` (the size of c).
        use_peepholes: bool, add the diagonal peephole weights (TF1 ``use_peepholes``).
        cell_clip: None or float >= 0: clip c to [-cell_clip, cell_clip] after each step.
        num_proj: None or positive int: project m to this size (output and h size).
        proj_clip: None or float >= 0: clip the projected m. As in TF1, it is
            ignored when ``num_proj`` is None.
        forget_bias: float added to the forget gate at run time (not stored in
            ``bias``; TF1's default 1.0). A hyperparameter: it is in ``get_config``.
        activation: Keras activation for j, c and m (default ``"tanh"``). Note the
            TF1 trap: TF1's ``activation=None`` meant tanh, Keras' ``None`` means
            linear.
        kernel_initializer: for ``kernel`` (default ``"glorot_uniform"``, TF1's
            default: one Glorot matrix over the whole [D + H, 4U] kernel).
        bias_initializer: for ``bias`` (default ``"zeros"``, as TF1).
        peephole_initializer: for ``w_*_diag`` (default ``"glorot_uniform"``: TF1
            used the cell's ``initializer`` or the Glorot default for them too).
        projection_initializer: for ``projection_kernel`` (default ``"glorot_uniform"``).
        kernel_regularizer, bias_regularizer, peephole_regularizer,
            projection_regularizer: optional Keras regularizers.

    Not supported (TF1 options with no place in a Keras cell): ``num_unit_shards``
    and ``num_proj_shards`` (partitioned variables: concatenate the shards along
    axis 0 before loading), ``state_is_tuple=False`` (Keras states are a list).
    There is no dropout argument: TF1's ``LSTMCell`` had none (see
    ``modern.weights`` and the semantics doc about ``DropoutWrapper``).
    """

    def __init__(
        self,
        units,
        use_peepholes=False,
        cell_clip=None,
        num_proj=None,
        proj_clip=None,
        forget_bias=1.0,
        activation="tanh",
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        peephole_initializer="glorot_uniform",
        projection_initializer="glorot_uniform",
        kernel_regularizer=None,
        bias_regularizer=None,
        peephole_regularizer=None,
        projection_regularizer=None,
        **kwargs,
    ):
        owner = type(self).__name__
        _checks.reject_tf1_only_options(owner, kwargs, _TF1_ONLY_OPTIONS)
        units = _checks.positive_int("units", units, owner=owner)
        use_peepholes = _checks.boolean("use_peepholes", use_peepholes, owner=owner)
        cell_clip = _checks.optional_non_negative("cell_clip", cell_clip, owner=owner)
        num_proj = _checks.optional_positive_int("num_proj", num_proj, owner=owner)
        proj_clip = _checks.optional_non_negative("proj_clip", proj_clip, owner=owner)
        forget_bias = _checks.real("forget_bias", forget_bias, owner=owner)
        super().__init__(**kwargs)
        self.units = units
        self.use_peepholes = use_peepholes
        self.cell_clip = cell_clip
        self.num_proj = num_proj
        self.proj_clip = proj_clip
        self.forget_bias = forget_bias
        self.activation = activations.get(activation)

        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.peephole_initializer = initializers.get(peephole_initializer)
        self.projection_initializer = initializers.get(projection_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.peephole_regularizer = regularizers.get(peephole_regularizer)
        self.projection_regularizer = regularizers.get(projection_regularizer)

        h_size = units if num_proj is None else num_proj
        self.state_size = [units, h_size]  # [c, h]: TF1's LSTMStateTuple order
        self.output_size = h_size

    def build(self, input_shape):
        super().build(input_shape)
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"{type(self).__name__} needs a known input size (the last axis of the "
                f"step inputs). Received: input_shape={tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            shape=(input_dim + self.output_size, 4 * self.units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.bias = self.add_weight(
            shape=(4 * self.units,),
            name="bias",
            initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
        )
        if self.use_peepholes:
            self.w_f_diag, self.w_i_diag, self.w_o_diag = (
                self.add_weight(
                    shape=(self.units,),
                    name=name,
                    initializer=self.peephole_initializer,
                    regularizer=self.peephole_regularizer,
                )
                for name in ("w_f_diag", "w_i_diag", "w_o_diag")
            )
        else:
            self.w_f_diag = self.w_i_diag = self.w_o_diag = None
        if self.num_proj is not None:
            self.projection_kernel = self.add_weight(
                shape=(self.units, self.num_proj),
                name="projection_kernel",
                initializer=self.projection_initializer,
                regularizer=self.projection_regularizer,
            )
        else:
            self.projection_kernel = None

    def call(self, inputs, states, training=False):
        c_prev, m_prev = states[0], states[1]
        # Same operations in the same order as TF1, so that results agree to the
        # last bit wherever the backend's kernels are the same.
        lstm_matrix = ops.matmul(ops.concatenate([inputs, m_prev], axis=-1), self.kernel)
        lstm_matrix = ops.add(lstm_matrix, self.bias)
        i, j, f, o = ops.split(lstm_matrix, 4, axis=-1)
        if self.use_peepholes:
            c = (ops.sigmoid(f + self.forget_bias + self.w_f_diag * c_prev) * c_prev
                 + ops.sigmoid(i + self.w_i_diag * c_prev) * self.activation(j))
        else:
            c = ops.sigmoid(f + self.forget_bias) * c_prev + ops.sigmoid(i) * self.activation(j)
        if self.cell_clip is not None:
            c = ops.clip(c, -self.cell_clip, self.cell_clip)
        if self.use_peepholes:
            m = ops.sigmoid(o + self.w_o_diag * c) * self.activation(c)
        else:
            m = ops.sigmoid(o) * self.activation(c)
        if self.num_proj is not None:
            m = ops.matmul(m, self.projection_kernel)
            if self.proj_clip is not None:
                m = ops.clip(m, -self.proj_clip, self.proj_clip)
        return m, [c, m]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, d), dtype=self.compute_dtype) for d in self.state_size]

    def get_config(self):
        config = {
            "units": self.units,
            "use_peepholes": self.use_peepholes,
            "cell_clip": self.cell_clip,
            "num_proj": self.num_proj,
            "proj_clip": self.proj_clip,
            "forget_bias": self.forget_bias,
            "activation": activations.serialize(self.activation),
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "peephole_initializer": initializers.serialize(self.peephole_initializer),
            "projection_initializer": initializers.serialize(self.projection_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "peephole_regularizer": regularizers.serialize(self.peephole_regularizer),
            "projection_regularizer": regularizers.serialize(self.projection_regularizer),
        }
        base_config = super().get_config()
        return {**base_config, **config}
