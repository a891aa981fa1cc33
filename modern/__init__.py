"""modern: the Keras 3 side of the migration kit.

What a TF1 RNN becomes in Keras 3, and the exact weight maps between the two:

* Cells for what Keras 3 has no built-in for (``modern.cells``; use them inside
  ``keras.layers.RNN``; written with ``keras.ops``, so any Keras backend runs them;
  registered for ``.keras`` files under the package name ``"modern"``):

  - :class:`TF1LSTMCell`: TF1's ``LSTMCell`` with peepholes, ``cell_clip``,
    ``num_proj``/``proj_clip`` and a run-time ``forget_bias``, in TF1's weight layout.
  - :class:`TF1LayerNormLSTMCell`: contrib's ``LayerNormBasicLSTMCell`` (layer-norm
    epsilon 1e-12, not Keras' 1e-3; recurrent dropout not implemented).

  Both keep TF1's state order ``[c, h]`` (``keras.layers.LSTM`` uses ``[h, c]``).

* Weight maps (``modern.weights``, numpy only): :func:`tf1_to_keras` /
  :func:`keras_to_tf1` for BasicRNNCell <-> ``SimpleRNN``, BasicLSTMCell and plain
  LSTMCell <-> ``LSTM`` (gate reorder, ``forget_bias`` folded into the bias),
  GRUCell <-> ``GRU(reset_after=False)`` (``reset_after=True`` has no exact map),
  LSTMCell with peepholes/clip/projection <-> ``TF1LSTMCell`` and
  LayerNormBasicLSTMCell <-> ``TF1LayerNormLSTMCell``; helpers for bidirectional
  layers and ``MultiRNNCell`` stacks, shape tables and :func:`scope_variables`.

``import modern`` registers the cells and layers with Keras' serialization, so
``keras.saving.load_model`` loads any ``.keras`` file this package wrote once
``modern`` is imported (this imports Keras; ``modern.weights`` alone is numpy only).

* Models of whole TF1 pipelines (``modern.models``): :class:`RNNSpec` /
  :class:`CellSpec` describe a TF1 RNN (cells, stack, direction, sequence_length,
  readout); :func:`build_keras_model` returns its Keras 3 model, whose outputs are
  TF1's (stacked outputs, final states in TF1's order, logits);
  :func:`set_tf1_weights` / :func:`get_tf1_weights` move TF1-named variables in and out.
* Optimizers (``modern.optimizers``): :class:`TF1RMSprop` (TF1's RMSProp: mean square
  starts at 1.0, epsilon inside the sqrt) and the table of TF1 optimizers, gradient
  clipping and learning-rate schedules -> Keras 3, each entry proven by a registry pair.
* Checkpoints (``modern.checkpoint``): :func:`from_tf1_checkpoint` and
  :func:`to_tf1_checkpoint`.

This package never imports ``tools`` nor ``tf_keras``.
"""
from modern.weights import (
    CELL_TYPES,
    KERAS_TARGETS,
    TF1_SCOPES,
    bidirectional_keras_to_tf1,
    bidirectional_tf1_to_keras,
    default_target,
    keras_to_tf1,
    keras_weight_shapes,
    scope_variables,
    stack_keras_to_tf1,
    stack_tf1_to_keras,
    tf1_to_keras,
    tf1_variable_shapes,
)

__version__ = "0.1.0"

__all__ = [
    "TF1LSTMCell",
    "TF1LayerNormLSTMCell",
    "CELL_TYPES",
    "KERAS_TARGETS",
    "TF1_SCOPES",
    "default_target",
    "tf1_variable_shapes",
    "keras_weight_shapes",
    "tf1_to_keras",
    "keras_to_tf1",
    "bidirectional_tf1_to_keras",
    "bidirectional_keras_to_tf1",
    "stack_tf1_to_keras",
    "stack_keras_to_tf1",
    "scope_variables",
]


# The Keras 3 cells and layers, imported here so that ``import modern`` is all a
# ``keras.saving.load_model`` call on a ``.keras`` file that uses them needs (importing
# them is what registers them for deserialization). This imports Keras.
from modern.cells import TF1LayerNormLSTMCell, TF1LSTMCell  # noqa: E402
from modern.layers import LastTimeStep, SequenceMask  # noqa: E402
# TF1's optimizers where Keras' differ (TF1RMSprop), and the TF1 optimizer/clipping/schedule
# table the porter reads; importing registers them for .keras files too.
from modern.optimizers import TF1RMSprop  # noqa: E402

# TF1 checkpoints <-> Keras 3 models (modern.checkpoint; numpy-only import, TF on first use).
from modern.checkpoint import from_tf1_checkpoint, to_tf1_checkpoint  # noqa: E402
# Keras models of TF1 pipelines (numpy-only import; Keras loads when a model is built).
from modern.models import (  # noqa: E402
    CellSpec,
    RNNSpec,
    build_keras_model,
    get_tf1_weights,
    set_tf1_weights,
)

__all__ += ["from_tf1_checkpoint", "to_tf1_checkpoint", "CellSpec", "RNNSpec",
            "build_keras_model", "set_tf1_weights", "get_tf1_weights", "LastTimeStep",
            "SequenceMask", "TF1RMSprop"]
