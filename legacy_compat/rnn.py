"""TF1's RNN runners, re-exported: they accept legacy_compat's cells.

``tf.compat.v1.nn.static_rnn``, ``dynamic_rnn``, ``static_bidirectional_rnn``,
``bidirectional_dynamic_rnn``, ``raw_rnn`` and ``static_state_saving_rnn`` still
exist in TensorFlow 2.16+ and work in graph mode with any object that follows the
RNNCell protocol; only the Keras-2 based cells are gone. These are the very same
function objects (no wrapper), so their behaviour, variable scopes (``rnn``,
``bidirectional_rnn/fw``, ``bidirectional_rnn/bw``) and errors are TF1's.

TF 0.x names are kept as aliases: ``rnn`` (= ``static_rnn``) and
``bidirectional_rnn`` (= ``static_bidirectional_rnn``).
"""
import tensorflow as tf

_nn = tf.compat.v1.nn

static_rnn = _nn.static_rnn
dynamic_rnn = _nn.dynamic_rnn
static_bidirectional_rnn = _nn.static_bidirectional_rnn
bidirectional_dynamic_rnn = _nn.bidirectional_dynamic_rnn
raw_rnn = _nn.raw_rnn
static_state_saving_rnn = _nn.static_state_saving_rnn

# TF 0.x spellings (tf.nn.rnn, tf.nn.bidirectional_rnn, models.rnn.rnn.rnn).
rnn = static_rnn
bidirectional_rnn = static_bidirectional_rnn

__all__ = [
    "static_rnn",
    "dynamic_rnn",
    "static_bidirectional_rnn",
    "bidirectional_dynamic_rnn",
    "raw_rnn",
    "static_state_saving_rnn",
    "rnn",
    "bidirectional_rnn",
]
