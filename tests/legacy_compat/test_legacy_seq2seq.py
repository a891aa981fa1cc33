"""``tf.contrib.legacy_seq2seq``'s models against TF 1.15.

No installable copy of TF 1.15's contrib exists, so the oracles are written from TF 1.15's
source (``contrib/legacy_seq2seq/python/ops/seq2seq.py`` and
``contrib/rnn/python/ops/core_rnn_cell.py``, read in the tensorflow/tensorflow repository):

* variable names and shapes: listed below, per function, from the scopes that source opens
  (TF 1.2+ names: ``kernel``/``bias``);
* numerics: numpy re-implementations of the decoders, with the cells' TF1 equations
  (BasicRNNCell: ``tanh([x, h] @ W + b)``; BasicLSTMCell: ``i, j, f, o`` gates, forget bias
  1) and the loop that feeds ``loop_function(previous output, i)`` back as the next input;
  the attention of TF 1.15 (``v^T tanh(W1 h_t + W2 q)``, a 1x1 convolution for ``W1 h_t``,
  softmax over positions in float32), one head and two heads, with and without
  ``initial_state_attention``;
* ``feed_previous`` as a Python bool and as a boolean tensor (``tf.cond``), both values;
* a checkpoint written under exactly those names (from plain variables, without
  legacy_compat) restores into the graph.

Everything is built once, in one ``tf.Graph`` with one session (module fixture).
"""
import numpy as np
import pytest
import tensorflow as tf

from legacy_compat import rnn_cell_impl as cells
from legacy_compat.contrib import legacy_seq2seq as s2s
from legacy_compat.contrib.legacy_seq2seq import nn_seq2seq
from legacy_compat.contrib.legacy_seq2seq.seq2seq import Linear
from tests.support.oracle import MEASURED

v1 = tf.compat.v1

# float32: each output is a few matmuls, tanh/sigmoid and a softmax of O(1) values per
# step, over at most 3+3 steps: rounding differences of a few float32 ulps (1.2e-7 at 1)
# per operation, accumulated, stay below 1e-6. float64: the same at double precision.
TOLERANCE = {"float32": 1e-6, "float64": 1e-12}
# float64 attention: TF 1.15 computes the attention softmax in float32 even in a float64
# graph (`softmax(cast(s, float32))`), so the outputs carry float32 rounding (~1e-7
# relative); the oracle mirrors that cast, and two float32 softmax implementations differ
# by an ulp or two.
FLOAT64_ATTENTION_TOLERANCE = 1e-6

B, D, U, A, L = 2, 2, 3, 4, 3  # batch, input size, units, attention size, attention length
ENC, DEC = 2, 2  # encoder and decoder steps
N_ENC, N_DEC, EMB = 4, 5, 2  # encoder/decoder symbols, embedding size


def rnn_cell_vars(scope, input_size, units=U):
    return {f"{scope}/basic_rnn_cell/kernel": (input_size + units, units),
            f"{scope}/basic_rnn_cell/bias": (units,)}


def attention_decoder_vars(scope, heads, attn_size, query_size, input_size, cell_output,
                           output_size):
    """attention_decoder's own variables: per head AttnW/AttnV and Attention_<a>, the input
    merge (scope/kernel), the output projection (AttnOutputProjection)."""
    names = {}
    for a in range(heads):
        names[f"{scope}/AttnW_{a}"] = (1, 1, attn_size, attn_size)
        names[f"{scope}/AttnV_{a}"] = (attn_size,)
        names[f"{scope}/Attention_{a}/kernel"] = (query_size, attn_size)
        names[f"{scope}/Attention_{a}/bias"] = (attn_size,)
    names[f"{scope}/kernel"] = (input_size + heads * attn_size, input_size)
    names[f"{scope}/bias"] = (input_size,)
    names[f"{scope}/AttnOutputProjection/kernel"] = (cell_output + heads * attn_size,
                                                     output_size)
    names[f"{scope}/AttnOutputProjection/bias"] = (output_size,)
    return names


