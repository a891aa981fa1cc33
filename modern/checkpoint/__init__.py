"""TF1 checkpoints <-> Keras 3 models, the RNN inferred from the checkpoint alone.

:func:`from_tf1_checkpoint` reads a TF1 checkpoint (a ``tf.compat.v1.train.Saver``
prefix, or a directory with a ``checkpoint`` file), works out the RNN from the
variables' names and shapes only, and returns
:func:`modern.models.build_keras_model`'s model with the weights loaded: it maps
``x`` [batch, time, input] to TF1's ``static_rnn`` outputs stacked on axis 1, plus
the final states and, with a readout, ``"logits"`` (see :mod:`modern.models`).
:func:`to_tf1_checkpoint` writes the reverse: a checkpoint a TF1 ``Saver`` restores
into the TF1 graph of the same spec. :func:`read_tf1_checkpoint` does the reading
and inference without building a model (``.spec`` is the inferred
:class:`~modern.models.RNNSpec`).

What the names and shapes say
-----------------------------
* Runner scope: the scope above the cells, e.g. ``rnn/`` (``static_rnn`` /
  ``dynamic_rnn``), ``RNN/`` (TF 0.x) or any scope the program gave; ``<scope>/fw/``
  and ``<scope>/bw/`` make it bidirectional (``bidirectional_rnn/`` in TF 1.x,
  ``BiRNN_FW/``/``BiRNN_BW/`` in TF 0.x). One RNN per checkpoint: when several
  scopes hold cells, pick one with ``scope=``.
* Stacking: ``multi_rnn_cell/cell_<i>/`` (TF 0.x ``MultiRNNCell/Cell<i>/``).
* Cell type: from the cell's scope name (``basic_rnn_cell``, ``basic_lstm_cell``,
  ``lstm_cell``, ``gru_cell``, ``layer_norm_basic_lstm_cell``); for any other scope
  name from the variables (``gates/`` + ``candidate/`` -> GRUCell, ``gamma``/``beta``
  -> LayerNormBasicLSTMCell, ``w_*_diag`` or ``projection/kernel`` -> LSTMCell);
  ``cell_type=`` overrides both.
* Options: units and input size from the kernel's shape ([input + H, k * units]),
  ``use_peepholes`` from ``w_f_diag``/``w_i_diag``/``w_o_diag``, ``num_proj`` from
  ``projection/kernel`` [units, num_proj], ``layer_norm`` from the ``gamma``/``beta``
  parts (a ``bias`` instead means ``layer_norm=False``).

Every variable under the runner scope must be one of the cells' variables with the
expected shape; anything else is an error naming it (and the expected shape).

Naming generations
------------------
Names are normalised to TF 1.2+'s before anything else, by one table of renames,
:data:`NAME_RENAMES` (data; :func:`normalize_name` applies it, :func:`tf1_name`
applies it backwards for the writer). The layouts are the same in all three
generations, so a rename is all it takes:

* TF 1.2+: ``kernel``/``bias`` (verified: what a TF1 ``Saver`` writes on TF 2.21).
* TF 1.0-1.1: ``weights``/``biases`` under the same snake_case scopes (cited:
  TF 1.2's ``contrib/rnn/python/tools/checkpoint_convert.py``,
  ``RNN_NAME_REPLACEMENTS``).
* TF 0.x: ``RNN/BasicLSTMCell/Linear/Matrix|Bias``, ``GRUCell/Gates|Candidate/
  Linear/...``, ``LSTMCell/W_0``, ``B``, ``W_F_diag``, ``W_I_diag``, ``W_O_diag``,
  ``W_P_0``, ``MultiRNNCell/Cell<i>/``, ``BiRNN_FW/``, ``BiRNN_BW/`` (cited: TF
  0.x ``tensorflow/python/ops/rnn_cell.py`` and ``rnn.py``). An ``LSTMCell`` built
  with ``num_unit_shards``/``num_proj_shards`` > 1 stored ``W_0, W_1, ...``
  (``W_P_0, ...``): row blocks, concatenated along axis 0 before the rename
  (:data:`SHARDED_VARIABLES`). ``LayerNormBasicLSTMCell`` only ever had snake_case
  names (``weights``/``biases`` before 1.2).

Not in a checkpoint (keyword arguments, TF1's defaults)
-------------------------------------------------------
``forget_bias=1.0`` (LSTM cells), ``cell_clip=None``, ``proj_clip=None``
(LSTMCell), ``activation="tanh"``, ``cell_type=None``: one value for every layer,
or a list with one entry per layer (None = the default). ``masked=False``: the
model takes ``sequence_length`` (TF1's ``sequence_length=``). ``steps=None``: a
fixed time dimension for the model's input. An unknown keyword is a TypeError.

Variables outside the RNN
-------------------------
A readout, optimizer slots, counters: listed in a ValueError unless

* ``readout=(weights_name, biases_name)`` names the readout (names as in the
  checkpoint, shapes [H, C] and [C] with H the RNN's output size): the model then
  has ``"logits" = outputs[:, -1] @ W + b`` (TF1's ``outputs[-1]``);
* ``ignore=[...]`` lists names or ``fnmatch`` globs to skip;
* ``ignore_optimizer_slots=True`` (the default) skips what TF1 optimizers add:
  names with a path segment ``Adam``, ``Adam_1``, ``Momentum``, ``RMSProp``,
  ``RMSProp_1``, ``Adagrad``, ``Adadelta``, ``Adadelta_1``, ``Ftrl``, ``Ftrl_1``
  (slots such as ``rnn/basic_lstm_cell/kernel/Adam``), and ``beta1_power``,
  ``beta2_power`` and ``global_step`` (with or without a scope before them, e.g.
  ``train/beta1_power``); see :data:`OPTIMIZER_SLOT_PATTERNS`. Pass False to have
  them reported instead.

The key ``_CHECKPOINTABLE_OBJECT_GRAPH`` (metadata of object-based checkpoints, not
a variable) is always skipped.

Limits: the Keras model is float32 (float64/float16 checkpoints are cast);
``MultiRNNCell([cell] * n)`` with one shared cell object (TF >= 1.2) stores one
variable set under ``cell_0`` and reads back as one layer; a ``MultiRNNCell`` of a
single cell reads back as that cell (same computation); the forward and backward
cells of a bidirectional RNN must be alike (one :class:`RNNSpec`).

The package, by responsibility: :mod:`~modern.checkpoint.naming` (the naming
generations), :mod:`~modern.checkpoint.reading` (opening a checkpoint: path, entries,
shards, runner scope, layout), :mod:`~modern.checkpoint.inference` (cell types, sizes
and options; :func:`read_tf1_checkpoint`) and :mod:`~modern.checkpoint.convert`
(:func:`from_tf1_checkpoint`, :func:`to_tf1_checkpoint`). Cell kinds and runners come
from :mod:`modern.spec`.

This module imports numpy only; TensorFlow and Keras load on first use.
"""
from modern.checkpoint.convert import _save, from_tf1_checkpoint, to_tf1_checkpoint
from modern.checkpoint.inference import TF1Checkpoint, read_tf1_checkpoint
from modern.checkpoint.naming import (
    NAME_RENAMES,
    NAMINGS,
    OPTIMIZER_SLOT_PATTERNS,
    SHARDED_VARIABLES,
    normalize_name,
    tf1_name,
)

__all__ = [
    "from_tf1_checkpoint",
    "to_tf1_checkpoint",
    "read_tf1_checkpoint",
    "TF1Checkpoint",
    "NAME_RENAMES",
    "SHARDED_VARIABLES",
    "OPTIMIZER_SLOT_PATTERNS",
    "NAMINGS",
    "normalize_name",
    "tf1_name",
]
