"""TF1 checkpoint <-> ``.keras`` conversion with a proof of equivalence (``rnn-migrate convert``).

:func:`convert_checkpoint` wraps :func:`modern.checkpoint.read_tf1_checkpoint` /
:func:`modern.from_tf1_checkpoint` and refuses to write unless the result is proven:

1. the mapping table: every TF1 variable (its name in the checkpoint) -> the Keras
   weight(s) it becomes, both shapes, and the transformation applied
   (:func:`mapping_rows`);
2. the proof: the TF1 graph of the inferred spec is built with ``legacy_compat``
   (:func:`tools.proof.pipelines.build_legacy_graph`, a fresh, uncached graph), the SAME
   checkpoint is restored into it by a ``tf.compat.v1.train.Saver`` keyed by the
   checkpoint's original variable names, and it and the Keras model run on the same
   random inputs (random lengths, 0 and full length included, when ``masked``); every
   output (sequence outputs, each final-state part, logits) is compared
   (:func:`verify_against_tf1`);
3. the ``.keras`` file is written to a temporary name, loaded back with
   ``keras.saving.load_model`` and compared with the in-memory model, and only then
   moved into place (never over an existing file unless ``force``).

Tolerance: :data:`TOLERANCE` = :data:`tools.proof.tolerances.REAL_SIZE_FORWARD` (1e-5, max
|difference|, float32; its reason is there).

The spec travels with the model: :func:`save_keras` adds a member
``tf1_rnn_spec.json`` (:data:`SPEC_MEMBER`) to the ``.keras`` zip archive, holding the
:class:`~modern.models.RNNSpec` (every ``CellSpec`` field, ``forget_bias`` included,
which the ``LSTM`` target folded into its bias) and the checkpoint's readout names.
Keras ignores members it does not know, so ``keras.saving.load_model`` loads the file
as usual (after ``import modern``, which registers the cells and layers it may use);
:func:`read_spec` reads the spec back, which
is what the reverse conversion (:func:`convert_to_tf1`) needs. It is one file, so the
spec cannot get separated from the weights; ``spec_from`` (a JSON file of the same
form, or the original TF1 checkpoint) overrides it for ``.keras`` files made elsewhere.
"""
import dataclasses
import json
import os
import shutil
import tempfile
import zipfile
from typing import Dict, List, Optional, Sequence

import numpy as np

from modern import checkpoint as _checkpoint
from modern import models as _models
from modern.spec import static_runner
from tools.proof.report import EquivalenceReport, compare
from tools.proof.tolerances import REAL_SIZE_FORWARD

TOLERANCE = REAL_SIZE_FORWARD  # see tools.proof.tolerances
SPEC_MEMBER = "tf1_rnn_spec.json"
SPEC_FORMAT = 1
DEFAULT_VERIFY_STEPS = 7
DEFAULT_BATCH = 5


class ConversionError(Exception):
    """A conversion that was refused (nothing was written)."""


@dataclasses.dataclass
class MappingRow:
    tf1_name: str
    tf1_shape: tuple
    keras_names: tuple
    keras_shapes: tuple
    transformation: str


@dataclasses.dataclass
class ConvertResult:
    found: object  # modern.checkpoint.TF1Checkpoint (or a spec stand-in for --to-tf1)
    model: object
    rows: List[MappingRow]
    verification: EquivalenceReport  # context: runner, batch, steps, sequence_length
    reload_diff: Optional[float]
    written: Optional[str]


# --------------------------------------------------------------------------
# the spec, stored in the .keras archive
# --------------------------------------------------------------------------
def spec_to_dict(spec, readout_names=None):
    return {"format": SPEC_FORMAT,
            "spec": {"cells": [dataclasses.asdict(c) for c in spec.cells],
                     "input_size": spec.input_size, "bidirectional": spec.bidirectional,
                     "masked": spec.masked, "num_classes": spec.num_classes},
            "readout_names": list(readout_names) if readout_names else None}