# --------------------------------------------------------------------------------------
# TF 1.15's names and shapes, per function (default scopes unless stated)
# --------------------------------------------------------------------------------------
def expected_variables():
    names = {"loop_projection": (U, D), "lstm_loop_projection": (5, D),
             "proj_w": (U, N_DEC), "proj_b": (N_DEC,)}
    names.update(rnn_cell_vars("rnn_decoder", D))
    names["embedding_rnn_decoder/embedding"] = (N_DEC, EMB)
    names.update(rnn_cell_vars("embedding_rnn_decoder/rnn_decoder", EMB))
    ers = "embedding_rnn_seq2seq"
    names[f"{ers}/rnn/embedding_wrapper/embedding"] = (N_ENC, EMB)
    names.update(rnn_cell_vars(f"{ers}/rnn/embedding_wrapper", EMB))
    names[f"{ers}/embedding_rnn_decoder/embedding"] = (N_DEC, EMB)
    wrapper = f"{ers}/embedding_rnn_decoder/rnn_decoder/output_projection_wrapper"
    names.update(rnn_cell_vars(wrapper, EMB))
    names[f"{wrapper}/kernel"] = (U, N_DEC)
    names[f"{wrapper}/bias"] = (N_DEC,)
    tied = "embedding_tied_rnn_seq2seq"
    names[f"{tied}/embedding"] = (N_DEC, EMB)
    wrapper = f"{tied}/combined_tied_rnn_seq2seq/tied_rnn_seq2seq/output_projection_wrapper"
    names.update(rnn_cell_vars(wrapper, EMB))
    names[f"{wrapper}/kernel"] = (U, N_ENC)
    names[f"{wrapper}/bias"] = (N_ENC,)
    # attention_decoder, one head, BasicRNNCell (float64): attention size A, length L
    names.update(attention_decoder_vars("attention_decoder", 1, A, U, D, U, U))
    names.update(rnn_cell_vars("attention_decoder", D))
    # two heads, BasicLSTMCell (query: concat(c, h)), output_size 5
    names.update(attention_decoder_vars("attention_2heads", 2, A, 2 * U, D, U, 5))
    names["attention_2heads/basic_lstm_cell/kernel"] = (D + U, 4 * U)
    names["attention_2heads/basic_lstm_cell/bias"] = (4 * U,)
    # embedding_attention_seq2seq, two heads over the U-wide encoder outputs; its decoder
    # cell is wrapped in an OutputProjectionWrapper to N_DEC symbols
    eas = "embedding_attention_seq2seq"
    names[f"{eas}/rnn/embedding_wrapper/embedding"] = (N_ENC, EMB)
    names.update(rnn_cell_vars(f"{eas}/rnn/embedding_wrapper", EMB))
    names[f"{eas}/embedding_attention_decoder/embedding"] = (N_DEC, EMB)
    att = f"{eas}/embedding_attention_decoder/attention_decoder"
    names.update(attention_decoder_vars(att, 2, U, U, EMB, N_DEC, N_DEC))
    names.update(rnn_cell_vars(f"{att}/output_projection_wrapper", EMB))
    names[f"{att}/output_projection_wrapper/kernel"] = (U, N_DEC)
    names[f"{att}/output_projection_wrapper/bias"] = (N_DEC,)
    # model_with_buckets over basic_rnn_seq2seq (encoder: a deep copy of the cell): ONE
    # set of variables, shared by the buckets
    names.update(rnn_cell_vars("buckets/basic_rnn_seq2seq/rnn", D))
    names.update(rnn_cell_vars("buckets/basic_rnn_seq2seq/rnn_decoder", D))
    return names


FLOAT64_PREFIXES = ("rnn_decoder/", "attention_decoder/", "loop_projection")
BUCKETS = ((1, 1), (2, 2))


