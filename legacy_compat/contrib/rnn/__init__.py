"""Drop-in for ``tensorflow.contrib.rnn`` (``from tensorflow.contrib import rnn``).

Provides what TF 1.x programs used from it: the core cells, contrib's
``LayerNormBasicLSTMCell``, the fused ``LSTMBlockCell`` and ``GRUBlockCell``, the wrappers
(``DropoutWrapper``, ``ResidualWrapper``, ``DeviceWrapper``, ``OutputProjectionWrapper``,
``InputProjectionWrapper``, ``EmbeddingWrapper``, ``AttentionCellWrapper``),
``LSTMStateTuple``, the static runners (``static_rnn``, ``static_bidirectional_rnn``,
``static_state_saving_rnn``) and the stacked bidirectional runners
(``stack_bidirectional_rnn``, ``stack_bidirectional_dynamic_rnn``).
"""
from legacy_compat._cells.attention_cell import AttentionCellWrapper  # noqa: F401
from legacy_compat._cells.fused import GRUBlockCell, LSTMBlockCell  # noqa: F401
from legacy_compat._cells.projection import (  # noqa: F401
    EmbeddingWrapper,
    InputProjectionWrapper,
    OutputProjectionWrapper,
)
from legacy_compat._cells.stack_rnn import (  # noqa: F401
    stack_bidirectional_dynamic_rnn,
    stack_bidirectional_rnn,
)
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
    "LSTMBlockCell",
    "GRUBlockCell",
    "OutputProjectionWrapper",
    "InputProjectionWrapper",
    "EmbeddingWrapper",
    "AttentionCellWrapper",
    "static_rnn",
    "static_bidirectional_rnn",
    "static_state_saving_rnn",
    "stack_bidirectional_rnn",
    "stack_bidirectional_dynamic_rnn",
]
