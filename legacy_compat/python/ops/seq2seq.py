"""Mirror of TF 0.x's ``tensorflow.python.ops.seq2seq`` (``tf.nn.seq2seq``): re-exports."""
from legacy_compat.contrib.legacy_seq2seq.nn_seq2seq import *  # noqa: F401,F403
from legacy_compat.contrib.legacy_seq2seq.nn_seq2seq import __all__  # noqa: F401