# --------------------------------------------------------------------------------------
# the graph
# --------------------------------------------------------------------------------------
class Built:
    def __init__(self):
        self.graph = tf.Graph()
        self.out = {}
        with self.graph.as_default():
            self._build()
            self.variables = {v.op.name: v for v in v1.global_variables()}
            self.init = v1.global_variables_initializer()
            self.assign = {}
            for name, var in self.variables.items():
                value = v1.placeholder(var.dtype.base_dtype, var.shape)
                self.assign[name] = (value, var.assign(value))
            self.saver = v1.train.Saver()
        self.session = v1.Session(graph=self.graph)
        self.session.run(self.init)

    def _build(self):
        f32, f64 = tf.float32, tf.float64
        self.x_enc = [v1.placeholder(f32, [None, D], name=f"x_enc{i}") for i in range(ENC)]
        self.x_dec = [v1.placeholder(f32, [None, D], name=f"x_dec{i}") for i in range(DEC)]
        self.h0 = v1.placeholder(f32, [None, U], name="h0")
        self.c0 = v1.placeholder(f32, [None, U], name="c0")
        self.attn = v1.placeholder(f32, [None, L, A], name="attention_states")
        self.ids_enc = [v1.placeholder(tf.int32, [None], name=f"ids_enc{i}")
                        for i in range(ENC)]
        self.ids_dec = [v1.placeholder(tf.int32, [None], name=f"ids_dec{i}")
                        for i in range(DEC)]
        self.feed_previous = v1.placeholder(tf.bool, [], name="feed_previous")
        out = self.out
        f64_x_dec = [tf.cast(x, f64) for x in self.x_dec]
        loop_projection = v1.get_variable("loop_projection", [U, D], dtype=f64)
        out["rnn_decoder"] = s2s.rnn_decoder(
            f64_x_dec, tf.cast(self.h0, f64), cells.BasicRNNCell(U),
            loop_function=lambda prev, i: tf.matmul(prev, loop_projection))
        projection = (v1.get_variable("proj_w", [U, N_DEC]), v1.get_variable("proj_b", [N_DEC]))
        out["embedding_rnn_decoder"] = s2s.embedding_rnn_decoder(
            self.ids_dec, self.h0, cells.BasicRNNCell(U), N_DEC, EMB,
            output_projection=projection, feed_previous=True)
        out["embedding_rnn_seq2seq"] = s2s.embedding_rnn_seq2seq(
            self.ids_enc, self.ids_dec, cells.BasicRNNCell(U), N_ENC, N_DEC, EMB,
            feed_previous=self.feed_previous)
        out["embedding_tied_rnn_seq2seq"] = s2s.embedding_tied_rnn_seq2seq(
            self.ids_enc, self.ids_dec, cells.BasicRNNCell(U), N_DEC, EMB,
            num_decoder_symbols=N_ENC)
        # float64 needs dtype=: TF 1.15 creates AttnW/AttnV in the scope's dtype
        out["attention_decoder"] = s2s.attention_decoder(
            f64_x_dec, tf.cast(self.h0, f64), tf.cast(self.attn, f64), cells.BasicRNNCell(U),
            dtype=f64)
        lstm_loop = v1.get_variable("lstm_loop_projection", [5, D])
        out["attention_2heads"] = s2s.attention_decoder(
            self.x_dec, cells.LSTMStateTuple(self.c0, self.h0), self.attn,
            cells.BasicLSTMCell(U), output_size=5, num_heads=2,
            loop_function=lambda prev, i: tf.matmul(prev, lstm_loop),
            initial_state_attention=True, scope="attention_2heads")
        out["embedding_attention_seq2seq"] = s2s.embedding_attention_seq2seq(
            self.ids_enc, self.ids_dec, cells.BasicRNNCell(U), N_ENC, N_DEC, EMB, num_heads=2,
            feed_previous=True)
        # model_with_buckets: the translate tutorial's pattern, a fresh cell per bucket

        def seq2seq(encoder_inputs, decoder_inputs):
            return s2s.basic_rnn_seq2seq(encoder_inputs, decoder_inputs, cells.BasicRNNCell(U))

        self.targets = [v1.placeholder(tf.int32, [None], name=f"target{i}") for i in range(DEC)]
        self.weights = [v1.placeholder(f32, [None], name=f"weight{i}") for i in range(DEC)]
        with v1.variable_scope("buckets"):
            self.bucket_outputs, self.bucket_losses = s2s.model_with_buckets(
                self.x_enc, self.x_dec, self.targets, self.weights, BUCKETS, seq2seq)

    def feed(self, rng, feed_previous=False):
        """Random inputs, float32-representable (the numpy oracle gets the fed values)."""
        def normal(*shape, scale=1.0):
            return (scale * rng.normal(size=shape)).astype(np.float32).astype(np.float64)

        feed = {x: normal(B, D) for x in self.x_enc + self.x_dec}
        feed[self.h0] = normal(B, U, scale=0.5)
        feed[self.c0] = normal(B, U, scale=0.5)
        feed[self.attn] = normal(B, L, A)
        feed.update({ids: rng.integers(0, N_ENC, size=B) for ids in self.ids_enc})
        feed.update({ids: rng.integers(0, N_DEC, size=B) for ids in self.ids_dec})
        feed[self.feed_previous] = feed_previous
        feed.update({t: rng.integers(0, U, size=B) for t in self.targets})
        feed.update({w: (rng.random(B) < 0.7) * 1.0 for w in self.weights})
        return feed

    def randomize(self, rng, scale=0.5):
        """Uniform(-scale, scale) values for every variable; returns them as read back."""
        feed = {self.assign[name][0]: rng.uniform(-scale, scale, size=var.shape.as_list())
                for name, var in self.variables.items()}
        self.session.run([op for _, op in self.assign.values()], feed)
        return self.values()

    def values(self):
        return {k: v.astype(np.float64) for k, v in self.session.run(self.variables).items()}


