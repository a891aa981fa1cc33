"""TF 1.15's ``tf.contrib.legacy_seq2seq`` (``contrib/legacy_seq2seq/python/ops/seq2seq.py``).

The same ops in the same order as TF 1.15, on legacy_compat's cells (contrib.rnn's
``EmbeddingWrapper`` and ``OutputProjectionWrapper`` included), with TF 1.2+'s
variable names (``kernel``/``bias``; TF 1.0-1.1 wrote ``weights``/``biases``, TF 0.x
``Linear/Matrix``/``Linear/Bias`` and CamelCase cell scopes, same layouts). Default scopes
and the variables they hold, for a cell whose own scope is ``<cell>`` (e.g.
``gru_cell/gates/kernel``):

* ``rnn_decoder``: ``rnn_decoder/<cell>``.
* ``basic_rnn_seq2seq``: encoder ``basic_rnn_seq2seq/rnn/<cell>`` (a deep copy of
  ``cell``), decoder ``basic_rnn_seq2seq/rnn_decoder/<cell>``.
* ``tied_rnn_seq2seq``: ``combined_tied_rnn_seq2seq/tied_rnn_seq2seq/<cell>`` (shared).
* ``embedding_rnn_decoder``: ``embedding_rnn_decoder/embedding`` [num_symbols,
  embedding_size], ``embedding_rnn_decoder/rnn_decoder/<cell>``.
* ``embedding_rnn_seq2seq``: ``embedding_rnn_seq2seq/rnn/embedding_wrapper/embedding``
  and ``.../embedding_wrapper/<cell>`` (encoder), ``embedding_rnn_seq2seq/
  embedding_rnn_decoder/embedding`` and ``.../rnn_decoder/output_projection_wrapper/
  <cell>``, ``.../output_projection_wrapper/kernel|bias`` (decoder, without
  ``output_projection``).
* ``embedding_tied_rnn_seq2seq``: ``embedding_tied_rnn_seq2seq/embedding`` and
  ``embedding_tied_rnn_seq2seq/combined_tied_rnn_seq2seq/tied_rnn_seq2seq/
  output_projection_wrapper/...``.
* ``attention_decoder`` (``num_heads`` heads, a = 0..num_heads-1):
  ``attention_decoder/AttnW_a`` [1, 1, attn_size, attn_size], ``AttnV_a`` [attn_size],
  ``attention_decoder/kernel|bias`` (input + attentions -> input_size),
  ``attention_decoder/<cell>``, ``attention_decoder/Attention_a/kernel|bias``
  (state -> attn_size), ``attention_decoder/AttnOutputProjection/kernel|bias``
  (cell output + attentions -> output_size).
* ``embedding_attention_decoder``: ``embedding_attention_decoder/embedding`` and
  ``embedding_attention_decoder/attention_decoder/...``.
* ``embedding_attention_seq2seq``: encoder ``embedding_attention_seq2seq/rnn/
  embedding_wrapper/...``, decoder ``embedding_attention_seq2seq/
  embedding_attention_decoder/...`` (its cell wrapped in ``output_projection_wrapper``
  without ``output_projection``).

``feed_previous`` may be a Python bool or a scalar boolean tensor (both decoders are built
and ``tf.cond`` picks one, as in TF1). ``softmax_loss_function`` is called with the keywords
``labels=`` and ``logits=``, as TF 1.1+ did (TF 0.x's ``tf.nn.seq2seq``, with positional
``(logits, labels)``, is :mod:`legacy_compat.contrib.legacy_seq2seq.nn_seq2seq`).
``one2many_rnn_seq2seq`` is not provided.
"""
import copy

import tensorflow as tf

from legacy_compat._cells.base import _BIAS_VARIABLE_NAME, _WEIGHTS_VARIABLE_NAME
from legacy_compat._cells.projection import EmbeddingWrapper, OutputProjectionWrapper
from legacy_compat._tf1_layer import static_dim

_v1 = tf.compat.v1

__all__ = [
    "attention_decoder",
    "basic_rnn_seq2seq",
    "embedding_attention_decoder",
    "embedding_attention_seq2seq",
    "embedding_rnn_decoder",
    "embedding_rnn_seq2seq",
    "embedding_tied_rnn_seq2seq",
    "model_with_buckets",
    "rnn_decoder",
    "sequence_loss",
    "sequence_loss_by_example",
    "tied_rnn_seq2seq",
]


