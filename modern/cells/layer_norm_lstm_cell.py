"""``TF1LayerNormLSTMCell``: contrib's ``LayerNormBasicLSTMCell`` as a Keras 3 RNN cell.

``tf.contrib.rnn.LayerNormBasicLSTMCell`` (TF 1.x) has no Keras 3 counterpart.
Its announced successor, TF Addons' ``LayerNormLSTMCell``, is a different cell
(Keras-style weights, another epsilon) and is end-of-life. This cell computes
contrib's step operation by operation, with contrib's weight layout.
"""
import numbers

import keras
from keras import activations, initializers, ops, regularizers

from modern import _checks

# contrib's layer norm: tf.nn.batch_normalization(..., variance_epsilon=1e-12).
# keras.layers.LayerNormalization defaults to 1e-3, which is NOT the same cell.
TF1_LAYER_NORM_EPSILON = 1e-12

# The five normalised parts, in contrib's creation order (variable scopes there).
NORM_PARTS = ("input", "transform", "forget", "output", "state")

_TF1_ONLY_OPTIONS = {
    "num_units": "it is called `units` here.",
    "input_size": "deprecated and unused in TF1 too; the input size comes from the inputs.",
    "dropout_prob_seed": "recurrent dropout is not implemented (dropout_keep_prob must be 1.0).",
    "reuse": "Keras layers share weights by reusing the layer object.",
}


