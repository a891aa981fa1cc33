"""The seq2seq losses against TF1: ``tf.contrib.seq2seq.sequence_loss`` and the list losses
of ``tf.contrib.legacy_seq2seq`` / TF 0.x's ``tf.nn.seq2seq``.

No installable copy of TF 1.15's contrib exists, so the oracles are

* numpy equations written from TF 1.15's source (``contrib/seq2seq/python/ops/loss.py``
  and ``contrib/legacy_seq2seq/python/ops/seq2seq.py``, read in the tensorflow/tensorflow
  repository): ``ce[b, t] = logsumexp(logits[b, t]) - logits[b, t, target[b, t]]``, then the
  weighted reductions of each flag combination (``div_no_nan`` in contrib.seq2seq, ``+ 1e-12``
  in legacy_seq2seq);
* TF's own ``tf.compat.v1.losses.sparse_softmax_cross_entropy`` (still in TF 2.21) where its
  reduction is the same quantity: ``NONE`` = both averaging flags False, ``MEAN`` = the
  default (sum(ce * w) / sum(w)), ``SUM_BY_NONZERO_WEIGHTS`` = ``sum_over_timesteps`` and
  ``sum_over_batch`` (sum(ce * w) / count_nonzero(w)).

Every graph is built once per module (one ``tf.Graph``, fed many examples).
"""
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from legacy_compat.contrib import legacy_seq2seq
from legacy_compat.contrib.legacy_seq2seq import nn_seq2seq
from legacy_compat.contrib.seq2seq import sequence_loss
from tests.support.oracle import MEASURED

v1 = tf.compat.v1

# Max |diff| allowed per unit of magnitude (the bound is TOLERANCE * max(1, |expected|)).
# float32: a loss is a log-sum-exp of O(1) logits and a few weighted sums, a handful of
# float32 roundings, each relative (ulp 1.2e-7 at 1): 1e-6 is ~8 ulps; losses reach ~10
# (2 * ce with unlikely targets), hence the relative bound. float64: the same operations at
# double precision (the numpy oracle computes in float64 from the same rounded inputs).
TOLERANCE = {"float32": 1e-6, "float64": 1e-12}
DTYPES = ("float32", "float64")
LIST_STEPS = 3  # the list losses take one tensor per step: a fixed number of steps

# contrib.seq2seq.sequence_loss flag combinations: (id, keyword arguments)
FLAGS = (
    ("default", {}),
    ("batch_only", {"average_across_timesteps": False}),
    ("time_only", {"average_across_batch": False}),
    ("none", {"average_across_timesteps": False, "average_across_batch": False}),
    ("sum_both", {"average_across_timesteps": False, "average_across_batch": False,
                  "sum_over_timesteps": True, "sum_over_batch": True}),
    ("sum_time", {"average_across_timesteps": False, "average_across_batch": False,
                  "sum_over_timesteps": True}),
    ("sum_batch", {"average_across_timesteps": False, "average_across_batch": False,
                   "sum_over_batch": True}),
    # TF 1.15 reduces only the averaged axis when an average and a sum_over flag of the
    # other axis are both set (its `elif`): the batch average, [T]
    ("avg_batch_sum_time", {"average_across_timesteps": False, "sum_over_timesteps": True}),
)
# tf.compat.v1.losses.Reduction that computes the same quantity as a FLAGS case
ORACLE_REDUCTIONS = {"none": "NONE", "default": "MEAN", "sum_both": "SUM_BY_NONZERO_WEIGHTS"}


# ---------------------------------------------------------------------------------------
# numpy equations (TF 1.15's source)
# ---------------------------------------------------------------------------------------
def np_crossent(logits, targets):
    logits = logits.astype(np.float64)
    top = logits.max(-1, keepdims=True)
    lse = np.log(np.exp(logits - top).sum(-1)) + top[..., 0]
    return lse - np.take_along_axis(logits, targets[..., None].astype(np.int64), -1)[..., 0]


def np_div_no_nan(a, b):
    b = np.asarray(b, np.float64)
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