class Linear:
    """TF 1.15's ``Linear = core_rnn_cell._Linear``: ``concat(args, 1) @ kernel + bias``.

    Creates ``kernel`` [sum of the args' widths, output_size] (the scope's initializer,
    glorot_uniform by default) and ``bias`` [output_size] (zeros) in the CURRENT variable
    scope, on construction; each call reuses them.
    """

    def __init__(self, args, output_size, build_bias, bias_initializer=None,
                 kernel_initializer=None):
        self._build_bias = build_bias
        if args is None or (tf.nest.is_nested(args) and not args):
            raise ValueError("`args` must be specified: a 2-D tensor or a non-empty list of "
                             f"2-D tensors. Received: {args!r}.")
        self._is_sequence = tf.nest.is_nested(args)
        if not self._is_sequence:
            args = [args]
        total_arg_size = 0
        shapes = [a.get_shape() for a in args]
        for shape in shapes:
            if shape.ndims != 2:
                raise ValueError(f"linear is expecting 2D arguments: {shapes}. Expected "
                                 "tensors of shape [batch_size, n].")
            width = static_dim(shape[1])
            if width is None:
                raise ValueError(f"linear expects shape[1] to be provided for shape {shape}, "
                                 f"but saw {width}.")
            total_arg_size += width
        dtype = [a.dtype for a in args][0]
        scope = _v1.get_variable_scope()
        with _v1.variable_scope(scope) as outer_scope:
            self._weights = _v1.get_variable(
                _WEIGHTS_VARIABLE_NAME, [total_arg_size, output_size], dtype=dtype,
                initializer=kernel_initializer)
            if build_bias:
                with _v1.variable_scope(outer_scope) as inner_scope:
                    inner_scope.set_partitioner(None)
                    if bias_initializer is None:
                        bias_initializer = _v1.constant_initializer(0.0, dtype=dtype)
                    self._biases = _v1.get_variable(
                        _BIAS_VARIABLE_NAME, [output_size], dtype=dtype,
                        initializer=bias_initializer)

    def __call__(self, args):
        if not self._is_sequence:
            args = [args]
        if len(args) == 1:
            res = tf.matmul(args[0], self._weights)
        else:
            one = tf.constant(1, dtype=tf.int32)
            res = tf.matmul(tf.concat(args, one), self._weights)
        if self._build_bias:
            res = tf.nn.bias_add(res, self._biases)
        return res


def _extract_argmax_and_embed(embedding, output_projection=None, update_embedding=True):
    """A loop_function feeding back the embedding of the previous output's argmax."""

    def loop_function(prev, _):
        if output_projection is not None:
            prev = _v1.nn.xw_plus_b(prev, output_projection[0], output_projection[1])
        prev_symbol = tf.argmax(prev, 1)
        # Gradients do not propagate through the ids of embedding_lookup.
        emb_prev = _v1.nn.embedding_lookup(embedding, prev_symbol)
        if not update_embedding:
            emb_prev = tf.stop_gradient(emb_prev)
        return emb_prev

    return loop_function


def _check_output_projection(output_projection, num_symbols, dtype, check_weights=True):
    if check_weights:
        proj_weights = tf.convert_to_tensor(output_projection[0], dtype=dtype)
        proj_weights.get_shape().assert_is_compatible_with([None, num_symbols])
    proj_biases = tf.convert_to_tensor(output_projection[1], dtype=dtype)
    proj_biases.get_shape().assert_is_compatible_with([num_symbols])


def _decode_with_cond(feed_previous, decode, decoder_inputs, structure, packed_state=None):
    """TF1's two decoders under ``cond(feed_previous, ...)`` (a boolean tensor).

    ``decode(feed_previous_bool)`` builds one decoder; the first branch creates the
    variables, the second reuses them. ``structure`` is the nest of the state, or a
    function returning it (called after the cond, as TF1 built it there).
    """

    def branch(feed_previous_bool):
        reuse = None if feed_previous_bool else True
        with _v1.variable_scope(_v1.get_variable_scope(), reuse=reuse):
            outputs, state = decode(feed_previous_bool)
            state_list = [state]
            if tf.nest.is_nested(state):
                state_list = tf.nest.flatten(state)
            return outputs + state_list

    outputs_and_state = _v1.cond(feed_previous, lambda: branch(True), lambda: branch(False))
    outputs_len = len(decoder_inputs)
    state_list = outputs_and_state[outputs_len:]
    state = state_list[0]
    if callable(structure):
        structure = structure()
    if tf.nest.is_nested(structure):
        state = tf.nest.pack_sequence_as(structure=structure, flat_sequence=state_list)
    return outputs_and_state[:outputs_len], state