@pytest.fixture(scope="module")
def built():
    graph = Built()
    yield graph
    graph.session.close()


# --------------------------------------------------------------------------------------
# numpy (TF 1.15's equations)
# --------------------------------------------------------------------------------------
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_softmax(s, dtype=np.float64):
    s = s.astype(dtype)
    e = np.exp(s - s.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float64)


def basic_rnn(V, scope):
    kernel, bias = V[f"{scope}/basic_rnn_cell/kernel"], V[f"{scope}/basic_rnn_cell/bias"]

    def step(x, h):
        h = np.tanh(np.concatenate([x, h], 1) @ kernel + bias)
        return h, h

    return step


def basic_lstm(V, scope):
    kernel, bias = V[f"{scope}/basic_lstm_cell/kernel"], V[f"{scope}/basic_lstm_cell/bias"]

    def step(x, state):
        c, h = state
        i, j, f, o = np.split(np.concatenate([x, h], 1) @ kernel + bias, 4, 1)
        c = c * sigmoid(f + 1.0) + sigmoid(i) * np.tanh(j)
        h = np.tanh(c) * sigmoid(o)
        return h, (c, h)

    return step


def projected(cell, V, scope):
    """OutputProjectionWrapper: the cell, then ``output @ kernel + bias``."""
    def step(x, state):
        output, state = cell(x, state)
        return output @ V[f"{scope}/kernel"] + V[f"{scope}/bias"], state

    return step


def np_decode(cell, inputs, state, loop_function=None):
    """rnn_decoder: step i > 0 takes loop_function(previous output, i) when given."""
    outputs, prev = [], None
    for i, x in enumerate(inputs):
        if loop_function is not None and prev is not None:
            x = loop_function(prev, i)
        output, state = cell(x, state)
        outputs.append(output)
        prev = output
    return outputs, state


