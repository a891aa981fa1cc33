"""legacy_compat.contrib.seq2seq (TF 1.15's decoder API) against numpy equations.

No installable copy of ``tf.contrib.seq2seq`` runs on TF 2 (contrib left with TF 2.0;
tensorflow-addons' seq2seq is a Keras rewrite with other variable names), so the oracle is
numpy equations written from TF's source, ``tensorflow/contrib/seq2seq/python/ops/`` (read
from stored copies of tensorflow/tensorflow: ``decoder.py``, ``helper.py`` and
``basic_decoder.py`` of the 1.x line; the stored ``attention_wrapper.py`` is a 1.4-1.6
version, so its TF 1.15 changes -- ``__call__(query, state)`` returning ``(alignments,
next_state)``, ``attention_state``, the ``attention_g`` initializers, ``clone``'s shape
check -- are written from knowledge of TF 1.15):

* ``decoder.py``: ``dynamic_decode``'s while loop (:func:`np_dynamic_decode`): loop while
  an entry is unfinished, at most ``maximum_iterations`` times; ``finished`` is OR-ed;
  ``length = t + 1`` while unfinished before step ``t``; ``impute_finished`` zeros the
  outputs and copies the state of entries finished before the step;
* ``basic_decoder.py`` + ``helper.py``: cell, then the output layer, then the helper:
  TrainingHelper reads ``inputs[:, t + 1]`` and finishes at ``t + 1 >= length``;
  GreedyEmbeddingHelper feeds ``embedding[argmax]`` and finishes at ``end_token``;
* ``attention_wrapper.py``: masked memory, Bahdanau (plain / normalized) and Luong (plain /
  scaled) scores, -inf score mask, softmax, context, attention layer, AttentionWrapper's
  cell input ``concat([inputs, previous attention])`` and its state;
* ``beam_search_decoder.py``: ``tile_batch`` = ``np.repeat`` on axis 0;
* the cells' equations are TF1's ``BasicLSTMCell`` and ``GRUCell`` (gates i, j, f, o,
  forget_bias 1.0; r, u), as in ../shared/docs/tf1-keras-semantics.md sections 1 and 3.

Each program is built once per module in an explicit ``tf.Graph`` (eager stays on in this
process); every variable gets a random value on both sides. Variable names and shapes are
listed explicitly (TF1's), and a checkpoint written under those names restores.
"""
import zlib

import numpy as np
import pytest
import tensorflow as tf

from legacy_compat import layers as compat_layers
from legacy_compat import rnn_cell_impl as cells
from legacy_compat.contrib import seq2seq
from tests.support.helpers import run_python
from tests.support.oracle import MEASURED

v1 = tf.compat.v1

# TF runs the float32 graph in float32, numpy the same equations in float64 from the same
# float32 weights and inputs: the difference is float32 rounding of O(1) values carried
# over <= 6 decoder steps (measured <= 4.1e-7); float64 differs only by operation order
# (measured <= 4.5e-16).
TOLERANCE = {tf.float32: 1e-6, tf.float64: 1e-12}

BATCH, STEPS, UNITS, EMBED, VOCAB = 3, 5, 4, 3, 7
MEMORY_STEPS, MEMORY_DEPTH, INPUT_DEPTH = 4, 3, 2
MAX_ITERATIONS = 6
NEVER = -1  # an end_token no argmax can equal


# --------------------------------------------------------------------------------------
# numpy equations (TF 1.15 source)
# --------------------------------------------------------------------------------------
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_lstm(w, scope):
    """BasicLSTMCell(forget_bias=1.0): columns i, j, f, o of [x, h] @ kernel + bias."""
    kernel, bias = w[f"{scope}/kernel"], w[f"{scope}/bias"]

    def step(x, state):
        i, j, f, o = np.split(np.concatenate([x, state["h"]], 1) @ kernel + bias, 4, axis=1)
        c = state["c"] * sigmoid(f + 1.0) + sigmoid(i) * np.tanh(j)
        h = np.tanh(c) * sigmoid(o)
        return h, {"c": c, "h": h}

    return step


def np_gru(w, scope):
    """GRUCell: r, u = sigmoid([x, h] @ gates); h' = u h + (1 - u) tanh([x, r h] @ candidate)."""
    def step(x, state):
        h = state["h"]
        gates = sigmoid(np.concatenate([x, h], 1) @ w[f"{scope}/gates/kernel"]
                        + w[f"{scope}/gates/bias"])
        r, u = np.split(gates, 2, axis=1)
        candidate = np.tanh(np.concatenate([x, r * h], 1) @ w[f"{scope}/candidate/kernel"]
                            + w[f"{scope}/candidate/bias"])
        new_h = u * h + (1 - u) * candidate
        return new_h, {"h": new_h}

    return step


def np_dense(w, scope):
    return lambda x: x @ w[f"{scope}/kernel"] + w[f"{scope}/bias"]


def np_memory_mask(memory_length, steps=MEMORY_STEPS):
    return np.arange(steps)[None, :] < np.asarray(memory_length)[:, None]


def np_values_keys(w, memory, memory_length, memory_layer="memory_layer"):
    """values: memory rows past the length zeroed; keys = values @ memory_layer/kernel."""
    values = memory if memory_length is None else (
        memory * np_memory_mask(memory_length)[:, :, None])
    return values, values @ w[f"{memory_layer}/kernel"]


def np_bahdanau_score(w, scope, keys, normalize):
    """sum(v * tanh(keys + query @ Wq [+ b]), -1); normalized v = g v / ||v||."""
    v = w[f"{scope}/attention_v"]
    bias = 0.0
    if normalize:
        v = w[f"{scope}/attention_g"] * v / np.sqrt(np.sum(v * v))
        bias = w[f"{scope}/attention_b"]
    query_kernel = w[f"{scope}/query_layer/kernel"]
    return lambda q: np.sum(v * np.tanh(keys + (q @ query_kernel)[:, None, :] + bias), axis=2)


def np_luong_score(w, scope, keys, scale):
    """keys . query, times the scalar attention_g when scaled."""
    g = w[f"{scope}/attention_g"] if scale else 1.0
    return lambda q: g * np.einsum("btd,bd->bt", keys, q)


def np_masked(score, memory_length):
    if memory_length is None:
        return score
    return np.where(np_memory_mask(memory_length, score.shape[1]), score, -np.inf)