def _copy_cell(cell, owner):
    """TF 1.1+'s ``copy.deepcopy(cell)`` for the encoder, with a clear error."""
    try:
        return copy.deepcopy(cell)
    except TypeError as error:
        raise TypeError(
            f"{owner} deep-copies `cell` for its encoder (TF 1.1+), and this cell cannot be "
            f"copied ({error}): a cell that has already been called holds its graph and "
            "variables. Pass a new cell that has not been called yet (TF 1.1+'s translate "
            "tutorial deep-copied an unused cell inside its seq2seq function)."
        ) from error


def rnn_decoder(decoder_inputs, initial_state, cell, loop_function=None, scope=None):
    """RNN decoder: ``cell`` over ``decoder_inputs`` from ``initial_state``.

    With ``loop_function``, step i > 0 gets ``loop_function(output_{i-1}, i)`` (built in
    the variable scope ``loop_function``, reuse=True) instead of ``decoder_inputs[i]``.
    Returns ``(outputs, final state)``.
    """
    with _v1.variable_scope(scope or "rnn_decoder"):
        state = initial_state
        outputs = []
        prev = None
        for i, inp in enumerate(decoder_inputs):
            if loop_function is not None and prev is not None:
                with _v1.variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            if i > 0:
                _v1.get_variable_scope().reuse_variables()
            output, state = cell(inp, state)
            outputs.append(output)
            if loop_function is not None:
                prev = output
    return outputs, state


def basic_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, dtype=tf.float32, scope=None):
    """Encode with a deep copy of ``cell`` (``static_rnn``), decode with ``cell``."""
    with _v1.variable_scope(scope or "basic_rnn_seq2seq"):
        enc_cell = _copy_cell(cell, "basic_rnn_seq2seq")
        _, enc_state = _v1.nn.static_rnn(enc_cell, encoder_inputs, dtype=dtype)
        return rnn_decoder(decoder_inputs, enc_state, cell)


def tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, loop_function=None,
                     dtype=tf.float32, scope=None):
    """Encoder and decoder share ``cell`` and its variables (scope ``scope``)."""
    with _v1.variable_scope("combined_tied_rnn_seq2seq"):
        scope = scope or "tied_rnn_seq2seq"
        _, enc_state = _v1.nn.static_rnn(cell, encoder_inputs, dtype=dtype, scope=scope)
        _v1.get_variable_scope().reuse_variables()
        return rnn_decoder(decoder_inputs, enc_state, cell, loop_function=loop_function,
                           scope=scope)


def embedding_rnn_decoder(decoder_inputs, initial_state, cell, num_symbols, embedding_size,
                          output_projection=None, feed_previous=False,
                          update_embedding_for_previous=True, scope=None):
    """``rnn_decoder`` on embedded symbols; ``feed_previous`` (a bool) decodes greedily."""
    with _v1.variable_scope(scope or "embedding_rnn_decoder") as scope:
        if output_projection is not None:
            _check_output_projection(output_projection, num_symbols, scope.dtype)
        embedding = _v1.get_variable("embedding", [num_symbols, embedding_size])
        loop_function = _extract_argmax_and_embed(
            embedding, output_projection,
            update_embedding_for_previous) if feed_previous else None
        emb_inp = (_v1.nn.embedding_lookup(embedding, i) for i in decoder_inputs)
        return rnn_decoder(emb_inp, initial_state, cell, loop_function=loop_function)


