"""``tile_batch`` from TF 1.15's ``tensorflow/contrib/seq2seq/python/ops/beam_search_decoder.py``.

``tile_batch(t, multiplier)`` repeats every batch entry ``multiplier`` times in place
(``[b0, b0, b1, b1, ...]``, i.e. ``np.repeat(t, multiplier, axis=0)``), for every tensor
of a nested structure; the static batch size is multiplied when known. TF1 programs
used it to tile the encoder outputs and state for a beam search. ``BeamSearchDecoder``
itself is not recreated.
"""
import tensorflow as tf

from legacy_compat._tf1_layer import static_dim

__all__ = ["tile_batch"]


def _tile_batch(t, multiplier):
    t = tf.convert_to_tensor(t, name="t")
    if t.shape.rank is None or t.shape.rank < 1:
        raise ValueError(f"tile_batch: t must have statically known rank >= 1 (a batch axis "
                         f"first). Received a tensor of shape {t.shape}.")
    shape_t = tf.shape(t)
    tiling = [1] * (t.shape.rank + 1)
    tiling[1] = multiplier
    batch = static_dim(t.shape[0])
    multiplier_value = tf.get_static_value(tf.convert_to_tensor(multiplier))
    tiled_static_batch_size = (batch * int(multiplier_value)
                               if batch is not None and multiplier_value is not None else None)
    tiled = tf.tile(tf.expand_dims(t, 1), tiling)
    tiled = tf.reshape(tiled, tf.concat(([shape_t[0] * multiplier], shape_t[1:]), 0))
    tiled.set_shape(tf.TensorShape([tiled_static_batch_size]).concatenate(t.shape[1:]))
    return tiled


def tile_batch(t, multiplier, name=None):
    """Tile the batch axis of ``t`` (a tensor or nested structure of tensors).

    ``t`` shaped ``[batch_size, s0, s1, ...]`` becomes ``[batch_size * multiplier, s0, s1,
    ...]`` with each entry repeated ``multiplier`` times consecutively. Raises ValueError
    for a tensor of unknown rank or a scalar.
    """
    with tf.name_scope(name or "tile_batch"):
        return tf.nest.map_structure(lambda t_: _tile_batch(t_, multiplier), t)
