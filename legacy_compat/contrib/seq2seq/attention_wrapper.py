"""TF 1.15's ``tf.contrib.seq2seq`` attention: Bahdanau/Luong mechanisms and AttentionWrapper.

Recreated from ``tensorflow/contrib/seq2seq/python/ops/attention_wrapper.py`` (TF 1.15)
with ``tf.compat.v1`` graph-mode ops and :mod:`legacy_compat.layers` (TF1's memory, query
and attention layers were ``tf.layers.Dense``); no Keras.

Memory and masking (both mechanisms): ``values = memory * sequence_mask(
memory_sequence_length)`` (rows past a length are zeros), ``keys = memory_layer(values)``
(``memory_layer/kernel`` [memory depth, num_units], no bias, created when the mechanism
is constructed, in the scope current then). Scores past a length are replaced by
``score_mask_value`` (-inf by default) before ``probability_fn`` (softmax by default),
so those alignments are exactly 0; lengths must be positive.

* ``BahdanauAttention(num_units, memory, normalize=False)``:
  ``score = sum(v * tanh(keys + query_layer(query)), -1)``; normalized:
  ``v -> g * v / ||v||`` and ``+ b`` inside the tanh. Variables, created under
  ``bahdanau_attention/`` in the calling scope (``decoder/attention_wrapper/...`` in a
  decoder): ``query_layer/kernel`` [query depth, num_units], ``attention_v``
  [num_units]; normalized also ``attention_g`` [] (init ``sqrt(1 / num_units)``) and
  ``attention_b`` [num_units] (zeros).
* ``LuongAttention(num_units, memory, scale=False)``: ``score = keys . query`` (the
  query depth must equal ``num_units``); scaled: ``g * score`` with
  ``luong_attention/attention_g`` [] (init 1).
* ``AttentionWrapper(cell, mechanism, attention_layer_size=None, alignment_history=False,
  cell_input_fn=None, output_attention=True, initial_cell_state=None)``: each step runs
  ``cell(concat([inputs, previous attention], -1))``, scores the cell output, takes
  ``context = alignments @ values`` and ``attention = attention_layer(concat([cell_output,
  context], 1))`` (``attention_layer/kernel``, no bias) or ``context`` without a layer;
  it outputs the attention (``output_attention``) or the cell output. Its state is an
  :class:`AttentionWrapperState`; ``alignment_history`` keeps every step's alignments
  in a TensorArray. Lists of mechanisms are supported (attentions concatenated).

The monotonic mechanisms are not recreated.
"""
import collections
import math

import numpy as np
import tensorflow as tf

from legacy_compat._cells.base import RNNCell, _zero_state_tensors, assert_like_rnncell
from legacy_compat._tf1_layer import static_dim
from legacy_compat.layers import Dense, Layer

_v1 = tf.compat.v1

__all__ = [
    "AttentionMechanism",
    "AttentionWrapper",
    "AttentionWrapperState",
    "LuongAttention",
    "BahdanauAttention",
    "hardmax",
]


class AttentionMechanism:
    """Marker base class of the attention mechanisms (TF1's ``AttentionMechanism``)."""


def _prepare_memory(memory, memory_sequence_length, check_inner_dims_defined):
    """Convert ``memory`` to tensors and zero its rows past ``memory_sequence_length``."""
    memory = tf.nest.map_structure(lambda m: tf.convert_to_tensor(m, name="memory"), memory)
    if memory_sequence_length is not None:
        memory_sequence_length = tf.convert_to_tensor(memory_sequence_length,
                                                      name="memory_sequence_length")
    for m in tf.nest.flatten(memory):
        if m.shape.rank is not None and m.shape.rank < 3:
            raise ValueError(f"Expected memory {m.name} shaped [batch_size, max_time, ...], "
                             f"but saw shape: {m.shape}")
        if check_inner_dims_defined and not m.shape[2:].is_fully_defined():
            raise ValueError(f"Expected memory {m.name} to have fully defined inner dims, "
                             f"but saw shape: {m.shape}")
    if memory_sequence_length is None:
        return memory
    first = tf.nest.flatten(memory)[0]
    seq_len_mask = tf.sequence_mask(memory_sequence_length, maxlen=tf.shape(first)[1],
                                    dtype=first.dtype)
    seq_len_batch_size = (static_dim(memory_sequence_length.shape[0])
                          or tf.shape(memory_sequence_length)[0])

    def maybe_mask(m):
        rank = m.shape.rank if m.shape.rank is not None else tf.rank(m)
        extra_ones = tf.ones(rank - 2, dtype=tf.int32)
        m_batch_size = static_dim(m.shape[0]) or tf.shape(m)[0]
        message = "memory_sequence_length and memory tensor batch sizes do not match."
        with tf.control_dependencies(
                [_v1.assert_equal(seq_len_batch_size, m_batch_size, message=message)]):
            mask = tf.reshape(seq_len_mask, tf.concat((tf.shape(seq_len_mask), extra_ones), 0))
            return m * mask

    return tf.nest.map_structure(maybe_mask, memory)


