"""Drop-in for ``tensorflow.python.ops.rnn`` (TF 0.12-1.x): the RNN runners."""
from legacy_compat.rnn import *  # noqa: F401,F403
from legacy_compat.rnn import __all__  # noqa: F401