def spec_from_dict(data):
    if not isinstance(data, dict) or data.get("format") != SPEC_FORMAT or "spec" not in data:
        raise ConversionError(f"not an rnn-migrate spec (expected {{'format': {SPEC_FORMAT}, "
                              f"'spec': ...}}): {str(data)[:200]}")
    raw = data["spec"]
    try:
        cells = tuple(_models.CellSpec(**c) for c in raw["cells"])
        spec = _models.RNNSpec(cells, int(raw["input_size"]), bidirectional=bool(raw["bidirectional"]),
                               masked=bool(raw["masked"]), num_classes=raw["num_classes"])
    except (KeyError, TypeError, ValueError) as error:
        raise ConversionError(f"invalid rnn-migrate spec: {error}") from None
    names = data.get("readout_names")
    return spec, (tuple(names) if names else None)


def read_spec(path):
    """``(RNNSpec, readout_names)`` stored in a ``.keras`` file by :func:`save_keras`."""
    try:
        with zipfile.ZipFile(path) as archive:
            if SPEC_MEMBER not in archive.namelist():
                raise ConversionError(
                    f"{path!r} has no {SPEC_MEMBER} (it was not written by rnn-migrate convert): "
                    "pass --spec-from SPEC.json or --spec-from ORIGINAL_TF1_CHECKPOINT")
            return spec_from_dict(json.loads(archive.read(SPEC_MEMBER)))
    except zipfile.BadZipFile:
        raise ConversionError(f"{path!r} is not a .keras archive") from None


def _spec_from_path(path, options):
    if os.path.isfile(path) and path.endswith(".json"):
        with open(path) as handle:
            return spec_from_dict(json.load(handle))
    if os.path.isfile(path) and path.endswith(".keras"):
        return read_spec(path)
    found = _read(path, options)
    return found.spec, tuple(options.get("readout") or ()) or None


# --------------------------------------------------------------------------
# the mapping table
# --------------------------------------------------------------------------
def _transformations(cell, depth):
    """{TF1 suffix: (indices into the cell's Keras weight list, description)}."""
    target, u = cell.keras_target, cell.units
    rows = f"rows [:{depth}] kernel / [{depth}:] recurrent_kernel"
    if target == "SimpleRNN":
        return {"kernel": ((0, 1), rows), "bias": ((2,), "copied")}
    if target == "LSTM":
        return {"kernel": ((0, 1), f"columns i,j,f,o -> i,f,c,o; {rows}"),
                "bias": ((2,), f"blocks i,j,f,o -> i,f,c,o; + forget_bias {cell.forget_bias:g} "
                               "on f")}
    if target == "GRU":
        return {"gates/kernel": ((0, 1), f"columns r,u -> u into z [:{u}], r into r "
                                         f"[{u}:{2 * u}]; {rows}"),
                "gates/bias": ((2,), f"r,u -> bias[:{u}] = u (z), bias[{u}:{2 * u}] = r"),
                "candidate/kernel": ((0, 1), f"-> h columns [{2 * u}:]; {rows}"),
                "candidate/bias": ((2,), f"-> bias[{2 * u}:] (h)")}
    options = cell.map_options(depth)
    options.pop("target")
    names = list(_weights_module().tf1_variable_shapes(cell.cell_type, **options))
    note = "copied (TF1 layout kept)"
    if cell.lstm_like:
        note += f"; forget_bias {cell.forget_bias:g} is the cell's argument"
    return {name: ((i,), note) for i, name in enumerate(names)}


def _weights_module():
    from modern import weights

    return weights