def _maybe_mask_score(score, memory_sequence_length, score_mask_value):
    if memory_sequence_length is None:
        return score
    message = "All values in memory_sequence_length must greater than zero."
    with tf.control_dependencies([_v1.assert_positive(memory_sequence_length,
                                                      message=message)]):
        score_mask = tf.sequence_mask(memory_sequence_length, maxlen=tf.shape(score)[1])
        score_mask_values = score_mask_value * tf.ones_like(score)
        return _v1.where(score_mask, score, score_mask_values)


def _check_layer(argument, layer):
    if layer is not None and not isinstance(layer, Layer):
        raise TypeError(f"{argument} is not a Layer (a tf.layers layer such as "
                        f"legacy_compat.layers.Dense): {type(layer).__name__}")


class _BaseAttentionMechanism(AttentionMechanism):
    """Stores the query and memory layers and the prepared memory (values and keys)."""

    def __init__(self, query_layer, memory, probability_fn, memory_sequence_length=None,
                 memory_layer=None, check_inner_dims_defined=True, score_mask_value=None,
                 custom_key_value_fn=None, name=None):
        _check_layer("query_layer", query_layer)
        _check_layer("memory_layer", memory_layer)
        self._query_layer = query_layer
        self._memory_layer = memory_layer
        self.dtype = memory_layer.dtype
        if not callable(probability_fn):
            raise TypeError(f"probability_fn must be callable, saw type: "
                            f"{type(probability_fn).__name__}")
        if score_mask_value is None:
            score_mask_value = tf.as_dtype(self.dtype).as_numpy_dtype(-np.inf)
        self._probability_fn = lambda score, prev: probability_fn(
            _maybe_mask_score(score, memory_sequence_length, score_mask_value), prev)
        with tf.name_scope(name or "BaseAttentionMechanismInit"):
            self._values = _prepare_memory(memory, memory_sequence_length,
                                           check_inner_dims_defined=check_inner_dims_defined)
            self._keys = self.memory_layer(self._values) if self.memory_layer else self._values
            if custom_key_value_fn is not None:
                self._keys, self._values = custom_key_value_fn(self._keys, self._values)
            self._batch_size = static_dim(self._keys.shape[0]) or tf.shape(self._keys)[0]
            self._alignments_size = (static_dim(self._keys.shape[1])
                                     or tf.shape(self._keys)[1])

    @property
    def memory_layer(self):
        return self._memory_layer

    @property
    def query_layer(self):
        return self._query_layer

    @property
    def values(self):
        return self._values

    @property
    def keys(self):
        return self._keys

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def alignments_size(self):
        return self._alignments_size

    @property
    def state_size(self):
        return self._alignments_size

    def initial_alignments(self, batch_size, dtype):
        """Zeros shaped ``[batch_size, alignments_size]``."""
        return _zero_state_tensors(self._alignments_size, batch_size, dtype)

    def initial_state(self, batch_size, dtype):
        """The initial attention state: the initial alignments."""
        return self.initial_alignments(batch_size, dtype)