def np_attention_decoder(V, scope, inputs, state, hidden, cell, heads=1, loop_function=None,
                         initial_state_attention=False, softmax_dtype=np.float64):
    features = [hidden @ V[f"{scope}/AttnW_{a}"][0, 0] for a in range(heads)]

    def attention(query):
        query = np.concatenate(query, 1) if isinstance(query, tuple) else query
        reads = []
        for a in range(heads):
            y = query @ V[f"{scope}/Attention_{a}/kernel"] + V[f"{scope}/Attention_{a}/bias"]
            scores = (V[f"{scope}/AttnV_{a}"] * np.tanh(features[a] + y[:, None, :])).sum(-1)
            weights = np_softmax(scores, softmax_dtype)
            reads.append((weights[:, :, None] * hidden).sum(1))
        return reads

    attns = [np.zeros((hidden.shape[0], hidden.shape[2]))] * heads
    if initial_state_attention:
        attns = attention(state)
    outputs, prev = [], None
    for i, x in enumerate(inputs):
        if loop_function is not None and prev is not None:
            x = loop_function(prev, i)
        x = np.concatenate([x] + attns, 1) @ V[f"{scope}/kernel"] + V[f"{scope}/bias"]
        cell_output, state = cell(x, state)
        attns = attention(state)
        output = (np.concatenate([cell_output] + attns, 1)
                  @ V[f"{scope}/AttnOutputProjection/kernel"]
                  + V[f"{scope}/AttnOutputProjection/bias"])
        outputs.append(output)
        prev = output
    return outputs, state


def embed_argmax(embedding, projection=None):
    """_extract_argmax_and_embed: the embedding of the (projected) previous argmax."""
    def loop_function(prev, _):
        if projection is not None:
            prev = prev @ projection[0] + projection[1]
        return embedding[prev.argmax(1)]

    return loop_function


def np_embedding_rnn_seq2seq(V, scope, enc_ids, dec_ids, feed_previous):
    state = np.zeros((B, U))
    encoder = basic_rnn(V, f"{scope}/rnn/embedding_wrapper")
    for ids in enc_ids:
        _, state = encoder(V[f"{scope}/rnn/embedding_wrapper/embedding"][ids], state)
    embedding = V[f"{scope}/embedding_rnn_decoder/embedding"]
    wrapper = f"{scope}/embedding_rnn_decoder/rnn_decoder/output_projection_wrapper"
    cell = projected(basic_rnn(V, wrapper), V, wrapper)
    return np_decode(cell, [embedding[ids] for ids in dec_ids], state,
                     embed_argmax(embedding) if feed_previous else None)


def np_embedding_attention_seq2seq(V, enc_ids, dec_ids, feed_previous):
    scope = "embedding_attention_seq2seq"
    state, encoder_outputs = np.zeros((B, U)), []
    encoder = basic_rnn(V, f"{scope}/rnn/embedding_wrapper")
    for ids in enc_ids:
        output, state = encoder(V[f"{scope}/rnn/embedding_wrapper/embedding"][ids], state)
        encoder_outputs.append(output)
    embedding = V[f"{scope}/embedding_attention_decoder/embedding"]
    att = f"{scope}/embedding_attention_decoder/attention_decoder"
    cell = projected(basic_rnn(V, f"{att}/output_projection_wrapper"), V,
                     f"{att}/output_projection_wrapper")
    return np_attention_decoder(V, att, [embedding[ids] for ids in dec_ids], state,
                                np.stack(encoder_outputs, 1), cell, heads=2,
                                loop_function=embed_argmax(embedding) if feed_previous else None)


def np_basic_rnn_seq2seq(V, scope, enc, dec):
    _, state = np_decode(basic_rnn(V, f"{scope}/rnn"), enc, np.zeros((B, U)))
    return np_decode(basic_rnn(V, f"{scope}/rnn_decoder"), dec, state)


def np_crossent(logits, targets):
    top = logits.max(-1, keepdims=True)
    lse = np.log(np.exp(logits - top).sum(-1)) + top[:, 0]
    return lse - logits[np.arange(len(targets)), targets]


