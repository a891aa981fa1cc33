"""TF 1.15's ``tf.contrib.seq2seq.BasicDecoder`` and ``BasicDecoderOutput``.

Recreated from ``tensorflow/contrib/seq2seq/python/ops/basic_decoder.py`` (TF 1.15). A
step runs the cell, then the optional ``output_layer`` (a ``tf.layers`` layer:
:class:`legacy_compat.layers.Dense`), then asks the helper for ``sample_ids`` and the
next inputs. Under :func:`~legacy_compat.contrib.seq2seq.dynamic_decode` the cell's
variables are ``decoder/<cell scope>/...`` and the output layer's ``decoder/dense/...``.
"""
import collections

import tensorflow as tf

from legacy_compat._cells.base import assert_like_rnncell
from legacy_compat.contrib.seq2seq.decoder import Decoder
from legacy_compat.contrib.seq2seq.helper import Helper
from legacy_compat.layers import Layer

__all__ = ["BasicDecoderOutput", "BasicDecoder"]


class BasicDecoderOutput(collections.namedtuple("BasicDecoderOutput",
                                                ("rnn_output", "sample_id"))):
    """``(rnn_output, sample_id)`` of a :class:`BasicDecoder` step (or of a whole decode)."""

    __slots__ = ()


class BasicDecoder(Decoder):
    """Basic sampling decoder: ``cell`` -> ``output_layer`` -> ``helper``."""

    def __init__(self, cell, helper, initial_state, output_layer=None):
        try:
            assert_like_rnncell("cell", cell)
        except TypeError as error:
            raise TypeError(f"cell must be an RNNCell, received: {type(cell)}. {error}") \
                from None
        if not isinstance(helper, Helper):
            raise TypeError(
                "helper must be a Helper (legacy_compat.contrib.seq2seq.TrainingHelper, "
                f"GreedyEmbeddingHelper, ...), received: {type(helper)}")
        if output_layer is not None and not isinstance(output_layer, Layer):
            raise TypeError(
                "output_layer must be a Layer (a tf.layers layer such as "
                f"legacy_compat.layers.Dense), received: {type(output_layer)}")
        self._cell = cell
        self._helper = helper
        self._initial_state = initial_state
        self._output_layer = output_layer

    @property
    def batch_size(self):
        return self._helper.batch_size

    def _rnn_output_size(self):
        size = self._cell.output_size
        if self._output_layer is None:
            return size
        # the layer's compute_output_shape on the cell's output size with an unknown batch
        output_shape_with_unknown_batch = tf.nest.map_structure(
            lambda s: tf.TensorShape([None]).concatenate(s), size)
        layer_output_shape = self._output_layer.compute_output_shape(
            output_shape_with_unknown_batch)
        return tf.nest.map_structure(lambda s: s[1:], layer_output_shape)

    @property
    def output_size(self):
        return BasicDecoderOutput(rnn_output=self._rnn_output_size(),
                                  sample_id=self._helper.sample_ids_shape)

    @property
    def output_dtype(self):
        # the dtype of the first component of the initial state, for every rnn output
        dtype = tf.nest.flatten(self._initial_state)[0].dtype
        return BasicDecoderOutput(
            tf.nest.map_structure(lambda _: dtype, self._rnn_output_size()),
            self._helper.sample_ids_dtype)

    def initialize(self, name=None):
        """Return ``(finished, first_inputs, initial_state)``."""
        return self._helper.initialize() + (self._initial_state,)

    def step(self, time, inputs, state, name=None):
        """Return ``(outputs, next_state, next_inputs, finished)``."""
        with tf.name_scope(name or "BasicDecoderStep"):
            cell_outputs, cell_state = self._cell(inputs, state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            sample_ids = self._helper.sample(time=time, outputs=cell_outputs,
                                             state=cell_state)
            finished, next_inputs, next_state = self._helper.next_inputs(
                time=time, outputs=cell_outputs, state=cell_state, sample_ids=sample_ids)
        outputs = BasicDecoderOutput(cell_outputs, sample_ids)
        return outputs, next_state, next_inputs, finished
