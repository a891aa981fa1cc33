"""TF 1.15's ``tf.contrib.seq2seq.sequence_loss`` (``contrib/seq2seq/python/ops/loss.py``).

The same ops in the same order as TF 1.15: the sparse softmax cross-entropy of every
(batch, time) position, times its weight, then reduced as the four flags say:

=====================================  ===========================================  ======
flags set (the others False)           result                                       shape
=====================================  ===========================================  ======
average_across_timesteps and _batch    sum(ce * w) / sum(w)   (the default)          []
sum_over_timesteps and sum_over_batch  sum(ce * w) / count_nonzero(w)                []
average_across_timesteps               sum_t(ce * w) / sum_t(w)                      [B]
average_across_batch                   sum_b(ce * w) / sum_b(w)                      [T]
sum_over_timesteps                     sum_t(ce * w) / count_nonzero_t(w)            [B]
sum_over_batch                         sum_b(ce * w) / count_nonzero_b(w)            [T]
none                                   ce * w                                        [B, T]
=====================================  ===========================================  ======

Every division is ``div_no_nan`` (0 where the divisor is 0), as in TF 1.13+ (TF 1.0-1.12
added 1e-12 to the divisor and had no ``sum_over_*`` flags). A ``softmax_loss_function``
is called with the keywords ``labels=`` (the flattened targets, [B*T]) and ``logits=``
(the flattened logits, [B*T, C]), as TF 1.15 did. TF 1.15's ``SequenceLoss`` (a Keras
``Loss`` subclass) is not provided: legacy_compat never imports Keras.
"""
import tensorflow as tf

__all__ = ["sequence_loss"]


def _check_rank(tensor, rank, message):
    ndims = tensor.shape.ndims
    if ndims != rank:
        raise ValueError(f"{message}. Received: a tensor of shape {tensor.get_shape()} "
                         f"(rank {ndims}); expected rank {rank}.")


def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                  average_across_batch=True, sum_over_timesteps=False, sum_over_batch=False,
                  softmax_loss_function=None, name=None):
    """Weighted cross-entropy loss for a sequence of logits (TF 1.15 semantics).

    Args:
      logits: [batch_size, sequence_length, num_decoder_symbols] float tensor.
      targets: [batch_size, sequence_length] int tensor, the true class at each step.
      weights: [batch_size, sequence_length] float tensor (e.g. a 0/1 padding mask).
      average_across_timesteps: sum over time and divide by the total weight over time.
      average_across_batch: sum over the batch and divide by the total weight over it.
      sum_over_timesteps: sum over time and divide by the number of non-zero weights.
      sum_over_batch: sum over the batch and divide by the number of non-zero weights.
      softmax_loss_function: ``f(labels=..., logits=...) -> [B*T]`` losses, used instead
        of ``sparse_softmax_cross_entropy_with_logits``.
      name: name scope of the ops (default ``"sequence_loss"``).

    Returns:
      A float tensor of rank 0, 1 or 2 (see the module docstring's table).

    Raises:
      ValueError: a rank is wrong (logits 3, targets 2, weights 2), or an
        ``average_across_*`` flag and the ``sum_over_*`` flag of the same axis are both set.
    """
    logits, targets, weights = (tf.convert_to_tensor(value, name=label) for value, label in
                                ((logits, "logits"), (targets, "targets"), (weights, "weights")))
    _check_rank(logits, 3, "Logits must be a [batch_size x sequence_length x logits] tensor")
    _check_rank(targets, 2, "Targets must be a [batch_size x sequence_length] tensor")
    _check_rank(weights, 2, "Weights must be a [batch_size x sequence_length] tensor")
    if average_across_timesteps and sum_over_timesteps:
        raise ValueError("average_across_timesteps and sum_over_timesteps cannot be set to "
                         "True at same time. Set at most one of them per axis.")
    if average_across_batch and sum_over_batch:
        raise ValueError("average_across_batch and sum_over_batch cannot be set to True at "
                         "same time. Set at most one of them per axis.")
    with tf.compat.v1.name_scope(name, "sequence_loss", [logits, targets, weights]):
        num_classes = tf.shape(logits)[2]
        logits_flat = tf.reshape(logits, [-1, num_classes])
        targets = tf.reshape(targets, [-1])
        if softmax_loss_function is None:
            crossent = tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=targets, logits=logits_flat)
        else:
            crossent = softmax_loss_function(labels=targets, logits=logits_flat)
        crossent *= tf.reshape(weights, [-1])
        if average_across_timesteps and average_across_batch:
            crossent = tf.reduce_sum(crossent)
            total_size = tf.reduce_sum(weights)
            crossent = tf.math.divide_no_nan(crossent, total_size)
        elif sum_over_timesteps and sum_over_batch:
            crossent = tf.reduce_sum(crossent)
            total_count = tf.cast(tf.math.count_nonzero(weights), crossent.dtype)
            crossent = tf.math.divide_no_nan(crossent, total_count)
        else:
            crossent = tf.reshape(crossent, tf.shape(logits)[0:2])
            if average_across_timesteps or average_across_batch:
                reduce_axis = [0] if average_across_batch else [1]
                crossent = tf.reduce_sum(crossent, axis=reduce_axis)
                total_size = tf.reduce_sum(weights, axis=reduce_axis)
                crossent = tf.math.divide_no_nan(crossent, total_size)
            elif sum_over_timesteps or sum_over_batch:
                reduce_axis = [0] if sum_over_batch else [1]
                crossent = tf.reduce_sum(crossent, axis=reduce_axis)
                total_count = tf.cast(tf.math.count_nonzero(weights, axis=reduce_axis),
                                      dtype=crossent.dtype)
                crossent = tf.math.divide_no_nan(crossent, total_count)
        return crossent