def expected_outputs(V, feed, built, feed_previous):
    """The numpy oracle of every model of the graph: {name: (outputs, state)}."""
    x_dec = [feed[x] for x in built.x_dec]
    h0, c0, hidden = feed[built.h0], feed[built.c0], feed[built.attn]
    enc_ids = [feed[i] for i in built.ids_enc]
    dec_ids = [feed[i] for i in built.ids_dec]
    want = {"rnn_decoder": np_decode(basic_rnn(V, "rnn_decoder"), x_dec, h0,
                                     lambda prev, i: prev @ V["loop_projection"])}
    embedding = V["embedding_rnn_decoder/embedding"]
    want["embedding_rnn_decoder"] = np_decode(
        basic_rnn(V, "embedding_rnn_decoder/rnn_decoder"), [embedding[i] for i in dec_ids], h0,
        embed_argmax(embedding, (V["proj_w"], V["proj_b"])))
    want["embedding_rnn_seq2seq"] = np_embedding_rnn_seq2seq(
        V, "embedding_rnn_seq2seq", enc_ids, dec_ids, feed_previous)
    tied = "embedding_tied_rnn_seq2seq"
    wrapper = f"{tied}/combined_tied_rnn_seq2seq/tied_rnn_seq2seq/output_projection_wrapper"
    cell = projected(basic_rnn(V, wrapper), V, wrapper)
    _, state = np_decode(cell, [V[f"{tied}/embedding"][i] for i in enc_ids], np.zeros((B, U)))
    want[tied] = np_decode(cell, [V[f"{tied}/embedding"][i] for i in dec_ids], state)
    want["attention_decoder"] = np_attention_decoder(
        V, "attention_decoder", x_dec, h0, hidden, basic_rnn(V, "attention_decoder"),
        softmax_dtype=np.float32)
    want["attention_2heads"] = np_attention_decoder(
        V, "attention_2heads", x_dec, (c0, h0), hidden, basic_lstm(V, "attention_2heads"),
        heads=2, loop_function=lambda prev, i: prev @ V["lstm_loop_projection"],
        initial_state_attention=True)
    want["embedding_attention_seq2seq"] = np_embedding_attention_seq2seq(
        V, enc_ids, dec_ids, True)
    return want


def max_diff(got, want):
    flat_got, flat_want = tf.nest.flatten(got), tf.nest.flatten(want)
    assert len(flat_got) == len(flat_want)
    for g, w in zip(flat_got, flat_want):
        assert np.shape(g) == np.shape(w), (np.shape(g), np.shape(w))
    return max(float(np.max(np.abs(np.asarray(g, np.float64) - w)))
               for g, w in zip(flat_got, flat_want))


FLOAT64_OUTPUTS = ("rnn_decoder", "attention_decoder")


def tolerance(name):
    if name == "attention_decoder":
        return FLOAT64_ATTENTION_TOLERANCE
    return TOLERANCE["float64" if name in FLOAT64_OUTPUTS else "float32"]


# --------------------------------------------------------------------------------------
# names and shapes
# --------------------------------------------------------------------------------------
def test_variable_names_and_shapes_are_tf_1_15s(built):
    got = {name: tuple(var.shape.as_list()) for name, var in built.variables.items()}
    assert got == expected_variables()
    dtypes = {name: var.dtype.base_dtype.name for name, var in built.variables.items()}
    assert {n for n, d in dtypes.items() if d == "float64"} == {
        n for n in got if n.startswith(FLOAT64_PREFIXES)}


