"""TF 1.15's ``tf.contrib.seq2seq`` helpers: how a ``BasicDecoder`` samples and feeds itself.

Recreated from ``tensorflow/contrib/seq2seq/python/ops/helper.py`` (TF 1.15) with
``tf.compat.v1`` graph-mode ops; no Keras.

* ``TrainingHelper(inputs, sequence_length, time_major=False)`` (teacher forcing): step
  ``t`` reads ``inputs[:, t]``; an entry is finished once ``t + 1 >= sequence_length``;
  ``sample_id`` is the argmax of the outputs; once every entry is finished the next
  inputs are zeros.
* ``GreedyEmbeddingHelper(embedding, start_tokens, end_token)``: starts from
  ``embedding(start_tokens)``, feeds ``embedding(argmax(outputs))`` back and marks an
  entry finished when its argmax equals ``end_token``. ``embedding`` is the ``params``
  of ``embedding_lookup`` or a callable on ids.
* ``SampleEmbeddingHelper(..., softmax_temperature=None, seed=None)``: the same, with
  ids drawn from ``Categorical(logits=outputs / softmax_temperature)`` (the
  ``Multinomial`` op TF1's ``Categorical.sample`` ran, with the same ``seed``).
* ``CustomHelper(initialize_fn, sample_fn, next_inputs_fn)``.

The scheduled-sampling helpers and ``InferenceHelper`` are not recreated.
"""
import abc

import tensorflow as tf

from legacy_compat.contrib.seq2seq.decoder import _transpose_batch_time

_v1 = tf.compat.v1

__all__ = [
    "Helper",
    "CustomHelper",
    "TrainingHelper",
    "GreedyEmbeddingHelper",
    "SampleEmbeddingHelper",
]


def _unstack_ta(inp):
    return tf.TensorArray(dtype=inp.dtype, size=tf.shape(inp)[0],
                          element_shape=inp.shape[1:]).unstack(inp)


def _embedding_fn(embedding):
    if callable(embedding):
        return embedding
    return lambda ids: _v1.nn.embedding_lookup(embedding, ids)


class Helper(abc.ABC):
    """Interface of the sampling helpers used by ``BasicDecoder``."""

    @property
    @abc.abstractmethod
    def batch_size(self):
        """Batch size of the tensor returned by ``sample`` (a scalar int32 tensor)."""
        raise NotImplementedError("batch_size has not been implemented")

    @property
    @abc.abstractmethod
    def sample_ids_shape(self):
        """Shape of the tensor returned by ``sample``, without the batch axis."""
        raise NotImplementedError("sample_ids_shape has not been implemented")

    @property
    @abc.abstractmethod
    def sample_ids_dtype(self):
        """DType of the tensor returned by ``sample``."""
        raise NotImplementedError("sample_ids_dtype has not been implemented")

    @abc.abstractmethod
    def initialize(self, name=None):
        """Return ``(initial_finished, initial_inputs)``."""

    @abc.abstractmethod
    def sample(self, time, outputs, state, name=None):
        """Return ``sample_ids``."""

    @abc.abstractmethod
    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        """Return ``(finished, next_inputs, next_state)``."""


class CustomHelper(Helper):
    """A helper made of three callables (TF1's ``CustomHelper``)."""

    def __init__(self, initialize_fn, sample_fn, next_inputs_fn, sample_ids_shape=None,
                 sample_ids_dtype=None):
        for argument, value in (("initialize_fn", initialize_fn), ("sample_fn", sample_fn),
                                ("next_inputs_fn", next_inputs_fn)):
            if not callable(value):
                raise TypeError(f"CustomHelper: {argument} must be callable. "
                                f"Received: {value!r}.")
        self._initialize_fn = initialize_fn
        self._sample_fn = sample_fn
        self._next_inputs_fn = next_inputs_fn
        self._batch_size = None
        self._sample_ids_shape = tf.TensorShape(sample_ids_shape or [])
        self._sample_ids_dtype = sample_ids_dtype or tf.int32

    @property
    def batch_size(self):
        if self._batch_size is None:
            raise ValueError("batch_size accessed before initialize was called")
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return self._sample_ids_shape

    @property
    def sample_ids_dtype(self):
        return self._sample_ids_dtype

    def initialize(self, name=None):
        with tf.name_scope(name or f"{type(self).__name__}Initialize"):
            finished, next_inputs = self._initialize_fn()
            if self._batch_size is None:
                self._batch_size = tf.size(finished)
        return finished, next_inputs

    def sample(self, time, outputs, state, name=None):
        with tf.name_scope(name or f"{type(self).__name__}Sample"):
            return self._sample_fn(time=time, outputs=outputs, state=state)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        with tf.name_scope(name or f"{type(self).__name__}NextInputs"):
            return self._next_inputs_fn(time=time, outputs=outputs, state=state,
                                        sample_ids=sample_ids)


class _ScalarIdsHelper(Helper):
    """A helper whose ``sample_ids`` are int32 scalars per entry (batch size set in __init__)."""

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def sample_ids_shape(self):
        return tf.TensorShape([])

    @property
    def sample_ids_dtype(self):
        return tf.int32


