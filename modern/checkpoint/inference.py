"""The RNN a TF1 checkpoint holds, inferred from its variables' names and shapes.

:func:`read_tf1_checkpoint` opens the checkpoint (:mod:`modern.checkpoint.reading`),
works out each cell's type, sizes and options, applies the runtime options (what a
checkpoint does not store) and reads the readout. See :mod:`modern.checkpoint`.
"""
import dataclasses
import itertools
from typing import Dict, Optional, Tuple

import numpy as np

from modern import spec as _spec
from modern import weights as _weights
from modern.checkpoint.reading import (
    _CELL_SCOPE_TYPES,
    _check_readout_names,
    _find_scope,
    _float32,
    _normalized_entries,
    _open_reader,
    _parse_rnn,
    _read_entries,
    _resolve_path,
    _rnn_entries,
    _split_ignored,
    _unknown,
)

# --------------------------------------------------------------------------
# runtime options (what a checkpoint does not store)
# --------------------------------------------------------------------------
_PER_LAYER_DEFAULTS = {"forget_bias": 1.0, "cell_clip": None, "proj_clip": None,
                       "activation": "tanh", "cell_type": None}
_OTHER_DEFAULTS = {"readout": None, "ignore": (), "ignore_optimizer_slots": True,
                   "scope": None, "masked": False, "steps": None}
# the per-layer options a cell's constructor takes (cell_type aside)
_CELL_OPTIONS = tuple(key for key in _PER_LAYER_DEFAULTS if key != "cell_type")


def _cell_types_taking(option):
    return tuple(name for name, kind in _spec.CELL_KINDS.items() if option in kind.options)


# the cell options only some cell types take -> those types (modern.spec's CELL_KINDS)
_APPLIES_TO = {key: _cell_types_taking(key) for key in _CELL_OPTIONS
               if len(_cell_types_taking(key)) < len(_spec.CELL_KINDS)}


def _options(function, given):
    unknown = sorted(set(given) - set(_PER_LAYER_DEFAULTS) - set(_OTHER_DEFAULTS))
    if unknown:
        raise TypeError(
            f"{function}() got unknown keyword argument(s) {', '.join(map(repr, unknown))}. "
            f"Valid options: {', '.join(sorted({**_PER_LAYER_DEFAULTS, **_OTHER_DEFAULTS}))}."
        )
    options = {**_PER_LAYER_DEFAULTS, **_OTHER_DEFAULTS, **given}
    options["explicit"] = frozenset(given)
    if options["cell_type"] is not None:
        for value in _as_list(options["cell_type"]):
            if value is not None:
                _spec.cell_kind(value)  # the error for an unknown cell type
    readout = options["readout"]
    if readout is not None and (isinstance(readout, str) or len(tuple(readout)) != 2
                                or not all(isinstance(n, str) for n in readout)):
        raise TypeError("readout must be a pair of checkpoint names (weights_name, "
                        f"biases_name). Received: readout={readout!r}")
    ignore = options["ignore"]
    options["ignore"] = (ignore,) if isinstance(ignore, str) else tuple(ignore or ())
    return options


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _per_layer(options, key, layer, num_layers):
    value = options[key]
    if isinstance(value, (list, tuple)):
        if len(value) != num_layers:
            raise ValueError(f"{key} has one entry per layer: the checkpoint has {num_layers} "
                             f"layer(s). Received: {key}={value!r}")
        value = value[layer]
        return _PER_LAYER_DEFAULTS[key] if value is None else value, value is not None
    return value, key in options["explicit"] and value != _PER_LAYER_DEFAULTS[key]


def _runtime_options(cell_type, layer, num_layers, options):
    """The cell options of ``options`` for one layer (those its cell type takes)."""
    found = {}
    for key in _CELL_OPTIONS:
        value, explicit = _per_layer(options, key, layer, num_layers)
        if key in _APPLIES_TO and cell_type not in _APPLIES_TO[key]:
            if explicit and isinstance(options[key], (list, tuple)):
                raise ValueError(f"{key} applies to {' and '.join(_APPLIES_TO[key])} only; layer "
                                 f"{layer} is a {cell_type}. Received: {key}={options[key]!r}")
            continue
        found[key] = value
    return found