def _luong_score(query, keys, scale):
    depth = query.shape[-1]
    key_units = keys.shape[-1]
    if depth != key_units:
        raise ValueError(
            "Incompatible or unknown inner dimensions between query and keys.  "
            f"Query ({query}) has units: {depth}.  Keys ({keys}) have units: {key_units}.  "
            f"Perhaps you need to set num_units to the keys' dimension ({key_units})?")
    # [batch, 1, depth] . [batch, depth, max_time] -> [batch, max_time]
    score = tf.squeeze(tf.matmul(tf.expand_dims(query, 1), keys, transpose_b=True), [1])
    if scale:
        g = _v1.get_variable("attention_g", dtype=query.dtype,
                             initializer=_v1.ones_initializer, shape=())
        score = g * score
    return score


def _wrapped(probability_fn):
    probability_fn = probability_fn or tf.nn.softmax
    if not callable(probability_fn):
        raise TypeError(f"probability_fn must be callable, saw type: "
                        f"{type(probability_fn).__name__}")
    return lambda score, _: probability_fn(score)


class _DenseAttentionMechanism(_BaseAttentionMechanism):
    """The memory layer (and Bahdanau's query layer) as TF1 made them: ``tf.layers.Dense``
    named ``memory_layer`` / ``query_layer``, no bias, in ``dtype`` (float32 if None)."""

    def __init__(self, num_units, memory, memory_sequence_length, probability_fn,
                 score_mask_value, dtype, custom_key_value_fn, name, query_layer):
        dtype = dtype or tf.float32
        super().__init__(
            query_layer=(Dense(num_units, name="query_layer", use_bias=False, dtype=dtype)
                         if query_layer else None),
            memory_layer=Dense(num_units, name="memory_layer", use_bias=False, dtype=dtype),
            memory=memory,
            probability_fn=_wrapped(probability_fn),
            memory_sequence_length=memory_sequence_length,
            score_mask_value=score_mask_value,
            custom_key_value_fn=custom_key_value_fn,
            name=name)
        self._num_units = num_units
        self._name = name


class LuongAttention(_DenseAttentionMechanism):
    """Luong-style (multiplicative) attention; ``scale=True`` adds a learned scalar ``g``."""

    def __init__(self, num_units, memory, memory_sequence_length=None, scale=False,
                 probability_fn=None, score_mask_value=None, dtype=None,
                 custom_key_value_fn=None, name="LuongAttention"):
        super().__init__(num_units, memory, memory_sequence_length, probability_fn,
                         score_mask_value, dtype, custom_key_value_fn, name, query_layer=False)
        self._scale = scale

    def __call__(self, query, state):
        """Return ``(alignments, next_state)`` for ``query`` [batch, num_units]."""
        with _v1.variable_scope(None, "luong_attention", [query]):
            score = _luong_score(query, self._keys, self._scale)
        alignments = self._probability_fn(score, state)
        return alignments, alignments


def _bahdanau_score(processed_query, keys, attention_v, attention_g=None, attention_b=None):
    processed_query = tf.expand_dims(processed_query, 1)
    if attention_g is not None and attention_b is not None:
        normed_v = attention_g * attention_v * tf.math.rsqrt(
            tf.reduce_sum(tf.square(attention_v)))
        return tf.reduce_sum(normed_v * tf.tanh(keys + processed_query + attention_b), [2])
    return tf.reduce_sum(attention_v * tf.tanh(keys + processed_query), [2])


class BahdanauAttention(_DenseAttentionMechanism):
    """Bahdanau-style (additive) attention; ``normalize=True`` is the weight-normalized form."""

    def __init__(self, num_units, memory, memory_sequence_length=None, normalize=False,
                 probability_fn=None, score_mask_value=None, dtype=None,
                 custom_key_value_fn=None, name="BahdanauAttention"):
        super().__init__(num_units, memory, memory_sequence_length, probability_fn,
                         score_mask_value, dtype, custom_key_value_fn, name, query_layer=True)
        self._normalize = normalize

    def __call__(self, query, state):
        """Return ``(alignments, next_state)`` for ``query`` [batch, query depth]."""
        with _v1.variable_scope(None, "bahdanau_attention", [query]):
            processed_query = self.query_layer(query) if self.query_layer else query
            attention_v = _v1.get_variable("attention_v", [self._num_units], dtype=query.dtype)
            attention_g = attention_b = None
            if self._normalize:
                attention_g = _v1.get_variable(
                    "attention_g", dtype=query.dtype, shape=(),
                    initializer=_v1.constant_initializer(math.sqrt(1.0 / self._num_units)))
                attention_b = _v1.get_variable(
                    "attention_b", [self._num_units], dtype=query.dtype,
                    initializer=_v1.zeros_initializer())
            score = _bahdanau_score(processed_query, self._keys, attention_v,
                                    attention_g=attention_g, attention_b=attention_b)
        alignments = self._probability_fn(score, state)
        return alignments, alignments


