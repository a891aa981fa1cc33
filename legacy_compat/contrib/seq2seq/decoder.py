"""TF 1.15's ``tf.contrib.seq2seq`` decoder interface: ``Decoder`` and ``dynamic_decode``.

Recreated from ``tensorflow/contrib/seq2seq/python/ops/decoder.py`` (TF 1.15) with
``tf.compat.v1`` graph-mode ops; no Keras. ``dynamic_decode`` is TF1's ``tf.while_loop``
over ``decoder.step``:

* it opens ``variable_scope(scope, default_name="decoder")`` (so a cell called by the
  decoder creates ``decoder/basic_lstm_cell/kernel``, an output layer
  ``decoder/dense/kernel``) and, outside a while loop or function, sets that scope's
  caching device as TF1 did;
* the loop runs while some batch entry is unfinished, at most ``maximum_iterations``
  times; ``finished`` is sticky (OR of the decoder's flags) unless the decoder
  ``tracks_own_finished``; ``final_sequence_lengths`` is ``time + 1`` at the step an
  entry finished (the step that emitted its end is counted);
* ``impute_finished=True`` writes zeros for entries finished before the step and copies
  their state through (TensorArrays and scalar states pass through unchanged);
* outputs are stacked from TensorArrays (time major) and transposed to batch major
  unless ``output_time_major``; ``decoder.finalize`` is called when it is implemented.

It returns ``(final_outputs, final_state, final_sequence_lengths)``. The XLA-specific
branch of TF1 (fixed-size TensorArrays when compiling with XLA) is not recreated.
"""
import abc

import tensorflow as tf

from legacy_compat._cells.base import _zero_state_tensors

_v1 = tf.compat.v1

__all__ = ["Decoder", "dynamic_decode"]


def _transpose_batch_time(x):
    """Swap the first two axes (TF1's ``rnn._transpose_batch_time``); rank < 2 unchanged."""
    static_shape = x.shape
    if static_shape.rank is not None and static_shape.rank < 2:
        return x
    rank = tf.rank(x)
    transposed = tf.transpose(x, tf.concat(([1, 0], tf.range(2, rank)), axis=0))
    if static_shape.rank is not None:
        transposed.set_shape(
            tf.TensorShape([static_shape[1], static_shape[0]]).concatenate(static_shape[2:]))
    return transposed


class Decoder(abc.ABC):
    """An RNN decoder: TF1's abstract interface used by :func:`dynamic_decode`.

    ``initialize()`` returns ``(finished, initial_inputs, initial_state)``;
    ``step(time, inputs, state)`` returns ``(outputs, next_state, next_inputs,
    finished)``; ``finalize(outputs, final_state, sequence_lengths)`` is optional.
    """

    @property
    def batch_size(self):
        """The batch size of input values."""
        raise NotImplementedError

    @property
    def output_size(self):
        """A (possibly nested tuple of...) integer[s] or ``TensorShape`` object[s]."""
        raise NotImplementedError

    @property
    def output_dtype(self):
        """A (possibly nested tuple of...) dtype[s]."""
        raise NotImplementedError

    @abc.abstractmethod
    def initialize(self, name=None):
        """Return ``(finished, initial_inputs, initial_state)``."""
        raise NotImplementedError

    @abc.abstractmethod
    def step(self, time, inputs, state, name=None):
        """Return ``(outputs, next_state, next_inputs, finished)``."""
        raise NotImplementedError

    def finalize(self, outputs, final_state, sequence_lengths):
        """Return ``(final_outputs, final_state)``; not implemented by default."""
        raise NotImplementedError

    @property
    def tracks_own_finished(self):
        """True when the decoder's ``finished`` flags replace dynamic_decode's OR."""
        return False


def _create_zero_outputs(size, dtype, batch_size):
    return tf.nest.map_structure(lambda s, d: _zero_state_tensors(s, batch_size, d), size, dtype)


def _in_loop_or_function(graph):
    """TF1 skipped the caching device inside a while loop; a FuncGraph (while_v2 body,
    ``tf.function``) is the control flow v2 form of being inside one."""
    if getattr(graph, "building_function", False):
        return True
    context = graph._get_control_flow_context()  # pylint: disable=protected-access
    return context is not None and context.GetWhileContext() is not None


def _element_shape(batch_size, size):
    if not isinstance(size, tf.TensorShape) or size.rank == 0:
        return tf.TensorShape(None)
    batch = tf.get_static_value(tf.convert_to_tensor(batch_size, name="batch_size"))
    return tf.TensorShape([batch]).concatenate(size)