def embedding_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, num_encoder_symbols,
                          num_decoder_symbols, embedding_size, output_projection=None,
                          feed_previous=False, dtype=None, scope=None):
    """Embedding encoder (a deep copy of ``cell``) and embedding decoder (``cell``,
    projected to ``num_decoder_symbols`` unless ``output_projection`` is given)."""
    with _v1.variable_scope(scope or "embedding_rnn_seq2seq") as scope:
        if dtype is not None:
            scope.set_dtype(dtype)
        else:
            dtype = scope.dtype
        encoder_cell = _copy_cell(cell, "embedding_rnn_seq2seq")
        encoder_cell = EmbeddingWrapper(
            encoder_cell, embedding_classes=num_encoder_symbols, embedding_size=embedding_size)
        _, encoder_state = _v1.nn.static_rnn(encoder_cell, encoder_inputs, dtype=dtype)
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)
        if isinstance(feed_previous, bool):
            return embedding_rnn_decoder(
                decoder_inputs, encoder_state, cell, num_decoder_symbols, embedding_size,
                output_projection=output_projection, feed_previous=feed_previous)

        def decode(feed_previous_bool):
            return embedding_rnn_decoder(
                decoder_inputs, encoder_state, cell, num_decoder_symbols, embedding_size,
                output_projection=output_projection, feed_previous=feed_previous_bool,
                update_embedding_for_previous=False)

        return _decode_with_cond(feed_previous, decode, decoder_inputs, encoder_state)


def embedding_tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, num_symbols,
                               embedding_size, num_decoder_symbols=None,
                               output_projection=None, feed_previous=False, dtype=None,
                               scope=None):
    """``tied_rnn_seq2seq`` on inputs embedded with ONE embedding shared by both sides."""
    with _v1.variable_scope(scope or "embedding_tied_rnn_seq2seq", dtype=dtype) as scope:
        dtype = scope.dtype
        if output_projection is not None:
            _check_output_projection(output_projection, num_symbols, dtype)
        embedding = _v1.get_variable("embedding", [num_symbols, embedding_size], dtype=dtype)
        emb_encoder_inputs = [_v1.nn.embedding_lookup(embedding, x) for x in encoder_inputs]
        emb_decoder_inputs = [_v1.nn.embedding_lookup(embedding, x) for x in decoder_inputs]
        output_symbols = num_symbols
        if num_decoder_symbols is not None:
            output_symbols = num_decoder_symbols
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, output_symbols)
        if isinstance(feed_previous, bool):
            loop_function = _extract_argmax_and_embed(
                embedding, output_projection, True) if feed_previous else None
            return tied_rnn_seq2seq(emb_encoder_inputs, emb_decoder_inputs, cell,
                                    loop_function=loop_function, dtype=dtype)

        def decode(feed_previous_bool):
            loop_function = _extract_argmax_and_embed(
                embedding, output_projection, False) if feed_previous_bool else None
            return tied_rnn_seq2seq(emb_encoder_inputs, emb_decoder_inputs, cell,
                                    loop_function=loop_function, dtype=dtype)

        def zero_state_structure():
            # TF1 packs the state like the cell's zero state, built after the cond (the
            # static batch size of the first encoder input, checked against the others).
            static_batch_size = encoder_inputs[0].get_shape()[0]
            for inp in encoder_inputs[1:]:
                tf.compat.v1.Dimension(static_batch_size).merge_with(inp.get_shape()[0])
            batch_size = static_dim(static_batch_size)
            if batch_size is None:
                batch_size = tf.shape(encoder_inputs[0])[0]
            return cell.zero_state(batch_size, dtype)

        return _decode_with_cond(feed_previous, decode, decoder_inputs, zero_state_structure)


