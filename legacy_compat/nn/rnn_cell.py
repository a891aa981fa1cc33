"""Drop-in for ``tf.nn.rnn_cell`` / ``tf.compat.v1.nn.rnn_cell`` (TF 1.x), and TF 0.x's
``tf.nn.rnn_cell``, which also held the projection and embedding wrappers (moved to
``tf.contrib.rnn`` in 1.0)."""
from legacy_compat.rnn_cell_impl import (  # noqa: F401
    BasicLSTMCell,
    BasicRNNCell,
    DeviceWrapper,
    DropoutWrapper,
    GRUCell,
    LSTMCell,
    LSTMStateTuple,
    MultiRNNCell,
    ResidualWrapper,
    RNNCell,
)
from legacy_compat._cells.projection import (  # noqa: F401  (TF 0.x's tf.nn.rnn_cell)
    EmbeddingWrapper,
    InputProjectionWrapper,
    OutputProjectionWrapper,
)

__all__ = [
    "RNNCell",
    "BasicRNNCell",
    "BasicLSTMCell",
    "LSTMCell",
    "GRUCell",
    "MultiRNNCell",
    "DropoutWrapper",
    "ResidualWrapper",
    "DeviceWrapper",
    "LSTMStateTuple",
    # TF 0.x
    "OutputProjectionWrapper",
    "InputProjectionWrapper",
    "EmbeddingWrapper",
]
