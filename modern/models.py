"""Keras 3 models that compute what a TF1 RNN pipeline computed.

A TF1 pipeline is described by an :class:`RNNSpec`: the cell(s) (one, or a
``MultiRNNCell`` stack), unidirectional or bidirectional, fixed or variable length
(``sequence_length``), and an optional readout ``outputs[-1] @ W + b``.
:func:`build_keras_model` returns the equivalent ``keras.Model``:

* inputs: ``x`` [batch, steps, input_size] and, when ``masked``, ``sequence_length``
  [batch] (int32);
* outputs (a dict): ``"outputs"``, TF1's ``static_rnn`` outputs stacked on axis 1
  ([batch, steps, output_size], or fw then bw concatenated for bidirectional);
  ``"logits"`` when there is a readout; and the final states, one entry per
  (direction, layer, part) named like ``"fw/cell_0/c"`` (see :func:`state_names`),
  in TF1's order and values.

The settings that make it exact (each one is a fact checked by the tests):

* ``GRU(reset_after=False)``; LSTM gate order and ``forget_bias`` are handled by
  :mod:`modern.weights`;
* bidirectional: ``Bidirectional(layer(return_sequences=True))``, and the readout
  takes the last time step of that sequence (TF1's ``outputs[-1]``), not
  ``Bidirectional(layer)``'s output;
* ``sequence_length`` -> a mask with ``zero_output_for_mask=True`` (outputs are 0
  past each length, final states are those at step ``length - 1``);
* a ``MultiRNNCell`` stack -> stacked layers, or inside ``Bidirectional``
  ``RNN(StackedRNNCells(...))`` (TF1 runs the whole stack per direction).
"""
from typing import Dict, List, Optional, Tuple

import numpy as np

from modern import spec as _spec
from modern import weights as _weights
from modern.spec import CellSpec, RNNSpec, state_names

__all__ = [
    "CellSpec",
    "RNNSpec",
    "build_keras_model",
    "state_names",
    "set_tf1_weights",
    "get_tf1_weights",
    "rnn_variable_names",
    "rnn_layer_weights",
]

# --------------------------------------------------------------------------
# Keras layers
# --------------------------------------------------------------------------
def _keras():
    import keras

    return keras


def _qualified_class(path):
    """``keras.layers.LSTM`` / ``modern.TF1LSTMCell`` -> the class."""
    module, _, name = path.rpartition(".")
    if module == "keras.layers":
        return getattr(_keras().layers, name)
    import modern

    return getattr(modern, name)


def _constructor_kwargs(cell: CellSpec, target):
    options = {option: getattr(cell, option) for option in target.cell_options}
    return dict(options, **target.settings)


def _keras_cell(cell: CellSpec):
    """The Keras 3 cell computing one TF1 cell's step (:data:`modern.spec.KERAS_TARGETS`)."""
    target = _spec.KERAS_TARGETS[cell.keras_target]
    return _qualified_class(target.cell)(cell.units, **_constructor_kwargs(cell, target))


def _keras_rnn_layer(cells, name):
    """One sequence layer: the built-in layer where Keras has one, else RNN(cell)."""
    keras = _keras()
    common = dict(_spec.SEQUENCE_LAYER_SETTINGS, **_spec.MASK_SETTINGS)
    if len(cells) > 1:
        return keras.layers.RNN(keras.layers.StackedRNNCells([_keras_cell(c) for c in cells]),
                                name=name, **common)
    cell = cells[0]
    target = _spec.KERAS_TARGETS[cell.keras_target]
    if target.builtin:
        return _qualified_class(target.layer)(cell.units, name=name,
                                              **_constructor_kwargs(cell, target), **common)
    return keras.layers.RNN(_keras_cell(cell), name=name, **common)


def _flatten(value):
    return _keras().tree.flatten(value)


def _canonical_states(cell: CellSpec, states):
    """Keras' state list of one cell -> TF1's (c, h) or (h,)."""
    order = _spec.KERAS_TARGETS[cell.keras_target].state_order
    by_part = dict(zip(order, states))
    return [by_part[part] for part in cell.state_parts]