def np_sequence_loss(logits, targets, weights, average_across_timesteps=True,
                     average_across_batch=True, sum_over_timesteps=False,
                     sum_over_batch=False, scale=1.0):
    weights = weights.astype(np.float64)
    crossent = scale * np_crossent(logits, targets) * weights
    if average_across_timesteps and average_across_batch:
        return np_div_no_nan(crossent.sum(), weights.sum())
    if sum_over_timesteps and sum_over_batch:
        return np_div_no_nan(crossent.sum(), np.count_nonzero(weights))
    if average_across_timesteps or average_across_batch:
        axis = 0 if average_across_batch else 1
        return np_div_no_nan(crossent.sum(axis), weights.sum(axis))
    if sum_over_timesteps or sum_over_batch:
        axis = 0 if sum_over_batch else 1
        return np_div_no_nan(crossent.sum(axis), np.count_nonzero(weights, axis=axis))
    return crossent


def np_sequence_loss_by_example(logits, targets, weights, average_across_timesteps=True,
                                scale=1.0):
    """legacy_seq2seq: per example, sum_t(ce * w) / (sum_t(w) + 1e-12)."""
    log_perps = (scale * np_crossent(logits, targets) * weights).sum(1)
    if average_across_timesteps:
        log_perps = log_perps / (weights.astype(np.float64).sum(1) + 1e-12)
    return log_perps


def np_list_sequence_loss(logits, targets, weights, average_across_timesteps=True,
                          average_across_batch=True, scale=1.0):
    cost = np_sequence_loss_by_example(logits, targets, weights, average_across_timesteps,
                                       scale).sum()
    return cost / logits.shape[0] if average_across_batch else cost


# ---------------------------------------------------------------------------------------
# the graph: every loss, both dtypes, built once
# ---------------------------------------------------------------------------------------
def keyword_only_loss(*, labels, logits):
    """A TF 1.1+ softmax_loss_function: keywords only (TF 1.15 called it that way)."""
    return 2.0 * tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)


def positional_only_loss(logits, labels, /):
    """A TF 0.x softmax_loss_function: (logits, labels), positional only."""
    return 2.0 * tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)


class Built:
    def __init__(self):
        self.graph = tf.Graph()
        self.fetches = {}
        self.inputs = {}
        with self.graph.as_default():
            for dtype in DTYPES:
                self._build(dtype)
        self.session = v1.Session(graph=self.graph)

    def _build(self, dtype):
        logits = v1.placeholder(dtype, [None, None, None], name=f"logits_{dtype}")
        targets = v1.placeholder(tf.int32, [None, None], name=f"targets_{dtype}")
        weights = v1.placeholder(dtype, [None, None], name=f"weights_{dtype}")
        list_logits = v1.placeholder(dtype, [None, LIST_STEPS, None], name=f"list_{dtype}")
        self.inputs[dtype] = (logits, targets, weights, list_logits)
        out = self.fetches[dtype] = {}
        for case, flags in FLAGS:
            out[f"contrib/{case}"] = sequence_loss(logits, targets, weights, **flags)
        out["contrib/keyword_callback"] = sequence_loss(
            logits, targets, weights, softmax_loss_function=keyword_only_loss)
        out["contrib/grad_default"] = tf.gradients(out["contrib/default"], logits)[0]
        # legacy_seq2seq / tf.nn.seq2seq: lists of per-step tensors
        steps_logits = tf.unstack(list_logits, LIST_STEPS, 1)
        steps_targets = tf.unstack(targets, LIST_STEPS, 1)
        steps_weights = tf.unstack(weights, LIST_STEPS, 1)
        lists = (steps_logits, steps_targets, steps_weights)
        for average in (True, False):
            out[f"legacy/by_example/{average}"] = legacy_seq2seq.sequence_loss_by_example(
                *lists, average_across_timesteps=average)
            for batch in (True, False):
                out[f"legacy/loss/{average}/{batch}"] = legacy_seq2seq.sequence_loss(
                    *lists, average_across_timesteps=average, average_across_batch=batch)
        out["legacy/keyword_callback"] = legacy_seq2seq.sequence_loss(
            *lists, softmax_loss_function=keyword_only_loss)
        out["nn/positional_callback"] = nn_seq2seq.sequence_loss(
            *lists, softmax_loss_function=positional_only_loss)
        out["nn/positional_callback_by_example"] = nn_seq2seq.sequence_loss_by_example(
            *lists, True, positional_only_loss)
        out["nn/late_order"] = nn_seq2seq.sequence_loss(*lists, False, False)
        out["nn/early_order"] = nn_seq2seq.sequence_loss(*lists, 5, False, False)
        out["nn/early_keyword"] = nn_seq2seq.sequence_loss_by_example(
            *lists, num_decoder_symbols=5, average_across_timesteps=False)

    def run(self, logits, targets, weights):
        """Every fetch, for both dtypes (one ``Session.run``): ``{dtype: {name: value}}``."""
        feed, fetches = {}, {}
        for dtype in DTYPES:
            ph_logits, ph_targets, ph_weights, ph_list = self.inputs[dtype]
            feed.update({ph_logits: logits.astype(dtype), ph_targets: targets,
                         ph_weights: weights.astype(dtype)})
            fetches[dtype] = dict(self.fetches[dtype])
            if logits.shape[1] == LIST_STEPS:
                feed[ph_list] = logits.astype(dtype)
            else:
                fetches[dtype] = {k: v for k, v in fetches[dtype].items()
                                  if not k.startswith(("legacy/", "nn/"))}
        return self.session.run(fetches, feed)


