"""``rnn-migrate convert``: TF1 checkpoint -> verified ``.keras`` (and back), refusals.

Checkpoints are written by a ``tf.compat.v1.train.Saver`` from the legacy graph of a
spec (:func:`tools.proof.pipelines.build_legacy_graph`, random values). Each conversion runs
``main([...])`` in-process; the test then checks, independently of the command's own
verification, that the written ``.keras`` file loads and computes what the TF1 graph
that wrote the checkpoint computes (1e-5, the command's tolerance, see
:mod:`tools.convert`).
"""
import json
import os
import sys
import zipfile

import numpy as np
import pytest
import tensorflow as tf

from modern.models import CellSpec, RNNSpec
from tools import cli, convert
from tools.proof import pipelines
from tests.support.helpers import run_python

v1 = tf.compat.v1
STEPS = 5
TOLERANCE = convert.TOLERANCE
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _legacy(spec, runner, seed):
    legacy = pipelines.build_legacy_graph.__wrapped__(spec, STEPS, runner)
    legacy.set_values(legacy.random_values(np.random.default_rng(seed)))
    return legacy


def _save(legacy, prefix, extra=None):
    """Save the legacy graph's variables (and ``extra`` {name: array}) with a TF1 Saver."""
    with legacy.graph.as_default():
        var_list = dict(legacy.all_variables)
        init = []
        for name, value in (extra or {}).items():
            var = v1.get_variable(name, initializer=np.asarray(value, np.float32))
            var_list[name] = var
            init.append(var.initializer)
        legacy.session.run(init)
        return v1.train.Saver(var_list).save(legacy.session, str(prefix), write_meta_graph=False)


def _load(path):
    import keras

    import modern.cells  # noqa: F401
    import modern.layers  # noqa: F401

    return keras.saving.load_model(str(path))


def _assert_matches_tf1(model, legacy, seed=3):
    spec = legacy.spec
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4, STEPS, spec.input_size))
    lengths = np.array([0, STEPS, 2, 3], np.int32) if spec.masked else None
    expected = legacy.run(legacy.outputs, x, lengths)
    got = model([x.astype("float32")] + ([lengths] if spec.masked else []))
    assert set(got) == set(expected)
    for name, value in expected.items():
        assert np.max(np.abs(np.asarray(got[name]) - value)) <= TOLERANCE, name


def _run(argv, capsys):
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


