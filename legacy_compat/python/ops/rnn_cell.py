"""Drop-in for ``tensorflow.python.ops.rnn_cell`` (TF 0.12-1.x): the cells."""
from legacy_compat.nn.rnn_cell import *  # noqa: F401,F403
from legacy_compat.nn.rnn_cell import __all__  # noqa: F401