def _split_states(spec, flat_states):
    """Flat Keras states of one direction -> per-cell canonical lists."""
    per_cell, pos = [], 0
    for cell in spec.cells:
        n = len(cell.state_parts)
        per_cell.append(_canonical_states(cell, flat_states[pos:pos + n]))
        pos += n
    return per_cell


def build_keras_model(spec: RNNSpec, steps: Optional[int] = None, name: str = "tf1_rnn"):
    """The Keras 3 model of ``spec`` (see the module docstring for inputs and outputs)."""
    keras = _keras()
    from modern.layers import LastTimeStep, SequenceMask

    x = keras.Input((steps, spec.input_size), name="x")
    inputs = [x]
    mask = None
    if spec.masked:
        seq_len = keras.Input((), dtype="int32", name="sequence_length")
        inputs.append(seq_len)
        mask = SequenceMask(name="sequence_mask")(seq_len, x)

    states = {}
    if spec.bidirectional:
        layer = keras.layers.Bidirectional(_keras_rnn_layer(spec.cells, "rnn"), name="rnn",
                                           **_spec.BIDIRECTIONAL_SETTINGS)
        result = layer(x, mask=mask)
        outputs = result[0]
        flat = _flatten(result[1:])
        half = len(flat) // 2
        for direction, part in (("fw", flat[:half]), ("bw", flat[half:])):
            for i, cell_states in enumerate(_split_states(spec, part)):
                for tname, tensor in zip(spec.cells[i].state_parts, cell_states):
                    states[f"{direction}/cell_{i}/{tname}"] = tensor
    else:
        outputs = x
        for i, cell in enumerate(spec.cells):
            result = _keras_rnn_layer([cell], f"rnn_{i}" if spec.stacked else "rnn")(
                outputs, mask=mask)
            outputs = result[0]
            cell_states = _canonical_states(cell, _flatten(result[1:]))
            for tname, tensor in zip(cell.state_parts, cell_states):
                states[f"fw/cell_{i}/{tname}"] = tensor

    model_outputs = {"outputs": outputs}
    model_outputs.update(states)
    if spec.num_classes is not None:
        last = LastTimeStep(name="last_time_step")(outputs)
        model_outputs["logits"] = keras.layers.Dense(spec.num_classes, name="readout")(last)
    return keras.Model(inputs=inputs, outputs=model_outputs, name=name)


# --------------------------------------------------------------------------
# TF1 variables <-> the model's weights
# --------------------------------------------------------------------------
def _cell_prefixes(spec: RNNSpec, direction: str) -> List[str]:
    """TF1 variable-name prefixes (relative to the runner scope) of each cell."""
    root = f"{direction}/" if spec.bidirectional else ""
    if spec.stacked:
        return [f"{root}multi_rnn_cell/cell_{i}/{cell.tf1_scope}/"
                for i, cell in enumerate(spec.cells)]
    return [f"{root}{spec.cells[0].tf1_scope}/"]


def rnn_variable_names(spec: RNNSpec) -> Dict[str, Tuple[int, ...]]:
    """``{TF1 name relative to the runner scope: shape}`` of every RNN variable."""
    names = {}
    for direction in spec.directions:
        for prefix, cell, depth in zip(_cell_prefixes(spec, direction), spec.cells,
                                       spec.layer_input_sizes()):
            opts = cell.map_options(depth)
            opts.pop("target")
            for name, shape in _weights.tf1_variable_shapes(cell.cell_type, **opts).items():
                names[prefix + name] = shape
    return names


def _rnn_layers(model, spec, name="rnn"):
    """The model's RNN layers of ``spec``: ``name`` (a Bidirectional, or one cell), else
    ``name_0``, ``name_1``... (a unidirectional stack, one layer per cell)."""
    if spec.bidirectional or not spec.stacked:
        return [model.get_layer(name)]
    return [model.get_layer(f"{name}_{i}") for i in range(len(spec.cells))]


