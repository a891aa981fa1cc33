"""The implementation of :mod:`legacy_compat.rnn_cell_impl`, one module per cell family.

* :mod:`.base`: ``RNNCell``, ``LayerRNNCell``, ``LSTMStateTuple`` and the shared helpers;
* :mod:`.basic`: ``BasicRNNCell``, ``GRUCell``;
* :mod:`.lstm`: ``BasicLSTMCell``, ``LSTMCell``, contrib's ``LayerNormBasicLSTMCell``;
* :mod:`.multi`: ``MultiRNNCell``;
* :mod:`.wrappers`: ``DropoutWrapper``, ``ResidualWrapper``, ``DeviceWrapper``;
* contrib's: :mod:`.projection` (``OutputProjectionWrapper``, ``InputProjectionWrapper``,
  ``EmbeddingWrapper``), :mod:`.fused` (``LSTMBlockCell``, ``GRUBlockCell``),
  :mod:`.attention_cell` (``AttentionCellWrapper``), :mod:`.stack_rnn`
  (``stack_bidirectional_rnn``, ``stack_bidirectional_dynamic_rnn``).

Import the cells from :mod:`legacy_compat.rnn_cell_impl` (TF1's module path) or a
mirror module (``legacy_compat.nn.rnn_cell``, ``legacy_compat.contrib.rnn``), not
from here.
"""
