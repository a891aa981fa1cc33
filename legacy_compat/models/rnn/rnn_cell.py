"""Drop-in for ``tensorflow.models.rnn.rnn_cell`` (TF 0.x): the cells."""
from legacy_compat.nn.rnn_cell import *  # noqa: F401,F403
from legacy_compat.nn.rnn_cell import __all__  # noqa: F401