@keras.saving.register_keras_serializable(package="modern")
class TF1LayerNormLSTMCell(keras.layers.Layer):
    """contrib's ``LayerNormBasicLSTMCell`` (Ba et al. 2016) for ``keras.layers.RNN``.

    One step, exactly as contrib computed it::

        i, j, f, o = split([x, h_prev] @ kernel [+ bias], 4)     # columns i, j, f, o
        i, j, f, o = LN_input(i), LN_transform(j), LN_forget(f), LN_output(o)   # if layer_norm
        c = c_prev * sigmoid(f + forget_bias) + sigmoid(i) * activation(j)
        c = LN_state(c)                                            # if layer_norm
        h = activation(c) * sigmoid(o);  output = h;  new state = [c, h]

    where ``LN_p(x) = (x - mean) * rsqrt(var + epsilon) * gamma_p + beta_p`` over the
    last axis (``tf.nn.moments`` + ``tf.nn.batch_normalization``, reproduced with
    ``keras.ops`` in the same order), ``epsilon = 1e-12`` (contrib's value; Keras'
    ``LayerNormalization`` uses 1e-3, a different cell).

    Weights (contrib's layout): ``kernel`` [D + units, 4 * units]; ``bias``
    [4 * units] only when ``layer_norm=False`` (as in contrib, there is no bias
    when layer norm is on: the betas take its place); then, when ``layer_norm``,
    ``<part>_gamma`` and ``<part>_beta`` [units] for part in input, transform,
    forget, output, state (contrib's ``<part>/gamma`` and ``<part>/beta``), in
    that order.

    State order: **[c, h]** (contrib's ``LSTMStateTuple(c, h)``), like
    ``TF1LSTMCell`` and unlike ``keras.layers.LSTM`` ([h, c]).

    Args:
        units: positive int (contrib's ``num_units``).
        forget_bias: float added to the forget gate at run time (not a weight).
        activation: Keras activation for j, c and h (default ``"tanh"``, contrib's
            default; Keras' ``None`` means linear).
        layer_norm: bool (default True), contrib's ``layer_norm``.
        norm_gain, norm_shift: initial values of the gammas and betas.
        epsilon: the layer-norm epsilon (default 1e-12, contrib's constant; change it
            only to study the difference).
        dropout_keep_prob: must be 1.0. contrib's recurrent dropout on ``g``
            (Semeniuta et al.) is NOT implemented: a known non-equivalence; for
            inference (keep_prob fed as 1.0, as TF1 programs did at test time) the
            cells are identical.
        kernel_initializer: default ``"glorot_uniform"`` (contrib's default).
        bias_initializer: default ``"glorot_uniform"``: contrib created ``bias``
            (``layer_norm=False`` only) with the kernel's default initializer.
        kernel_regularizer, bias_regularizer: optional Keras regularizers.
    """

    def __init__(
        self,
        units,
        forget_bias=1.0,
        activation="tanh",
        layer_norm=True,
        norm_gain=1.0,
        norm_shift=0.0,
        epsilon=TF1_LAYER_NORM_EPSILON,
        dropout_keep_prob=1.0,
        kernel_initializer="glorot_uniform",
        bias_initializer="glorot_uniform",
        kernel_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ):
        owner = type(self).__name__
        _checks.reject_tf1_only_options(owner, kwargs, _TF1_ONLY_OPTIONS)
        units = _checks.positive_int("units", units, owner=owner)
        forget_bias = _checks.real("forget_bias", forget_bias, owner=owner)
        layer_norm = _checks.boolean("layer_norm", layer_norm, owner=owner)
        norm_gain = _checks.real("norm_gain", norm_gain, owner=owner)
        norm_shift = _checks.real("norm_shift", norm_shift, owner=owner)
        epsilon = _checks.real("epsilon", epsilon, owner=owner)
        if epsilon < 0:
            raise ValueError(f"{owner}: argument `epsilon` must be >= 0. Received: epsilon={epsilon!r}")
        if (isinstance(dropout_keep_prob, bool) or not isinstance(dropout_keep_prob, numbers.Real)
                or dropout_keep_prob != 1.0):
            raise ValueError(
                f"{owner}: recurrent dropout is not implemented (a known non-equivalence "
                "with contrib's LayerNormBasicLSTMCell, whose dropout_keep_prob < 1 drops "
                "the candidate g at every step). Only dropout_keep_prob=1.0 is accepted; "
                "for inference TF1 programs fed 1.0, which is what this cell computes. "
                f"Received: dropout_keep_prob={dropout_keep_prob!r}"
            )
        super().__init__(**kwargs)
        self.units = units
        self.forget_bias = forget_bias
        self.activation = activations.get(activation)
        self.layer_norm = layer_norm
        self.norm_gain = norm_gain
        self.norm_shift = norm_shift
        self.epsilon = epsilon
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.state_size = [units, units]  # [c, h]: contrib's LSTMStateTuple order
        self.output_size = units

    def build(self, input_shape):
        super().build(input_shape)
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                f"{type(self).__name__} needs a known input size (the last axis of the "
                f"step inputs). Received: input_shape={tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            shape=(input_dim + self.units, 4 * self.units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )
        self.bias = None
        if not self.layer_norm:
            self.bias = self.add_weight(
                shape=(4 * self.units,),
                name="bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
            )
        self.norm_params = {}
        if self.layer_norm:
            for part in NORM_PARTS:
                gamma = self.add_weight(
                    shape=(self.units,), name=f"{part}_gamma",
                    initializer=initializers.Constant(self.norm_gain))
                beta = self.add_weight(
                    shape=(self.units,), name=f"{part}_beta",
                    initializer=initializers.Constant(self.norm_shift))
                self.norm_params[part] = (gamma, beta)

    def _norm(self, x, part):
        # tf.nn.moments(x, [1], keepdims=True) then tf.nn.batch_normalization,
        # operation for operation.
        gamma, beta = self.norm_params[part]
        mean = ops.mean(x, axis=-1, keepdims=True)
        variance = ops.mean(ops.square(x - ops.stop_gradient(mean)), axis=-1, keepdims=True)
        inv = ops.rsqrt(variance + self.epsilon) * gamma
        return x * inv + (beta - mean * inv)

    def call(self, inputs, states, training=False):
        c, h = states[0], states[1]
        concat = ops.matmul(ops.concatenate([inputs, h], axis=-1), self.kernel)
        if self.bias is not None:
            concat = ops.add(concat, self.bias)
        i, j, f, o = ops.split(concat, 4, axis=-1)
        if self.layer_norm:
            i = self._norm(i, "input")
            j = self._norm(j, "transform")
            f = self._norm(f, "forget")
            o = self._norm(o, "output")
        g = self.activation(j)
        new_c = c * ops.sigmoid(f + self.forget_bias) + ops.sigmoid(i) * g
        if self.layer_norm:
            new_c = self._norm(new_c, "state")
        new_h = self.activation(new_c) * ops.sigmoid(o)
        return new_h, [new_c, new_h]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, d), dtype=self.compute_dtype) for d in self.state_size]

    def get_config(self):
        config = {
            "units": self.units,
            "forget_bias": self.forget_bias,
            "activation": activations.serialize(self.activation),
            "layer_norm": self.layer_norm,
            "norm_gain": self.norm_gain,
            "norm_shift": self.norm_shift,
            "epsilon": self.epsilon,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        }
        base_config = super().get_config()
        return {**base_config, **config}
