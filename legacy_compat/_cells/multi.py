"""TF1's ``MultiRNNCell``: a stack of cells, layer ``i`` under ``cell_i``.

The same cell object more than once (``MultiRNNCell([cell] * n)``, the TF 1.0 idiom) means
what the one TF version that ran the program made of it:

* where every occurrence of the object gets inputs of the same depth, TF >= 1.2 shares one
  variable set (created under ``cell_<first>``); kept as it is;
* where the depths differ (the usual case: the first layer reads the data, the others
  ``num_units``), TF 1.1 refused any reuse of a cell object in another scope ("Attempt to
  reuse RNNCell ... with a different variable scope than its first use") and TF 1.2+ fails
  on the shapes ("Trying to share variable ..., but specified shape ... and found shape
  ..."), so the program was written for TF 1.0, whose cells held no variables: each layer
  got its own, named ``weights``/``biases`` (``multi_rnn_cell/cell_<i>/basic_lstm_cell/
  weights``). legacy_compat then does what TF 1.0 did, with TF 1.0's names for every layer
  of that stack (``kernel`` -> ``weights``, ``bias`` -> ``biases``; the scopes are the
  same), so a TF 1.0 checkpoint restores, and says so in a ``UserWarning``.
"""
import collections
import copy
import warnings

import tensorflow as tf

from legacy_compat._cells.base import RNNCell
from legacy_compat._tf1_layer import TF1Layer, check_options, static_dim

_v1 = tf.compat.v1

#: TF 1.0's names of the variables TF 1.2 renamed (``_linear``'s ``weights`` and ``biases``)
TF_1_0_NAMES = {"kernel": "weights", "bias": "biases"}


def _tf_1_0_names(getter, name, *args, **kwargs):
    """A custom getter giving a variable TF 1.0's name (``.../kernel`` -> ``.../weights``)."""
    head, _, last = name.rpartition("/")
    if last in TF_1_0_NAMES:
        name = f"{head}/{TF_1_0_NAMES[last]}" if head else TF_1_0_NAMES[last]
    return getter(name, *args, **kwargs)


def _is_cell(value):
    return isinstance(value, RNNCell)


def _held_cells(cell):
    """The cells ``cell`` holds in its attributes (a wrapper's cell, a stack's cells)."""
    for value in vars(cell).values():
        if _is_cell(value):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from (v for v in value if _is_cell(v))


def _used(cell):
    """Whether ``cell`` or a cell it holds has been built (has its variables)."""
    return bool(getattr(cell, "built", False)) or any(_used(c) for c in _held_cells(cell))


def _fresh_copy(cell):
    """An unbuilt copy of ``cell`` and of the cells it holds: its own variables on its first
    call, in the scope it is called in."""
    new = copy.copy(cell)
    if isinstance(new, TF1Layer):
        new._graph = new._scope = new._current_scope = None
        new.built = False
        new._trainable_weights, new._non_trainable_weights, new._losses = [], [], []
    if isinstance(new, RNNCell):
        new._rnncell_scope = None
        new._built_input_depth = None
    reset = getattr(new, "_forget_built_state", None)
    if reset is not None:
        reset()
    for name, value in list(vars(new).items()):
        if _is_cell(value):
            setattr(new, name, _fresh_copy(value))
        elif isinstance(value, (list, tuple)) and value and all(_is_cell(v) for v in value):
            setattr(new, name, type(value)(_fresh_copy(v) for v in value))
    return new


def _int_size(size):
    return size if isinstance(size, int) else None


class MultiRNNCell(RNNCell):
    """Stack of cells: layer ``i`` runs under the scope ``multi_rnn_cell/cell_i``.

    The same cell object twice (``[cell] * 2``): one shared variable set (TF >= 1.2) where
    its inputs have the same depth everywhere, else TF 1.0's behaviour, each layer its own
    variables with TF 1.0's names, and a ``UserWarning`` (see the module doc).
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
        self._layer_cells = None  # the objects called per layer, decided at the first call
        self._tf_1_0 = False  # TF 1.0 behaviour: own variables per layer, TF 1.0 names
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

    def _forget_built_state(self):
        self._layer_cells = None
        self._tf_1_0 = False

    def _repeated_with_other_depths(self, inputs):
        """``{index of a layer: its input depth}`` for every occurrence of a cell object that
        is in the stack more than once with inputs of different depths (empty: none)."""
        flat = tf.nest.flatten(inputs)
        depth = (static_dim(flat[0].shape[-1])
                 if len(flat) == 1 and flat[0].shape.rank is not None else None)
        depths = []
        for cell in self._cells:
            depths.append(depth)
            depth = _int_size(cell.output_size)
        occurrences = collections.defaultdict(list)
        for i, cell in enumerate(self._cells):
            occurrences[id(cell)].append(i)
        clashing = {}
        for layers in occurrences.values():
            seen = {depths[i] for i in layers}
            if len(layers) > 1 and None not in seen and len(seen) > 1:
                clashing.update({i: depths[i] for i in layers})
        return clashing

    def _cells_to_call(self, inputs):
        """The cell object each layer calls (decided once, at the first call)."""
        if self._layer_cells is not None:
            return self._layer_cells
        clashing = self._repeated_with_other_depths(inputs)
        if not clashing:
            self._layer_cells = list(self._cells)
            return self._layer_cells
        self._tf_1_0 = True
        layer_cells, seen = [], set()
        for cell in self._cells:
            first_use = id(cell) not in seen and not _used(cell)
            seen.add(id(cell))
            layer_cells.append(cell if first_use else _fresh_copy(cell))
        self._layer_cells = layer_cells
        layers = ", ".join(f"layer {i} (input depth {d})" for i, d in sorted(clashing.items()))
        kind = type(self._cells[min(clashing)]).__name__
        warnings.warn(
            f"MultiRNNCell: one {kind} object is {layers}, the TF 1.0 idiom "
            "MultiRNNCell([cell] * n). TF 1.1 refused to reuse a cell object in another scope "
            "and TF 1.2+ shares one variable set, which fails on these shapes ('Trying to "
            "share variable ..., but specified shape ... and found shape ...'), so this "
            "program ran only on TF 1.0, where every layer had its own variables. "
            "legacy_compat does what TF 1.0 did: each layer of this stack gets its own "
            "variables, named as TF 1.0 named them ('weights'/'biases' instead of "
            "'kernel'/'bias', e.g. multi_rnn_cell/cell_1/basic_lstm_cell/weights), so a TF "
            "1.0 checkpoint restores. For TF 1.2+ names, build the stack from distinct "
            "cells: MultiRNNCell([BasicLSTMCell(...) for _ in range(n)]).",
            UserWarning, stacklevel=5)
        return self._layer_cells

    def call(self, inputs, state):
        cur_state_pos = 0
        cur_inp = inputs
        new_states = []
        cells = self._cells_to_call(inputs)
        getter = _tf_1_0_names if self._tf_1_0 else None
        for i, cell in enumerate(cells):
            with _v1.variable_scope("cell_%d" % i, custom_getter=getter):
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
        for cell in self._layer_cells or self._cells:
            weights += [w for w in cell.trainable_weights if all(w is not x for x in weights)]
        return weights

    @property
    def non_trainable_weights(self):
        weights = []
        for cell in self._layer_cells or self._cells:
            weights += cell.non_trainable_weights
        return weights
