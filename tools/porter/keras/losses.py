"""The losses ``port --to keras`` ports: one table, TF1 loss -> Keras loss.

Each :class:`LossPort` says how the recogniser spells the TF1 loss
(:func:`tools.porter.keras.recognize.loss_optimizer.find_loss`), the Keras loss and
metrics ``compile_model`` gets, the TF1 code the generated test rebuilds it with, and the
labels that test draws. Adding a loss is adding an entry here (and its spelling to the
recogniser).
"""
import dataclasses
from types import MappingProxyType

__all__ = ["LossPort", "LOSSES"]


@dataclasses.dataclass(frozen=True)
class LossPort:
    name: str
    tf1_spellings: tuple  # how TF1 programs wrote it
    keras: str  # the Keras loss, as code
    metrics: str  # the metrics of compile_model, as code ("[]": none)
    tf1: str  # the TF1 loss of the generated test: ``{logits}`` and ``{labels}`` filled in
    labels: str  # what the generated test draws: "one_hot" classes, "class_ids", "values"
    why: str  # why the Keras loss is TF1's
    # compile's loss_weights, as code ({scale}: the recognised loss_scale), or None
    loss_weights: str = None


LOSSES = MappingProxyType({loss.name: loss for loss in (
    LossPort(
        "softmax_cross_entropy",
        ("tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=, labels=))",
         "..._v2, 0.x positional (logits, labels)"),
        "keras.losses.CategoricalCrossentropy(from_logits=True)",
        '[keras.metrics.CategoricalAccuracy(name="accuracy")]',
        "tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(\n"
        "        labels={labels}, logits={logits}))",
        "one_hot",
        "the mean over the batch of -sum(labels * log_softmax(logits)): TF1's reduce_mean "
        "of its per-example cross-entropy"),
    LossPort(
        "sparse_softmax_cross_entropy",
        ("tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=, logits=))",
         "tf.contrib.seq2seq.sequence_loss(logits, targets, tf.ones(...))"),
        "keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
        '[keras.metrics.SparseCategoricalAccuracy(name="accuracy")]',
        "tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(\n"
        "        labels={labels}, logits={logits}))",
        "class_ids",
        "the mean over every label (each example, or each step of each sequence) of "
        "-log_softmax(logits)[label]: TF1's reduce_mean of its sparse cross-entropy, and "
        "sequence_loss with weights of ones (sum(loss * 1) / sum(1))"),
    LossPort(
        "per_sequence_sparse_cross_entropy",
        ("tf.reduce_sum(legacy_seq2seq.sequence_loss_by_example([logits], [targets], "
         "[tf.ones(...)])) / batch_size",),
        'keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")',
        '[keras.metrics.SparseCategoricalAccuracy(name="accuracy")]',
        "tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(\n"
        "        labels={labels}, logits={logits})) / {scale}",
        "class_ids",
        "the sum over every step of every example of -log_softmax(logits)[label], times "
        "loss_weights = 1 / the program's batch-size constant: TF1's reduce_sum of "
        "sequence_loss_by_example with weights of ones divided by that constant (for any "
        "batch size)",
        loss_weights="1.0 / {scale!r}"),
    LossPort(
        "mean_squared_error",
        ("tf.reduce_mean(tf.square(pred - y))", "tf.reduce_mean(tf.square(y - pred))",
         "tf.reduce_mean(tf.squared_difference(pred, y))",
         "tf.losses.mean_squared_error(labels, predictions)"),
        "keras.losses.MeanSquaredError()",
        "[]",
        "tf.reduce_mean(tf.square({logits} - {labels}))",
        "values",
        "Keras' mean over the last axis, then over the batch, is the mean over all "
        "elements (every row has the same size): TF1's reduce_mean of the squares"),
)})
