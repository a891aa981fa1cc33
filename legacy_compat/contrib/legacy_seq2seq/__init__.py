"""Drop-in for ``tensorflow.contrib.legacy_seq2seq`` (``tf.contrib.legacy_seq2seq``, TF 1.0-1.15).

TF 1.15's functions (:mod:`legacy_compat.contrib.legacy_seq2seq.seq2seq`, whose docstring
lists every default scope and variable name) on legacy_compat's cells. TF 0.x's
``tf.nn.seq2seq``, the same functions with 0.x's loss conventions, is
:mod:`legacy_compat.contrib.legacy_seq2seq.nn_seq2seq` (``import legacy_compat.v1 as tf``
serves it as ``tf.nn.seq2seq``).
"""
from legacy_compat.contrib.legacy_seq2seq import nn_seq2seq  # noqa: F401
from legacy_compat.contrib.legacy_seq2seq.seq2seq import *  # noqa: F401,F403
from legacy_compat.contrib.legacy_seq2seq.seq2seq import __all__  # noqa: F401