class TrainingHelper(_ScalarIdsHelper):
    """Teacher forcing: reads the decoder inputs; ``sample_ids`` are the argmax ids."""

    def __init__(self, inputs, sequence_length, time_major=False, name=None):
        with tf.name_scope(name or "TrainingHelper"):
            inputs = tf.nest.map_structure(
                lambda inp: tf.convert_to_tensor(inp, name="inputs"), inputs)
            for inp in tf.nest.flatten(inputs):
                if inp.shape.rank is not None and inp.shape.rank < 2:
                    raise ValueError(
                        "TrainingHelper: inputs must be shaped [batch_size, max_time, ...] "
                        f"(time major: [max_time, batch_size, ...]). Received shape "
                        f"{inp.shape}.")
            self._inputs = inputs
            self._sequence_length = tf.convert_to_tensor(sequence_length,
                                                         name="sequence_length")
            if self._sequence_length.shape.rank != 1:
                raise ValueError(
                    "Expected sequence_length to be a vector, but received shape: "
                    f"{self._sequence_length.shape}")
            if not time_major:
                inputs = tf.nest.map_structure(_transpose_batch_time, inputs)
            self._input_tas = tf.nest.map_structure(_unstack_ta, inputs)
            self._zero_inputs = tf.nest.map_structure(
                lambda inp: tf.zeros_like(inp[0, :]), inputs)
            self._batch_size = tf.size(sequence_length)

    @property
    def inputs(self):
        return self._inputs

    @property
    def sequence_length(self):
        return self._sequence_length

    def initialize(self, name=None):
        with tf.name_scope(name or "TrainingHelperInitialize"):
            finished = tf.equal(0, self._sequence_length)
            all_finished = tf.reduce_all(finished)
            next_inputs = _v1.cond(
                all_finished, lambda: self._zero_inputs,
                lambda: tf.nest.map_structure(lambda inp: inp.read(0), self._input_tas))
            return finished, next_inputs

    def sample(self, time, outputs, name=None, **unused_kwargs):
        with tf.name_scope(name or "TrainingHelperSample"):
            return tf.cast(tf.argmax(outputs, axis=-1), tf.int32)

    def next_inputs(self, time, outputs, state, name=None, **unused_kwargs):
        with tf.name_scope(name or "TrainingHelperNextInputs"):
            next_time = time + 1
            finished = next_time >= self._sequence_length
            all_finished = tf.reduce_all(finished)
            next_inputs = _v1.cond(
                all_finished, lambda: self._zero_inputs,
                lambda: tf.nest.map_structure(lambda inp: inp.read(next_time),
                                              self._input_tas))
            return finished, next_inputs, state


class GreedyEmbeddingHelper(_ScalarIdsHelper):
    """Inference: feed back ``embedding(argmax(outputs))``; finished at ``end_token``."""

    def __init__(self, embedding, start_tokens, end_token):
        self._embedding_fn = _embedding_fn(embedding)
        self._start_tokens = tf.convert_to_tensor(start_tokens, dtype=tf.int32,
                                                  name="start_tokens")
        self._end_token = tf.convert_to_tensor(end_token, dtype=tf.int32, name="end_token")
        if self._start_tokens.shape.rank != 1:
            raise ValueError("start_tokens must be a vector (shape [batch_size]). Received "
                             f"shape {self._start_tokens.shape}.")
        self._batch_size = tf.size(start_tokens)
        if self._end_token.shape.rank != 0:
            raise ValueError(f"end_token must be a scalar. Received shape "
                             f"{self._end_token.shape}.")
        self._start_inputs = self._embedding_fn(self._start_tokens)

    def initialize(self, name=None):
        finished = tf.tile([False], [self._batch_size])
        return finished, self._start_inputs

    def sample(self, time, outputs, state, name=None):
        del time, state
        _check_logits(type(self).__name__, outputs)
        return tf.cast(tf.argmax(outputs, axis=-1), tf.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        del time, outputs
        finished = tf.equal(sample_ids, self._end_token)
        all_finished = tf.reduce_all(finished)
        next_inputs = _v1.cond(
            all_finished,
            # once every entry is finished the next inputs are never used
            lambda: self._start_inputs,
            lambda: self._embedding_fn(sample_ids))
        return finished, next_inputs, state


class SampleEmbeddingHelper(GreedyEmbeddingHelper):
    """Inference: feed back ``embedding(ids)``, ids sampled from the softmax of the outputs.

    ``softmax_temperature`` divides the logits first (None: 1). The ids come from the
    ``Multinomial`` op with ``seed`` (TF1's ``Categorical(logits).sample(seed=seed)``).
    """

    def __init__(self, embedding, start_tokens, end_token, softmax_temperature=None,
                 seed=None):
        super().__init__(embedding, start_tokens, end_token)
        self._softmax_temperature = softmax_temperature
        self._seed = seed

    def sample(self, time, outputs, state, name=None):
        del time, state
        _check_logits(type(self).__name__, outputs)
        logits = outputs if self._softmax_temperature is None else (
            outputs / self._softmax_temperature)
        with tf.name_scope("Categorical_sample"):
            draws = tf.random.categorical(logits, 1, dtype=tf.int32, seed=self._seed)
            return tf.reshape(tf.transpose(draws), [-1])


def _check_logits(owner, outputs):
    if not tf.is_tensor(outputs):
        raise TypeError(f"{owner}: expected outputs to be a single Tensor of logits, got: "
                        f"{type(outputs)}")
