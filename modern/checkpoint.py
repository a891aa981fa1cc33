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

This module imports numpy only; TensorFlow and Keras load on first use.
"""
import dataclasses
import fnmatch
import os
import re
from typing import Callable, Dict, Optional, Tuple

import numpy as np

from modern import models as _models
from modern import weights as _weights

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

# --------------------------------------------------------------------------
# The rename table (data)
# --------------------------------------------------------------------------
# (generation, old spelling, TF 1.2+ spelling). Placeholders: {i} a number,
# {scope} one path segment. A spelling ending in "/" is a scope, renamed wherever it
# starts a path segment; any other spelling ends the variable's name.
NAME_RENAMES = (
    # TF 0.x (tensorflow/python/ops/rnn.py, rnn_cell.py): runners and MultiRNNCell.
    ("0.x", "{scope}_FW/", "{scope}/fw/"),  # bidirectional_rnn: scope or "BiRNN", + "_FW"
    ("0.x", "{scope}_BW/", "{scope}/bw/"),
    ("0.x", "MultiRNNCell/Cell{i}/", "multi_rnn_cell/cell_{i}/"),
    # TF 0.x cells: linear() makes Linear/Matrix and Linear/Bias.
    ("0.x", "BasicRNNCell/Linear/Matrix", "basic_rnn_cell/kernel"),
    ("0.x", "BasicRNNCell/Linear/Bias", "basic_rnn_cell/bias"),
    ("0.x", "BasicLSTMCell/Linear/Matrix", "basic_lstm_cell/kernel"),
    ("0.x", "BasicLSTMCell/Linear/Bias", "basic_lstm_cell/bias"),
    ("0.x", "GRUCell/Gates/Linear/Matrix", "gru_cell/gates/kernel"),
    ("0.x", "GRUCell/Gates/Linear/Bias", "gru_cell/gates/bias"),
    ("0.x", "GRUCell/Candidate/Linear/Matrix", "gru_cell/candidate/kernel"),
    ("0.x", "GRUCell/Candidate/Linear/Bias", "gru_cell/candidate/bias"),
    # TF 0.x LSTMCell: _get_concat_variable("W"/"W_P") shards W_0, W_1...; "B"; peepholes.
    ("0.x", "LSTMCell/W_0", "lstm_cell/kernel"),
    ("0.x", "LSTMCell/B", "lstm_cell/bias"),
    ("0.x", "LSTMCell/W_F_diag", "lstm_cell/w_f_diag"),
    ("0.x", "LSTMCell/W_I_diag", "lstm_cell/w_i_diag"),
    ("0.x", "LSTMCell/W_O_diag", "lstm_cell/w_o_diag"),
    ("0.x", "LSTMCell/W_P_0", "lstm_cell/projection/kernel"),
    # TF 1.0-1.1 (checkpoint_convert.py's RNN_NAME_REPLACEMENTS): weights/biases.
    ("1.0", "basic_rnn_cell/weights", "basic_rnn_cell/kernel"),
    ("1.0", "basic_rnn_cell/biases", "basic_rnn_cell/bias"),
    ("1.0", "basic_lstm_cell/weights", "basic_lstm_cell/kernel"),
    ("1.0", "basic_lstm_cell/biases", "basic_lstm_cell/bias"),
    ("1.0", "lstm_cell/weights", "lstm_cell/kernel"),
    ("1.0", "lstm_cell/biases", "lstm_cell/bias"),
    ("1.0", "lstm_cell/projection/weights", "lstm_cell/projection/kernel"),
    ("1.0", "gru_cell/gates/weights", "gru_cell/gates/kernel"),
    ("1.0", "gru_cell/gates/biases", "gru_cell/gates/bias"),
    ("1.0", "gru_cell/candidate/weights", "gru_cell/candidate/kernel"),
    ("1.0", "gru_cell/candidate/biases", "gru_cell/candidate/bias"),
    ("1.0", "layer_norm_basic_lstm_cell/weights", "layer_norm_basic_lstm_cell/kernel"),
    ("1.0", "layer_norm_basic_lstm_cell/biases", "layer_norm_basic_lstm_cell/bias"),
)

# TF 0.x LSTMCell shards (num_unit_shards / num_proj_shards > 1): row blocks of one
# matrix, concatenated along axis 0 into shard 0's name before NAME_RENAMES applies.
SHARDED_VARIABLES = ("LSTMCell/W_{i}", "LSTMCell/W_P_{i}")

# What TF1 optimizers add to a checkpoint (skipped when ignore_optimizer_slots=True):
# regular expressions on a whole name.
OPTIMIZER_SLOT_PATTERNS = (
    r"(^|.*/)(Adam|Momentum|RMSProp|Adagrad|Adadelta|Ftrl)(_\d+)?(/.*|$)",
    r"(^|.*/)(beta1_power|beta2_power|global_step)(_\d+)?$",
)

# Always skipped: object-based checkpoint metadata, not a variable.
_METADATA_KEYS = ("_CHECKPOINTABLE_OBJECT_GRAPH",)

# The writer's namings: the runner scopes TF1 gave (unidirectional, bidirectional)
# and the generations of NAME_RENAMES to apply backwards.
NAMINGS = {
    "1.2": {"scopes": ("rnn", "bidirectional_rnn"), "generations": ()},
    "1.0": {"scopes": ("rnn", "bidirectional_rnn"), "generations": ("1.0",)},
    "0.x": {"scopes": ("RNN", "BiRNN"), "generations": ("0.x", "1.0")},
}
_NAMING_ALIASES = {"1.2+": "1.2", "1.1": "1.0", "1.0-1.1": "1.0", "0": "0.x"}

_RUNNERS = {"static_rnn": False, "dynamic_rnn": False,
            "static_bidirectional_rnn": True, "bidirectional_dynamic_rnn": True}

_PLACEHOLDERS = {"i": r"\d+", "scope": r"[^/]+"}


def _compile(template):
    """A spelling of NAME_RENAMES -> a regex matching it at a path-segment start."""
    pieces = []
    for piece in re.split(r"(\{\w+\})", template):
        found = re.fullmatch(r"\{(\w+)\}", piece)
        pieces.append(f"(?P<{found.group(1)}>{_PLACEHOLDERS[found.group(1)]})" if found
                      else re.escape(piece))
    return re.compile(r"(?<![^/])" + "".join(pieces) + ("" if template.endswith("/") else "$"))


_FORWARD = [(gen, _compile(old), new) for gen, old, new in NAME_RENAMES]
_BACKWARD = {gen: [(gen, _compile(new), old) for g, old, new in reversed(NAME_RENAMES) if g == gen]
             for gen in {row[0] for row in NAME_RENAMES}}
_SHARDS = [_compile(t) for t in SHARDED_VARIABLES]


def _apply(rules, name):
    fired = []
    for gen, pattern, replacement in rules:
        new = pattern.sub(lambda m: replacement.format(**m.groupdict()), name)
        if new != name:
            fired.append(gen)
            name = new
    return name, fired


def normalize_name(name: str) -> str:
    """A TF 0.x / 1.0-1.1 / 1.2+ variable name -> its TF 1.2+ spelling (NAME_RENAMES)."""
    return _apply(_FORWARD, name)[0]


def tf1_name(name: str, naming: str = "1.2") -> str:
    """A TF 1.2+ name -> its spelling in ``naming`` ("1.2", "1.0" or "0.x").

    The runner scope is left as it is (:func:`to_tf1_checkpoint` picks it per naming).
    """
    naming = _check_naming(naming)
    for generation in NAMINGS[naming]["generations"]:  # the oldest spelling first
        name = _apply(_BACKWARD[generation], name)[0]
    return name


def _check_naming(naming):
    naming = _NAMING_ALIASES.get(naming, naming)
    if naming not in NAMINGS:
        raise ValueError(f"Unknown naming {naming!r}. Expected one of {sorted(NAMINGS)} "
                         f"(aliases {sorted(_NAMING_ALIASES)}).")
    return naming


# --------------------------------------------------------------------------
# options
# --------------------------------------------------------------------------
_PER_LAYER_DEFAULTS = {"forget_bias": 1.0, "cell_clip": None, "proj_clip": None,
                       "activation": "tanh", "cell_type": None}
_OTHER_DEFAULTS = {"readout": None, "ignore": (), "ignore_optimizer_slots": True,
                   "scope": None, "masked": False, "steps": None}
_APPLIES_TO = {"forget_bias": ("BasicLSTMCell", "LSTMCell", "LayerNormBasicLSTMCell"),
               "cell_clip": ("LSTMCell",), "proj_clip": ("LSTMCell",)}


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
            if value is not None and value not in _weights.CELL_TYPES:
                raise ValueError(f"Unknown cell_type. Expected one of "
                                 f"{', '.join(_weights.CELL_TYPES)}. Received: cell_type={value!r}")
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


# --------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------
@dataclasses.dataclass
class _Entry:
    """One variable as found in the checkpoint (several names for 0.x shards)."""

    names: Tuple[str, ...]
    normalized: str
    shape: Tuple[int, ...]
    dtype: object
    load: Callable[[], np.ndarray]

    @property
    def label(self):
        shown = " + ".join(repr(n) for n in self.names)
        if self.names == (self.normalized,):
            return shown
        return f"{shown} (read as {self.normalized!r})"


@dataclasses.dataclass(frozen=True, eq=False)
class TF1Checkpoint:
    """What :func:`read_tf1_checkpoint` found.

    ``rnn_variables`` is keyed like :func:`modern.models.rnn_variable_names` (TF 1.2+
    names relative to the runner scope, TF1's default cell scopes), the form
    :func:`modern.models.set_tf1_weights` takes; ``names`` maps each of those keys
    to the checkpoint name(s) it was read from.
    """

    path: str
    spec: _models.RNNSpec
    scope: str
    generations: Tuple[str, ...]
    rnn_variables: Dict[str, np.ndarray]
    readout: Optional[Tuple[np.ndarray, np.ndarray]]
    names: Dict[str, Tuple[str, ...]]
    ignored: Tuple[str, ...]


def _resolve_path(path):
    import tensorflow as tf

    given = os.fspath(path)
    if tf.io.gfile.isdir(given):
        prefix = tf.train.latest_checkpoint(given)
        if prefix is None:
            indexes = sorted(tf.io.gfile.glob(os.path.join(given, "*.index")))
            if len(indexes) == 1:
                return indexes[0][:-len(".index")]
            raise FileNotFoundError(
                f"No TF1 checkpoint in the directory {given!r}: no 'checkpoint' file names one"
                + (f", and it holds several: {[i[:-6] for i in indexes]} (pass one prefix)"
                   if indexes else " and no '*.index' file is there") + "."
            )
        if not tf.io.gfile.exists(prefix + ".index"):
            raise FileNotFoundError(f"The 'checkpoint' file in {given!r} names {prefix!r}, "
                                    f"but {prefix + '.index'!r} does not exist.")
        return prefix
    prefix = re.sub(r"(\.index|\.meta|\.data-\d{5}-of-\d{5})$", "", given)
    if tf.io.gfile.exists(prefix + ".index"):
        return prefix
    if prefix == given and tf.io.gfile.exists(given) and not tf.io.gfile.isdir(given):
        return given  # a V1-format checkpoint is a single file
    raise FileNotFoundError(f"TF1 checkpoint not found: {given!r} (no file {prefix + '.index'!r} "
                            "and no directory of that name).")


def _read_entries(reader, names):
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()

    def loader(name):
        return lambda: reader.get_tensor(name)

    return {name: _Entry((name,), name, tuple(shapes[name]), dtypes[name], loader(name))
            for name in names}


def _merge_shards(entries):
    """TF 0.x LSTMCell shards W_0, W_1, ... -> one entry under W_0 (rows concatenated)."""
    groups = {}
    for name in entries:
        for pattern in _SHARDS:
            found = pattern.search(name)
            if found:
                key = (pattern.pattern, name[:found.start("i")], name[found.end("i"):])
                groups.setdefault(key, {})[int(found.group("i"))] = name
    for (_, head, tail), by_index in groups.items():
        if len(by_index) < 2:
            continue
        if sorted(by_index) != list(range(len(by_index))):
            raise ValueError(f"Sharded TF 0.x variable {head}<i>{tail}: shards "
                             f"{sorted(by_index)} are not 0..{len(by_index) - 1}.")
        parts = [entries.pop(by_index[i]) for i in range(len(by_index))]
        if any(len(p.shape) != 2 or p.shape[1] != parts[0].shape[1] for p in parts):
            raise ValueError(f"Sharded TF 0.x variable {head}<i>{tail}: shards of shapes "
                             f"{[list(p.shape) for p in parts]} are not row blocks of one matrix.")
        merged = head + "0" + tail
        entries[merged] = _Entry(
            tuple(p.names[0] for p in parts), merged,
            (sum(p.shape[0] for p in parts), parts[0].shape[1]), parts[0].dtype,
            lambda parts=parts: np.concatenate([p.load() for p in parts], axis=0))
    return entries


_CELL_SCOPE_TYPES = {scope: cell_type for cell_type, scope in _weights.TF1_SCOPES.items()}
_LAYER_SEGMENT = re.compile(r"cell_(\d+)")


def _runner_scope_of(name):
    """The runner scope above a known cell scope in ``name`` (None if there is none)."""
    segments = name.split("/")
    for k in range(len(segments) - 1):
        if segments[k] in _CELL_SCOPE_TYPES:
            head = segments[:k]
            if (len(head) >= 2 and head[-2] == "multi_rnn_cell"
                    and _LAYER_SEGMENT.fullmatch(head[-1])):
                head = head[:-2]
            if head and head[-1] in ("fw", "bw"):
                head = head[:-1]
            return "/".join(head)
    return None


def _in_scope(name, scope, top_segments):
    if scope:
        return name.startswith(scope + "/")
    return name.split("/", 1)[0] in top_segments


def _find_scope(entries, requested):
    if requested is not None:
        scope = requested.strip("/")
        under = [n for n in entries if _in_scope(n, scope, ())] if scope else []
        if not under:
            raise ValueError(f"No variables under scope={requested!r}. Scopes present: "
                             f"{sorted({n.rsplit('/', 1)[0] for n in entries if '/' in n})}")
        return scope
    scopes = {}
    for name in entries:
        scope = _runner_scope_of(name)
        if scope is not None:
            scopes.setdefault(scope, []).append(name)
    if len(scopes) == 1:
        return next(iter(scopes))
    if not scopes:
        raise ValueError(
            "No RNN cell variables found: no name has a cell scope "
            f"({', '.join(sorted(_CELL_SCOPE_TYPES))}) after normalising the naming "
            f"generations. Variables: {sorted(e.label for e in entries.values())[:30]}. If the "
            "cells have other scope names, pass scope='<runner scope>' (and cell_type=)."
        )
    raise ValueError(
        "The checkpoint holds cells under several scopes "
        f"{ {s or '<top level>': sorted(n)[:3] for s, n in sorted(scopes.items())} }: pass "
        "scope= (one of "
        f"{sorted(scopes)}) to pick the RNN; list the others in ignore=."
    )


def _unknown(entry, why):
    return (f"unknown variable inside the RNN scope: {entry.label} of shape "
            f"{list(entry.shape)} ({why})")


def _parse_rnn(entries, scope):
    """{(direction, layer): {"scope", "path", "variables": {suffix: entry}}}, bidirectional."""
    by_key, problems = {}, []
    directions, stacked_flags = set(), set()
    for name, entry in sorted(entries.items()):
        if any(_is_slot(n) for n in entry.names):
            problems.append(_unknown(entry, "an optimizer slot; ignore_optimizer_slots=True "
                                            "skips it"))
            continue
        rest = (name[len(scope) + 1:] if scope else name).split("/")
        direction = None
        if rest[0] in ("fw", "bw"):
            direction = rest.pop(0)
        layer = None
        if rest and rest[0] == "multi_rnn_cell":
            found = _LAYER_SEGMENT.fullmatch(rest[1]) if len(rest) > 1 else None
            if not found:
                problems.append(_unknown(entry, "multi_rnn_cell/ must be followed by cell_<i>/"))
                continue
            layer = int(found.group(1))
            rest = rest[2:]
        if len(rest) < 2:
            problems.append(_unknown(entry, "not <cell scope>/<variable>"))
            continue
        directions.add(direction)
        stacked_flags.add(layer is not None)
        cell_scope, suffix = rest[0], "/".join(rest[1:])
        scopes = by_key.setdefault((direction, layer or 0), {})
        cell = scopes.setdefault(cell_scope, {"scope": cell_scope, "variables": {},
                                              "path": name[:-len(suffix) - 1]})
        cell["variables"][suffix] = entry
    cells = {}
    for key, scopes in by_key.items():
        # one cell per layer: the scope holding most variables is the cell, the rest strays
        ranked = sorted(scopes.values(), key=lambda c: -len(c["variables"]))
        cells[key] = ranked[0]
        for stray in ranked[1:]:
            problems.extend(_unknown(e, f"a second cell scope {stray['scope']!r} next to "
                                        f"{ranked[0]['path']!r}")
                            for e in stray["variables"].values())
    if problems:
        raise ValueError("The RNN's variables do not parse:\n  " + "\n  ".join(problems))
    if len(stacked_flags) > 1:
        raise ValueError(f"Some variables under {scope!r} are in multi_rnn_cell/cell_<i>/ and "
                         "some are not: " + ", ".join(sorted(e.label for e in entries.values())))
    bidirectional = directions != {None}
    if bidirectional and directions != {"fw", "bw"}:
        raise ValueError(f"A bidirectional RNN under {scope!r} needs both fw/ and bw/ cells and "
                         f"nothing else; found {sorted(map(str, directions))}.")
    return cells, bidirectional


def _guess_cell_type(variables, where):
    names = set(variables)
    if any(n.startswith(("gates/", "candidate/")) for n in names):
        return "GRUCell"
    if any(n.endswith(("/gamma", "/beta")) for n in names):
        return "LayerNormBasicLSTMCell"
    if names & {"w_f_diag", "w_i_diag", "w_o_diag", "projection/kernel"}:
        return "LSTMCell"
    raise ValueError(
        f"Cannot tell the cell type of {where} from its variables {sorted(names)} (a kernel "
        "and a bias fit BasicRNNCell and the LSTM cells alike) and its scope name is not a TF1 "
        f"default ({', '.join(sorted(_CELL_SCOPE_TYPES))}): pass cell_type=."
    )


def _possible_names(cell_type):
    """Every variable name (relative to the cell scope) a cell type can have."""
    variants = [{}]
    if cell_type == "LSTMCell":
        variants = [{"use_peepholes": True, "num_proj": 1}]
    if cell_type == "LayerNormBasicLSTMCell":
        variants = [{"layer_norm": True}, {"layer_norm": False}]
    names = []
    for options in variants:
        for name in _weights.tf1_variable_shapes(cell_type, input_size=1, units=1, **options):
            if name not in names:
                names.append(name)
    return names


def _infer_cell(where, cell_scope, variables, layer, num_layers, input_size, options):
    """One cell's CellSpec and input size, and its variables keyed by suffix."""
    override, _ = _per_layer(options, "cell_type", layer, num_layers)
    cell_type = override or _CELL_SCOPE_TYPES.get(cell_scope) or _guess_cell_type(variables, where)
    possible = _possible_names(cell_type)
    strays = [_unknown(e, f"{cell_type} has only {possible}")
              for n, e in sorted(variables.items()) if n not in possible]
    if strays:
        raise ValueError(f"{where} is read as a {cell_type}"
                         + (" (cell_type=)" if override else "") + ":\n  " + "\n  ".join(strays))
    anchor = "candidate/kernel" if cell_type == "GRUCell" else "kernel"
    if anchor not in variables:
        raise ValueError(f"{where} ({cell_type}) has no {anchor!r} variable, so its size is "
                         f"unknown. Found: {sorted(e.label for e in variables.values())}.")
    kernel = variables[anchor]
    blocks = {"BasicRNNCell": 1, "GRUCell": 1}.get(cell_type, 4)
    if len(kernel.shape) != 2 or kernel.shape[1] % blocks or kernel.shape[1] == 0:
        columns = "units" if blocks == 1 else f"{blocks} * units"
        raise ValueError(f"{kernel.label} has shape {list(kernel.shape)}; expected "
                         f"[input_size + units, {columns}] for {cell_type}.")
    units = kernel.shape[1] // blocks
    cell_options = {}
    if cell_type == "LSTMCell":
        cell_options["use_peepholes"] = any(n in variables for n in ("w_f_diag", "w_i_diag",
                                                                      "w_o_diag"))
        projection = variables.get("projection/kernel")
        if projection is not None:
            if len(projection.shape) != 2 or projection.shape[0] != units:
                raise ValueError(f"{projection.label} has shape {list(projection.shape)}; "
                                 f"expected [{units}, num_proj] (units={units} from "
                                 f"{kernel.label}).")
            cell_options["num_proj"] = projection.shape[1]
    if cell_type == "LayerNormBasicLSTMCell":
        cell_options["layer_norm"] = ("bias" not in variables
                                      or any(n.endswith(("/gamma", "/beta")) for n in variables))
    for key in ("forget_bias", "cell_clip", "proj_clip", "activation"):
        value, explicit = _per_layer(options, key, layer, num_layers)
        if key in _APPLIES_TO and cell_type not in _APPLIES_TO[key]:
            if explicit and isinstance(options[key], (list, tuple)):
                raise ValueError(f"{key} applies to {' and '.join(_APPLIES_TO[key])} only; layer "
                                 f"{layer} is a {cell_type}. Received: {key}={options[key]!r}")
            continue
        cell_options[key] = value
    out_size = cell_options.get("num_proj") or units
    if input_size is None:
        input_size = kernel.shape[0] - out_size
        if input_size < 1:
            raise ValueError(f"{kernel.label} has shape {list(kernel.shape)}: {kernel.shape[0]} "
                             f"rows cannot be input_size + {out_size} for {cell_type} with "
                             f"units={units}" + (f", num_proj={out_size}" if out_size != units
                                                 else "") + ".")
    try:
        cell = _models.CellSpec(cell_type, units, **cell_options)
        map_options = cell.map_options(input_size)
        map_options.pop("target")
        expected = _weights.tf1_variable_shapes(cell_type, **map_options)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: {error}") from None
    problems = []
    described = (f"{cell_type}(input_size={input_size}, units={units}"
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
        raise ValueError(f"{where} does not match the {cell_type} its names and shapes "
                         "describe:\n  " + "\n  ".join(problems))
    return cell, input_size


def _is_slot(name):
    return any(re.fullmatch(p, name) for p in OPTIMIZER_SLOT_PATTERNS)


def read_tf1_checkpoint(path, **options) -> TF1Checkpoint:
    """Read a TF1 checkpoint and infer its RNN (see the module docstring).

    Takes the same keyword arguments as :func:`from_tf1_checkpoint` (``steps`` is
    accepted and unused here).
    """
    options = _options("read_tf1_checkpoint", options)
    import tensorflow as tf

    prefix = _resolve_path(path)
    try:
        reader = tf.train.load_checkpoint(prefix)
    except (tf.errors.OpError, ValueError) as error:
        raise ValueError(f"Cannot read the TF1 checkpoint {prefix!r}: {error}") from None
    all_names = sorted(reader.get_variable_to_shape_map())

    ignored, kept = [], []
    for name in all_names:
        if name in _METADATA_KEYS:
            continue
        if ((options["ignore_optimizer_slots"] and _is_slot(name))
                or any(fnmatch.fnmatchcase(name, p) for p in options["ignore"])):
            ignored.append(name)
        else:
            kept.append(name)

    readout_names = tuple(options["readout"] or ())
    missing = [n for n in readout_names if n not in kept]
    if missing:
        candidates = sorted(n for n in kept if _runner_scope_of(normalize_name(n)) is None)
        raise ValueError(f"readout names {missing} are not in the checkpoint {prefix!r}"
                         + (" (they match ignore= or an optimizer-slot pattern)"
                            if any(n in ignored for n in missing) else "")
                         + f". Variables outside the cells: {candidates}")
    raw = _read_entries(reader, [n for n in kept if n not in readout_names])
    raw = _merge_shards(raw)

    entries, generations = {}, set()
    for name, entry in raw.items():
        normalized, fired = _apply(_FORWARD, name)
        generations.update(fired)
        if normalized in entries:
            raise ValueError(f"{entry.label} and {entries[normalized].label} are the same "
                             f"variable {normalized!r} in two naming generations.")
        entry.normalized = normalized
        entries[normalized] = entry

    scope = _find_scope(entries, options["scope"])
    # cells at the top level (no runner scope: a hand-unrolled loop) own their first segment
    top_segments = set() if scope else {n.split("/", 1)[0] for n in entries
                                        if _runner_scope_of(n) == ""}
    inside = {n: e for n, e in entries.items() if _in_scope(n, scope, top_segments)}
    outside = sorted(e.label + f" {list(e.shape)}" for n, e in entries.items() if n not in inside)
    slots_inside = sorted(e.label for n, e in inside.items() if any(_is_slot(m) for m in e.names))
    if outside:
        raise ValueError(
            f"The checkpoint {prefix!r} has variables outside the RNN scope "
            f"{(scope or '<top level>')!r}: {outside}"
            + (f" (and optimizer slots inside it: {slots_inside})" if slots_inside else "")
            + ". Name a readout with readout=(weights_name, "
            "biases_name) (shapes [H, C] and [C]), skip variables with ignore=[names or globs]"
            + ("" if options["ignore_optimizer_slots"]
               else ", or let ignore_optimizer_slots=True skip optimizer slots") + "."
        )

    cells, bidirectional = _parse_rnn(inside, scope)
    directions = ("fw", "bw") if bidirectional else (None,)
    num_layers = 1 + max(layer for _, layer in cells)
    per_direction = {}
    for direction in directions:
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
        per_direction[direction] = (tuple(specs), input_size)
    if bidirectional and per_direction["fw"] != per_direction["bw"]:
        raise ValueError(
            f"The forward and backward cells under {scope!r} differ (fw {per_direction['fw']}, "
            f"bw {per_direction['bw']}); an RNNSpec has one set of cells for both directions."
        )
    cell_specs, input_size = per_direction[directions[0]]
    for key, types in _APPLIES_TO.items():
        value = options[key]
        if (key in options["explicit"] and not isinstance(value, (list, tuple))
                and value != _PER_LAYER_DEFAULTS[key]
                and not any(c.cell_type in types for c in cell_specs)):
            raise ValueError(f"{key}={value!r} applies to {' and '.join(types)} only; the "
                             f"checkpoint's cells are {[c.cell_type for c in cell_specs]}.")

    readout, num_classes = None, None
    if readout_names:
        output_size = cell_specs[-1].output_size * (2 if bidirectional else 1)
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
        readout = (_float32(w_entry), _float32(b_entry))
        num_classes = classes

    spec = _models.RNNSpec(cell_specs, input_size, bidirectional=bidirectional,
                           masked=bool(options["masked"]), num_classes=num_classes)
    rnn_variables, names = {}, {}
    for (direction, layer), found in cells.items():
        cell, variables = cell_specs[layer], found["variables"]
        head = (f"{direction}/" if bidirectional else "") + (
            f"multi_rnn_cell/cell_{layer}/" if spec.stacked else "") + cell.tf1_scope + "/"
        for suffix, entry in variables.items():
            rnn_variables[head + suffix] = _float32(entry)
            names[head + suffix] = entry.names
    return TF1Checkpoint(prefix, spec, scope, tuple(sorted(generations)) or ("1.2",),
                         rnn_variables, readout, names, tuple(ignored))


def _float32(entry):
    array = np.asarray(entry.load())
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{entry.label} has dtype {array.dtype}; expected a floating-point "
                         "variable.")
    return array.astype(np.float32, copy=False)


def from_tf1_checkpoint(path, **runtime_options):
    """A TF1 checkpoint -> the equivalent Keras 3 model, weights loaded.

    Args:
        path: a checkpoint prefix (``.../model.ckpt``; its ``.index``/``.meta``/
            ``.data-*`` file names are accepted too) or a directory with a TF1
            ``checkpoint`` file (its latest checkpoint is read).
        **runtime_options: what a checkpoint does not store, TF1's defaults:
            ``forget_bias=1.0``, ``cell_clip=None``, ``proj_clip=None``,
            ``activation="tanh"``, ``cell_type=None`` (one value, or one per layer);
            ``readout=None`` (``(weights_name, biases_name)``), ``ignore=()``,
            ``ignore_optimizer_slots=True``, ``scope=None``, ``masked=False``,
            ``steps=None``. See the module docstring.

    Returns:
        :func:`modern.models.build_keras_model`'s ``keras.Model`` for the inferred
        spec (also at ``model.tf1_spec``), the checkpoint's weights loaded.

    Raises:
        FileNotFoundError: no checkpoint at ``path`` (the message names it).
        TypeError: an unknown keyword argument (named).
        ValueError: variables outside the RNN not accounted for (listed), an unknown
            variable inside it or a wrong shape (named, with the expected shape).
    """
    found = read_tf1_checkpoint(path, **runtime_options)
    model = _models.build_keras_model(found.spec, steps=runtime_options.get("steps"))
    _models.set_tf1_weights(model, found.spec, found.rnn_variables, found.readout)
    model.tf1_spec = found.spec
    return model


# --------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------
def to_tf1_checkpoint(model, spec, path, *, runner="static_rnn", naming="1.2",
                      readout_names=("readout/weights", "readout/biases"), scope=None):
    """Write ``model``'s weights as the TF1 checkpoint of ``spec``'s TF1 graph.

    Args:
        model: a model of :func:`modern.models.build_keras_model` for ``spec``.
        spec: its :class:`~modern.models.RNNSpec`.
        path: the checkpoint prefix to write (``.../model.ckpt``); an existing
            directory gets ``<path>/model.ckpt``. A ``checkpoint`` file naming it is
            written next to it.
        runner: the TF1 runner the checkpoint is for (``static_rnn``,
            ``dynamic_rnn``, ``static_bidirectional_rnn``,
            ``bidirectional_dynamic_rnn``); it sets the runner scope.
        naming: ``"1.2"`` (``kernel``/``bias``), ``"1.0"`` (``weights``/``biases``) or
            ``"0.x"`` (``RNN/BasicLSTMCell/Linear/Matrix``..., ``BiRNN_FW/``).
        readout_names: the names of the readout's weights and biases when ``spec``
            has a readout (None: leave the readout out).
        scope: the runner scope, if not TF1's default for ``runner`` and ``naming``
            (``rnn``, ``bidirectional_rnn``; TF 0.x ``RNN``, ``BiRNN``).

    Returns:
        The checkpoint prefix written. A ``tf.compat.v1.train.Saver`` over the TF1
        graph's variables (under the same names) restores it.
    """
    naming = _check_naming(naming)
    if runner not in _RUNNERS:
        raise ValueError(f"Unknown runner {runner!r}; expected one of {sorted(_RUNNERS)}.")
    if _RUNNERS[runner] != spec.bidirectional:
        raise ValueError(f"runner={runner!r} is {'bi' if _RUNNERS[runner] else 'uni'}directional "
                         f"but the spec is {'bi' if spec.bidirectional else 'uni'}directional.")
    if scope is None:
        scope = NAMINGS[naming]["scopes"][int(spec.bidirectional)]
    tf1_vars, readout = _models.get_tf1_weights(model, spec)
    values = {tf1_name(f"{scope}/{name}", naming): np.asarray(value)
              for name, value in tf1_vars.items()}
    if readout is not None and readout_names is not None:
        if isinstance(readout_names, str) or len(tuple(readout_names)) != 2:
            raise TypeError("readout_names must be a pair (weights_name, biases_name). "
                            f"Received: {readout_names!r}")
        values.update(dict(zip(readout_names, map(np.asarray, readout))))
    if len(values) != len(tf1_vars) + (2 if readout is not None and readout_names else 0):
        raise ValueError("readout_names collide with the RNN's variable names: "
                         f"{readout_names!r}")
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, "model.ckpt")
    return _save(values, path)


def _save(values, prefix):
    """Write ``{name: array}`` with a TF1 Saver (V2 format) in its own graph and session."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        variables, feed, assigns = {}, {}, []
        for name, value in values.items():
            var = v1.get_variable(name, value.shape, tf.as_dtype(value.dtype),
                                  initializer=v1.zeros_initializer(), use_resource=False)
            placeholder = v1.placeholder(var.dtype.base_dtype, value.shape)
            assigns.append(var.assign(placeholder))
            feed[placeholder] = value
            variables[name] = var
        saver = v1.train.Saver(var_list=variables, write_version=v1.train.SaverDef.V2)
        init = v1.global_variables_initializer()
    with v1.Session(graph=graph) as session:
        session.run(init)
        session.run(assigns, feed_dict=feed)
        return saver.save(session, prefix, write_meta_graph=False)
