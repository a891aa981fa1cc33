"""Drop-in for ``tensorflow.models.rnn`` (TF 0.5-0.8): ``from ... import rnn, rnn_cell``."""
from legacy_compat.models.rnn import rnn, rnn_cell  # noqa: F401