# --------------------------------------------------------------------------------------
# numerics
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("feed_previous", [False, True])
def test_outputs_and_states_match_the_numpy_equations(built, feed_previous):
    rng = np.random.default_rng(11 + feed_previous)
    values = built.randomize(rng)
    feed = built.feed(rng, feed_previous)
    got = built.session.run(built.out, feed)
    want = expected_outputs(values, feed, built, feed_previous)
    assert set(got) == set(want)
    for name in want:
        diff = max_diff(got[name], want[name])
        assert diff <= tolerance(name), f"{name} (feed_previous={feed_previous}): {diff:.3g}"
        dtype = "float64" if name in FLOAT64_OUTPUTS else "float32"
        key = ("legacy_seq2seq", name, dtype)
        MEASURED[key] = max(MEASURED.get(key, 0.0), diff)
    # the float64 attention really reads through a float32 softmax (TF 1.15's cast): a
    # float64 softmax is further from it than float64 rounding could explain
    float64_softmax = np_attention_decoder(
        values, "attention_decoder", [feed[x] for x in built.x_dec], feed[built.h0],
        feed[built.attn], basic_rnn(values, "attention_decoder"))
    assert max_diff(got["attention_decoder"], float64_softmax) > 1e3 * TOLERANCE["float64"]


def test_feed_previous_really_feeds_back(built):
    """With a tensor feed_previous, True and False decode differently after step 0 (the
    fed-back argmax differs from the given decoder inputs) and identically at step 0."""
    rng = np.random.default_rng(5)
    built.randomize(rng)
    feed = built.feed(rng)
    outputs = built.out["embedding_rnn_seq2seq"][0]
    teacher = built.session.run(outputs, {**feed, built.feed_previous: False})
    greedy = built.session.run(outputs, {**feed, built.feed_previous: True})
    np.testing.assert_array_equal(teacher[0], greedy[0])
    assert max(np.abs(t - g).max() for t, g in zip(teacher[1:], greedy[1:])) > 1e-3


def test_model_with_buckets_shares_variables_and_averages_each_bucket(built):
    rng = np.random.default_rng(3)
    values = built.randomize(rng)
    feed = built.feed(rng)
    outputs, losses = built.session.run([built.bucket_outputs, built.bucket_losses], feed)
    x_enc = [feed[x] for x in built.x_enc]
    x_dec = [feed[x] for x in built.x_dec]
    targets = [feed[i] for i in built.ids_dec]
    targets = [feed[t] for t in built.targets]
    weights = [feed[w] for w in built.weights]
    for (enc_len, dec_len), got_outputs, got_loss in zip(BUCKETS, outputs, losses):
        want_outputs, _ = np_basic_rnn_seq2seq(values, "buckets/basic_rnn_seq2seq",
                                               x_enc[:enc_len], x_dec[:dec_len])
        assert max_diff(got_outputs, want_outputs) <= TOLERANCE["float32"]
        # sequence_loss's defaults: per example sum_t(ce * w) / (sum_t(w) + 1e-12), then
        # the batch mean (the bucket's outputs are its logits)
        weighted = sum(np_crossent(o, t) * w for o, t, w in
                       zip(want_outputs, targets[:dec_len], weights[:dec_len]))
        want = (weighted / (np.sum(weights[:dec_len], 0) + 1e-12)).mean()
        assert abs(got_loss - want) <= TOLERANCE["float32"] * max(1.0, abs(want))


def test_checkpoint_under_tf1_names_restores(built, tmp_path):
    """A checkpoint whose keys are the names TF 1.15 gave (written by the SaveV2 op, no
    legacy_compat involved) restores into the graph with a default Saver, and the restored
    graph computes the numpy oracle of those values."""
    rng = np.random.default_rng(23)
    names = expected_variables()
    values = {name: rng.uniform(-0.5, 0.5, size=shape) for name, shape in names.items()}
    dtypes = {name: np.float64 if name.startswith(FLOAT64_PREFIXES) else np.float32
              for name in names}
    path = str(tmp_path / "tf1.ckpt")
    # the checkpoint format's own op (eager), keys exactly the names above
    tf.raw_ops.SaveV2(prefix=path, tensor_names=list(values),
                      shape_and_slices=[""] * len(values),
                      tensors=[tf.constant(values[n].astype(dtypes[n])) for n in values])
    built.randomize(rng)  # anything else first
    with built.graph.as_default():
        built.saver.restore(built.session, path)
    restored = built.values()
    for name, value in values.items():
        np.testing.assert_array_equal(restored[name], value.astype(dtypes[name]))
    feed = built.feed(rng)
    got = built.session.run(built.out["attention_2heads"], feed)
    want = expected_outputs(restored, feed, built, False)["attention_2heads"]
    assert max_diff(got, want) <= TOLERANCE["float32"]


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------
def _graph_error(build, exception=ValueError):
    with tf.Graph().as_default():
        with pytest.raises(exception) as info:
            build()
    return str(info.value)