CASES = {
    "lstm": (RNNSpec((CellSpec("BasicLSTMCell", 4, forget_bias=0.5),), 3), "static_rnn",
             ["--forget-bias", "0.5"], "columns i,j,f,o -> i,f,c,o; rows [:3] kernel / [3:] "
                                       "recurrent_kernel"),
    "gru_masked": (RNNSpec((CellSpec("GRUCell", 3),), 2, masked=True), "dynamic_rnn",
                   ["--masked"], "columns r,u -> u into z [:3], r into r [3:6]"),
    "bidirectional_peepholes": (
        RNNSpec((CellSpec("LSTMCell", 3, use_peepholes=True, num_proj=2, cell_clip=0.7),), 2,
                bidirectional=True), "bidirectional_dynamic_rnn", ["--cell-clip", "0.7"],
        "copied (TF1 layout kept)"),
    "stack_readout": (
        RNNSpec((CellSpec("BasicLSTMCell", 4), CellSpec("GRUCell", 3)), 3, num_classes=2),
        "static_rnn", ["--readout", "readout/weights,readout/biases"],
        "copied (readout: outputs[-1] @ W + b)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_convert_prints_table_and_diff_and_writes_a_loadable_model(case, tmp_path, capsys):
    spec, runner, options, transformation = CASES[case]
    legacy = _legacy(spec, runner, seed=len(case))
    prefix = _save(legacy, tmp_path / "model.ckpt")
    out = tmp_path / "model.keras"
    code, stdout, stderr = _run(["convert", prefix, "-o", out, *options], capsys)
    assert code == 0, stderr
    assert "Mapping (TF1 variable -> Keras weight)" in stdout
    for name in legacy.all_variables:  # every checkpoint variable is a row of the table
        assert f"\n{name} " in stdout
    assert transformation in stdout
    assert "max |diff| = " in stdout and ": OK" in stdout
    assert f"wrote {out}" in stdout
    model = _load(out)
    _assert_matches_tf1(model, legacy)
    stored, _ = convert.read_spec(out)
    assert stored == spec


def test_loads_in_a_fresh_process_after_import_modern_cells(tmp_path, capsys):
    spec = RNNSpec((CellSpec("LSTMCell", 3, use_peepholes=True, num_proj=2),), 2)
    legacy = _legacy(spec, "static_rnn", seed=11)
    prefix = _save(legacy, tmp_path / "model.ckpt")
    out = tmp_path / "model.keras"
    assert _run(["convert", prefix, "-o", out], capsys)[0] == 0
    x = np.random.default_rng(0).normal(size=(2, STEPS, 2)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    script = ("import sys, numpy as np, keras, modern.cells\n"
              "m = keras.saving.load_model(sys.argv[1])\n"
              "np.save(sys.argv[3], np.asarray(m(np.load(sys.argv[2]))['outputs']))\n")
    run_python(["-c", script, str(out), str(tmp_path / "x.npy"), str(tmp_path / "y.npy")],
               preloaded=True)
    expected = legacy.run(legacy.outputs["outputs"], x)
    assert np.max(np.abs(np.load(tmp_path / "y.npy") - expected)) <= TOLERANCE


def test_spec_is_stored_in_the_archive(tmp_path, capsys):
    spec, runner, options, _ = CASES["lstm"]
    prefix = _save(_legacy(spec, runner, seed=1), tmp_path / "model.ckpt")
    out = tmp_path / "model.keras"
    assert _run(["convert", prefix, "-o", out, *options], capsys)[0] == 0
    with zipfile.ZipFile(out) as archive:
        data = json.loads(archive.read(convert.SPEC_MEMBER))
    assert data["spec"]["cells"][0]["forget_bias"] == 0.5
    assert convert.spec_from_dict(data)[0] == spec


def test_to_tf1_round_trip_restores_into_the_tf1_graph(tmp_path, capsys):
    spec, runner, options, _ = CASES["stack_readout"]
    legacy = _legacy(spec, runner, seed=4)
    prefix = _save(legacy, tmp_path / "model.ckpt")
    keras_file = tmp_path / "model.keras"
    assert _run(["convert", prefix, "-o", keras_file, *options], capsys)[0] == 0
    back = tmp_path / "back" / "model.ckpt"
    code, stdout, stderr = _run(["convert", keras_file, "--to-tf1", "-o", back], capsys)
    assert code == 0, stderr
    assert "max |diff| = " in stdout and f"wrote TF1 checkpoint {back}" in stdout
    # the same names as the original checkpoint: a Saver of a fresh TF1 graph restores it
    fresh = _legacy(spec, runner, seed=99)
    with fresh.graph.as_default():
        v1.train.Saver(fresh.all_variables).restore(fresh.session, str(back))
    original = legacy.get_values()
    restored = fresh.get_values()
    for name, value in original.items():
        np.testing.assert_allclose(restored[name], value, atol=1e-6, err_msg=name)
    assert tf.train.latest_checkpoint(str(back.parent)) == str(back)


def test_to_tf1_spec_from_json(tmp_path, capsys):
    spec, runner, options, _ = CASES["lstm"]
    prefix = _save(_legacy(spec, runner, seed=2), tmp_path / "model.ckpt")
    keras_file = tmp_path / "model.keras"
    assert _run(["convert", prefix, "-o", keras_file, *options], capsys)[0] == 0
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(convert.spec_to_dict(spec)))
    back = tmp_path / "back.ckpt"
    code, _, stderr = _run(["convert", keras_file, "--to-tf1", "--spec-from", spec_file,
                            "-o", back], capsys)
    assert code == 0, stderr
    # (a different forget_bias cannot be detected: the checkpoint it writes is exact for a
    # TF1 program with that forget_bias.) A spec that is not the model's is refused:
    wrong = convert.spec_to_dict(RNNSpec((CellSpec("BasicLSTMCell", 5),), 3))
    spec_file.write_text(json.dumps(wrong))
    code, _, stderr = _run(["convert", keras_file, "--to-tf1", "--spec-from", spec_file,
                            "-o", tmp_path / "wrong.ckpt"], capsys)
    assert code == 2 and "does not describe the model" in stderr, stderr
    assert "refused: nothing written" in stderr
    assert not list(tmp_path.glob("wrong.ckpt*"))


def test_unknown_variable_is_refused_and_nothing_written(tmp_path, capsys):
    spec, runner, _, _ = CASES["gru_masked"]
    legacy = _legacy(spec, runner, seed=5)
    prefix = _save(legacy, tmp_path / "model.ckpt",
                   extra={"rnn/gru_cell/stray": np.zeros(3, np.float32)})
    out = tmp_path / "model.keras"
    code, stdout, stderr = _run(["convert", prefix, "-o", out, "--masked"], capsys)
    assert code == 2
    assert "rnn/gru_cell/stray" in stderr and "refused: nothing written" in stderr
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".keras")]