def attention_decoder(decoder_inputs, initial_state, attention_states, cell, output_size=None,
                      num_heads=1, loop_function=None, dtype=None, scope=None,
                      initial_state_attention=False):
    """RNN decoder with ``num_heads`` attention reads of ``attention_states`` (TF 1.15).

    At step i: ``x = linear([input_i] + attns)``; ``cell_output, state = cell(x, state)``;
    per head a, ``s = sum(V_a * tanh(conv1x1(hidden, W_a) + linear_a(state)), [2, 3])``,
    ``p = softmax(s)`` (computed in float32, as TF 1.15 did), ``attn_a = sum(p * hidden)``;
    ``output = linear([cell_output] + attns)`` in ``AttnOutputProjection``. The initial
    attentions are zeros, or read with ``initial_state`` if ``initial_state_attention``.
    """
    if not decoder_inputs:
        raise ValueError("Must provide at least 1 input to attention decoder. Received an "
                         "empty decoder_inputs.")
    if num_heads < 1:
        raise ValueError("With less than 1 heads, use a non-attention decoder. Received: "
                         f"num_heads={num_heads}.")
    attention_states_shape = attention_states.get_shape()
    if attention_states_shape.ndims != 3 or static_dim(attention_states_shape[2]) is None:
        raise ValueError(f"Shape[2] of attention_states must be known: {attention_states_shape}."
                         " Expected a [batch_size, attn_length, attn_size] tensor with a "
                         "static attn_size.")
    if output_size is None:
        output_size = cell.output_size

    with _v1.variable_scope(scope or "attention_decoder", dtype=dtype) as scope:
        dtype = scope.dtype
        batch_size = tf.shape(decoder_inputs[0])[0]  # Needed for reshaping.
        attn_length = static_dim(attention_states.get_shape()[1])
        if attn_length is None:
            attn_length = tf.shape(attention_states)[1]
        attn_size = static_dim(attention_states.get_shape()[2])

        # W1 * h_t for every position as a 1-by-1 convolution.
        hidden = tf.reshape(attention_states, [-1, attn_length, 1, attn_size])
        hidden_features = []
        v = []
        attention_vec_size = attn_size  # Size of query vectors for attention.
        for a in range(num_heads):
            k = _v1.get_variable("AttnW_%d" % a, [1, 1, attn_size, attention_vec_size],
                                 dtype=dtype)
            hidden_features.append(tf.nn.conv2d(hidden, k, [1, 1, 1, 1], "SAME"))
            v.append(_v1.get_variable("AttnV_%d" % a, [attention_vec_size], dtype=dtype))

        state = initial_state

        def attention(query):
            """The attention reads of ``hidden`` for ``query`` (a state or its nest)."""
            ds = []
            if tf.nest.is_nested(query):
                query_list = tf.nest.flatten(query)
                for q in query_list:
                    ndims = q.get_shape().ndims
                    if ndims and ndims != 2:
                        raise ValueError(f"attention_decoder: every part of the state must be "
                                         f"2-D [batch_size, n]; received shape {q.get_shape()}.")
                query = tf.concat(query_list, 1)
            for head in range(num_heads):
                with _v1.variable_scope("Attention_%d" % head):
                    y = Linear(query, attention_vec_size, True)(query)
                    y = tf.reshape(y, [-1, 1, 1, attention_vec_size])
                    y = tf.cast(y, dtype)
                    # Attention mask: a softmax of v^T * tanh(...).
                    s = tf.reduce_sum(v[head] * tf.tanh(hidden_features[head] + y), [2, 3])
                    weights = tf.nn.softmax(tf.cast(s, dtype=tf.float32))
                    weights = tf.cast(weights, dtype)
                    d = tf.reduce_sum(tf.reshape(weights, [-1, attn_length, 1, 1]) * hidden,
                                      [1, 2])
                    ds.append(tf.reshape(d, [-1, attn_size]))
            return ds

        outputs = []
        prev = None
        batch_attn_size = tf.stack([batch_size, attn_size])
        attns = [tf.zeros(batch_attn_size, dtype=dtype) for _ in range(num_heads)]
        for attn in attns:  # the static width of the attention vectors
            attn.set_shape([None, attn_size])
        if initial_state_attention:
            attns = attention(initial_state)
        for i, inp in enumerate(decoder_inputs):
            if i > 0:
                _v1.get_variable_scope().reuse_variables()
            # With a loop_function, the previous output replaces decoder_inputs[i].
            if loop_function is not None and prev is not None:
                with _v1.variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            # Merge the input and the previous attentions into one vector of input_size.
            input_size = static_dim(inp.get_shape().with_rank(2)[1])
            if input_size is None:
                raise ValueError(f"Could not infer input size from input: {inp.name}. "
                                 "Expected a [batch_size, input_size] tensor with a static "
                                 "input_size.")
            inputs = [inp] + attns
            inputs = [tf.cast(e, dtype) for e in inputs]
            x = Linear(inputs, input_size, True)(inputs)
            cell_output, state = cell(x, state)
            if i == 0 and initial_state_attention:
                with _v1.variable_scope(_v1.get_variable_scope(), reuse=True):
                    attns = attention(state)
            else:
                attns = attention(state)

            with _v1.variable_scope("AttnOutputProjection"):
                cell_output = tf.cast(cell_output, dtype)
                inputs = [cell_output] + attns
                output = Linear(inputs, output_size, True)(inputs)
            if loop_function is not None:
                prev = output
            outputs.append(output)

    return outputs, state