def _check_options_apply(cell_specs, options):
    """A single explicit value of an option no cell takes is an error."""
    for key, types in _APPLIES_TO.items():
        value = options[key]
        if (key in options["explicit"] and not isinstance(value, (list, tuple))
                and value != _PER_LAYER_DEFAULTS[key]
                and not any(c.cell_type in types for c in cell_specs)):
            raise ValueError(f"{key}={value!r} applies to {' and '.join(types)} only; the "
                             f"checkpoint's cells are {[c.cell_type for c in cell_specs]}.")


# --------------------------------------------------------------------------
# one cell
# --------------------------------------------------------------------------
# a cell type whose kernels sit in sub-scopes (GRUCell's gates/, candidate/) -> that type
_KERNEL_SUBSCOPES = {kernel.split("/")[0] + "/": name for name, kind in _spec.CELL_KINDS.items()
                     for kernel in kind.kernels if "/" in kernel}
_PEEPHOLES = ("w_f_diag", "w_i_diag", "w_o_diag")
# the options that add variables -> the values that show every variable they can add
_VARIABLE_OPTIONS = {"use_peepholes": (True,), "num_proj": (1,), "layer_norm": (True, False)}


def _guess_cell_type(variables, where):
    names = set(variables)
    for prefix, cell_type in _KERNEL_SUBSCOPES.items():
        if any(n.startswith(prefix) for n in names):
            return cell_type
    if any(n.endswith(("/gamma", "/beta")) for n in names):
        return "LayerNormBasicLSTMCell"
    if names & {*_PEEPHOLES, "projection/kernel"}:
        return "LSTMCell"
    raise ValueError(
        f"Cannot tell the cell type of {where} from its variables {sorted(names)} (a kernel "
        "and a bias fit BasicRNNCell and the LSTM cells alike) and its scope name is not a TF1 "
        f"default ({', '.join(sorted(_CELL_SCOPE_TYPES))}): pass cell_type=."
    )


def _possible_names(cell_type):
    """Every variable name (relative to the cell scope) a cell type can have."""
    taken = [o for o in _VARIABLE_OPTIONS if o in _spec.cell_kind(cell_type).options]
    names = []
    for values in itertools.product(*(_VARIABLE_OPTIONS[o] for o in taken)):
        options = dict(zip(taken, values))
        for name in _weights.tf1_variable_shapes(cell_type, input_size=1, units=1, **options):
            if name not in names:
                names.append(name)
    return names


def _cell_type(where, cell_scope, variables, layer, num_layers, options):
    """The cell's type: cell_type=, its scope name or its variables; no stray variables."""
    override, _ = _per_layer(options, "cell_type", layer, num_layers)
    cell_type = override or _CELL_SCOPE_TYPES.get(cell_scope) or _guess_cell_type(variables, where)
    possible = _possible_names(cell_type)
    strays = [_unknown(e, f"{cell_type} has only {possible}")
              for n, e in sorted(variables.items()) if n not in possible]
    if strays:
        raise ValueError(f"{where} is read as a {cell_type}"
                         + (" (cell_type=)" if override else "") + ":\n  " + "\n  ".join(strays))
    return cell_type


def _units(where, kind, variables):
    """The kernel whose columns are ``gate_blocks * units``, and ``units``."""
    anchor, blocks = kind.units_kernel, kind.gate_blocks
    if anchor not in variables:
        raise ValueError(f"{where} ({kind.name}) has no {anchor!r} variable, so its size is "
                         f"unknown. Found: {sorted(e.label for e in variables.values())}.")
    kernel = variables[anchor]
    if len(kernel.shape) != 2 or kernel.shape[1] % blocks or kernel.shape[1] == 0:
        columns = "units" if blocks == 1 else f"{blocks} * units"
        raise ValueError(f"{kernel.label} has shape {list(kernel.shape)}; expected "
                         f"[input_size + units, {columns}] for {kind.name}.")
    return kernel, kernel.shape[1] // blocks


