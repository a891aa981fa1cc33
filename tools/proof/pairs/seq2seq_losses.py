"""Migration pair ``tf.contrib.seq2seq.sequence_loss`` -> Keras' SparseCategoricalCrossentropy.

TF 1.15's ``sequence_loss(logits, targets, weights)`` is the masked mean of the sparse
softmax cross-entropies, ``sum(ce * w) / sum(w)``. Keras 3's
``SparseCategoricalCrossentropy(from_logits=True)(targets, logits, sample_weight=weights)``
computes the same ``ce * w`` per position; what differs is the divisor, i.e. the reduction:

=========================================================  ====================================
TF1 flags (the others False)                               Keras ``reduction``
=========================================================  ====================================
``average_across_timesteps`` and ``average_across_batch``  ``"mean_with_sample_weight"``:
(the default): ``sum(ce * w) / sum(w)``                    ``sum(ce * w) / sum(w)``, exact
both False: ``ce * w``, shape [B, T]                       ``"none"``, exact
``sum_over_timesteps`` and ``sum_over_batch``:             ``"sum_over_batch_size"``
``sum(ce * w) / count_nonzero(w)``                         (``/ (B * T)``) only if no weight is 0
one axis only ([B] or [T] results)                         ``"none"``, then sum over the axis and
                                                           divide by the weights' sum over it
=========================================================  ====================================

Keras' DEFAULT reduction, ``"sum_over_batch_size"``, divides by the number of positions
``B * T``, not by ``sum(w)``: with a padding mask it is smaller by ``sum(w) / (B * T)``
(:data:`tools.proof.limitations.SEQUENCE_LOSS_DEFAULT_REDUCTION` measures it). Both
divisions are ``div_no_nan``: an all-zero mask gives 0 on both sides.

The proof (seeded sizes, logits, targets and a weight mask with zeros and non-binary
weights) compares the loss and its gradient w.r.t. the logits for the default flags
(``"mean_with_sample_weight"``) and for both flags False (``"none"``).
"""
import numpy as np
import tensorflow as tf

from tools.proof import limitations as lim
from tools.proof.pair import KerasSide, MigrationPair
from tools.proof.report import compare
from tools.proof.tolerances import Tolerance
from tools.proof.pipelines import new_session

_v1 = tf.compat.v1

# (check suffix, TF1 sequence_loss flags, Keras reduction)
CASES = (
    ("default", {}, "mean_with_sample_weight"),
    ("none", {"average_across_timesteps": False, "average_across_batch": False}, "none"),
)


def draw_problem(seed):
    """``(logits [B, T, C] float32, targets [B, T] int32, weights [B, T] float32)``: a
    padding-like mask (some zeros) times weights that are not all 1."""
    rng = np.random.default_rng(seed)
    batch, steps, classes = (int(n) for n in rng.integers(2, 6, size=3))
    logits = rng.normal(size=(batch, steps, classes)).astype(np.float32)
    targets = rng.integers(0, classes, size=(batch, steps)).astype(np.int32)
    mask = rng.random((batch, steps)) < 0.7
    mask[0, 0] = True  # at least one position counts
    weights = (mask * rng.uniform(0.5, 2.0, size=(batch, steps))).astype(np.float32)
    return logits, targets, weights


def tf1_sequence_loss(logits, targets, weights, flags_list):
    """TF1's loss and d loss / d logits (of the sum, for a non-scalar loss), per flags."""
    from legacy_compat.contrib.seq2seq import sequence_loss

    graph = tf.Graph()
    with graph.as_default():
        logits_in = _v1.placeholder(tf.float32, [None, None, None])
        fetches = []
        for flags in flags_list:
            loss = sequence_loss(logits_in, tf.constant(targets), tf.constant(weights), **flags)
            fetches.append((loss, tf.gradients(loss, logits_in)[0]))
        with new_session(graph) as session:
            return session.run(fetches, {logits_in: logits})


def keras_sparse_crossentropy(logits, targets, weights, reduction):
    """Keras 3's loss and its gradient w.r.t. the logits (of the sum, if not scalar)."""
    import keras

    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=reduction)
    logits_tensor = tf.constant(logits)
    with tf.GradientTape() as tape:
        tape.watch(logits_tensor)
        loss = loss_fn(targets, logits_tensor, sample_weight=weights)
    return np.asarray(loss), np.asarray(tape.gradient(loss, logits_tensor))


def _equivalence(seed):
    logits, targets, weights = draw_problem(seed)
    tf1 = tf1_sequence_loss(logits, targets, weights, [flags for _, flags, _ in CASES])
    tolerance = Tolerance()
    context = {"logits shape": logits.shape, "zero weights": int((weights == 0).sum())}
    reports = {}
    for (name, _, reduction), (tf1_loss, tf1_gradient) in zip(CASES, tf1):
        keras_loss, keras_gradient = keras_sparse_crossentropy(logits, targets, weights,
                                                               reduction)
        case = dict(context, reduction=reduction)
        reports[f"outputs/{name}"] = compare({"loss": tf1_loss}, {"loss": keras_loss},
                                             atol=tolerance.outputs, title="loss", context=case)
        reports[f"gradients/{name}"] = compare(
            {"d loss / d logits": tf1_gradient}, {"d loss / d logits": keras_gradient},
            atol=tolerance.gradients, title="gradient", context=case)
    return reports


_SIDE = KerasSide(
    layer="keras.losses.SparseCategoricalCrossentropy",
    settings={"from_logits": True, "reduction": "mean_with_sample_weight"},
    reasons={
        "from_logits": "TF1 passes unnormalised logits to sparse_softmax_cross_entropy_with_"
                       "logits; Keras' default from_logits=False expects probabilities",
        "reduction": "TF1's default divides sum(ce * w) by sum(w); Keras' default "
                     "'sum_over_batch_size' divides by the number of positions B * T",
    },
    weight_map_doc="none (no variables)",
    notes=(
        "loss_fn(targets, logits, sample_weight=weights): TF1's (logits, targets, weights) "
        "order becomes Keras' (y_true, y_pred, sample_weight)",
        "average_across_timesteps=False, average_across_batch=False: reduction='none' "
        "(TF1's [B, T] ce * w)",
        "one averaged axis ([B] or [T]): reduction='none', then sum over that axis and "
        "divide by the weights' sum over it",
        "sum_over_timesteps and sum_over_batch (sum / count_nonzero(w)): "
        "'sum_over_batch_size' only when no weight is 0",
        "softmax_loss_function=f: a custom Keras loss computing f(labels=..., logits=...)",
    ),
)

PAIRS = (
    MigrationPair(
        name="sequence_loss",
        legacy_names=("sequence_loss",),
        tf1_api="tf.contrib.seq2seq.sequence_loss(logits, targets, weights)",
        tf_versions="1.0-1.15 (tf.contrib.seq2seq; sum_over_timesteps/sum_over_batch and "
                    "div_no_nan in late 1.x, as 1.15)",
        keras=_SIDE,
        configs=None,
        limitations=(lim.SEQUENCE_LOSS_DEFAULT_REDUCTION,),
        equivalence=_equivalence,
    ),
)
