"""Drop-in for ``tensorflow.models.rnn.rnn`` (TF 0.x): ``rnn.rnn`` is ``static_rnn``."""
from legacy_compat.rnn import *  # noqa: F401,F403
from legacy_compat.rnn import __all__  # noqa: F401
