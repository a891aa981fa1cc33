"""TF1's ``MultiRNNCell``: a stack of cells, layer ``i`` under ``cell_i``."""
import tensorflow as tf

from legacy_compat._cells.base import RNNCell
from legacy_compat._tf1_layer import check_options

_v1 = tf.compat.v1


class MultiRNNCell(RNNCell):
    """Stack of cells: layer ``i`` runs under the scope ``multi_rnn_cell/cell_i``.

    As in TF >= 1.2, passing the same cell object twice (``[cell] * 2``) shares one
    set of variables (the one created under ``cell_0``).
    """

    def __init__(self, cells, state_is_tuple=True, **kwargs):
        check_options("MultiRNNCell", MultiRNNCell.__init__, kwargs)
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not tf.nest.is_nested(cells):
            raise TypeError(f"cells must be a list or tuple, but received: {cells}.")
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(tf.nest.is_nested(c.state_size) for c in self._cells):
            raise ValueError(
                "Some cells return tuples of states, but the flag state_is_tuple is not "
                f"set. State sizes are: {[c.state_size for c in self._cells]}"
            )

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(cell.state_size for cell in self._cells)
        return sum(cell.state_size for cell in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    def zero_state(self, batch_size, dtype):
        with tf.name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells)
            return super().zero_state(batch_size, dtype)

    def _checked_first_inputs(self, inputs):
        return tf.nest.map_structure(lambda t: t.shape, inputs)

    def _check_inputs(self, inputs):
        """Each inner cell checks its own inputs."""

    def call(self, inputs, state):
        cur_state_pos = 0
        cur_inp = inputs
        new_states = []
        for i, cell in enumerate(self._cells):
            with _v1.variable_scope("cell_%d" % i):
                if self._state_is_tuple:
                    if not tf.nest.is_nested(state):
                        raise ValueError(
                            f"Expected state to be a tuple of length {len(self.state_size)}"
                            f", but received: {state}"
                        )
                    cur_state = state[i]
                else:
                    cur_state = tf.slice(state, [0, cur_state_pos], [-1, cell.state_size])
                    cur_state_pos += cell.state_size
                cur_inp, new_state = cell(cur_inp, cur_state)
                new_states.append(new_state)
        new_states = tuple(new_states) if self._state_is_tuple else tf.concat(new_states, 1)
        return cur_inp, new_states

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = []
        for cell in self._cells:
            weights += [w for w in cell.trainable_weights if all(w is not x for x in weights)]
        return weights

    @property
    def non_trainable_weights(self):
        weights = []
        for cell in self._cells:
            weights += cell.non_trainable_weights
        return weights