def hardmax(logits, name=None):
    """One-hot of the argmax along the last axis, in the dtype of ``logits``."""
    with tf.name_scope(name or "Hardmax"):
        logits = tf.convert_to_tensor(logits, name="logits")
        depth = static_dim(logits.shape[-1])
        if depth is None:
            depth = tf.shape(logits)[-1]
        return tf.one_hot(tf.argmax(logits, -1), depth, dtype=logits.dtype)


def _with_same_shape(old, new):
    """TF1 contrib's ``tensor_util.with_same_shape``: ``new`` checked against ``old``'s shape."""
    if not (isinstance(old, tf.Tensor) and isinstance(new, tf.Tensor)):
        return new
    if not new.shape.is_compatible_with(old.shape):
        raise ValueError(f"AttentionWrapperState.clone: invalid shape for tensor {new.name}, "
                         f"expected {old.shape}, got {new.shape}.")
    if new.shape.is_fully_defined() and old.shape.is_fully_defined():
        return new
    message = f"AttentionWrapperState.clone: {new.name} must have the shape of {old.name}"
    with tf.control_dependencies([_v1.assert_equal(tf.shape(new), tf.shape(old),
                                                   message=message)]):
        result = tf.identity(new)
    result.set_shape(new.shape.merge_with(old.shape))
    return result


class AttentionWrapperState(
        collections.namedtuple("AttentionWrapperState",
                               ("cell_state", "attention", "time", "alignments",
                                "alignment_history", "attention_state"))):
    """The state of an :class:`AttentionWrapper`.

    ``cell_state`` (the wrapped cell's), ``attention`` (the previous step's),
    ``time``, ``alignments`` (one per mechanism), ``alignment_history`` (TensorArrays
    when enabled, else ``()``) and ``attention_state`` (the mechanisms' states).
    """

    __slots__ = ()

    def clone(self, **kwargs):
        """A copy with fields replaced; tensors must keep their shapes, e.g.
        ``zero_state(batch_size, dtype).clone(cell_state=encoder_state)``."""
        return tf.nest.map_structure(_with_same_shape, self, self._replace(**kwargs))


def _compute_attention(attention_mechanism, cell_output, attention_state, attention_layer):
    """``(attention, alignments, next_attention_state)`` of one mechanism for one step."""
    alignments, next_attention_state = attention_mechanism(cell_output, state=attention_state)
    # [batch, 1, memory_time] . [batch, memory_time, memory_size] -> [batch, memory_size]
    context = tf.squeeze(tf.matmul(tf.expand_dims(alignments, 1), attention_mechanism.values),
                         [1])
    if attention_layer is not None:
        attention = attention_layer(tf.concat([cell_output, context], 1))
    else:
        attention = context
    return attention, alignments, next_attention_state


_BATCH_SIZE_HINT = (
    "Non-matching batch sizes between the memory (encoder output) and {what}.  Are you "
    "using the BeamSearchDecoder?  You may need to tile {tile} via the "
    "tf.contrib.seq2seq.tile_batch function with argument multiple=beam_width.")


