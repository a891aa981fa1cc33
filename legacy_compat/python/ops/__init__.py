"""Mirror of ``tensorflow.python.ops``: ``rnn`` and ``rnn_cell``."""
