"""Mirror of ``tensorflow.contrib``: only the RNN parts tutorials used (``contrib.rnn``)."""
from legacy_compat.contrib import rnn  # noqa: F401