def test_ignore_skips_an_unknown_variable_outside_the_rnn(tmp_path, capsys):
    spec, runner, _, _ = CASES["gru_masked"]
    legacy = _legacy(spec, runner, seed=6)
    prefix = _save(legacy, tmp_path / "model.ckpt", extra={"step_counter": np.zeros(1)})
    out = tmp_path / "model.keras"
    code, _, stderr = _run(["convert", prefix, "-o", out, "--masked"], capsys)
    assert code == 2 and "step_counter" in stderr and not out.exists()
    code, _, stderr = _run(["convert", prefix, "-o", out, "--masked", "--ignore", "step_*"],
                           capsys)
    assert code == 0, stderr
    _assert_matches_tf1(_load(out), legacy)


def test_mismatch_is_refused_and_nothing_written(tmp_path, capsys, monkeypatch):
    """A broken weight map (forget_bias not folded into the LSTM bias) is detected."""
    from modern import weights

    spec, runner, options, _ = CASES["lstm"]
    prefix = _save(_legacy(spec, runner, seed=7), tmp_path / "model.ckpt")
    monkeypatch.setattr(weights, "_forget_bias", lambda array, forget_bias: 0.0)
    out = tmp_path / "model.keras"
    code, stdout, stderr = _run(["convert", prefix, "-o", out, *options], capsys)
    assert code == 2
    assert "Mapping (TF1 variable -> Keras weight)" in stdout
    assert "MISMATCH" in stdout
    assert "does not compute what the TF1 graph computes" in stderr and "1e-05" in stderr
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".keras")]


def test_existing_output_needs_force(tmp_path, capsys):
    spec, runner, options, _ = CASES["lstm"]
    legacy = _legacy(spec, runner, seed=8)
    prefix = _save(legacy, tmp_path / "model.ckpt")
    out = tmp_path / "model.keras"
    out.write_bytes(b"precious")
    code, _, stderr = _run(["convert", prefix, "-o", out, *options], capsys)
    assert code == 2 and "--force" in stderr
    assert out.read_bytes() == b"precious"
    code, _, stderr = _run(["convert", prefix, "-o", out, *options, "--force"], capsys)
    assert code == 0, stderr
    _assert_matches_tf1(_load(out), legacy)


def test_to_tf1_existing_checkpoint_needs_force(tmp_path, capsys):
    spec, runner, options, _ = CASES["lstm"]
    prefix = _save(_legacy(spec, runner, seed=9), tmp_path / "model.ckpt")
    keras_file = tmp_path / "model.keras"
    assert _run(["convert", prefix, "-o", keras_file, *options], capsys)[0] == 0
    code, _, stderr = _run(["convert", keras_file, "--to-tf1", "-o", prefix], capsys)
    assert code == 2 and "--force" in stderr


def test_missing_checkpoint_and_bad_options(tmp_path, capsys):
    code, _, stderr = _run(["convert", tmp_path / "nothing.ckpt", "-o", tmp_path / "m.keras"],
                           capsys)
    assert code == 2 and "not found" in stderr
    code, _, stderr = _run(["convert", tmp_path / "x", "-o", tmp_path / "m.h5"], capsys)
    assert code == 2 and ".keras" in stderr
    code, _, stderr = _run(["convert", tmp_path / "x", "-o", tmp_path / "m.keras",
                            "--readout", "only_one"], capsys)
    assert code == 2 and "WEIGHTS_NAME,BIASES_NAME" in stderr
    code, _, stderr = _run(["convert", tmp_path / "x"], capsys)
    assert code == 2 and "-o" in stderr


def test_wrong_option_for_the_cells_is_refused(tmp_path, capsys):
    spec, runner, _, _ = CASES["gru_masked"]
    prefix = _save(_legacy(spec, runner, seed=10), tmp_path / "model.ckpt")
    out = tmp_path / "m.keras"
    code, _, stderr = _run(["convert", prefix, "-o", out, "--masked", "--forget-bias", "0.5"],
                           capsys)
    assert code == 2 and "forget_bias" in stderr and not out.exists()


def test_per_layer_values():
    assert convert.parse_per_layer("1.0", float) == 1.0
    assert convert.parse_per_layer("1.0,none,0.5", float) == [1.0, None, 0.5]


def test_help(capsys):
    code, stdout, _ = _run(["convert", "--help"], capsys)
    assert code == 0
    for flag in ("--forget-bias", "--cell-clip", "--proj-clip", "--activation", "--readout",
                 "--ignore", "--masked", "--steps", "--force", "--to-tf1", "--spec-from"):
        assert flag in stdout