class AttentionWrapper(RNNCell):
    """Wraps an RNNCell with attention (TF 1.15's ``AttentionWrapper``)."""

    def __init__(self, cell, attention_mechanism, attention_layer_size=None,
                 alignment_history=False, cell_input_fn=None, output_attention=True,
                 initial_cell_state=None, name=None, attention_layer=None):
        super().__init__(name=name)
        assert_like_rnncell("cell", cell)
        if isinstance(attention_mechanism, (list, tuple)):
            self._is_multi = True
            attention_mechanisms = tuple(attention_mechanism)
            for mechanism in attention_mechanisms:
                if not isinstance(mechanism, AttentionMechanism):
                    raise TypeError(
                        "attention_mechanism must contain only instances of "
                        f"AttentionMechanism, saw type: {type(mechanism).__name__}")
        else:
            self._is_multi = False
            if not isinstance(attention_mechanism, AttentionMechanism):
                raise TypeError(
                    "attention_mechanism must be an AttentionMechanism (BahdanauAttention, "
                    "LuongAttention) or list of multiple AttentionMechanism instances, saw "
                    f"type: {type(attention_mechanism).__name__}")
            attention_mechanisms = (attention_mechanism,)

        if cell_input_fn is None:
            cell_input_fn = lambda inputs, attention: tf.concat([inputs, attention], -1)
        elif not callable(cell_input_fn):
            raise TypeError(f"cell_input_fn must be callable, saw type: "
                            f"{type(cell_input_fn).__name__}")

        if attention_layer_size is not None and attention_layer is not None:
            raise ValueError("Only one of attention_layer_size and attention_layer should be "
                             "set")
        if attention_layer_size is not None:
            sizes = tuple(attention_layer_size if isinstance(attention_layer_size, (list, tuple))
                          else (attention_layer_size,))
            if len(sizes) != len(attention_mechanisms):
                raise ValueError(
                    "If provided, attention_layer_size must contain exactly one integer per "
                    f"attention_mechanism, saw: {len(sizes)} vs {len(attention_mechanisms)}")
            self._attention_layers = tuple(
                Dense(size, name="attention_layer", use_bias=False,
                      dtype=attention_mechanisms[i].dtype)
                for i, size in enumerate(sizes))
            self._attention_layer_size = sum(sizes)
        elif attention_layer is not None:
            layers = tuple(attention_layer if isinstance(attention_layer, (list, tuple))
                           else (attention_layer,))
            for layer in layers:
                _check_layer("attention_layer", layer)
            if len(layers) != len(attention_mechanisms):
                raise ValueError(
                    "If provided, attention_layer must contain exactly one layer per "
                    f"attention_mechanism, saw: {len(layers)} vs {len(attention_mechanisms)}")
            self._attention_layers = layers
            self._attention_layer_size = sum(
                static_dim(layer.compute_output_shape(
                    [None, cell.output_size + static_dim(mechanism.values.shape[-1])])[-1])
                for layer, mechanism in zip(layers, attention_mechanisms))
        else:
            self._attention_layers = None
            self._attention_layer_size = sum(
                static_dim(mechanism.values.shape[-1]) for mechanism in attention_mechanisms)

        self._cell = cell
        self._attention_mechanisms = attention_mechanisms
        self._cell_input_fn = cell_input_fn
        self._output_attention = output_attention
        self._alignment_history = alignment_history
        with tf.name_scope(name or "AttentionWrapperInit"):
            if initial_cell_state is None:
                self._initial_cell_state = None
            else:
                final_state_tensor = tf.nest.flatten(initial_cell_state)[-1]
                state_batch_size = (static_dim(final_state_tensor.shape[0])
                                    or tf.shape(final_state_tensor)[0])
                error_message = (
                    f"When constructing AttentionWrapper {self._base_name}: "
                    + _BATCH_SIZE_HINT.format(what="initial_cell_state",
                                              tile="your initial state"))
                with tf.control_dependencies(
                        self._batch_size_checks(state_batch_size, error_message)):
                    self._initial_cell_state = tf.nest.map_structure(
                        lambda s: tf.identity(s, name="check_initial_cell_state"),
                        initial_cell_state)

    def _batch_size_checks(self, batch_size, error_message):
        return [_v1.assert_equal(batch_size, mechanism.batch_size, message=error_message)
                for mechanism in self._attention_mechanisms]

    def _item_or_tuple(self, seq):
        t = tuple(seq)
        return t if self._is_multi else t[0]

    @property
    def output_size(self):
        return self._attention_layer_size if self._output_attention else self._cell.output_size

    @property
    def state_size(self):
        return AttentionWrapperState(
            cell_state=self._cell.state_size,
            time=tf.TensorShape([]),
            attention=self._attention_layer_size,
            alignments=self._item_or_tuple(
                a.alignments_size for a in self._attention_mechanisms),
            attention_state=self._item_or_tuple(
                a.state_size for a in self._attention_mechanisms),
            alignment_history=self._item_or_tuple(
                a.alignments_size if self._alignment_history else ()
                for a in self._attention_mechanisms))

    def zero_state(self, batch_size, dtype):
        """The initial :class:`AttentionWrapperState` (cell state: ``initial_cell_state``
        when given, else the cell's zero state)."""
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            if self._initial_cell_state is not None:
                cell_state = self._initial_cell_state
            elif hasattr(self._cell, "get_initial_state"):
                cell_state = self._cell.get_initial_state(batch_size=batch_size, dtype=dtype)
            else:
                cell_state = self._cell.zero_state(batch_size, dtype)
            error_message = (
                f"When calling zero_state of AttentionWrapper {self._base_name}: "
                + _BATCH_SIZE_HINT.format(what="the requested batch size",
                                          tile="your encoder output (and pass batch_size * "
                                               "beam_width to zero_state)"))
            with tf.control_dependencies(self._batch_size_checks(batch_size, error_message)):
                cell_state = tf.nest.map_structure(
                    lambda s: tf.identity(s, name="checked_cell_state"), cell_state)
            initial_alignments = [m.initial_alignments(batch_size, dtype)
                                  for m in self._attention_mechanisms]
            return AttentionWrapperState(
                cell_state=cell_state,
                time=tf.zeros([], dtype=tf.int32),
                attention=_zero_state_tensors(self._attention_layer_size, batch_size, dtype),
                alignments=self._item_or_tuple(initial_alignments),
                attention_state=self._item_or_tuple(
                    m.initial_state(batch_size, dtype) for m in self._attention_mechanisms),
                alignment_history=self._item_or_tuple(
                    tf.TensorArray(dtype, size=0, dynamic_size=True,
                                   element_shape=alignment.shape)
                    if self._alignment_history else ()
                    for alignment in initial_alignments))

    def call(self, inputs, state):
        if not isinstance(state, AttentionWrapperState):
            raise TypeError("Expected state to be instance of AttentionWrapperState. "
                            f"Received type {type(state)} instead.")
        cell_inputs = self._cell_input_fn(inputs, state.attention)
        cell_output, next_cell_state = self._cell(cell_inputs, state.cell_state)

        cell_batch_size = static_dim(cell_output.shape[0]) or tf.shape(cell_output)[0]
        error_message = (f"When applying AttentionWrapper {self.name}: "
                         + _BATCH_SIZE_HINT.format(what="the query (decoder output)",
                                                   tile="your memory input"))
        with tf.control_dependencies(self._batch_size_checks(cell_batch_size, error_message)):
            cell_output = tf.identity(cell_output, name="checked_cell_output")

        if self._is_multi:
            previous_attention_state = state.attention_state
            previous_alignment_history = state.alignment_history
        else:
            previous_attention_state = [state.attention_state]
            previous_alignment_history = [state.alignment_history]

        all_alignments, all_attentions, all_attention_states, histories = [], [], [], []
        for i, mechanism in enumerate(self._attention_mechanisms):
            attention, alignments, next_attention_state = _compute_attention(
                mechanism, cell_output, previous_attention_state[i],
                self._attention_layers[i] if self._attention_layers else None)
            history = (previous_alignment_history[i].write(state.time, alignments)
                       if self._alignment_history else ())
            all_attention_states.append(next_attention_state)
            all_alignments.append(alignments)
            all_attentions.append(attention)
            histories.append(history)

        attention = tf.concat(all_attentions, 1)
        next_state = AttentionWrapperState(
            time=state.time + 1,
            cell_state=next_cell_state,
            attention=attention,
            attention_state=self._item_or_tuple(all_attention_states),
            alignments=self._item_or_tuple(all_alignments),
            alignment_history=self._item_or_tuple(histories))
        if self._output_attention:
            return attention, next_state
        return cell_output, next_state
