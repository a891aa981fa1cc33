"""Small Keras 3 layers that express TF1 RNN idioms (written with ``keras.ops``).

* :class:`SequenceMask`: TF1's ``sequence_length`` -> the boolean mask Keras RNN
  layers take (``mask[b, t] = t < sequence_length[b]``). Unlike ``Masking(0.0)``, it
  never skips a genuine all-zero step and needs no zero padding.
* :class:`LastTimeStep`: TF1's ``outputs[-1]`` of a ``static_rnn`` output list,
  i.e. ``sequence[:, -1, :]`` (0 for rows shorter than the sequence, as in TF1).
"""
import keras
from keras import ops


@keras.saving.register_keras_serializable(package="modern")
class SequenceMask(keras.layers.Layer):
    """``(sequence_length [batch], x [batch, steps, ...]) -> mask [batch, steps]`` (bool)."""

    def call(self, sequence_length, x):
        steps = ops.shape(x)[1]
        positions = ops.arange(steps, dtype="int32")
        return ops.less(ops.expand_dims(positions, 0),
                        ops.expand_dims(ops.cast(sequence_length, "int32"), 1))

    def compute_output_shape(self, sequence_length_shape, x_shape):
        return (x_shape[0], x_shape[1])

    def compute_output_spec(self, sequence_length, x):
        return keras.KerasTensor((x.shape[0], x.shape[1]), dtype="bool")


@keras.saving.register_keras_serializable(package="modern")
class LastTimeStep(keras.layers.Layer):
    """``sequence [batch, steps, features] -> sequence[:, -1, :]`` (TF1's ``outputs[-1]``)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, sequence, mask=None):
        return sequence[:, -1, :]

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])