def _stored_options(kind, variables, kernel, units):
    """The options the variables show: use_peepholes, num_proj, layer_norm."""
    found = {}
    if "use_peepholes" in kind.options:
        found["use_peepholes"] = any(n in variables for n in _PEEPHOLES)
    projection = variables.get("projection/kernel") if "num_proj" in kind.options else None
    if projection is not None:
        if len(projection.shape) != 2 or projection.shape[0] != units:
            raise ValueError(f"{projection.label} has shape {list(projection.shape)}; "
                             f"expected [{units}, num_proj] (units={units} from "
                             f"{kernel.label}).")
        found["num_proj"] = projection.shape[1]
    if "layer_norm" in kind.options:
        found["layer_norm"] = ("bias" not in variables
                               or any(n.endswith(("/gamma", "/beta")) for n in variables))
    return found


def _input_size(kernel, cell_type, units, out_size):
    input_size = kernel.shape[0] - out_size
    if input_size < 1:
        raise ValueError(f"{kernel.label} has shape {list(kernel.shape)}: {kernel.shape[0]} "
                         f"rows cannot be input_size + {out_size} for {cell_type} with "
                         f"units={units}" + (f", num_proj={out_size}" if out_size != units
                                             else "") + ".")
    return input_size


def _check_shapes(where, cell, input_size, variables):
    """Every variable the CellSpec has, with its shape, and no other."""
    try:
        map_options = cell.map_options(input_size)
        map_options.pop("target")
        expected = _weights.tf1_variable_shapes(cell.cell_type, **map_options)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: {error}") from None
    problems = []
    described = (f"{cell.cell_type}(input_size={input_size}, units={cell.units}"
                 + (f", num_proj={cell.num_proj}" if cell.num_proj else "") + ")")
    for suffix, entry in sorted(variables.items()):
        if suffix not in expected:
            problems.append(_unknown(entry, f"{described} has {sorted(expected)}"))
        elif entry.shape != tuple(expected[suffix]):
            problems.append(f"{entry.label} has shape {list(entry.shape)}; expected "
                            f"{list(expected[suffix])} for {described}")
    for suffix, shape in expected.items():
        if suffix not in variables:
            problems.append(f"missing variable {where}/{suffix} of shape {list(shape)} "
                            f"({described})")
    if problems:
        raise ValueError(f"{where} does not match the {cell.cell_type} its names and shapes "
                         "describe:\n  " + "\n  ".join(problems))


def _infer_cell(where, cell_scope, variables, layer, num_layers, input_size, options):
    """One cell's CellSpec and input size (``input_size`` None: from its kernel)."""
    cell_type = _cell_type(where, cell_scope, variables, layer, num_layers, options)
    kind = _spec.cell_kind(cell_type)
    kernel, units = _units(where, kind, variables)
    cell_options = _stored_options(kind, variables, kernel, units)
    cell_options.update(_runtime_options(cell_type, layer, num_layers, options))
    if input_size is None:
        input_size = _input_size(kernel, cell_type, units, cell_options.get("num_proj") or units)
    try:
        cell = _spec.CellSpec(cell_type, units, **cell_options)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: {error}") from None
    _check_shapes(where, cell, input_size, variables)
    return cell, input_size


# --------------------------------------------------------------------------
# the RNN
# --------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class TF1Checkpoint:
    """What :func:`read_tf1_checkpoint` found.

    ``rnn_variables`` is keyed like :func:`modern.models.rnn_variable_names` (TF 1.2+
    names relative to the runner scope, TF1's default cell scopes), the form
    :func:`modern.models.set_tf1_weights` takes; ``names`` maps each of those keys
    to the checkpoint name(s) it was read from.
    """

    path: str
    spec: _spec.RNNSpec
    scope: str
    generations: Tuple[str, ...]
    rnn_variables: Dict[str, np.ndarray]
    readout: Optional[Tuple[np.ndarray, np.ndarray]]
    names: Dict[str, Tuple[str, ...]]
    ignored: Tuple[str, ...]


def _infer_stack(cells, direction, num_layers, scope, options):
    """One direction's CellSpecs and input size."""
    layers = sorted(layer for d, layer in cells if d == direction)
    if layers != list(range(num_layers)):
        raise ValueError(f"The stack under {scope!r}{'/' + direction if direction else ''} "
                         f"has layers {layers}; missing "
                         f"{sorted(set(range(num_layers)) - set(layers))}.")
    specs, depth, input_size = [], None, None
    for layer in range(num_layers):
        cell = cells[(direction, layer)]
        cell_spec, size = _infer_cell(cell["path"], cell["scope"], cell["variables"], layer,
                                      num_layers, depth, options)
        if layer == 0:
            input_size = size
        specs.append(cell_spec)
        depth = cell_spec.output_size
    return tuple(specs), input_size


