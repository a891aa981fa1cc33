"""Keras 3 RNN cells computing TF1 cells that Keras 3 has no built-in equivalent for.

Importing this package registers the cells with Keras' serialization
(``package="modern"``), so ``.keras`` files that use them load with
``keras.saving.load_model`` once ``modern.cells`` has been imported.

* :class:`TF1LSTMCell`: TF1 ``LSTMCell`` (peepholes, cell_clip, num_proj, proj_clip).
* :class:`TF1LayerNormLSTMCell`: contrib ``LayerNormBasicLSTMCell``.

Use them inside ``keras.layers.RNN``. Their states are ordered [c, h] like TF1's
``LSTMStateTuple``, not [h, c] like ``keras.layers.LSTM``.
"""
from modern.cells.layer_norm_lstm_cell import TF1LayerNormLSTMCell
from modern.cells.tf1_lstm_cell import TF1LSTMCell

__all__ = ["TF1LSTMCell", "TF1LayerNormLSTMCell"]

# The layers that modern.models puts around the cells (readout, sequence_length mask)
# are registered for .keras files by importing them, so one import loads any model.
import modern.layers  # noqa: E402,F401
