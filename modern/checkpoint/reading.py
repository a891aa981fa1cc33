"""Opening a TF1 checkpoint: its path, its entries (0.x shards merged, names normalised),
the runner scope that holds the cells and the RNN's layout under it.

See :mod:`modern.checkpoint`; :mod:`modern.checkpoint.inference` works out the cells.
"""
import dataclasses
import fnmatch
import os
import re
from typing import Callable, Tuple

import numpy as np

from modern import spec as _spec
from modern.checkpoint.naming import (
    _FORWARD,
    _METADATA_KEYS,
    _SHARDS,
    _apply,
    _is_slot,
    normalize_name,
)


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


# --------------------------------------------------------------------------
# the checkpoint and its entries
# --------------------------------------------------------------------------
def _resolve_path(path):
    import tensorflow as tf

    given = os.fspath(path)
    if tf.io.gfile.isdir(given):
        return _resolve_directory(given)
    prefix = re.sub(r"(\.index|\.meta|\.data-\d{5}-of-\d{5})$", "", given)
    if tf.io.gfile.exists(prefix + ".index"):
        return prefix
    if prefix == given and tf.io.gfile.exists(given) and not tf.io.gfile.isdir(given):
        return given  # a V1-format checkpoint is a single file
    raise FileNotFoundError(f"TF1 checkpoint not found: {given!r} (no file {prefix + '.index'!r} "
                            "and no directory of that name).")


def _resolve_directory(given):
    """The checkpoint a directory holds: its ``checkpoint`` file's, or its only one."""
    import tensorflow as tf

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


def _open_reader(prefix):
    import tensorflow as tf

    try:
        return tf.train.load_checkpoint(prefix)
    except (tf.errors.OpError, ValueError) as error:
        raise ValueError(f"Cannot read the TF1 checkpoint {prefix!r}: {error}") from None


def _split_ignored(reader, ignore_optimizer_slots, ignore):
    """The checkpoint's names -> (kept, ignored); metadata keys are neither."""
    ignored, kept = [], []
    for name in sorted(reader.get_variable_to_shape_map()):
        if name in _METADATA_KEYS:
            continue
        if ((ignore_optimizer_slots and _is_slot(name))
                or any(fnmatch.fnmatchcase(name, p) for p in ignore)):
            ignored.append(name)
        else:
            kept.append(name)
    return kept, ignored


def _check_readout_names(prefix, readout_names, kept, ignored):
    missing = [n for n in readout_names if n not in kept]
    if missing:
        candidates = sorted(n for n in kept if _runner_scope_of(normalize_name(n)) is None)
        raise ValueError(f"readout names {missing} are not in the checkpoint {prefix!r}"
                         + (" (they match ignore= or an optimizer-slot pattern)"
                            if any(n in ignored for n in missing) else "")
                         + f". Variables outside the cells: {candidates}")


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


def _normalized_entries(reader, names):
    """{TF 1.2+ name: entry} of ``names`` (shards merged), and the generations found."""
    entries, generations = {}, set()
    for name, entry in _merge_shards(_read_entries(reader, names)).items():
        normalized, fired = _apply(_FORWARD, name)
        generations.update(fired)
        if normalized in entries:
            raise ValueError(f"{entry.label} and {entries[normalized].label} are the same "
                             f"variable {normalized!r} in two naming generations.")
        entry.normalized = normalized
        entries[normalized] = entry
    return entries, generations


def _float32(entry):
    array = np.asarray(entry.load())
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{entry.label} has dtype {array.dtype}; expected a floating-point "
                         "variable.")
    return array.astype(np.float32, copy=False)


# --------------------------------------------------------------------------
# the runner scope
# --------------------------------------------------------------------------
_CELL_SCOPE_TYPES = {kind.scope: cell_type for cell_type, kind in _spec.CELL_KINDS.items()}
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


def _rnn_entries(prefix, entries, scope, ignore_optimizer_slots):
    """The entries under the runner scope; an error listing any outside it."""
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
            + ("" if ignore_optimizer_slots
               else ", or let ignore_optimizer_slots=True skip optimizer slots") + "."
        )
    return inside


# --------------------------------------------------------------------------
# the RNN's layout under the scope
# --------------------------------------------------------------------------
def _unknown(entry, why):
    return (f"unknown variable inside the RNN scope: {entry.label} of shape "
            f"{list(entry.shape)} ({why})")


def _parse_name(name, entry, scope):
    """(direction, layer, cell scope, suffix) of one name under ``scope``.

    Raises ValueError (the problem, for the list) when it does not parse.
    """
    if any(_is_slot(n) for n in entry.names):
        raise ValueError(_unknown(entry, "an optimizer slot; ignore_optimizer_slots=True "
                                         "skips it"))
    rest = (name[len(scope) + 1:] if scope else name).split("/")
    direction = None
    if rest[0] in ("fw", "bw"):
        direction = rest.pop(0)
    layer = None
    if rest and rest[0] == "multi_rnn_cell":
        found = _LAYER_SEGMENT.fullmatch(rest[1]) if len(rest) > 1 else None
        if not found:
            raise ValueError(_unknown(entry, "multi_rnn_cell/ must be followed by cell_<i>/"))
        layer = int(found.group(1))
        rest = rest[2:]
    if len(rest) < 2:
        raise ValueError(_unknown(entry, "not <cell scope>/<variable>"))
    return direction, layer, rest[0], "/".join(rest[1:])


def _one_cell_per_layer(by_key, problems):
    """{key: {cell scope: cell}} -> {key: cell}; a second cell scope's variables are strays."""
    cells = {}
    for key, scopes in by_key.items():
        # one cell per layer: the scope holding most variables is the cell, the rest strays
        ranked = sorted(scopes.values(), key=lambda c: -len(c["variables"]))
        cells[key] = ranked[0]
        for stray in ranked[1:]:
            problems.extend(_unknown(e, f"a second cell scope {stray['scope']!r} next to "
                                        f"{ranked[0]['path']!r}")
                            for e in stray["variables"].values())
    return cells


def _parse_rnn(entries, scope):
    """{(direction, layer): {"scope", "path", "variables": {suffix: entry}}}, bidirectional."""
    by_key, problems = {}, []
    directions, stacked_flags = set(), set()
    for name, entry in sorted(entries.items()):
        try:
            direction, layer, cell_scope, suffix = _parse_name(name, entry, scope)
        except ValueError as problem:
            problems.append(str(problem))
            continue
        directions.add(direction)
        stacked_flags.add(layer is not None)
        scopes = by_key.setdefault((direction, layer or 0), {})
        cell = scopes.setdefault(cell_scope, {"scope": cell_scope, "variables": {},
                                              "path": name[:-len(suffix) - 1]})
        cell["variables"][suffix] = entry
    cells = _one_cell_per_layer(by_key, problems)
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
