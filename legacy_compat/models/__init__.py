"""Mirror of ``tensorflow.models`` (TF 0.5-0.8): only ``models.rnn``."""