def _infer_cells(cells, bidirectional, scope, options):
    """The RNN's CellSpecs and input size (alike in both directions)."""
    directions = ("fw", "bw") if bidirectional else (None,)
    num_layers = 1 + max(layer for _, layer in cells)
    per_direction = {direction: _infer_stack(cells, direction, num_layers, scope, options)
                     for direction in directions}
    if bidirectional and per_direction["fw"] != per_direction["bw"]:
        raise ValueError(
            f"The forward and backward cells under {scope!r} differ (fw {per_direction['fw']}, "
            f"bw {per_direction['bw']}); an RNNSpec has one set of cells for both directions."
        )
    return per_direction[directions[0]]


def _read_readout(reader, readout_names, output_size):
    """(weights, biases) and num_classes of the named readout ((None, None) without one)."""
    if not readout_names:
        return None, None
    w_entry, b_entry = _read_entries(reader, readout_names).values()
    classes = w_entry.shape[1] if len(w_entry.shape) == 2 else None
    problems = []
    if len(w_entry.shape) != 2 or w_entry.shape[0] != output_size:
        problems.append(f"readout weights {w_entry.label} have shape {list(w_entry.shape)}; "
                        f"expected [{output_size}, num_classes] (the RNN's output size "
                        f"{output_size})")
    if classes is not None and b_entry.shape != (classes,):
        problems.append(f"readout biases {b_entry.label} have shape {list(b_entry.shape)}; "
                        f"expected [{classes}]")
    if problems:
        raise ValueError("; ".join(problems) + ".")
    return (_float32(w_entry), _float32(b_entry)), classes


def _keyed_variables(cells, spec):
    """The cells' arrays keyed like modern.models.rnn_variable_names, and their names."""
    rnn_variables, names = {}, {}
    for (direction, layer), found in cells.items():
        cell, variables = spec.cells[layer], found["variables"]
        head = (f"{direction}/" if spec.bidirectional else "") + (
            f"multi_rnn_cell/cell_{layer}/" if spec.stacked else "") + cell.tf1_scope + "/"
        for suffix, entry in variables.items():
            rnn_variables[head + suffix] = _float32(entry)
            names[head + suffix] = entry.names
    return rnn_variables, names


def read_tf1_checkpoint(path, **options) -> TF1Checkpoint:
    """Read a TF1 checkpoint and infer its RNN (see :mod:`modern.checkpoint`).

    Takes the same keyword arguments as :func:`from_tf1_checkpoint` (``steps`` is
    accepted and unused here).
    """
    options = _options("read_tf1_checkpoint", options)
    prefix = _resolve_path(path)
    reader = _open_reader(prefix)
    kept, ignored = _split_ignored(reader, options["ignore_optimizer_slots"], options["ignore"])
    readout_names = tuple(options["readout"] or ())
    _check_readout_names(prefix, readout_names, kept, ignored)
    entries, generations = _normalized_entries(reader,
                                               [n for n in kept if n not in readout_names])
    scope = _find_scope(entries, options["scope"])
    inside = _rnn_entries(prefix, entries, scope, options["ignore_optimizer_slots"])
    cells, bidirectional = _parse_rnn(inside, scope)
    cell_specs, input_size = _infer_cells(cells, bidirectional, scope, options)
    _check_options_apply(cell_specs, options)
    output_size = cell_specs[-1].output_size * (2 if bidirectional else 1)
    readout, num_classes = _read_readout(reader, readout_names, output_size)
    spec = _spec.RNNSpec(cell_specs, input_size, bidirectional=bidirectional,
                         masked=bool(options["masked"]), num_classes=num_classes)
    rnn_variables, names = _keyed_variables(cells, spec)
    return TF1Checkpoint(prefix, spec, scope, tuple(sorted(generations)) or ("1.2",),
                         rnn_variables, readout, names, tuple(ignored))
