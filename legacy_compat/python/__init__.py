"""Mirror of ``tensorflow.python`` paths that TF 0.12/1.0 RNN code imported."""