def mapping_rows(found, model, readout_names=None) -> List[MappingRow]:
    """The TF1 variable -> Keras weight table of a conversion (see the module docstring)."""
    spec = found.spec
    layers = _models._rnn_layers(model, spec)
    keras_weights = [w for layer in layers for w in layer.weights]
    rows, pos = [], 0
    for direction in spec.directions:
        for prefix, cell, depth in zip(_models._cell_prefixes(spec, direction), spec.cells,
                                       spec.layer_input_sizes()):
            options = cell.map_options(depth)
            n = len(_weights_module().keras_weight_shapes(cell.cell_type, **options))
            cell_weights = keras_weights[pos:pos + n]
            pos += n
            for suffix, (indices, how) in _transformations(cell, depth).items():
                key = prefix + suffix
                names = found.names.get(key, (key,))
                rows.append(MappingRow(
                    " + ".join(names), tuple(np.shape(found.rnn_variables[key])),
                    tuple(cell_weights[i].path for i in indices),
                    tuple(tuple(cell_weights[i].shape) for i in indices),
                    how + (" (shards concatenated on rows)" if len(names) > 1 else "")))
    if found.readout is not None:
        dense = model.get_layer("readout")
        names = readout_names or ("readout weights", "readout biases")
        for name, value, weight in zip(names, found.readout, dense.weights):
            rows.append(MappingRow(name, tuple(np.shape(value)), (weight.path,),
                                   (tuple(weight.shape),), "copied (readout: outputs[-1] @ W + b)"))
    return rows


# --------------------------------------------------------------------------
# the proof
# --------------------------------------------------------------------------
def _checkpoint_dtype(prefix, names):
    import tensorflow as tf

    dtypes = tf.train.load_checkpoint(prefix).get_variable_to_dtype_map()
    found = {dtypes[n] for n in names}
    if found <= {tf.float32}:
        return tf.float32
    if found <= {tf.float64}:
        return tf.float64
    raise ConversionError(f"cannot verify a checkpoint of dtypes {sorted(d.name for d in found)}: "
                          "the TF1 graph is built in float32 or float64 only")


def _keras_outputs(model, x, lengths):
    """A Keras model of ``modern`` on numpy inputs -> ``{output name: array}``."""
    inputs = [np.asarray(x, "float32")] + ([lengths] if lengths is not None else [])
    return {name: np.asarray(value) for name, value in model(inputs).items()}


def verify_against_tf1(found, model, *, steps=DEFAULT_VERIFY_STEPS, batch=DEFAULT_BATCH, seed=0,
                       readout_names=None, outputs_of=_keras_outputs,
                       side="Keras model") -> EquivalenceReport:
    """Restore the checkpoint into the TF1 graph of ``found.spec``; compare with ``model``.

    ``outputs_of(model, x, sequence_length or None)`` runs the converted model (by default
    a Keras model; :mod:`tools.convert.pytorch` passes a torch module's), ``side`` names it.

    The graph is :func:`tools.proof.pipelines.build_legacy_graph`'s, built fresh (not the
    cached one, so no values are shared with anything else); a ``Saver`` keyed by the
    checkpoint's own names restores every one of its variables (TF 0.x shards, which a
    Saver cannot restore into one variable, are assigned their concatenation).
    """
    import tensorflow as tf

    from tools.proof import harness, pipelines

    spec = found.spec
    runner = static_runner(bidirectional=spec.bidirectional)
    restored = [n for names in found.names.values() for n in names] + list(readout_names or ())
    dtype = _checkpoint_dtype(found.path, restored)
    legacy = pipelines.build_legacy_graph.__wrapped__(spec, steps, runner, dtype)
    try:
        var_list, assigned, covered = {}, {}, set()
        scope = pipelines.RUNNER_SCOPES[runner]
        for key, names in sorted(found.names.items()):
            if key not in legacy.rnn_variables:
                raise ConversionError(f"the TF1 graph of the inferred spec has no variable "
                                      f"{scope}/{key} (read from {names})")
            covered.add(f"{scope}/{key}")
            if len(names) == 1:
                var_list[names[0]] = legacy.rnn_variables[key]
            else:
                assigned[f"{scope}/{key}"] = found.rnn_variables[key]
        if readout_names:
            for name, graph_name in zip(readout_names, (pipelines.READOUT_WEIGHTS,
                                                        pipelines.READOUT_BIASES)):
                var_list[name] = legacy.readout_variables[graph_name]
                covered.add(graph_name)
        left = sorted(set(legacy.all_variables) - covered)
        if left:
            raise ConversionError(f"the checkpoint does not restore the TF1 graph's variables "
                                  f"{left}")
        with legacy.graph.as_default():
            saver = tf.compat.v1.train.Saver(var_list=var_list)
            saver.restore(legacy.session, found.path)
        if assigned:
            legacy.set_values(assigned)
        rng = np.random.default_rng(seed)
        x, lengths = harness.random_inputs(spec, steps, batch, rng)
        tf1_out = legacy.run(legacy.outputs, x, lengths)
    finally:
        legacy.session.close()
    keras_out = outputs_of(model, x, lengths)
    for name, value in tf1_out.items():
        if name not in keras_out:
            raise ConversionError(f"the {side} has no output {name!r}")
        if keras_out[name].shape != np.shape(value):
            raise ConversionError(f"output {name!r}: TF1 shape {list(np.shape(value))}, {side} "
                                  f"shape {list(keras_out[name].shape)}")
    return compare(tf1_out, {name: keras_out[name] for name in tf1_out}, atol=TOLERANCE,
                   title=f"{side} vs TF1 graph (checkpoint restored)",
                   context={"steps": steps, "batch": batch, "runner": runner,
                            "sequence_length": None if lengths is None
                            else [int(n) for n in lengths]})