def test_tf0x_names_and_shards_are_restored_under_their_own_names(tmp_path, capsys):
    """TF 0.x names (RNN/LSTMCell/W_0, W_1 shards, B): the Saver restores the old names,
    the shards are assigned their concatenation."""
    from modern import checkpoint

    spec = RNNSpec((CellSpec("LSTMCell", 3, use_peepholes=True),), 2)
    legacy = _legacy(spec, "static_rnn", seed=12)
    values = legacy.get_values()
    kernel = values.pop("rnn/lstm_cell/kernel")
    old = {"RNN/LSTMCell/W_0": kernel[:2], "RNN/LSTMCell/W_1": kernel[2:],
           "RNN/LSTMCell/B": values.pop("rnn/lstm_cell/bias")}
    old.update({f"RNN/LSTMCell/W_{p.upper()}_diag": values.pop(f"rnn/lstm_cell/w_{p}_diag")
                for p in "fio"})
    assert not values
    prefix = checkpoint._save({k: np.asarray(v, np.float32) for k, v in old.items()},
                              str(tmp_path / "model.ckpt"))
    out = tmp_path / "model.keras"
    code, stdout, stderr = _run(["convert", prefix, "-o", out], capsys)
    assert code == 0, stderr
    assert "RNN/LSTMCell/W_0 + RNN/LSTMCell/W_1 " in stdout
    assert "shards concatenated on rows" in stdout
    _assert_matches_tf1(_load(out), legacy)


# ------------------------------------------------------------------------------------
# --to torch (modern.torch; skipped without PyTorch). One xdist group with
# tests/modern/test_torch.py, so torch is imported once.
# ------------------------------------------------------------------------------------
@pytest.mark.xdist_group("torch")
def test_convert_to_torch_verifies_and_writes_a_state_dict(tmp_path, capsys, monkeypatch):
    torch = pytest.importorskip("torch", reason="--to torch needs PyTorch (the [torch] extra)")
    import modern.torch

    spec, runner, options, _ = CASES["stack_readout"]
    legacy = _legacy(spec, runner, seed=5)
    prefix = _save(legacy, tmp_path / "model.ckpt")
    out = tmp_path / "model.pt"
    code, stdout, stderr = _run(["convert", prefix, "--to", "torch", "-o", out, *options], capsys)
    assert code == 0, stderr
    assert "vs torch module" in stdout and ": OK" in stdout
    assert f"module = modern.torch.TF1RNN({spec!r})" in stdout
    # what the command printed rebuilds the module; the file loads into it
    module = eval(modern.torch.constructor(spec),  # noqa: S307 - the command's own output
                  {"modern": modern, "CellSpec": CellSpec, "RNNSpec": RNNSpec})
    module.load_state_dict(torch.load(out, weights_only=True))
    assert [type(m).__name__ for m in module.layers] == ["LSTM", "TF1GRUCell"]
    x = np.random.default_rng(3).normal(size=(4, STEPS, spec.input_size))
    expected = legacy.run(legacy.outputs, x)
    with torch.no_grad():
        got = module(torch.as_tensor(x, dtype=torch.float32))
    assert set(got) == set(expected)
    for name, value in expected.items():
        assert np.max(np.abs(got[name].numpy() - value)) <= TOLERANCE, name
    # never over an existing file without --force
    before = out.read_bytes()
    code, _, stderr = _run(["convert", prefix, "--to", "torch", "-o", out, *options], capsys)
    assert code == 2 and "exists; pass --force" in stderr and out.read_bytes() == before
    # the verification is real: a broken map (forget_bias not folded) is refused, even
    # with --force, and the file stays as it was
    from modern import weights

    monkeypatch.setattr(weights, "_forget_bias", lambda array, forget_bias: 0.0)
    code, stdout, stderr = _run(["convert", prefix, "--to", "torch", "-o", out, "--force",
                                 *options], capsys)
    assert code == 2 and "MISMATCH" in stdout
    assert "torch module does not compute what the TF1 graph computes" in stderr
    assert out.read_bytes() == before


def test_convert_to_torch_without_pytorch_is_a_clear_refusal(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    out = tmp_path / "model.pt"
    code, _, stderr = _run(["convert", tmp_path / "missing.ckpt", "--to", "torch", "-o", out],
                           capsys)
    assert code == 2
    assert "--to torch needs PyTorch: pip install 'tf1-rnn-migration-kit[torch]'" in stderr
    assert not out.exists()