def np_softmax(score):
    e = np.exp(score - np.max(score, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def np_attention_cell(cell, mechanisms, output_attention=True, history=None):
    """AttentionWrapper.call: the cell on [inputs, previous attention], then each mechanism
    ``(score, values, memory_length, attention_kernel or None)``; attentions concatenated."""
    def step(x, state):
        output, cell_state = cell(np.concatenate([x, state["attention"]], 1), state)
        attentions, new_state = [], dict(cell_state)
        for i, (score, values, memory_length, kernel) in enumerate(mechanisms):
            alignments = np_softmax(np_masked(score(output), memory_length))
            context = np.einsum("bt,btd->bd", alignments, values)
            attentions.append(context if kernel is None else
                              np.concatenate([output, context], 1) @ kernel)
            new_state["alignments" if len(mechanisms) == 1 else f"alignments/{i}"] = alignments
            if history is not None:
                history.append(alignments)
        new_state["attention"] = np.concatenate(attentions, 1)
        return (new_state["attention"] if output_attention else output), new_state

    return step


def training_feed(inputs, lengths):
    """TrainingHelper: (initial finished, first inputs, next_inputs(t, ids))."""
    lengths = np.asarray(lengths)

    def next_inputs(t, ids):
        finished = t + 1 >= lengths
        return finished, (np.zeros_like(inputs[:, 0]) if finished.all() else inputs[:, t + 1])

    return lengths == 0, inputs[:, 0], next_inputs


def greedy_feed(embedding, start_tokens, end_token):
    """GreedyEmbeddingHelper: finished when the id is end_token; feed embedding[id]."""
    start = embedding[np.asarray(start_tokens)]

    def next_inputs(t, ids):
        finished = ids == end_token
        return finished, (start if finished.all() else embedding[ids])

    return np.zeros(len(start_tokens), bool), start, next_inputs


def pick_end_token(expected):
    """A token that stops some entries before the others (so lengths are exercised),
    found with the numpy loop ``expected(end_token)``."""
    for token in range(VOCAB):
        lengths = expected(token)[3]
        if lengths.min() < MAX_ITERATIONS and lengths.max() > lengths.min():
            return token
    raise AssertionError("no end token gives entries of different lengths; change the seed")


def np_dynamic_decode(cell, output_layer, state, feed, impute_finished=False,
                      maximum_iterations=None, sample=None):
    """dynamic_decode(BasicDecoder(cell, helper, state, output_layer)) in numpy.

    ``feed`` is a helper's ``(finished, first inputs, next_inputs)``; ``sample(t, logits)``
    gives the ids (default: argmax). Returns ``(rnn_output [B, T, ...], sample_id [B, T],
    final state, lengths)``.
    """
    finished, inputs, next_inputs = feed
    if maximum_iterations is not None:
        finished = finished | (0 >= maximum_iterations)
    lengths = np.zeros(len(finished), np.int64)
    outputs, ids, t = [], [], 0
    while not finished.all() and (maximum_iterations is None or t < maximum_iterations):
        cell_output, new_state = cell(inputs, state)
        logits = output_layer(cell_output) if output_layer else cell_output
        sample_ids = logits.argmax(-1) if sample is None else sample(t, logits)
        step_finished, inputs = next_inputs(t, sample_ids)
        lengths = np.where(~finished, t + 1, lengths)
        if impute_finished:
            logits = np.where(finished[:, None], 0.0, logits)
            sample_ids = np.where(finished, 0, sample_ids)
            new_state = {k: np.where(finished[:, None], state[k], new) if new.ndim else new
                         for k, new in new_state.items()}
        outputs.append(logits)
        ids.append(sample_ids)
        state, finished, t = new_state, step_finished | finished, t + 1
    return np.stack(outputs, 1), np.stack(ids, 1), state, lengths


# --------------------------------------------------------------------------------------
# graphs: built once per module, weights assigned per test
# --------------------------------------------------------------------------------------
class Program:
    """One tf.Graph, its session and the named tensors its builder returned."""

    def __init__(self, build):
        self.graph = tf.Graph()
        with self.graph.as_default():
            self.t = build()
            self.variables = list(v1.global_variables())
            self.saver = v1.train.Saver()
            init = v1.global_variables_initializer()
        self.session = v1.Session(graph=self.graph)
        self.session.run(init)

    def signature(self):
        return sorted((v.op.name, tuple(v.shape.as_list())) for v in self.variables)

    def random_weights(self, seed):
        """A value per variable, from the variable's name and ``seed``; loaded here."""
        values = {}
        for var in self.variables:
            rng = np.random.default_rng(seed + zlib.crc32(var.op.name.encode()))
            value = rng.uniform(-1.0, 1.0, size=var.shape.as_list())
            values[var.op.name] = value.astype(var.dtype.base_dtype.as_numpy_dtype)
        self.load(values)
        return {name: value.astype(np.float64) for name, value in values.items()}

    def load(self, values):
        """Set every variable to ``values[name]`` (its initializer, fed)."""
        self.session.run([v.initializer for v in self.variables],
                         {v.initializer.inputs[1]: values[v.op.name] for v in self.variables})

    def run(self, fetches, feeds):
        return self.session.run(fetches, {self.t[k]: v for k, v in feeds.items()})


def check_close(case, dtype, got, expected):
    """Equal infinities, finite values within TOLERANCE[dtype]; the max |diff| is recorded."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    assert got.shape == expected.shape, (case, got.shape, expected.shape)
    finite = np.isfinite(expected)
    np.testing.assert_array_equal(np.isfinite(got), finite, err_msg=case)
    np.testing.assert_array_equal(got[~finite], expected[~finite], err_msg=case)
    diff = float(np.max(np.abs(got[finite] - expected[finite]), initial=0.0))
    assert diff <= TOLERANCE[dtype], (case, diff)
    label = ("seq2seq", case, dtype.name)
    MEASURED[label] = max(MEASURED.get(label, 0.0), diff)
    return diff


def fetch_decode(result):
    """(rnn_output, sample_id, final state fields..., lengths) of a dynamic_decode."""
    outputs, state, lengths = result
    if isinstance(state, seq2seq.AttentionWrapperState):  # a TensorArray is no fetch
        state = state._replace(alignment_history=())
    return {"rnn_output": outputs.rnn_output, "sample_id": outputs.sample_id,
            "state": state, "lengths": lengths}


def check_decode(case, dtype, got, expected, time_major=False, state_keys=("c", "h")):
    rnn_output, sample_id, state, lengths = expected
    got_output, got_ids = got["rnn_output"], got["sample_id"]
    if time_major:
        got_output, got_ids = np.swapaxes(got_output, 0, 1), np.swapaxes(got_ids, 0, 1)
    check_close(f"{case}/rnn_output", dtype, got_output, rnn_output)
    np.testing.assert_array_equal(got_ids, sample_id, err_msg=case)
    np.testing.assert_array_equal(got["lengths"], lengths, err_msg=case)
    for key in state_keys:
        check_close(f"{case}/state.{key}", dtype, getattr(got["state"], key), state[key])


def module_program(build):
    @pytest.fixture(scope="module")
    def fixture():
        program = Program(build)
        yield program
        program.session.close()

    return fixture


# ---- 1. BasicDecoder over a BasicLSTMCell: teacher forcing, greedy and sampled ----------
def build_basic():
    t = {
        "ids": v1.placeholder(tf.int32, [None, STEPS], "ids"),
        "lengths": v1.placeholder(tf.int32, [None], "lengths"),
        "c0": v1.placeholder(tf.float32, [None, UNITS], "c0"),
        "h0": v1.placeholder(tf.float32, [None, UNITS], "h0"),
        "start_tokens": v1.placeholder(tf.int32, [None], "start_tokens"),
        "end_token": v1.placeholder(tf.int32, [], "end_token"),
    }
    embedding = v1.get_variable("embedding", [VOCAB, EMBED])
    inputs = v1.nn.embedding_lookup(embedding, t["ids"])
    cell, output_layer = cells.BasicLSTMCell(UNITS), compat_layers.Dense(VOCAB)
    state = cells.LSTMStateTuple(t["c0"], t["h0"])

    def decode(helper, **options):
        decoder = seq2seq.BasicDecoder(cell, helper, state, output_layer=output_layer)
        return fetch_decode(seq2seq.dynamic_decode(decoder, **options))

    start, end = t["start_tokens"], t["end_token"]
    t["train"] = decode(seq2seq.TrainingHelper(inputs, t["lengths"]))
    t["train_impute_time_major"] = decode(seq2seq.TrainingHelper(inputs, t["lengths"]),
                                          impute_finished=True, output_time_major=True)
    t["train_time_major_max3"] = decode(
        seq2seq.TrainingHelper(tf.transpose(inputs, [1, 0, 2]), t["lengths"], time_major=True),
        maximum_iterations=3)
    t["greedy"] = decode(seq2seq.GreedyEmbeddingHelper(embedding, start, end),
                         maximum_iterations=MAX_ITERATIONS)
    t["greedy_impute"] = decode(
        seq2seq.GreedyEmbeddingHelper(lambda ids: tf.nn.embedding_lookup(embedding, ids),
                                      start, end),
        maximum_iterations=MAX_ITERATIONS, impute_finished=True)
    t["sample"] = decode(seq2seq.SampleEmbeddingHelper(embedding, start, end,
                                                       softmax_temperature=0.5, seed=7),
                         maximum_iterations=MAX_ITERATIONS)
    return t


basic = module_program(build_basic)

BASIC_VARIABLES = [
    ("decoder/basic_lstm_cell/bias", (4 * UNITS,)),
    ("decoder/basic_lstm_cell/kernel", (EMBED + UNITS, 4 * UNITS)),
    ("decoder/dense/bias", (VOCAB,)),
    ("decoder/dense/kernel", (UNITS, VOCAB)),
    ("embedding", (VOCAB, EMBED)),
]


def basic_side(w):
    cell = np_lstm(w, "decoder/basic_lstm_cell")
    return cell, np_dense(w, "decoder/dense")


def initial_lstm_state(rng, dtype=np.float32):
    return {"c0": rng.uniform(-1, 1, (BATCH, UNITS)).astype(dtype),
            "h0": rng.uniform(-1, 1, (BATCH, UNITS)).astype(dtype)}


def test_basic_decoder_variables_have_tf1_names_and_shapes(basic):
    """Training, greedy and sampled decoders share one cell and one output layer: five
    variables, TF1's names (the cell and dense scopes inside the first ``decoder``)."""
    assert basic.signature() == BASIC_VARIABLES
    train = basic.t["train"]
    assert train["rnn_output"].shape.as_list() == [None, None, VOCAB]
    assert train["sample_id"].dtype == tf.int32 and train["lengths"].dtype == tf.int32
    assert basic.t["train_impute_time_major"]["rnn_output"].shape.as_list() == [
        None, None, VOCAB]


@pytest.mark.parametrize("lengths", [[5, 2, 4], [3, 0, 1]])
def test_training_helper_decode_equals_the_cell_step_by_step(basic, lengths):
    """TrainingHelper + BasicDecoder = the cell over the inputs, then the output layer;
    batch/time major, impute_finished and maximum_iterations as dynamic_decode defines."""
    w = basic.random_weights(seed=sum(lengths))
    rng = np.random.default_rng(len(lengths) + sum(lengths))
    ids = rng.integers(0, VOCAB, (BATCH, STEPS))
    feeds = dict(initial_lstm_state(rng), ids=ids, lengths=lengths)
    got = basic.run({k: basic.t[k] for k in ("train", "train_impute_time_major",
                                             "train_time_major_max3")}, feeds)
    cell, dense = basic_side(w)
    inputs = w["embedding"][ids]
    state = {"c": feeds["c0"].astype(np.float64), "h": feeds["h0"].astype(np.float64)}
    expected = np_dynamic_decode(cell, dense, state, training_feed(inputs, lengths))
    assert expected[0].shape[1] == max(lengths)
    check_decode("TrainingHelper", tf.float32, got["train"], expected)
    check_decode("TrainingHelper/impute_finished", tf.float32,
                 got["train_impute_time_major"],
                 np_dynamic_decode(cell, dense, state, training_feed(inputs, lengths),
                                   impute_finished=True), time_major=True)
    check_decode("TrainingHelper/maximum_iterations", tf.float32,
                 got["train_time_major_max3"],
                 np_dynamic_decode(cell, dense, state, training_feed(inputs, lengths),
                                   maximum_iterations=3))
    # the impute run zeroes the outputs of finished entries; the plain run does not
    finished_steps = np.arange(max(lengths))[None, :] >= np.asarray(lengths)[:, None]
    imputed = np.swapaxes(got["train_impute_time_major"]["rnn_output"], 0, 1)
    assert finished_steps.any() and not imputed[finished_steps].any()
    assert got["train"]["rnn_output"][finished_steps].any()


def test_greedy_embedding_helper_feeds_argmax_and_stops_at_end_token(basic):
    """GreedyEmbeddingHelper = a numpy greedy loop (argmax, embedding lookup); an entry
    stops at end_token (its length counts that step), the loop when all have stopped."""
    w = basic.random_weights(seed=11)
    rng = np.random.default_rng(11)
    feeds = dict(initial_lstm_state(rng), start_tokens=[1, 4, 6])
    cell, dense = basic_side(w)
    state = {"c": feeds["c0"].astype(np.float64), "h": feeds["h0"].astype(np.float64)}

    def expected(end_token, impute=False):
        return np_dynamic_decode(cell, dense, state,
                                 greedy_feed(w["embedding"], feeds["start_tokens"], end_token),
                                 impute_finished=impute, maximum_iterations=MAX_ITERATIONS)

    got = basic.run(basic.t["greedy"], dict(feeds, end_token=NEVER))
    check_decode("GreedyEmbeddingHelper/no_end", tf.float32, got, expected(NEVER))
    np.testing.assert_array_equal(got["lengths"], [MAX_ITERATIONS] * BATCH)
    end_token = pick_end_token(expected)
    for key, case, impute in (("greedy", "GreedyEmbeddingHelper", False),
                              ("greedy_impute", "GreedyEmbeddingHelper/impute_finished", True)):
        got = basic.run(basic.t[key], dict(feeds, end_token=end_token))
        check_decode(case, tf.float32, got, expected(end_token, impute))


def test_sample_embedding_helper_feeds_back_the_ids_it_sampled(basic):
    """SampleEmbeddingHelper: ids are valid tokens, and the decode equals the numpy loop
    fed with those ids (the Multinomial draws themselves are TF's RNG)."""
    w = basic.random_weights(seed=5)
    rng = np.random.default_rng(5)
    feeds = dict(initial_lstm_state(rng), start_tokens=[0, 3, 5], end_token=2)
    got = basic.run(basic.t["sample"], feeds)
    ids = got["sample_id"]
    assert ids.min() >= 0 and ids.max() < VOCAB
    cell, dense = basic_side(w)
    state = {"c": feeds["c0"].astype(np.float64), "h": feeds["h0"].astype(np.float64)}
    expected = np_dynamic_decode(
        cell, dense, state, greedy_feed(w["embedding"], feeds["start_tokens"], 2),
        maximum_iterations=MAX_ITERATIONS, sample=lambda t, logits: ids[:, t])
    check_decode("SampleEmbeddingHelper", tf.float32, got, expected)


# ---- 2. attention mechanisms alone: scores, masking, alignments -------------------------
QUERY_DEPTH = NUM_UNITS = 5
MECHANISMS = (  # (kind, option, masked, probability_fn)
    ("bahdanau", False, True, "identity"),
    ("bahdanau", True, True, "identity"),
    ("luong", False, True, "identity"),
    ("luong", True, True, "identity"),
    ("bahdanau", False, False, "softmax"),
    ("luong", False, True, "hardmax"),
)
MECHANISM_SCOPES = ("bahdanau_attention", "bahdanau_attention_1", "luong_attention",
                    "luong_attention_1", "bahdanau_attention_2", "luong_attention_2")


def mechanism_builder(dtype):
    def build():
        t = {"memory": v1.placeholder(dtype, [BATCH, MEMORY_STEPS, MEMORY_DEPTH], "memory"),
             "memory_length": v1.placeholder(tf.int32, [BATCH], "memory_length"),
             "query": v1.placeholder(dtype, [BATCH, QUERY_DEPTH], "query")}
        probability = {"identity": lambda score: score, "softmax": None,
                       "hardmax": seq2seq.hardmax}
        mechanisms = []
        for kind, option, masked, fn in MECHANISMS:
            cls, flag = ((seq2seq.BahdanauAttention, "normalize") if kind == "bahdanau"
                         else (seq2seq.LuongAttention, "scale"))
            mechanisms.append(cls(NUM_UNITS, t["memory"],
                                  memory_sequence_length=t["memory_length"] if masked else None,
                                  probability_fn=probability[fn], dtype=dtype,
                                  **{flag: option}))
        previous = mechanisms[0].initial_alignments(BATCH, dtype)
        t["mechanisms"] = [{"keys": m.keys, "values": m.values,
                            "result": m(t["query"], state=previous)} for m in mechanisms]
        return t

    return build


mechanisms_f32 = module_program(mechanism_builder(tf.float32))
mechanisms_f64 = module_program(mechanism_builder(tf.float64))


def mechanism_variables():
    expected = [(f"memory_layer{'_%d' % i if i else ''}/kernel", (MEMORY_DEPTH, NUM_UNITS))
                for i in range(len(MECHANISMS))]
    for scope, (kind, option, _, _) in zip(MECHANISM_SCOPES, MECHANISMS):
        if kind == "bahdanau":
            expected += [(f"{scope}/query_layer/kernel", (QUERY_DEPTH, NUM_UNITS)),
                         (f"{scope}/attention_v", (NUM_UNITS,))]
        if option:
            expected.append((f"{scope}/attention_g", ()))
        if option and kind == "bahdanau":
            expected.append((f"{scope}/attention_b", (NUM_UNITS,)))
    return sorted(expected)


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_attention_mechanisms_equal_the_numpy_scores(mechanisms_f32, mechanisms_f64, dtype):
    """Bahdanau (plain, normalized) and Luong (plain, scaled) scores, -inf past the memory
    length, softmax and hardmax alignments, the masked values and the keys; TF1's
    variable names (memory_layer, memory_layer_1, ...; bahdanau_attention/query_layer)."""
    program = mechanisms_f32 if dtype == tf.float32 else mechanisms_f64
    assert program.signature() == mechanism_variables()
    w = program.random_weights(seed=3)
    rng = np.random.default_rng(3)
    numpy_dtype = dtype.as_numpy_dtype
    feeds = {"memory": rng.uniform(-1, 1, (BATCH, MEMORY_STEPS, MEMORY_DEPTH)).astype(numpy_dtype),
             "memory_length": [4, 1, 2],
             "query": rng.uniform(-1, 1, (BATCH, QUERY_DEPTH)).astype(numpy_dtype)}
    got = program.run(program.t["mechanisms"], feeds)
    memory, query = feeds["memory"].astype(np.float64), feeds["query"].astype(np.float64)
    for i, ((kind, option, masked, fn), scope) in enumerate(zip(MECHANISMS, MECHANISM_SCOPES)):
        length = feeds["memory_length"] if masked else None
        values, keys = np_values_keys(w, memory, length,
                                      f"memory_layer{'_%d' % i if i else ''}")
        score = (np_bahdanau_score if kind == "bahdanau" else np_luong_score)(
            w, scope, keys, option)(query)
        masked_score = np_masked(score, length)
        expected = {"identity": masked_score, "softmax": np_softmax(masked_score),
                    "hardmax": np.eye(MEMORY_STEPS)[masked_score.argmax(1)]}[fn]
        case = f"{scope}({'normalize' if kind == 'bahdanau' else 'scale'}={option})/{fn}"
        check_close(f"{case}/values", dtype, got[i]["values"], values)
        check_close(f"{case}/keys", dtype, got[i]["keys"], keys)
        alignments, next_state = got[i]["result"]
        check_close(f"{case}/alignments", dtype, alignments, expected)
        check_close(f"{case}/next_state", dtype, next_state, expected)
    assert np.isneginf(got[0]["result"][0]).any()  # the mask was exercised


def test_memory_sequence_length_must_be_positive(mechanisms_f32):
    """TF1 asserted lengths > 0 when scoring (an all-masked row would softmax to NaN)."""
    feeds = {"memory": np.zeros((BATCH, MEMORY_STEPS, MEMORY_DEPTH), np.float32),
             "memory_length": [4, 0, 2], "query": np.zeros((BATCH, QUERY_DEPTH), np.float32)}
    with pytest.raises(tf.errors.InvalidArgumentError, match="must greater than zero"):
        mechanisms_f32.run(mechanisms_f32.t["mechanisms"][0]["result"], feeds)


# ---- 3. AttentionWrapper in a decoder --------------------------------------------------
ATTENTION_SIZE = 3


def build_bahdanau_decoder():
    """Bahdanau (normalized) + BasicLSTMCell + attention layer + alignment history,
    initial_cell_state from an 'encoder', teacher forcing with impute_finished."""
    t = {"memory": v1.placeholder(tf.float32, [BATCH, MEMORY_STEPS, MEMORY_DEPTH], "memory"),
         "memory_length": v1.placeholder(tf.int32, [BATCH], "memory_length"),
         "inputs": v1.placeholder(tf.float32, [BATCH, STEPS, INPUT_DEPTH], "inputs"),
         "lengths": v1.placeholder(tf.int32, [BATCH], "lengths"),
         "c0": v1.placeholder(tf.float32, [BATCH, UNITS], "c0"),
         "h0": v1.placeholder(tf.float32, [BATCH, UNITS], "h0")}
    mechanism = seq2seq.BahdanauAttention(
        NUM_UNITS, t["memory"], memory_sequence_length=t["memory_length"], normalize=True)
    cell = seq2seq.AttentionWrapper(
        cells.BasicLSTMCell(UNITS), mechanism, attention_layer_size=ATTENTION_SIZE,
        alignment_history=True, initial_cell_state=cells.LSTMStateTuple(t["c0"], t["h0"]))
    decoder = seq2seq.BasicDecoder(cell, seq2seq.TrainingHelper(t["inputs"], t["lengths"]),
                                   cell.zero_state(BATCH, tf.float32),
                                   output_layer=compat_layers.Dense(VOCAB))
    result = seq2seq.dynamic_decode(decoder, impute_finished=True)
    t["decode"], t["history"] = fetch_decode(result), result[1].alignment_history.stack()
    return t


bahdanau_decoder = module_program(build_bahdanau_decoder)

BAHDANAU_DECODER_VARIABLES = sorted([
    ("memory_layer/kernel", (MEMORY_DEPTH, NUM_UNITS)),
    ("decoder/attention_wrapper/basic_lstm_cell/kernel",
     (INPUT_DEPTH + ATTENTION_SIZE + UNITS, 4 * UNITS)),
    ("decoder/attention_wrapper/basic_lstm_cell/bias", (4 * UNITS,)),
    ("decoder/attention_wrapper/bahdanau_attention/query_layer/kernel", (UNITS, NUM_UNITS)),
    ("decoder/attention_wrapper/bahdanau_attention/attention_v", (NUM_UNITS,)),
    ("decoder/attention_wrapper/bahdanau_attention/attention_g", ()),
    ("decoder/attention_wrapper/bahdanau_attention/attention_b", (NUM_UNITS,)),
    ("decoder/attention_wrapper/attention_layer/kernel", (UNITS + MEMORY_DEPTH, ATTENTION_SIZE)),
    ("decoder/dense/kernel", (ATTENTION_SIZE, VOCAB)),
    ("decoder/dense/bias", (VOCAB,)),
])


def bahdanau_decoder_feeds(seed):
    rng = np.random.default_rng(seed)
    return dict(initial_lstm_state(rng),
                memory=rng.uniform(-1, 1, (BATCH, MEMORY_STEPS, MEMORY_DEPTH)).astype(np.float32),
                memory_length=[2, 4, 3],
                inputs=rng.uniform(-1, 1, (BATCH, STEPS, INPUT_DEPTH)).astype(np.float32),
                lengths=[5, 2, 3])


def np_bahdanau_decoder(w, feeds):
    values, keys = np_values_keys(w, feeds["memory"].astype(np.float64), feeds["memory_length"])
    scope = "decoder/attention_wrapper"
    history = []
    cell = np_attention_cell(
        np_lstm(w, f"{scope}/basic_lstm_cell"),
        [(np_bahdanau_score(w, f"{scope}/bahdanau_attention", keys, normalize=True), values,
          feeds["memory_length"], w[f"{scope}/attention_layer/kernel"])], history=history)
    state = {"c": feeds["c0"].astype(np.float64), "h": feeds["h0"].astype(np.float64),
             "attention": np.zeros((BATCH, ATTENTION_SIZE)),
             "alignments": np.zeros((BATCH, MEMORY_STEPS))}
    result = np_dynamic_decode(cell, np_dense(w, "decoder/dense"), state,
                               training_feed(feeds["inputs"].astype(np.float64),
                                             feeds["lengths"]),
                               impute_finished=True)
    return result, np.stack(history)


def check_bahdanau_decoder(program, w, feeds, case):
    got = program.run({"decode": program.t["decode"], "history": program.t["history"]}, feeds)
    expected, history = np_bahdanau_decoder(w, feeds)
    state = got["decode"]["state"]
    check_decode(case, tf.float32, got["decode"], expected, state_keys=())
    for key, value in (("c", state.cell_state.c), ("h", state.cell_state.h),
                       ("attention", state.attention), ("alignments", state.alignments),
                       ("attention_state", state.attention_state)):
        check_close(f"{case}/state.{key}", tf.float32, value,
                    expected[2]["alignments" if key == "attention_state" else key])
    assert state.time == max(feeds["lengths"])
    check_close(f"{case}/alignment_history", tf.float32, got["history"], history)
    return got


def test_attention_wrapper_bahdanau_decode_equals_the_numpy_loop(bahdanau_decoder):
    """AttentionWrapper(BasicLSTMCell, BahdanauAttention(normalize=True),
    attention_layer_size, alignment_history, initial_cell_state) under
    TrainingHelper + BasicDecoder + dynamic_decode(impute_finished=True)."""
    assert bahdanau_decoder.signature() == BAHDANAU_DECODER_VARIABLES
    w = bahdanau_decoder.random_weights(seed=21)
    feeds = bahdanau_decoder_feeds(21)
    got = check_bahdanau_decoder(bahdanau_decoder, w, feeds, "AttentionWrapper/Bahdanau")
    # memory past each length gets no attention at any step
    mask = np_memory_mask(feeds["memory_length"])
    assert not got["history"][:, ~mask].any() and got["history"][:, mask].all()


def test_tf1_checkpoint_restores_by_name(bahdanau_decoder, tmp_path):
    """A checkpoint written under TF1's variable names (by plain variables in another
    graph, as TF1 would have written it) restores into the decoder, and the decode then
    equals the numpy loop with the checkpoint's values."""
    values = {}
    graph = tf.Graph()
    with graph.as_default():
        for i, (name, shape) in enumerate(BAHDANAU_DECODER_VARIABLES):
            values[name] = np.random.default_rng(100 + i).uniform(-1, 1, shape).astype(np.float32)
            v1.Variable(values[name], name=name)
        saver = v1.train.Saver()
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            path = saver.save(session, str(tmp_path / "tf1.ckpt"))
    assert sorted(name for name, _ in tf.train.list_variables(path)) == sorted(values)
    bahdanau_decoder.random_weights(seed=0)  # something else first
    with bahdanau_decoder.graph.as_default():
        bahdanau_decoder.saver.restore(bahdanau_decoder.session, path)
    restored = bahdanau_decoder.session.run({v.op.name: v for v in bahdanau_decoder.variables})
    for name, value in restored.items():
        np.testing.assert_array_equal(value, values[name])
    w = {name: value.astype(np.float64) for name, value in values.items()}
    check_bahdanau_decoder(bahdanau_decoder, w, bahdanau_decoder_feeds(3),
                           "AttentionWrapper/Bahdanau/restored")


def build_luong_decoder():
    """float64: Luong (scaled) + GRUCell, no attention layer, output_attention=False,
    zero_state(...).clone(cell_state=...), greedy decoding."""
    dtype = tf.float64
    t = {"memory": v1.placeholder(dtype, [BATCH, MEMORY_STEPS, MEMORY_DEPTH], "memory"),
         "memory_length": v1.placeholder(tf.int32, [BATCH], "memory_length"),
         "h0": v1.placeholder(dtype, [BATCH, UNITS], "h0"),
         "start_tokens": v1.placeholder(tf.int32, [BATCH], "start_tokens"),
         "end_token": v1.placeholder(tf.int32, [], "end_token")}
    embedding = v1.get_variable("embedding", [VOCAB, INPUT_DEPTH], dtype=dtype)
    mechanism = seq2seq.LuongAttention(UNITS, t["memory"], scale=True, dtype=dtype,
                                       memory_sequence_length=t["memory_length"])
    cell = seq2seq.AttentionWrapper(cells.GRUCell(UNITS, dtype=dtype), mechanism,
                                    output_attention=False)
    initial = cell.zero_state(BATCH, dtype).clone(cell_state=t["h0"])
    helper = seq2seq.GreedyEmbeddingHelper(embedding, t["start_tokens"], t["end_token"])
    decoder = seq2seq.BasicDecoder(cell, helper, initial,
                                   output_layer=compat_layers.Dense(VOCAB, dtype=dtype))
    t["decode"] = fetch_decode(seq2seq.dynamic_decode(decoder,
                                                      maximum_iterations=MAX_ITERATIONS))
    return t


luong_decoder = module_program(build_luong_decoder)

LUONG_DECODER_VARIABLES = sorted([
    ("embedding", (VOCAB, INPUT_DEPTH)),
    ("memory_layer/kernel", (MEMORY_DEPTH, UNITS)),
    ("decoder/attention_wrapper/gru_cell/gates/kernel",
     (INPUT_DEPTH + MEMORY_DEPTH + UNITS, 2 * UNITS)),
    ("decoder/attention_wrapper/gru_cell/gates/bias", (2 * UNITS,)),
    ("decoder/attention_wrapper/gru_cell/candidate/kernel",
     (INPUT_DEPTH + MEMORY_DEPTH + UNITS, UNITS)),
    ("decoder/attention_wrapper/gru_cell/candidate/bias", (UNITS,)),
    ("decoder/attention_wrapper/luong_attention/attention_g", ()),
    ("decoder/dense/kernel", (UNITS, VOCAB)),
    ("decoder/dense/bias", (VOCAB,)),
])


def test_attention_wrapper_luong_greedy_decode_equals_the_numpy_loop(luong_decoder):
    """AttentionWrapper(GRUCell, LuongAttention(scale=True), output_attention=False) in
    float64, from zero_state(...).clone(cell_state=encoder state), greedy until end_token."""
    assert luong_decoder.signature() == LUONG_DECODER_VARIABLES
    w = luong_decoder.random_weights(seed=11)
    rng = np.random.default_rng(11)
    feeds = {"memory": rng.uniform(-1, 1, (BATCH, MEMORY_STEPS, MEMORY_DEPTH)),
             "memory_length": [3, 4, 1], "h0": rng.uniform(-1, 1, (BATCH, UNITS)),
             "start_tokens": [2, 0, 5]}
    values, keys = np_values_keys(w, feeds["memory"], feeds["memory_length"])
    scope = "decoder/attention_wrapper"

    def expected(end_token):
        cell = np_attention_cell(
            np_gru(w, f"{scope}/gru_cell"),
            [(np_luong_score(w, f"{scope}/luong_attention", keys, True), values,
              feeds["memory_length"], None)], output_attention=False)
        state = {"h": feeds["h0"], "attention": np.zeros((BATCH, MEMORY_DEPTH)),
                 "alignments": np.zeros((BATCH, MEMORY_STEPS))}
        return np_dynamic_decode(cell, np_dense(w, "decoder/dense"), state,
                                 greedy_feed(w["embedding"], feeds["start_tokens"], end_token),
                                 maximum_iterations=MAX_ITERATIONS)

    end_token = pick_end_token(expected)
    reference = expected(end_token)
    got = luong_decoder.run(luong_decoder.t["decode"], dict(feeds, end_token=end_token))
    check_decode("AttentionWrapper/Luong", tf.float64, got, reference, state_keys=())
    state = got["state"]
    for key, value in (("h", state.cell_state), ("attention", state.attention),
                       ("alignments", state.alignments)):
        check_close(f"AttentionWrapper/Luong/state.{key}", tf.float64, value, reference[2][key])


def build_two_mechanisms():
    """AttentionWrapper called as a plain cell (no decoder), two steps, with a list of two
    mechanisms (Bahdanau on one memory, Luong on another) and two attention layers."""
    t = {"memory": v1.placeholder(tf.float32, [BATCH, MEMORY_STEPS, MEMORY_DEPTH], "memory"),
         "memory_length": v1.placeholder(tf.int32, [BATCH], "memory_length"),
         "memory2": v1.placeholder(tf.float32, [BATCH, 2, 2], "memory2"),
         "x": v1.placeholder(tf.float32, [2, BATCH, INPUT_DEPTH], "x")}
    cell = seq2seq.AttentionWrapper(
        cells.BasicLSTMCell(UNITS),
        [seq2seq.BahdanauAttention(NUM_UNITS, t["memory"],
                                   memory_sequence_length=t["memory_length"]),
         seq2seq.LuongAttention(UNITS, t["memory2"])],
        attention_layer_size=[2, 3])
    state = cell.zero_state(BATCH, tf.float32)
    t["steps"] = []
    for step in range(2):
        output, state = cell(t["x"][step], state)
        t["steps"].append({"output": output, "attention": state.attention,
                           "alignments": state.alignments, "h": state.cell_state.h})
    return t


two_mechanisms = module_program(build_two_mechanisms)


def test_attention_wrapper_with_two_mechanisms_equals_the_numpy_step(two_mechanisms):
    """A list of mechanisms: one alignment per mechanism, the attentions (one attention
    layer each: attention_layer, attention_layer_1) concatenated and fed back; variables
    under attention_wrapper/ when the wrapper is called as a cell, reused at step 2."""
    assert two_mechanisms.signature() == sorted([
        ("memory_layer/kernel", (MEMORY_DEPTH, NUM_UNITS)),
        ("memory_layer_1/kernel", (2, UNITS)),
        ("attention_wrapper/basic_lstm_cell/kernel", (INPUT_DEPTH + 2 + 3 + UNITS, 4 * UNITS)),
        ("attention_wrapper/basic_lstm_cell/bias", (4 * UNITS,)),
        ("attention_wrapper/bahdanau_attention/query_layer/kernel", (UNITS, NUM_UNITS)),
        ("attention_wrapper/bahdanau_attention/attention_v", (NUM_UNITS,)),
        ("attention_wrapper/attention_layer/kernel", (UNITS + MEMORY_DEPTH, 2)),
        ("attention_wrapper/attention_layer_1/kernel", (UNITS + 2, 3)),
    ])
    w = two_mechanisms.random_weights(seed=4)
    rng = np.random.default_rng(4)
    feeds = {"memory": rng.uniform(-1, 1, (BATCH, MEMORY_STEPS, MEMORY_DEPTH)),
             "memory_length": [1, 3, 4], "memory2": rng.uniform(-1, 1, (BATCH, 2, 2)),
             "x": rng.uniform(-1, 1, (2, BATCH, INPUT_DEPTH))}
    feeds = {k: np.asarray(v, np.float32) if k != "memory_length" else v
             for k, v in feeds.items()}
    got = two_mechanisms.run(two_mechanisms.t["steps"], feeds)
    values, keys = np_values_keys(w, feeds["memory"].astype(np.float64), feeds["memory_length"])
    values2 = feeds["memory2"].astype(np.float64)
    keys2 = values2 @ w["memory_layer_1/kernel"]
    cell = np_attention_cell(np_lstm(w, "attention_wrapper/basic_lstm_cell"), [
        (np_bahdanau_score(w, "attention_wrapper/bahdanau_attention", keys, False), values,
         feeds["memory_length"], w["attention_wrapper/attention_layer/kernel"]),
        (np_luong_score(w, None, keys2, False), values2, None,
         w["attention_wrapper/attention_layer_1/kernel"])])
    state = {"c": np.zeros((BATCH, UNITS)), "h": np.zeros((BATCH, UNITS)),
             "attention": np.zeros((BATCH, 5))}
    for step, got_step in enumerate(got):
        output, state = cell(feeds["x"][step].astype(np.float64), state)
        case = f"AttentionWrapper/two mechanisms/step {step}"
        check_close(f"{case}/output", tf.float32, got_step["output"], output)
        check_close(f"{case}/attention", tf.float32, got_step["attention"], state["attention"])
        check_close(f"{case}/h", tf.float32, got_step["h"], state["h"])
        for i, alignments in enumerate(got_step["alignments"]):
            check_close(f"{case}/alignments/{i}", tf.float32, alignments,
                        state[f"alignments/{i}"])


# ---- 4. tile_batch ----------------------------------------------------------------------
def test_tile_batch_equals_np_repeat_on_axis_0():
    """Each batch entry repeated ``multiplier`` times in place, over a nested structure;
    the static batch size is multiplied (graph) and values equal np.repeat (eager)."""
    rng = np.random.default_rng(0)
    c, h = rng.uniform(size=(3, 4)), rng.uniform(size=(3, 4))
    memory = rng.uniform(size=(3, 2, 5)).astype(np.float32)
    tiled = seq2seq.tile_batch((memory, cells.LSTMStateTuple(c, h)), 3)
    assert isinstance(tiled[1], cells.LSTMStateTuple)
    for got, value in zip(tf.nest.flatten(tiled), (memory, c, h)):
        np.testing.assert_array_equal(got.numpy(), np.repeat(value, 3, axis=0))
    with tf.Graph().as_default():
        known = seq2seq.tile_batch(v1.placeholder(tf.float32, [3, None, 5]), 2)
        unknown = seq2seq.tile_batch(v1.placeholder(tf.float32, [None, 2]), 2)
        assert known.shape.as_list() == [6, None, 5]
        assert unknown.shape.as_list() == [None, 2]
        with pytest.raises(ValueError, match="statically known rank"):
            seq2seq.tile_batch(v1.placeholder(tf.float32, []), 2)


# ---- 5. bad input: TF1's errors, naming what is wrong ------------------------------------
def _memory():
    return v1.placeholder(tf.float32, [BATCH, MEMORY_STEPS, MEMORY_DEPTH])


BAD_CALLS = {
    "dynamic_decode of a non-Decoder": (
        TypeError, "Expected decoder to be type Decoder",
        lambda: seq2seq.dynamic_decode(object())),
    "BasicDecoder cell": (
        TypeError, "cell must be an RNNCell",
        lambda: seq2seq.BasicDecoder(object(), None, None)),
    "BasicDecoder helper": (
        TypeError, "helper must be a Helper",
        lambda: seq2seq.BasicDecoder(cells.GRUCell(2), object(), None)),
    "BasicDecoder output_layer": (
        TypeError, "output_layer must be a Layer",
        lambda: seq2seq.BasicDecoder(
            cells.GRUCell(2), seq2seq.GreedyEmbeddingHelper(tf.zeros([4, 2]), [1], 0), None,
            output_layer=lambda x: x)),
    "TrainingHelper sequence_length": (
        ValueError, "Expected sequence_length to be a vector",
        lambda: seq2seq.TrainingHelper(tf.zeros([1, 2, 2]), [[2]])),
    "GreedyEmbeddingHelper start_tokens": (
        ValueError, "start_tokens must be a vector",
        lambda: seq2seq.GreedyEmbeddingHelper(tf.zeros([4, 2]), 1, 0)),
    "GreedyEmbeddingHelper end_token": (
        ValueError, "end_token must be a scalar",
        lambda: seq2seq.GreedyEmbeddingHelper(tf.zeros([4, 2]), [1], [0])),
    "dynamic_decode maximum_iterations": (
        ValueError, "maximum_iterations must be a scalar",
        lambda: seq2seq.dynamic_decode(
            seq2seq.BasicDecoder(cells.GRUCell(2),
                                 seq2seq.GreedyEmbeddingHelper(tf.zeros([4, 2]), [1], 0),
                                 tf.zeros([1, 2])),
            maximum_iterations=[3])),
    "AttentionWrapper mechanism": (
        TypeError, "attention_mechanism must be an AttentionMechanism",
        lambda: seq2seq.AttentionWrapper(cells.GRUCell(2), _memory())),
    "AttentionWrapper layer and size": (
        ValueError, "Only one of attention_layer_size and attention_layer",
        lambda: seq2seq.AttentionWrapper(
            cells.GRUCell(2), seq2seq.LuongAttention(2, _memory()), attention_layer_size=2,
            attention_layer=compat_layers.Dense(2))),
    "AttentionWrapper sizes per mechanism": (
        ValueError, "exactly one integer per attention_mechanism",
        lambda: seq2seq.AttentionWrapper(
            cells.GRUCell(2), seq2seq.LuongAttention(2, _memory()),
            attention_layer_size=[2, 3])),
    "LuongAttention query depth": (
        ValueError, "Perhaps you need to set num_units to the keys' dimension",
        lambda: seq2seq.LuongAttention(3, _memory())(tf.zeros([BATCH, 2]), None)),
    "AttentionWrapperState.clone shape": (
        ValueError, "invalid shape",
        lambda: seq2seq.AttentionWrapper(cells.GRUCell(2), seq2seq.LuongAttention(2, _memory()))
        .zero_state(BATCH, tf.float32).clone(cell_state=tf.zeros([BATCH, 5]))),
    "memory of rank 2": (
        ValueError, r"shaped \[batch_size, max_time, ...\]",
        lambda: seq2seq.BahdanauAttention(2, tf.zeros([BATCH, 4]))),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_bad_input_raises_a_clear_error(case):
    error, message, call = BAD_CALLS[case]
    with tf.Graph().as_default(), pytest.raises(error, match=message):
        call()


# ---- 6. the TF1 program itself: ``import legacy_compat.v1 as tf``, v1 control flow -------
TF1_PROGRAM = r'''
import json
import numpy as np
import legacy_compat.v1 as tf

memory = tf.placeholder(tf.float32, [3, 4, 3])
inputs = tf.placeholder(tf.float32, [3, 5, 2])
mechanism = tf.contrib.seq2seq.LuongAttention(4, memory, memory_sequence_length=[4, 2, 3])
cell = tf.contrib.seq2seq.AttentionWrapper(tf.nn.rnn_cell.BasicLSTMCell(4), mechanism,
                                           attention_layer_size=3, alignment_history=True)
helper = tf.contrib.seq2seq.TrainingHelper(inputs, [5, 3, 4])
decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, cell.zero_state(3, tf.float32),
                                          output_layer=tf.layers.Dense(7))
outputs, state, lengths = tf.contrib.seq2seq.dynamic_decode(decoder, impute_finished=True)
history = state.alignment_history.stack()
rng = np.random.RandomState(0)
feed = {memory: rng.uniform(-1, 1, (3, 4, 3)), inputs: rng.uniform(-1, 1, (3, 5, 2))}
with tf.Session() as session:
    session.run(tf.global_variables_initializer())
    weights = {v.op.name: session.run(v).tolist() for v in tf.global_variables()}
    logits, got_lengths, got_history = session.run([outputs.rnn_output, lengths, history],
                                                   feed)
print(json.dumps({"eager": tf.executing_eagerly(), "weights": weights,
                  "feed": [feed[memory].tolist(), feed[inputs].tolist()],
                  "logits": logits.tolist(), "lengths": got_lengths.tolist(),
                  "history": got_history.tolist()}))
'''


def test_tf1_program_under_legacy_compat_v1():
    """The TF1 program as written (``tf.contrib.seq2seq``, ``tf.nn.rnn_cell``,
    ``tf.layers``) under ``import legacy_compat.v1 as tf`` (graph mode, control flow v1,
    reference variables; alignment_history and impute_finished through the v1 while loop)
    decodes as the numpy loop with its own initial weights."""
    import json

    result = json.loads(run_python(["-c", TF1_PROGRAM], preloaded=True).stdout.strip().splitlines()[-1])
    assert result["eager"] is False
    w = {name: np.asarray(value, np.float64) for name, value in result["weights"].items()}
    assert sorted((n, v.shape) for n, v in w.items()) == sorted([
        ("memory_layer/kernel", (3, 4)),
        ("decoder/attention_wrapper/basic_lstm_cell/kernel", (2 + 3 + 4, 16)),
        ("decoder/attention_wrapper/basic_lstm_cell/bias", (16,)),
        ("decoder/attention_wrapper/attention_layer/kernel", (4 + 3, 3)),
        ("decoder/dense/kernel", (3, 7)),
        ("decoder/dense/bias", (7,)),
    ])
    memory, inputs = (np.asarray(a, np.float32).astype(np.float64) for a in result["feed"])
    memory_length = [4, 2, 3]
    values, keys = np_values_keys(w, memory, memory_length)
    scope = "decoder/attention_wrapper"
    history = []
    cell = np_attention_cell(np_lstm(w, f"{scope}/basic_lstm_cell"),
                             [(np_luong_score(w, None, keys, False), values, memory_length,
                               w[f"{scope}/attention_layer/kernel"])], history=history)
    state = {"c": np.zeros((3, 4)), "h": np.zeros((3, 4)), "attention": np.zeros((3, 3)),
             "alignments": np.zeros((3, 4))}
    expected = np_dynamic_decode(cell, np_dense(w, "decoder/dense"), state,
                                 training_feed(inputs, [5, 3, 4]), impute_finished=True)
    check_close("legacy_compat.v1/AttentionWrapper/Luong/rnn_output", tf.float32,
                result["logits"], expected[0])
    check_close("legacy_compat.v1/AttentionWrapper/Luong/alignment_history", tf.float32,
                result["history"], np.stack(history))
    np.testing.assert_array_equal(result["lengths"], [5, 3, 4])