@pytest.fixture(scope="module")
def built():
    graph = Built()
    yield graph
    graph.session.close()


def expected_values(logits, targets, weights):
    """The numpy oracle of every fetch of :class:`Built`."""
    want = {f"contrib/{case}": np_sequence_loss(logits, targets, weights, **flags)
            for case, flags in FLAGS}
    want["contrib/keyword_callback"] = np_sequence_loss(logits, targets, weights, scale=2.0)
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    onehot = np.eye(logits.shape[-1])[targets]
    want["contrib/grad_default"] = np_div_no_nan(
        weights[..., None] * (probs - onehot), weights.sum())
    if logits.shape[1] == LIST_STEPS:
        for average in (True, False):
            want[f"legacy/by_example/{average}"] = np_sequence_loss_by_example(
                logits, targets, weights, average)
            for batch in (True, False):
                want[f"legacy/loss/{average}/{batch}"] = np_list_sequence_loss(
                    logits, targets, weights, average, batch)
        want["legacy/keyword_callback"] = np_list_sequence_loss(logits, targets, weights,
                                                                scale=2.0)
        want["nn/positional_callback"] = np_list_sequence_loss(logits, targets, weights,
                                                               scale=2.0)
        want["nn/positional_callback_by_example"] = np_sequence_loss_by_example(
            logits, targets, weights, scale=2.0)
        want["nn/late_order"] = np_list_sequence_loss(logits, targets, weights, False, False)
        want["nn/early_order"] = want["nn/late_order"]
        want["nn/early_keyword"] = np_sequence_loss_by_example(logits, targets, weights, False)
    return want


def draw_example(rng, batch, steps, classes, zero_row):
    logits = rng.normal(size=(batch, steps, classes)) * 2.0  # some confident, some not
    targets = rng.integers(0, classes, size=(batch, steps)).astype(np.int32)
    weights = rng.uniform(0.1, 2.0, size=(batch, steps)) * (rng.random((batch, steps)) < 0.7)
    if zero_row:  # an all-padding example: TF 1.15 divides with div_no_nan (0, not NaN)
        weights[0] = 0.0
    return logits, targets, weights


def assert_all_close(got, want, dtype, label):
    worst = 0.0
    for name in want:
        assert np.shape(got[name]) == np.shape(want[name]), (name, np.shape(got[name]))
        diff = float(np.max(np.abs(np.asarray(got[name], np.float64) - want[name]),
                            initial=0.0))
        bound = TOLERANCE[dtype] * max(1.0, float(np.max(np.abs(want[name]), initial=0.0)))
        assert diff <= bound, f"{label} {name} ({dtype}): |diff| {diff:.3g} > {bound:.3g}"
        worst = max(worst, diff)
    key = ("seq2seq losses", label, dtype)
    MEASURED[key] = max(MEASURED.get(key, 0.0), worst)