def embedding_attention_decoder(decoder_inputs, initial_state, attention_states, cell,
                                num_symbols, embedding_size, num_heads=1, output_size=None,
                                output_projection=None, feed_previous=False,
                                update_embedding_for_previous=True, dtype=None, scope=None,
                                initial_state_attention=False):
    """``attention_decoder`` on embedded symbols; ``feed_previous`` (a bool) decodes greedily."""
    if output_size is None:
        output_size = cell.output_size
    if output_projection is not None:
        _check_output_projection(output_projection, num_symbols, dtype, check_weights=False)
    with _v1.variable_scope(scope or "embedding_attention_decoder", dtype=dtype):
        embedding = _v1.get_variable("embedding", [num_symbols, embedding_size])
        loop_function = _extract_argmax_and_embed(
            embedding, output_projection,
            update_embedding_for_previous) if feed_previous else None
        emb_inp = [_v1.nn.embedding_lookup(embedding, i) for i in decoder_inputs]
        return attention_decoder(
            emb_inp, initial_state, attention_states, cell, output_size=output_size,
            num_heads=num_heads, loop_function=loop_function,
            initial_state_attention=initial_state_attention)


def embedding_attention_seq2seq(encoder_inputs, decoder_inputs, cell, num_encoder_symbols,
                                num_decoder_symbols, embedding_size, encoder_cell=None,
                                num_heads=1, output_projection=None, feed_previous=False,
                                dtype=None, scope=None, initial_state_attention=False):
    """Embedding encoder (``encoder_cell`` or a deep copy of ``cell``) and an embedding
    attention decoder attending to every encoder output."""
    with _v1.variable_scope(scope or "embedding_attention_seq2seq", dtype=dtype) as scope:
        dtype = scope.dtype
        if encoder_cell is None:
            encoder_cell = _copy_cell(cell, "embedding_attention_seq2seq")
        encoder_cell = EmbeddingWrapper(
            encoder_cell, embedding_classes=num_encoder_symbols, embedding_size=embedding_size)
        encoder_outputs, encoder_state = _v1.nn.static_rnn(encoder_cell, encoder_inputs,
                                                           dtype=dtype)
        # The encoder outputs, concatenated along time, to attend to.
        top_states = [tf.reshape(e, [-1, 1, cell.output_size]) for e in encoder_outputs]
        attention_states = tf.concat(top_states, 1)
        output_size = None
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)
            output_size = num_decoder_symbols
        if isinstance(feed_previous, bool):
            return embedding_attention_decoder(
                decoder_inputs, encoder_state, attention_states, cell, num_decoder_symbols,
                embedding_size, num_heads=num_heads, output_size=output_size,
                output_projection=output_projection, feed_previous=feed_previous,
                initial_state_attention=initial_state_attention)

        def decode(feed_previous_bool):
            return embedding_attention_decoder(
                decoder_inputs, encoder_state, attention_states, cell, num_decoder_symbols,
                embedding_size, num_heads=num_heads, output_size=output_size,
                output_projection=output_projection, feed_previous=feed_previous_bool,
                update_embedding_for_previous=False,
                initial_state_attention=initial_state_attention)

        return _decode_with_cond(feed_previous, decode, decoder_inputs, encoder_state)


# --------------------------------------------------------------------------------------
# losses and buckets; the callback convention of softmax_loss_function is a parameter, so
# that TF 0.x's tf.nn.seq2seq (nn_seq2seq) shares this code
# --------------------------------------------------------------------------------------
def _call_keywords(softmax_loss_function, target, logit):
    """TF 1.1+: ``softmax_loss_function(labels=..., logits=...)``."""
    return softmax_loss_function(labels=target, logits=logit)