def _direction_weights(spec, tf1_vars, direction):
    """One direction's TF1 variables -> its Keras weight list (all cells, in order)."""
    out = []
    for prefix, cell, depth in zip(_cell_prefixes(spec, direction), spec.cells,
                                   spec.layer_input_sizes()):
        cell_vars = {k[len(prefix):]: v for k, v in tf1_vars.items() if k.startswith(prefix)}
        out.append(_weights.tf1_to_keras(cell.cell_type, cell_vars, **cell.map_options(depth)))
    return out


def set_tf1_weights(model, spec: RNNSpec, tf1_vars, readout=None, layer="rnn"):
    """Load TF1 variables (names relative to the runner scope, see
    :func:`rnn_variable_names`) and an optional readout ``(W, b)`` into ``model``; its
    RNN layers are named ``layer`` (``layer_0``, ``layer_1``... for a stack: an
    encoder-decoder's ``"encoder"`` and ``"decoder"``)."""
    expected = rnn_variable_names(spec)
    unknown = sorted(set(tf1_vars) - set(expected))
    missing = sorted(set(expected) - set(tf1_vars))
    if unknown or missing:
        raise ValueError(
            "The TF1 variables do not match the RNN: "
            + (f"unexpected {unknown}; " if unknown else "")
            + (f"missing {[f'{m} {list(expected[m])}' for m in missing]}" if missing else "")
        )
    for name, shape in expected.items():
        got = tuple(np.shape(tf1_vars[name]))
        if got != tuple(shape):
            raise ValueError(f"TF1 variable {name!r} has shape {list(got)}; expected "
                             f"{list(shape)}.")
    per_direction = [_direction_weights(spec, tf1_vars, d) for d in spec.directions]
    layers = _rnn_layers(model, spec, layer)
    if spec.bidirectional:
        layers[0].set_weights([w for direction in per_direction for cell in direction
                               for w in cell])
    else:
        if spec.stacked:
            for layer, cell_weights in zip(layers, per_direction[0]):
                layer.set_weights(cell_weights)
        else:
            layers[0].set_weights(per_direction[0][0])
    if readout is not None:
        if spec.num_classes is None:
            raise ValueError("readout weights were given but the spec has no readout "
                             "(num_classes=None).")
        w, b = readout
        model.get_layer("readout").set_weights([np.asarray(w), np.asarray(b)])


def rnn_layer_weights(model, spec: RNNSpec):
    """The model's RNN weight variables, in the order :func:`get_tf1_weights` reads them."""
    return [w for layer in _rnn_layers(model, spec) for w in layer.weights]


def get_tf1_weights(model, spec: RNNSpec, arrays=None):
    """The inverse of :func:`set_tf1_weights`: ``(tf1_vars, readout or None)``.

    ``arrays`` optionally replaces the model's current RNN weights (same order as
    :func:`rnn_layer_weights`), e.g. to map gradients: build the spec with
    ``forget_bias=0`` then, since the maps are pure rearrangements, gradients map
    exactly like weights.
    """
    if arrays is None:
        arrays = [np.asarray(w) for w in rnn_layer_weights(model, spec)]
    arrays = list(arrays)
    if spec.bidirectional:
        halves = [arrays[:len(arrays) // 2], arrays[len(arrays) // 2:]]
    else:
        halves = [arrays]
    tf1_vars = {}
    for direction, weights in zip(spec.directions, halves):
        pos = 0
        for prefix, cell, depth in zip(_cell_prefixes(spec, direction), spec.cells,
                                       spec.layer_input_sizes()):
            opts = cell.map_options(depth)
            n = len(_weights.keras_weight_shapes(cell.cell_type, **opts))
            mapped = _weights.keras_to_tf1(cell.cell_type, weights[pos:pos + n], **opts)
            pos += n
            tf1_vars.update({prefix + k: v for k, v in mapped.items()})
    readout = None
    if spec.num_classes is not None:
        readout = tuple(model.get_layer("readout").get_weights())
    return tf1_vars, readout