# ---------------------------------------------------------------------------------------
# the tests
# ---------------------------------------------------------------------------------------
@settings(max_examples=settings.default.max_examples)
@given(batch=st.integers(1, 3), steps=st.integers(1, 4), classes=st.integers(2, 5),
       zero_row=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_losses_match_the_numpy_equations(built, batch, steps, classes, zero_row, seed):
    """Every flag combination, both callback conventions and the gradient, float32/64."""
    logits, targets, weights = draw_example(np.random.default_rng(seed), batch, steps,
                                            classes, zero_row)
    got = built.run(logits, targets, weights)
    for dtype in DTYPES:
        want = expected_values(logits.astype(dtype).astype(np.float64), targets,
                               weights.astype(dtype).astype(np.float64))
        assert_all_close(got[dtype], want, dtype, "numpy")


def test_list_losses_run_with_five_classes(built):
    """The early-0.x form ``sequence_loss(..., 5, ...)`` with logits of 5 classes (a
    mismatch is an error, see below) and every list loss, fed a fixed example."""
    logits, targets, weights = draw_example(np.random.default_rng(7), 3, LIST_STEPS, 5, True)
    got = built.run(logits, targets, weights)
    for dtype in DTYPES:
        want = expected_values(logits.astype(dtype).astype(np.float64), targets,
                               weights.astype(dtype).astype(np.float64))
        assert {k for k in want if k.startswith("nn/")} == {
            k for k in got[dtype] if k.startswith("nn/")}
        assert_all_close(got[dtype], want, dtype, "numpy/lists")


@pytest.mark.parametrize("dtype", DTYPES)
def test_sequence_loss_equals_tf_losses_sparse_softmax_cross_entropy(dtype):
    """TF's own tf.compat.v1.losses function, where its reduction is the same quantity.

    Static shapes (constants): its weight-broadcast check is then static and cheap."""
    logits, targets, weights = draw_example(np.random.default_rng(3), 3, 4, 5, True)
    with tf.Graph().as_default():
        args = (tf.constant(logits, dtype), tf.constant(targets), tf.constant(weights, dtype))
        pairs = {case: (sequence_loss(*args, **dict(FLAGS)[case]),
                        v1.losses.sparse_softmax_cross_entropy(
                            labels=args[1], logits=args[0], weights=args[2],
                            reduction=getattr(v1.losses.Reduction, reduction)))
                 for case, reduction in ORACLE_REDUCTIONS.items()}
        with v1.Session() as session:
            got = session.run(pairs)
    # tf.compat.v1.losses' compute_weighted_loss casts the losses and weights to float32
    # (and the result back), so for float64 it is only a float32-precision oracle.
    tolerance = TOLERANCE["float32"]
    for case, (ours, theirs) in got.items():
        diff = float(np.max(np.abs(np.asarray(ours, np.float64) - theirs)))
        assert diff <= tolerance * max(1.0, float(np.max(np.abs(theirs)))), (case, diff)
        key = ("seq2seq losses", f"tf.compat.v1.losses/{case}", dtype)
        MEASURED[key] = max(MEASURED.get(key, 0.0), diff)


def test_default_flags_divide_by_the_weights_not_by_the_count(built):
    """sum(ce * w) / sum(w): with weights 2 everywhere the mean is the plain mean (the sum
    of weights is twice the count), and an all-zero mask gives 0, not NaN."""
    logits, targets, _ = draw_example(np.random.default_rng(5), 2, 3, 4, False)
    got = built.run(logits, targets, np.full((2, 3), 2.0))["float64"]
    assert abs(got["contrib/default"] - np_crossent(logits, targets).mean()) <= 1e-12
    assert abs(got["contrib/sum_both"] - 2 * np_crossent(logits, targets).mean()) <= 1e-12
    zeros = built.run(logits, targets, np.zeros((2, 3)))["float64"]
    for case in ("default", "sum_both", "batch_only", "time_only"):
        assert np.all(zeros[f"contrib/{case}"] == 0.0), case


def test_result_ranks_follow_the_flags(built):
    logits, targets, weights = draw_example(np.random.default_rng(1), 2, 4, 3, False)
    got = built.run(logits, targets, weights)["float32"]
    shapes = {case: np.shape(got[f"contrib/{case}"]) for case, _ in FLAGS}
    assert shapes == {"default": (), "batch_only": (4,), "time_only": (2,), "none": (2, 4),
                      "sum_both": (), "sum_time": (2,), "sum_batch": (4,),
                      "avg_batch_sum_time": (4,)}


# --- errors ---------------------------------------------------------------------------
def _graph_error(build, exception=ValueError):
    with tf.Graph().as_default():
        with pytest.raises(exception) as info:
            build()
    return str(info.value)


@pytest.mark.parametrize("shapes, fragment", [
    (([2, 3], [2, 3], [2, 3]), "Logits must be a [batch_size x sequence_length x logits]"),
    (([2, 3, 4], [2, 3, 1], [2, 3]), "Targets must be a [batch_size x sequence_length]"),
    (([2, 3, 4], [2, 3], [6]), "Weights must be a [batch_size x sequence_length]"),
])
def test_sequence_loss_rejects_wrong_ranks(shapes, fragment):
    def build():
        logits, targets, weights = shapes
        sequence_loss(v1.placeholder(tf.float32, logits), v1.placeholder(tf.int32, targets),
                      v1.placeholder(tf.float32, weights))

    message = _graph_error(build)
    assert fragment in message and "Received" in message and "expected rank" in message


@pytest.mark.parametrize("flags, fragment", [
    ({"sum_over_timesteps": True}, "average_across_timesteps and sum_over_timesteps"),
    ({"sum_over_batch": True}, "average_across_batch and sum_over_batch"),
])
def test_sequence_loss_rejects_average_and_sum_of_one_axis(flags, fragment):
    def build():
        sequence_loss(tf.zeros([2, 3, 4]), tf.zeros([2, 3], tf.int32), tf.ones([2, 3]),
                      **flags)

    assert fragment in _graph_error(build)


def test_list_losses_reject_lists_of_different_lengths():
    def build():
        legacy_seq2seq.sequence_loss([tf.zeros([2, 4])] * 3, [tf.zeros([2], tf.int32)] * 2,
                                     [tf.ones([2])] * 3)

    assert "Lengths of logits, weights, and targets must be the same 3, 3, 2" in _graph_error(
        build)


def test_tf_1_15_calls_softmax_loss_function_by_keyword():
    """A TF 0.x positional-only callback fails under TF 1.15's keyword call, as in TF 1.15."""
    def build():
        legacy_seq2seq.sequence_loss([tf.zeros([2, 4])], [tf.zeros([2], tf.int32)],
                                     [tf.ones([2])], softmax_loss_function=positional_only_loss)

    _graph_error(build, TypeError)


def test_nn_seq2seq_checks_num_decoder_symbols_against_the_logits():
    def build():
        nn_seq2seq.sequence_loss([tf.zeros([2, 4])], [tf.zeros([2], tf.int32)], [tf.ones([2])],
                                 6)

    message = _graph_error(build)
    assert "num_decoder_symbols=6" in message and "(2, 4)" in message


@pytest.mark.parametrize("call, fragment", [
    (lambda lists: nn_seq2seq.sequence_loss(*lists, 4, True, True, None, "n", "extra"),
     "at most 5 optional positional arguments in its TF early 0.x form"),
    (lambda lists: nn_seq2seq.sequence_loss_by_example(*lists, bogus=1),
     "unexpected keyword argument 'bogus'"),
    (lambda lists: nn_seq2seq.sequence_loss(*lists, True, average_across_timesteps=True),
     "multiple values for argument 'average_across_timesteps'"),
])
def test_nn_seq2seq_rejects_bad_calls_by_name(call, fragment):
    def build():
        call(([tf.zeros([2, 4])], [tf.zeros([2], tf.int32)], [tf.ones([2])]))

    assert fragment in _graph_error(build, TypeError)