def _x(n=2, width=D):
    return [v1.placeholder(tf.float32, [None, width]) for _ in range(n)]


@pytest.mark.parametrize("call, fragment", [
    (lambda: s2s.attention_decoder([], tf.zeros([2, U]), tf.zeros([2, L, A]),
                                   cells.BasicRNNCell(U)),
     "Must provide at least 1 input to attention decoder"),
    (lambda: s2s.attention_decoder(_x(), tf.zeros([2, U]), tf.zeros([2, L, A]),
                                   cells.BasicRNNCell(U), num_heads=0),
     "With less than 1 heads, use a non-attention decoder. Received: num_heads=0"),
    (lambda: s2s.attention_decoder(_x(), tf.zeros([2, U]),
                                   v1.placeholder(tf.float32, [None, L, None]),
                                   cells.BasicRNNCell(U)),
     "Shape[2] of attention_states must be known"),
    (lambda: s2s.attention_decoder([v1.placeholder(tf.float32, [None, None])], tf.zeros([2, U]),
                                   tf.zeros([2, L, A]), cells.BasicRNNCell(U)),
     "Could not infer input size from input"),
    (lambda: s2s.model_with_buckets(_x(2), _x(2), [tf.zeros([2], tf.int32)] * 2,
                                    [tf.ones([2])] * 2, [(3, 2)], None),
     "Length of encoder_inputs (2) must be at least that of last bucket (3)"),
    (lambda: Linear(v1.placeholder(tf.float32, [None, 2, 3]), 4, True),
     "linear is expecting 2D arguments"),
    (lambda: Linear([v1.placeholder(tf.float32, [None, None])], 4, True),
     "linear expects shape[1] to be provided"),
    (lambda: s2s.embedding_rnn_decoder([tf.zeros([2], tf.int32)], tf.zeros([2, U]),
                                       cells.BasicRNNCell(U), N_DEC, EMB,
                                       output_projection=(tf.zeros([U, 7]), tf.zeros([7]))),
     "are incompatible"),
])
def test_bad_input_raises_a_clear_value_error(call, fragment):
    assert fragment in _graph_error(call)


def test_a_called_cell_cannot_be_deep_copied_for_the_encoder():
    def build():
        cell = cells.BasicRNNCell(U)
        s2s.basic_rnn_seq2seq(_x(), _x(), cell)
        s2s.basic_rnn_seq2seq(_x(), _x(), cell, scope="again")

    message = _graph_error(build, TypeError)
    assert "basic_rnn_seq2seq deep-copies `cell`" in message and "not been called" in message


def test_nn_seq2seq_serves_the_same_model_functions():
    for name in ("rnn_decoder", "basic_rnn_seq2seq", "tied_rnn_seq2seq", "embedding_rnn_decoder",
                 "embedding_rnn_seq2seq", "embedding_tied_rnn_seq2seq", "attention_decoder",
                 "embedding_attention_decoder", "embedding_attention_seq2seq"):
        assert getattr(nn_seq2seq, name) is getattr(s2s, name), name
    for name in ("sequence_loss", "sequence_loss_by_example", "model_with_buckets"):
        assert getattr(nn_seq2seq, name) is not getattr(s2s, name), name
    assert sorted(nn_seq2seq.__all__) == sorted(s2s.__all__)