def _outputs(model, spec, steps, seed, outputs_of=_keras_outputs):
    from tools.proof import harness

    x, lengths = harness.random_inputs(spec, steps, DEFAULT_BATCH, np.random.default_rng(seed))
    return outputs_of(model, x, lengths)


def max_output_diff(before, after):
    """Max |difference| of two output dicts (inf when their names differ)."""
    if set(before) != set(after):
        return float("inf")
    return max(float(np.max(np.abs(before[k] - after[k]))) if before[k].size else 0.0
               for k in before)


def check_output_path(output, force):
    """Refuse to overwrite ``output`` unless ``force``."""
    if os.path.exists(output) and not force:
        raise ConversionError(f"{output!r} exists; pass --force to overwrite it")


# --------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------
def save_keras(model, spec, path, readout_names=None, *, steps=DEFAULT_VERIFY_STEPS):
    """Save ``model`` (+ its spec, see the module docstring) atomically to ``path``.

    Written under a temporary name in the same directory, loaded back with
    ``keras.saving.load_model`` and compared with ``model`` (max |difference| returned,
    must be 0 up to float32 rounding) before it replaces ``path``.
    """
    import keras

    import modern  # noqa: F401  (registers the cells and layers for load_model)
    import modern.layers  # noqa: F401  (SequenceMask, LastTimeStep: masked / readout models)

    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=".rnn-migrate-", suffix=".keras", dir=directory)
    os.close(handle)
    try:
        model.save(tmp)
        with zipfile.ZipFile(tmp, "a") as archive:
            archive.writestr(SPEC_MEMBER, json.dumps(spec_to_dict(spec, readout_names),
                                                      indent=2, sort_keys=True))
        loaded = keras.saving.load_model(tmp)
        diff = max_output_diff(_outputs(model, spec, steps, 1), _outputs(loaded, spec, steps, 1))
        if diff > TOLERANCE:
            raise ConversionError(f"the saved .keras file does not reload to the same model "
                                  f"(max |diff| {diff:.3g})")
        if read_spec(tmp)[0] != spec:
            raise ConversionError("the spec stored in the .keras file does not read back")
        os.replace(tmp, path)
        return diff
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _read(checkpoint, options):
    try:
        return _checkpoint.read_tf1_checkpoint(checkpoint, **options)
    except (FileNotFoundError, TypeError, ValueError) as error:
        raise ConversionError(str(error)) from None