def dynamic_decode(decoder, output_time_major=False, impute_finished=False,
                   maximum_iterations=None, parallel_iterations=32, swap_memory=False,
                   scope=None):
    """Decode with ``decoder`` until every entry is finished (TF 1.15's ``dynamic_decode``).

    Returns ``(final_outputs, final_state, final_sequence_lengths)``: outputs batch major
    (``[batch, time, ...]``) unless ``output_time_major``. Raises TypeError when
    ``decoder`` is not a :class:`Decoder` and ValueError when ``maximum_iterations`` is
    not a scalar.
    """
    if not isinstance(decoder, Decoder):
        raise TypeError(
            "Expected decoder to be type Decoder (legacy_compat.contrib.seq2seq.Decoder, "
            f"e.g. BasicDecoder), but saw: {type(decoder)}")

    with _v1.variable_scope(scope, "decoder") as varscope:
        graph = _v1.get_default_graph()
        if not tf.executing_eagerly() and not _in_loop_or_function(graph):
            if varscope.caching_device is None:
                varscope.set_caching_device(lambda op: op.device)

        if maximum_iterations is not None:
            maximum_iterations = tf.convert_to_tensor(
                maximum_iterations, dtype=tf.int32, name="maximum_iterations")
            if maximum_iterations.shape.rank != 0:
                raise ValueError(
                    "maximum_iterations must be a scalar. Received a tensor of shape "
                    f"{maximum_iterations.shape}.")

        initial_finished, initial_inputs, initial_state = decoder.initialize()
        zero_outputs = _create_zero_outputs(
            decoder.output_size, decoder.output_dtype, decoder.batch_size)
        if maximum_iterations is not None:
            initial_finished = tf.logical_or(initial_finished, 0 >= maximum_iterations)
        initial_sequence_lengths = tf.zeros_like(initial_finished, dtype=tf.int32)
        initial_time = tf.constant(0, dtype=tf.int32)

        def create_ta(size, dtype):
            return tf.TensorArray(dtype=dtype, size=0, dynamic_size=True,
                                  element_shape=_element_shape(decoder.batch_size, size))

        initial_outputs_ta = tf.nest.map_structure(
            create_ta, decoder.output_size, decoder.output_dtype)

        def condition(unused_time, unused_outputs_ta, unused_state, unused_inputs, finished,
                      unused_sequence_lengths):
            return tf.logical_not(tf.reduce_all(finished))

        def body(time, outputs_ta, state, inputs, finished, sequence_lengths):
            next_outputs, decoder_state, next_inputs, decoder_finished = decoder.step(
                time, inputs, state)
            if decoder.tracks_own_finished:
                next_finished = decoder_finished
            else:
                next_finished = tf.logical_or(decoder_finished, finished)
            next_sequence_lengths = _v1.where(
                tf.logical_not(finished),
                tf.fill(tf.shape(sequence_lengths), time + 1),
                sequence_lengths)

            tf.nest.assert_same_structure(state, decoder_state)
            tf.nest.assert_same_structure(outputs_ta, next_outputs)
            tf.nest.assert_same_structure(inputs, next_inputs)

            if impute_finished:
                emit = tf.nest.map_structure(
                    lambda out, zero: _v1.where(finished, zero, out), next_outputs,
                    zero_outputs)
            else:
                emit = next_outputs

            def maybe_copy_state(new, cur):
                if isinstance(cur, tf.TensorArray):
                    pass_through = True
                else:
                    new.set_shape(cur.shape)
                    pass_through = new.shape.rank == 0
                return new if pass_through else _v1.where(finished, cur, new)

            if impute_finished:
                next_state = tf.nest.map_structure(maybe_copy_state, decoder_state, state)
            else:
                next_state = decoder_state

            outputs_ta = tf.nest.map_structure(
                lambda ta, out: ta.write(time, out), outputs_ta, emit)
            return (time + 1, outputs_ta, next_state, next_inputs, next_finished,
                    next_sequence_lengths)

        res = _v1.while_loop(
            condition,
            body,
            loop_vars=(initial_time, initial_outputs_ta, initial_state, initial_inputs,
                       initial_finished, initial_sequence_lengths),
            parallel_iterations=parallel_iterations,
            maximum_iterations=maximum_iterations,
            swap_memory=swap_memory)

        final_outputs_ta = res[1]
        final_state = res[2]
        final_sequence_lengths = res[5]

        final_outputs = tf.nest.map_structure(lambda ta: ta.stack(), final_outputs_ta)
        try:
            final_outputs, final_state = decoder.finalize(
                final_outputs, final_state, final_sequence_lengths)
        except NotImplementedError:
            pass

        if not output_time_major:
            final_outputs = tf.nest.map_structure(_transpose_batch_time, final_outputs)

    return final_outputs, final_state, final_sequence_lengths
