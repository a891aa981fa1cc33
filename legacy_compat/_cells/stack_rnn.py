"""contrib's stacked bidirectional runners (TF 1.15 ``tensorflow/contrib/rnn/python/ops/rnn.py``):
``stack_bidirectional_rnn`` and ``stack_bidirectional_dynamic_rnn``.

Layer ``i`` runs ``cells_fw[i]`` and ``cells_bw[i]`` over the previous layer's
depth-concatenated forward and backward outputs, with TF's own
``static_bidirectional_rnn`` / ``bidirectional_dynamic_rnn``. Scopes, as TF1 made them:

* ``stack_bidirectional_dynamic_rnn``: ``stack_bidirectional_rnn/cell_<i>/bidirectional_rnn/
  fw/<cell scope>/...`` and ``.../bw/...``;
* ``stack_bidirectional_rnn``: ``stack_bidirectional_rnn/cell_<i>/fw/<cell scope>/...`` (TF1
  passed the ``cell_<i>`` scope itself as the bidirectional runner's scope, so there is no
  ``bidirectional_rnn`` level).

``scope`` replaces ``stack_bidirectional_rnn``. Both return ``(outputs, output_states_fw,
output_states_bw)``, the states one per layer.
"""
import tensorflow as tf

_v1 = tf.compat.v1
_nn = _v1.nn


def _check_layers(cells_fw, cells_bw, initial_states_fw, initial_states_bw, owner):
    """TF1's argument checks (ValueError), with what was received."""
    if not cells_fw:
        raise ValueError(f"{owner}: must specify at least one fw cell; received {cells_fw!r}.")
    if not cells_bw:
        raise ValueError(f"{owner}: must specify at least one bw cell; received {cells_bw!r}.")
    for name, cells in (("cells_fw", cells_fw), ("cells_bw", cells_bw)):
        if not isinstance(cells, list):
            raise ValueError(f"{owner}: {name} must be a list of RNNCells (one per layer); "
                             f"received {type(cells).__name__}.")
    if len(cells_fw) != len(cells_bw):
        raise ValueError(f"{owner}: forward and backward cells must have the same depth; "
                         f"received {len(cells_fw)} fw and {len(cells_bw)} bw cells.")
    for name, states in (("initial_states_fw", initial_states_fw),
                         ("initial_states_bw", initial_states_bw)):
        if states is not None and (not isinstance(states, list) or len(states) != len(cells_fw)):
            raise ValueError(f"{owner}: {name} must be a list of state tensors (one per layer, "
                             f"{len(cells_fw)}); received {states!r}.")


def _layer_states(initial_states, i):
    return initial_states[i] if initial_states else None


def stack_bidirectional_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None,
                            initial_states_bw=None, dtype=None, sequence_length=None,
                            scope=None):
    """Stacked ``static_bidirectional_rnn``: ``inputs`` is a length-T list of
    [batch, depth] tensors; returns the length-T list of the last layer's
    concatenated outputs and the per-layer final states of each direction."""
    _check_layers(cells_fw, cells_bw, initial_states_fw, initial_states_bw,
                  "stack_bidirectional_rnn")
    states_fw, states_bw = [], []
    prev_layer = inputs
    with _v1.variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with _v1.variable_scope("cell_%d" % i) as cell_scope:
                prev_layer, state_fw, state_bw = _nn.static_bidirectional_rnn(
                    cell_fw, cell_bw, prev_layer,
                    initial_state_fw=_layer_states(initial_states_fw, i),
                    initial_state_bw=_layer_states(initial_states_bw, i),
                    sequence_length=sequence_length, dtype=dtype, scope=cell_scope)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return prev_layer, tuple(states_fw), tuple(states_bw)


def stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, inputs, initial_states_fw=None,
                                    initial_states_bw=None, dtype=None, sequence_length=None,
                                    parallel_iterations=None, time_major=False, scope=None,
                                    swap_memory=False):
    """Stacked ``bidirectional_dynamic_rnn``: ``inputs`` is [batch, time, depth] ([time,
    batch, depth] with ``time_major``); returns the last layer's outputs concatenated on
    the last axis, and the per-layer final states of each direction."""
    _check_layers(cells_fw, cells_bw, initial_states_fw, initial_states_bw,
                  "stack_bidirectional_dynamic_rnn")
    states_fw, states_bw = [], []
    prev_layer = inputs
    with _v1.variable_scope(scope or "stack_bidirectional_rnn"):
        for i, (cell_fw, cell_bw) in enumerate(zip(cells_fw, cells_bw)):
            with _v1.variable_scope("cell_%d" % i):
                outputs, (state_fw, state_bw) = _nn.bidirectional_dynamic_rnn(
                    cell_fw, cell_bw, prev_layer,
                    initial_state_fw=_layer_states(initial_states_fw, i),
                    initial_state_bw=_layer_states(initial_states_bw, i),
                    sequence_length=sequence_length, parallel_iterations=parallel_iterations,
                    dtype=dtype, swap_memory=swap_memory, time_major=time_major)
                prev_layer = tf.concat(outputs, 2)
            states_fw.append(state_fw)
            states_bw.append(state_bw)
    return prev_layer, tuple(states_fw), tuple(states_bw)
