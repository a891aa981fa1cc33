"""Mirror of ``tf.nn``'s RNN parts: ``legacy_compat.nn.rnn_cell``."""
from legacy_compat.nn import rnn_cell  # noqa: F401
