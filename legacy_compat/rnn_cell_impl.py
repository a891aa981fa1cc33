"""TF1 RNN cells (``tf.nn.rnn_cell`` / ``tf.contrib.rnn``) for TensorFlow 2.16+ with Keras 3.

On TensorFlow 2.16+ every ``tf.compat.v1.nn.rnn_cell`` class raises "not available
with Keras 3", because TF1's cells were Keras-2 layers. The classes here are plain
Python objects that follow the RNNCell protocol used by ``tf.compat.v1.nn``'s
``static_rnn``, ``dynamic_rnn``, ``static_bidirectional_rnn`` and
``bidirectional_dynamic_rnn`` (``state_size``, ``output_size``, ``zero_state`` and
``__call__(inputs, state, scope=None)``). They never import Keras or tf-keras.

Faithfulness to TF1 (checked by the oracle tests against tf-keras' copy of the
original TF1 code):

* Variable names: the cell captures its variable scope on its first call exactly
  like TF1's ``tf.layers.Layer`` did (``variable_scope(None, default_name=<snake
  case class name>)``, so ``rnn/basic_lstm_cell/kernel``,
  ``bidirectional_rnn/fw/...``, ``rnn/multi_rnn_cell/cell_0/...``, and
  ``basic_lstm_cell_1`` for a second cell in the same scope), then re-enters it
  with ``reuse=True`` on later calls. A TF1 checkpoint therefore restores with
  ``tf.compat.v1.train.Saver``.
* Variable shapes, initialisers and the arithmetic (operation by operation) are
  TF1's, so outputs agree with the original cells to the last bit or within a
  few float32 ulps.

The implementation lives in :mod:`legacy_compat._cells`, one module per cell family;
this module is TF1's path (``tensorflow/python/ops/rnn_cell_impl.py``) and re-exports
it, helpers included.
"""

from legacy_compat._cells.base import (  # noqa: F401
    _ACTIVATIONS,
    _BIAS_VARIABLE_NAME,
    _WEIGHTS_VARIABLE_NAME,
    LayerRNNCell,
    LSTMStateTuple,
    RNNCell,
    _check_rnn_cell_input_dtypes,
    _concat,
    _get_activation,
    _hasattr,
    _LSTMStateTupleBase,
    _zero_state_tensors,
    assert_like_rnncell,
    check_supported_dtype,
)
from legacy_compat._cells.basic import BasicRNNCell, GRUCell  # noqa: F401
from legacy_compat._cells.lstm import BasicLSTMCell, LayerNormBasicLSTMCell, LSTMCell  # noqa: F401
from legacy_compat._cells.multi import MultiRNNCell  # noqa: F401
from legacy_compat._cells.wrappers import (  # noqa: F401
    DeviceWrapper,
    DropoutWrapper,
    ResidualWrapper,
    _default_dropout_state_filter_visitor,
    _enumerated_map_structure_up_to,
    _nest_internal,
    _RNNCellWrapper,
)

__all__ = [
    "RNNCell",
    "LayerRNNCell",
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
]