def _sequence_loss_by_example(logits, targets, weights, average_across_timesteps,
                              softmax_loss_function, name, call_loss):
    if len(targets) != len(logits) or len(weights) != len(logits):
        raise ValueError("Lengths of logits, weights, and targets must be the same "
                         f"{len(logits)}, {len(weights)}, {len(targets)}.")
    with _v1.name_scope(name, "sequence_loss_by_example", logits + targets + weights):
        log_perp_list = []
        for logit, target, weight in zip(logits, targets, weights):
            if softmax_loss_function is None:
                # sequence_loss_by_example was called with scalars sometimes
                target = tf.reshape(target, [-1])
                crossent = tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=target, logits=logit)
            else:
                crossent = call_loss(softmax_loss_function, target, logit)
            log_perp_list.append(crossent * weight)
        log_perps = tf.add_n(log_perp_list)
        if average_across_timesteps:
            total_size = tf.add_n(weights)
            total_size += 1e-12  # Just to avoid division by 0 for all-0 weights.
            log_perps /= total_size
    return log_perps


def _sequence_loss(logits, targets, weights, average_across_timesteps, average_across_batch,
                   softmax_loss_function, name, call_loss):
    with _v1.name_scope(name, "sequence_loss", logits + targets + weights):
        cost = tf.reduce_sum(_sequence_loss_by_example(
            logits, targets, weights, average_across_timesteps, softmax_loss_function, None,
            call_loss))
        if average_across_batch:
            batch_size = tf.shape(targets[0])[0]
            return cost / tf.cast(batch_size, cost.dtype)
        return cost


def _model_with_buckets(encoder_inputs, decoder_inputs, targets, weights, buckets, seq2seq,
                        softmax_loss_function, per_example_loss, name, call_loss):
    for label, values, index in (("encoder_inputs", encoder_inputs, 0),
                                 ("targets", targets, 1), ("weights", weights, 1)):
        if len(values) < buckets[-1][index]:
            raise ValueError(f"Length of {label} ({len(values)}) must be at least that of "
                             f"last bucket ({buckets[-1][index]}).")
    all_inputs = encoder_inputs + decoder_inputs + targets + weights
    losses = []
    outputs = []
    with _v1.name_scope(name, "model_with_buckets", all_inputs):
        for j, bucket in enumerate(buckets):
            with _v1.variable_scope(_v1.get_variable_scope(), reuse=True if j > 0 else None):
                bucket_outputs, _ = seq2seq(encoder_inputs[:bucket[0]],
                                            decoder_inputs[:bucket[1]])
                outputs.append(bucket_outputs)
                if per_example_loss:
                    losses.append(_sequence_loss_by_example(
                        outputs[-1], targets[:bucket[1]], weights[:bucket[1]], True,
                        softmax_loss_function, None, call_loss))
                else:
                    losses.append(_sequence_loss(
                        outputs[-1], targets[:bucket[1]], weights[:bucket[1]], True, True,
                        softmax_loss_function, None, call_loss))
    return outputs, losses


def sequence_loss_by_example(logits, targets, weights, average_across_timesteps=True,
                             softmax_loss_function=None, name=None):
    """Per-example weighted cross-entropy of lists of per-step logits/targets/weights.

    ``sum_t(ce_t * w_t)``, divided by ``sum_t(w_t) + 1e-12`` when
    ``average_across_timesteps``; shape [batch_size]. ``softmax_loss_function(labels=,
    logits=)`` replaces the sparse softmax cross-entropy.
    """
    return _sequence_loss_by_example(logits, targets, weights, average_across_timesteps,
                                     softmax_loss_function, name, _call_keywords)


def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                  average_across_batch=True, softmax_loss_function=None, name=None):
    """The sum over the batch of ``sequence_loss_by_example``, divided by the batch size
    when ``average_across_batch``; a scalar."""
    return _sequence_loss(logits, targets, weights, average_across_timesteps,
                          average_across_batch, softmax_loss_function, name, _call_keywords)


def model_with_buckets(encoder_inputs, decoder_inputs, targets, weights, buckets, seq2seq,
                       softmax_loss_function=None, per_example_loss=False, name=None):
    """``seq2seq(enc[:i], dec[:o])`` and its loss for each bucket ``(i, o)``; the buckets
    share variables (reuse from the second on). Returns ``(outputs, losses)``."""
    return _model_with_buckets(encoder_inputs, decoder_inputs, targets, weights, buckets,
                               seq2seq, softmax_loss_function, per_example_loss, name,
                               _call_keywords)
