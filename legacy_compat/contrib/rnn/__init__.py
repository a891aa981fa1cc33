"""Drop-in for ``tensorflow.contrib.rnn`` (``from tensorflow.contrib import rnn``).

Provides what TF 1.x tutorials used from it: the core cells, contrib's
``LayerNormBasicLSTMCell``, the wrappers, ``LSTMStateTuple`` and the static
runners (``static_rnn``, ``static_bidirectional_rnn``, ``static_state_saving_rnn``).
"""
from legacy_compat.rnn import (  # noqa: F401
    static_bidirectional_rnn,
    static_rnn,
    static_state_saving_rnn,
)
from legacy_compat.rnn_cell_impl import (  # noqa: F401
    BasicLSTMCell,
    BasicRNNCell,
    DeviceWrapper,
    DropoutWrapper,
    GRUCell,
    LayerNormBasicLSTMCell,
    LSTMCell,
    LSTMStateTuple,
    MultiRNNCell,
    ResidualWrapper,
    RNNCell,
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
    "LayerNormBasicLSTMCell",
    "static_rnn",
    "static_bidirectional_rnn",
    "static_state_saving_rnn",
]