def convert_checkpoint(checkpoint, output, *, force=False, verify_steps=None, seed=0,
                       report=None, **options) -> ConvertResult:
    """TF1 checkpoint -> verified ``.keras`` file (see the module docstring).

    ``options`` are :func:`modern.from_tf1_checkpoint`'s keyword arguments
    (``forget_bias``, ``cell_clip``, ``proj_clip``, ``activation``, ``readout``,
    ``ignore``, ``masked``, ``steps``, ...). ``report(kind, payload)`` is called with
    ``("mapping", rows)`` and ``("verification", EquivalenceReport)`` as soon as they are
    known, so a caller can print them even when the conversion is then refused.

    Raises:
        ConversionError: the output exists (and not ``force``), the checkpoint cannot be
            converted, or the converted model differs from the TF1 graph by more than
            :data:`TOLERANCE`. Nothing is written then.
    """
    report = report or (lambda kind, payload: None)
    output = os.fspath(output)
    if not output.endswith(".keras"):
        raise ConversionError(f"the output must end in .keras (Keras 3's format): {output!r}")
    check_output_path(output, force)
    found = _read(checkpoint, options)
    steps = options.get("steps")
    try:
        model = _models.build_keras_model(found.spec, steps=steps)
        _models.set_tf1_weights(model, found.spec, found.rnn_variables, found.readout)
    except (TypeError, ValueError) as error:
        raise ConversionError(f"cannot build the Keras model: {error}") from None
    model.tf1_spec = found.spec
    readout_names = tuple(options.get("readout") or ()) or None
    rows = mapping_rows(found, model, readout_names)
    report("mapping", rows)
    verification = verify_against_tf1(found, model, steps=verify_steps or steps or DEFAULT_VERIFY_STEPS,
                                      seed=seed, readout_names=readout_names)
    report("verification", verification)
    if not verification.ok:
        raise ConversionError(
            f"the Keras model does not compute what the TF1 graph computes: max |diff| "
            f"{verification.max_diff:.3g} on {verification.worst!r} > tolerance {TOLERANCE:g}; "
            "nothing written")
    reload_diff = save_keras(model, found.spec, output, readout_names,
                             steps=verification.context["steps"])
    return ConvertResult(found, model, rows, verification, reload_diff, output)


# --------------------------------------------------------------------------
# the reverse: .keras -> TF1 checkpoint
# --------------------------------------------------------------------------
def _checkpoint_files(prefix):
    import glob

    return sorted(glob.glob(glob.escape(prefix) + ".index")
                  + glob.glob(glob.escape(prefix) + ".data-*"))


