"""contrib's ``AttentionCellWrapper`` (TF 1.15
``tensorflow/contrib/rnn/python/ops/rnn_cell.py``): a cell that attends over a window of
its own last ``attn_length`` outputs (Cheng et al. 2016, https://arxiv.org/abs/1601.06733).

One step, with ``A = attn_size``, ``L = attn_length``, ``V = attn_vec_size``:

* ``x' = [x, attns] @ kernel + bias`` (``input_size`` columns; default: x's depth);
* ``cell_output, new_state = cell(x', state)``;
* attention (scope ``attention``): ``hidden`` = the window ``attn_states`` [B, L, 1, A],
  ``features = conv2d(hidden, attn_w [1, 1, A, V])``, ``y = concat(flatten(new_state)) @
  kernel + bias`` [B, V], ``s = sum(attn_v * tanh(features + y))`` over the last two
  axes [B, L], ``a = softmax(s)``, ``new_attns = sum(a * hidden)`` [B, A];
* ``output = [cell_output, new_attns] @ kernel + bias`` (scope ``attn_output_projection``,
  ``A`` columns);
* the window drops its oldest entry and appends ``output``.

The state is ``(cell_state, attns [B, A], attn_states [B, L*A])``, concatenated along
axis 1 when ``state_is_tuple=False`` (then the cell's state must be a single tensor).
Variables, under ``attention_cell_wrapper/``: ``kernel``, ``bias``, the cell's
(``attention_cell_wrapper/<cell scope>/...``), ``attention/attn_w``, ``attention/attn_v``,
``attention/kernel``, ``attention/bias``, ``attn_output_projection/kernel``,
``attn_output_projection/bias``.
"""
import tensorflow as tf

from legacy_compat._cells.base import RNNCell
from legacy_compat._cells.projection import _LayerWrapper
from legacy_compat._tf1_layer import check_options

_v1 = tf.compat.v1


class AttentionCellWrapper(_LayerWrapper):
    """Basic attention cell wrapper (``tf.contrib.rnn.AttentionCellWrapper``)."""

    def __init__(self, cell, attn_length, attn_size=None, attn_vec_size=None, input_size=None,
                 state_is_tuple=True, reuse=None, **kwargs):
        check_options("AttentionCellWrapper", AttentionCellWrapper.__init__, kwargs)
        super().__init__(cell, reuse=reuse)
        if tf.nest.is_nested(cell.state_size) and not state_is_tuple:
            raise ValueError(
                "AttentionCellWrapper: the cell returns a tuple of states, but the flag "
                f"state_is_tuple is not set. State size is: {cell.state_size}"
            )
        if attn_length <= 0:
            raise ValueError(f"AttentionCellWrapper: attn_length should be greater than zero, "
                             f"got {attn_length}.")
        if attn_size is None:
            attn_size = cell.output_size
        if attn_vec_size is None:
            attn_vec_size = attn_size
        self._state_is_tuple = state_is_tuple
        self._attn_vec_size = attn_vec_size
        self._input_size = input_size
        self._attn_size = attn_size
        self._attn_length = attn_length

    @property
    def state_size(self):
        size = (self._cell.state_size, self._attn_size, self._attn_size * self._attn_length)
        return size if self._state_is_tuple else sum(size)

    @property
    def output_size(self):
        return self._attn_size

    def zero_state(self, batch_size, dtype):
        """Zeros for the whole state (TF1's ``RNNCell.zero_state``, not the cell's alone)."""
        return RNNCell.zero_state(self, batch_size, dtype)

    def call(self, inputs, state):
        if self._state_is_tuple:
            state, attns, attn_states = state
        else:
            states = state
            cell_size = self._cell.state_size
            state = tf.slice(states, [0, 0], [-1, cell_size])
            attns = tf.slice(states, [0, cell_size], [-1, self._attn_size])
            attn_states = tf.slice(states, [0, cell_size + self._attn_size],
                                   [-1, self._attn_size * self._attn_length])
        attn_states = tf.reshape(attn_states, [-1, self._attn_length, self._attn_size])
        input_size = self._input_size
        if input_size is None:
            input_size = inputs.shape.as_list()[1]
        inputs = self._linear([inputs, attns], input_size)
        cell_output, new_state = self._cell(inputs, state)
        if self._state_is_tuple:
            new_state_cat = tf.concat(tf.nest.flatten(new_state), 1)
        else:
            new_state_cat = new_state
        new_attns, new_attn_states = self._attention(new_state_cat, attn_states)
        with _v1.variable_scope("attn_output_projection"):
            output = self._linear([cell_output, new_attns], self._attn_size)
        new_attn_states = tf.concat([new_attn_states, tf.expand_dims(output, 1)], 1)
        new_attn_states = tf.reshape(new_attn_states,
                                     [-1, self._attn_length * self._attn_size])
        new_state = (new_state, new_attns, new_attn_states)
        if not self._state_is_tuple:
            new_state = tf.concat(list(new_state), 1)
        return output, new_state

    def _attention(self, query, attn_states):
        with _v1.variable_scope("attention") as scope:
            if query.dtype.base_dtype != scope.dtype:
                raise TypeError(
                    "AttentionCellWrapper: attn_w and attn_v take the variable scope's dtype "
                    f"({scope.dtype.name}), as in TF1, but the state is {query.dtype.name}. "
                    "Run the RNN in a variable_scope(..., dtype=...) of the state's dtype."
                )
            # no dtype: TF1 created them with the scope's dtype
            k = self._new_variable("attn_w", [1, 1, self._attn_size, self._attn_vec_size])
            v = self._new_variable("attn_v", [self._attn_vec_size])
            hidden = tf.reshape(attn_states, [-1, self._attn_length, 1, self._attn_size])
            hidden_features = tf.nn.conv2d(hidden, k, [1, 1, 1, 1], "SAME")
            y = self._linear([query], self._attn_vec_size)
            y = tf.reshape(y, [-1, 1, 1, self._attn_vec_size])
            s = tf.reduce_sum(v * tf.tanh(hidden_features + y), [2, 3])
            a = tf.nn.softmax(s)
            d = tf.reduce_sum(tf.reshape(a, [-1, self._attn_length, 1, 1]) * hidden, [1, 2])
            new_attns = tf.reshape(d, [-1, self._attn_size])
            new_attn_states = tf.slice(attn_states, [0, 1, 0], [-1, -1, -1])
            return new_attns, new_attn_states