def convert_to_tf1(keras_path, output, *, spec_from=None, force=False, verify_steps=None,
                   seed=0, report=None, **options) -> ConvertResult:
    """A ``.keras`` file of :func:`convert_checkpoint` -> a TF1-named checkpoint, verified.

    The spec comes from the file (:data:`SPEC_MEMBER`) or ``spec_from``. The checkpoint
    (TF 1.2+ names, runner scope ``rnn``/``bidirectional_rnn``, readout under the
    original names or ``readout/weights``, ``readout/biases``) is written to a temporary
    directory, read back and proven like a forward conversion (restored into the TF1
    graph by a Saver, outputs compared with the loaded model), then copied to the
    ``output`` prefix along with a ``checkpoint`` file.
    """
    import keras

    import modern  # noqa: F401  (registers what the .keras file may use)
    import modern.layers  # noqa: F401

    from tools.proof import pipelines

    report = report or (lambda kind, payload: None)
    output = os.fspath(output)
    if output.endswith(".keras"):
        raise ConversionError(f"--to-tf1 writes a TF1 checkpoint prefix, not {output!r}")
    if _checkpoint_files(output) and not force:
        raise ConversionError(f"a checkpoint {output!r} exists; pass --force to overwrite it")
    if not os.path.isfile(keras_path):
        raise ConversionError(f".keras file not found: {keras_path!r}")
    spec, readout_names = (_spec_from_path(spec_from, options) if spec_from
                           else read_spec(keras_path))
    try:
        model = keras.saving.load_model(keras_path)
    except Exception as error:  # noqa: BLE001 - any loading failure is a refusal, reported
        raise ConversionError(f"cannot load {keras_path!r}: {type(error).__name__}: {error}") from None
    expected = [tuple(w.shape) for w in _models.build_keras_model(spec).weights]
    actual = [tuple(w.shape) for w in model.weights]
    if expected != actual:
        raise ConversionError(f"the spec {spec} does not describe the model in {keras_path!r}: "
                              f"the spec's model has weight shapes {expected}, the file's "
                              f"{actual}")
    readout_names = readout_names or ((pipelines.READOUT_WEIGHTS, pipelines.READOUT_BIASES)
                                      if spec.num_classes is not None else None)
    runner = static_runner(bidirectional=spec.bidirectional)
    workdir = tempfile.mkdtemp(prefix="rnn-migrate-")
    try:
        try:
            written = _checkpoint.to_tf1_checkpoint(model, spec, os.path.join(workdir, "model.ckpt"),
                                                    runner=runner, readout_names=readout_names)
        except (TypeError, ValueError, KeyError) as error:
            raise ConversionError(f"cannot map the model to TF1 variables: {error}") from None
        read_options = {"readout": readout_names} if readout_names else {}
        found = _read(written, {**read_options, "masked": spec.masked})
        if _structure(found.spec) != _structure(spec):
            raise ConversionError(f"the written checkpoint reads back as {found.spec}, not {spec}")
        # runtime options are not in a checkpoint: prove it with the model's own spec
        found = dataclasses.replace(found, spec=spec)
        rows = mapping_rows(found, model, readout_names)
        report("mapping", rows)
        verification = verify_against_tf1(found, model, steps=verify_steps or DEFAULT_VERIFY_STEPS,
                                          seed=seed, readout_names=readout_names)
        report("verification", verification)
        if not verification.ok:
            raise ConversionError(
                f"the written checkpoint does not compute what the model computes: max |diff| "
                f"{verification.max_diff:.3g} on {verification.worst!r} > tolerance "
                f"{TOLERANCE:g}; nothing written")
        directory = os.path.dirname(os.path.abspath(output))
        os.makedirs(directory, exist_ok=True)
        for old in _checkpoint_files(output):
            os.remove(old)
        for source in _checkpoint_files(written):
            shutil.copyfile(source, output + source[len(written):])
        with open(os.path.join(directory, "checkpoint"), "w") as handle:
            base = os.path.basename(output)
            handle.write(f'model_checkpoint_path: "{base}"\nall_model_checkpoint_paths: "{base}"\n')
        return ConvertResult(found, model, rows, verification, None, output)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _structure(spec):
    """What a checkpoint's names and shapes say (runtime options are not in it)."""
    return ([(c.cell_type, c.units, c.use_peepholes, c.num_proj, c.layer_norm) for c in spec.cells],
            spec.input_size, spec.bidirectional, spec.num_classes)


def parse_per_layer(text: Optional[str], kind):
    """``"1.0"`` -> 1.0; ``"1.0,none,0.5"`` -> [1.0, None, 0.5] (one entry per layer)."""
    if text is None:
        return None

    def one(item):
        item = item.strip()
        if item.lower() in ("", "none", "default"):
            return None
        return kind(item)

    parts = text.split(",")
    return one(parts[0]) if len(parts) == 1 else [one(p) for p in parts]


def runtime_options(*, forget_bias=None, cell_clip=None, proj_clip=None, activation=None,
                    readout=None, ignore: Sequence[str] = (), masked=False, steps=None,
                    scope=None, cell_type=None):
    """The keyword arguments of :func:`modern.from_tf1_checkpoint` that were given."""
    options = {}
    for key, value in (("forget_bias", forget_bias), ("cell_clip", cell_clip),
                       ("proj_clip", proj_clip), ("activation", activation),
                       ("cell_type", cell_type), ("scope", scope), ("steps", steps)):
        if value is not None:
            options[key] = value
    if readout is not None:
        options["readout"] = tuple(readout)
    if ignore:
        options["ignore"] = list(ignore)
    if masked:
        options["masked"] = True
    return options
