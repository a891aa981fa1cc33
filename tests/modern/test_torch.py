"""``modern.torch``: TF1 RNNs as PyTorch modules, against the TF1 graphs they came from.

Oracle: the legacy TF1 graph of each spec (:func:`tools.proof.pipelines.build_legacy_graph`:
legacy_compat's cells, which are tested against TF1's original code, and TF1's runners),
holding random weights that a ``tf.compat.v1.train.Saver`` writes to a checkpoint;
:func:`modern.torch.from_tf1_checkpoint` reads that checkpoint and the module's outputs,
final states and logits are compared with the graph's on the same inputs. The registry's
torch column runs the Keras side's three checks (outputs, gradients, SGD training,
:mod:`tools.proof.torch_harness`) on each RNN pipeline pair's own configurations.

Tolerances: :data:`tools.proof.tolerances.TORCH` (reasons there). torch is an optional
extra: the module is skipped, with the reason, when it is not importable. All tests share
one xdist group, so torch is imported once per run.
"""
import ast
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch", reason="modern.torch needs PyTorch (the [torch] extra: "
                                            "pip install 'tf1-rnn-migration-kit[torch]')")

import modern.torch  # noqa: E402
from modern import models  # noqa: E402
from modern.spec import KERAS_TARGETS, CellSpec, RNNSpec  # noqa: E402
from modern.torch import cells as torch_cells  # noqa: E402
from tools.proof import limitations, pipelines, registry, torch_harness  # noqa: E402
from tools.proof.tolerances import TORCH, TRAINING_LEARNING_RATES  # noqa: E402

pytestmark = pytest.mark.xdist_group("torch")
v1 = tf.compat.v1
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STEPS = 4
MEASURED = {}  # check -> largest |diff|, printed with -s / in the failure messages


def _record(check, diff):
    MEASURED[check] = max(MEASURED.get(check, 0.0), float(diff))


@pytest.fixture(scope="module", autouse=True)
def _print_measured():
    yield
    print("\n[test_torch] largest |TF1 - torch| (float32): "
          + ", ".join(f"{k} {v:.3g}" for k, v in sorted(MEASURED.items())))


READOUT = (pipelines.READOUT_WEIGHTS, pipelines.READOUT_BIASES)
# name -> (spec, runner, runtime options for from_tf1_checkpoint, expected torch modules)
CASES = {
    "BasicRNNCell-static": (RNNSpec((CellSpec("BasicRNNCell", 4),), 3), "static_rnn", {},
                            ["RNN"]),
    "BasicLSTMCell-dynamic-readout": (
        RNNSpec((CellSpec("BasicLSTMCell", 5, forget_bias=0.5),), 3, num_classes=3),
        "dynamic_rnn", {"forget_bias": 0.5}, ["LSTM"]),
    "LSTMCell-peepholes-clips-proj": (
        RNNSpec((CellSpec("LSTMCell", 5, use_peepholes=True, cell_clip=0.4, num_proj=3,
                          proj_clip=0.3),), 3), "static_rnn",
        {"cell_clip": 0.4, "proj_clip": 0.3}, ["TF1LSTMCell"]),
    "LSTMCell-proj-dynamic": (RNNSpec((CellSpec("LSTMCell", 5, num_proj=3),), 3),
                              "dynamic_rnn", {}, ["LSTM"]),
    "GRUCell-masked": (RNNSpec((CellSpec("GRUCell", 4),), 3, masked=True), "dynamic_rnn",
                       {"masked": True}, ["TF1GRUCell"]),
    "LayerNormBasicLSTMCell": (RNNSpec((CellSpec("LayerNormBasicLSTMCell", 4),), 3),
                               "static_rnn", {}, ["TF1LayerNormBasicLSTMCell"]),
    "MultiRNN-LSTM-GRU-readout": (
        RNNSpec((CellSpec("BasicLSTMCell", 4), CellSpec("LSTMCell", 4), CellSpec("GRUCell", 3)),
                3, num_classes=2), "static_rnn", {}, ["LSTM", "TF1GRUCell"]),
    "bidirectional-LSTM-masked": (
        RNNSpec((CellSpec("BasicLSTMCell", 4),), 3, bidirectional=True, masked=True),
        "bidirectional_dynamic_rnn", {"masked": True}, ["LSTM"]),
    "bidirectional-stack-readout": (
        RNNSpec((CellSpec("BasicLSTMCell", 3), CellSpec("GRUCell", 3)), 2, bidirectional=True,
                num_classes=2), "bidirectional_dynamic_rnn", {}, ["LSTM", "TF1GRUCell"]),
}
SLOW_CASES = {
    "LayerNorm-off-relu-RNN-stack-static-bidirectional-masked": (
        RNNSpec((CellSpec("LayerNormBasicLSTMCell", 3, layer_norm=False, forget_bias=0.0),
                 CellSpec("BasicRNNCell", 3, activation="relu")), 2, bidirectional=True,
                masked=True, num_classes=2), "static_bidirectional_rnn",
        {"masked": True, "forget_bias": 0.0, "activation": [None, "relu"]},
        ["TF1LayerNormBasicLSTMCell", "RNN"]),
    "sigmoid-RNN-and-LSTM-readout": (
        RNNSpec((CellSpec("BasicRNNCell", 3, activation="sigmoid"),
                 CellSpec("BasicLSTMCell", 3, activation="sigmoid")), 2, num_classes=2),
        "dynamic_rnn", {"activation": "sigmoid"}, ["TF1BasicRNNCell", "TF1LSTMCell"]),
}


def _checkpoint(spec, runner, seed, path):
    legacy = pipelines.build_legacy_graph(spec, STEPS, runner)
    legacy.set_values(legacy.random_values(np.random.default_rng(seed)))
    with legacy.graph.as_default():
        prefix = v1.train.Saver(legacy.all_variables).save(legacy.session, str(path),
                                                           write_meta_graph=False)
    return legacy, prefix


def _check_checkpoint_case(name, case, tmp_path):
    spec, runner, options, expected_modules = case
    legacy, prefix = _checkpoint(spec, runner, len(name), tmp_path / "model.ckpt")
    if spec.num_classes is not None:
        options = dict(options, readout=READOUT)
    module = modern.torch.from_tf1_checkpoint(prefix, **options)
    assert module.spec == spec
    assert [type(m).__name__ for m in module.layers] == expected_modules
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, STEPS, spec.input_size))
    lengths = np.array([STEPS, 0, 2], np.int32) if spec.masked else None
    expected = legacy.run(legacy.outputs, x, lengths)
    got = torch_harness.torch_outputs(module, x, lengths)
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key].shape == np.shape(value), key
        diff = float(np.max(np.abs(got[key] - value)))
        _record("from_tf1_checkpoint", diff)
        assert diff <= TORCH.outputs, f"{name}: {key} differs by {diff:.3g}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_from_tf1_checkpoint_matches_the_tf1_graph(name, tmp_path):
    _check_checkpoint_case(name, CASES[name], tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW_CASES))
def test_from_tf1_checkpoint_more_configurations(name, tmp_path):
    _check_checkpoint_case(name, SLOW_CASES[name], tmp_path)


# ------------------------------------------------------------------------------------
# which torch module each cell becomes (no TF involved)
# ------------------------------------------------------------------------------------
def _modules(*cells, input_size=3, **spec_options):
    return modern.torch.TF1RNN(RNNSpec(tuple(cells), input_size, **spec_options)).layers


def test_nn_lstm_and_nn_rnn_are_used_where_exact():
    lstm, = _modules(CellSpec("BasicLSTMCell", 4), CellSpec("LSTMCell", 4))
    assert type(lstm) is torch.nn.LSTM and lstm.num_layers == 2 and lstm.batch_first
    assert not lstm.bias_hh_l0.requires_grad and lstm.bias_ih_l0.requires_grad
    proj, = _modules(CellSpec("LSTMCell", 5, num_proj=2))
    assert type(proj) is torch.nn.LSTM and proj.proj_size == 2
    fused, = _modules(CellSpec("LSTMCell", 4), bidirectional=True)
    assert type(fused) is torch.nn.LSTM and fused.bidirectional
    rnn, = _modules(CellSpec("BasicRNNCell", 4, activation="relu"))
    assert type(rnn) is torch.nn.RNN and rnn.nonlinearity == "relu"
    module = modern.torch.TF1RNN(RNNSpec((CellSpec("BasicLSTMCell", 3),) * 2, 2,
                                         bidirectional=True))
    # TF1 runs the whole stack per direction: two unidirectional 2-layer modules
    assert [(type(m), m.num_layers, m.bidirectional) for m in
            (*module.layers, *module.backward_layers)] == [(torch.nn.LSTM, 2, False)] * 2


@pytest.mark.parametrize("cell, expected", [
    (CellSpec("GRUCell", 3), torch_cells.TF1GRUCell),
    (CellSpec("LSTMCell", 3, use_peepholes=True), torch_cells.TF1LSTMCell),
    (CellSpec("LSTMCell", 3, cell_clip=1.0), torch_cells.TF1LSTMCell),
    (CellSpec("LSTMCell", 4, num_proj=2, proj_clip=1.0), torch_cells.TF1LSTMCell),
    (CellSpec("LSTMCell", 2, num_proj=3), torch_cells.TF1LSTMCell),  # proj_size < hidden
    (CellSpec("BasicLSTMCell", 3, activation="relu"), torch_cells.TF1LSTMCell),
    (CellSpec("BasicRNNCell", 3, activation="softsign"), torch_cells.TF1BasicRNNCell),
    (CellSpec("LayerNormBasicLSTMCell", 3), torch_cells.TF1LayerNormBasicLSTMCell),
])
def test_own_cells_where_torch_nn_is_not_exact(cell, expected):
    module, = _modules(cell)
    assert type(module) is expected


def test_every_keras_target_has_a_torch_side():
    assert set(modern.torch.TORCH_CELLS) == set(KERAS_TARGETS)
    for builtin, own in modern.torch.TORCH_CELLS.values():
        assert builtin is None or builtin in modern.torch.BUILTINS
        assert issubclass(getattr(torch_cells, own), torch.nn.Module)


def test_nn_gru_limitation_is_demonstrated():
    demo = limitations.TORCH_NN_GRU.demonstrate()
    assert demo.holds and demo.measured > TORCH.outputs, demo.detail
    assert limitations.TORCH_NN_GRU in limitations.TORCH_LIMITATIONS


@pytest.mark.slow
def test_layer_norm_gradients_limitation_is_demonstrated():
    demo = limitations.TORCH_LAYER_NORM_GRADIENTS.demonstrate()
    assert demo.holds and demo.measured > TORCH.gradients, demo.detail
    spec = RNNSpec((CellSpec("LayerNormBasicLSTMCell", 3),), 1)
    assert set(torch_harness.excused_checks(spec)) == {"gradients", "training"}


# ------------------------------------------------------------------------------------
# Keras <-> torch
# ------------------------------------------------------------------------------------
def test_from_keras_and_to_keras_round_trip():
    spec = RNNSpec((CellSpec("BasicLSTMCell", 3, forget_bias=0.0),
                    CellSpec("LSTMCell", 3, use_peepholes=True, num_proj=2),
                    CellSpec("GRUCell", 2)), 2, masked=True, num_classes=2)
    rng = np.random.default_rng(5)
    tf1_vars = {name: rng.uniform(-0.5, 0.5, shape).astype(np.float32)
                for name, shape in models.rnn_variable_names(spec).items()}
    readout = (rng.normal(size=(2, 2)).astype(np.float32), rng.normal(size=2).astype(np.float32))
    keras_model = models.build_keras_model(spec)
    models.set_tf1_weights(keras_model, spec, tf1_vars, readout)
    with pytest.raises(ValueError, match="pass spec="):
        modern.torch.from_keras(keras_model)
    module = modern.torch.from_keras(keras_model, spec=spec)
    x = rng.normal(size=(3, STEPS, 2)).astype(np.float32)
    lengths = np.array([STEPS, 1, 0], np.int32)
    expected = {k: np.asarray(v) for k, v in keras_model([x, lengths]).items()}
    got = torch_harness.torch_outputs(module, x, lengths)
    diff = max(float(np.max(np.abs(got[k] - expected[k]))) for k in expected)
    _record("keras vs torch", diff)
    assert set(got) == set(expected) and diff <= TORCH.outputs
    back = modern.torch.to_keras(module)
    assert back.tf1_spec == spec
    back_vars, back_readout = models.get_tf1_weights(back, spec)
    # forget_bias=0 and identity maps: every weight comes back bit for bit
    assert set(back_vars) == set(tf1_vars)
    for name, value in tf1_vars.items():
        np.testing.assert_array_equal(back_vars[name], value, err_msg=name)
    for a, b in zip(back_readout, readout):
        np.testing.assert_array_equal(a, b)
    assert modern.torch.from_keras(back).spec == spec  # to_keras sets model.tf1_spec


# ------------------------------------------------------------------------------------
# the registry's torch column: outputs, gradients, SGD training
# ------------------------------------------------------------------------------------
PIPELINE_PAIRS = [p for p in registry.selected_pairs() if p.configs is not None]
IDS = [p.name for p in PIPELINE_PAIRS]


def _examples(fast):
    return fast if settings.default.max_examples <= 12 else settings.default.max_examples // 6


@pytest.mark.parametrize("pair", PIPELINE_PAIRS, ids=IDS)
def test_registry_torch_outputs(pair):
    @settings(max_examples=_examples(1))
    @given(config=pair.configs(), steps=st.integers(1, 4), batch=st.integers(1, 3),
           seed=st.integers(0, 2**31 - 1))
    def check(config, steps, batch, seed):
        spec, runner = config
        report = torch_harness.compare_forward(spec, runner, steps=steps, batch=batch, seed=seed)
        assert report.shapes_match, (report.legacy_shapes, report.keras_shapes)
        _record("registry outputs", report.max_diff)
        assert report.max_diff <= TORCH.outputs, f"{spec} with {runner}:\n{report}"

    check()


def _gradients(spec, runner, seed):
    report = torch_harness.compare_gradients(spec, runner, steps=3, batch=2, seed=seed)
    assert report.shapes_match, (report.legacy_shapes, report.keras_shapes)
    _record("gradients", report.max_diff)
    assert report.max_diff <= TORCH.gradients, f"{spec} with {runner}:\n{report}"


def _training(spec, runner, seed, train_steps):
    if spec.num_classes is None:
        spec = RNNSpec(spec.cells, spec.input_size, spec.bidirectional, spec.masked, 3)
    curves = torch_harness.compare_training(spec, runner, steps=3, batch=4, seed=seed,
                                            learning_rate=TRAINING_LEARNING_RATES["sgd"],
                                            train_steps=train_steps)
    assert len(curves.legacy) == len(curves.keras) == train_steps
    _record("training/sgd", curves.max_diff)
    assert curves.max_diff <= TORCH.training, f"{spec} with {runner}: {curves}"


# the default run: nn.LSTM (forget_bias folded) and an own cell, masked, in one static graph
GRADIENT_CASES = {
    "stack-nn.LSTM-GRU-masked": (
        RNNSpec((CellSpec("BasicLSTMCell", 3, forget_bias=0.5), CellSpec("GRUCell", 2)), 2,
                masked=True, num_classes=2), "static_rnn"),
}
# every other torch module kind and both directions (-m slow)
SLOW_GRADIENT_CASES = {
    "stack-nn.LSTM-TF1LSTMCell-GRU-masked-dynamic": (
        RNNSpec((CellSpec("BasicLSTMCell", 3, forget_bias=0.5),
                 CellSpec("LSTMCell", 3, use_peepholes=True, cell_clip=0.5, num_proj=2),
                 CellSpec("GRUCell", 2)), 2, masked=True, num_classes=2), "dynamic_rnn"),
    "bidirectional-nn.RNN-TF1LSTMCell": (
        RNNSpec((CellSpec("BasicRNNCell", 2), CellSpec("LSTMCell", 3, use_peepholes=True)), 2,
                bidirectional=True, num_classes=2), "bidirectional_dynamic_rnn"),
    "bidirectional-nn.LSTM-proj-masked": (
        RNNSpec((CellSpec("LSTMCell", 3, num_proj=2),), 2, bidirectional=True, masked=True,
                num_classes=2), "static_bidirectional_rnn"),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_gradients_and_sgd_training(name):
    spec, runner = GRADIENT_CASES[name]
    _gradients(spec, runner, seed=len(name))
    _training(spec, runner, seed=len(name), train_steps=3)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW_GRADIENT_CASES))
def test_gradients_and_sgd_training_more_configurations(name):
    from tools.proof.tolerances import TRAINING_STEPS

    spec, runner = SLOW_GRADIENT_CASES[name]
    _gradients(spec, runner, seed=len(name))
    _training(spec, runner, seed=len(name), train_steps=TRAINING_STEPS)


@pytest.mark.slow
@pytest.mark.parametrize("pair", PIPELINE_PAIRS, ids=IDS)
def test_registry_torch_gradients_and_training(pair):
    from tools.proof.tolerances import TRAINING_STEPS

    @settings(max_examples=_examples(2))
    @given(config=pair.configs(), seed=st.integers(0, 2**31 - 1))
    def check(config, seed):
        spec, runner = config
        excused = torch_harness.excused_checks(spec)  # a limitation of the torch column
        if "gradients" not in excused:
            _gradients(spec, runner, seed)
        if "training" not in excused:
            _training(spec, runner, seed, TRAINING_STEPS)

    check()


# ------------------------------------------------------------------------------------
# errors, and torch stays optional
# ------------------------------------------------------------------------------------
def test_bad_inputs_and_weights_are_named():
    module = modern.torch.TF1RNN(RNNSpec((CellSpec("GRUCell", 2),), 3, masked=True))
    with pytest.raises(ValueError, match=r"x of shape \[batch, time, 3\]"):
        module(torch.zeros(2, 4, 5), torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="pass sequence_length"):
        module(torch.zeros(2, 4, 3))
    with pytest.raises(TypeError, match="floating-point x"):
        module(torch.zeros(2, 4, 3, dtype=torch.int64), torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="unexpected"):
        module.load_tf1_weights({"gru_cell/kernel": np.zeros((5, 2), np.float32)})
    names = models.rnn_variable_names(module.spec)
    wrong = {n: np.zeros(s, np.float32) for n, s in names.items()}
    wrong["gru_cell/gates/kernel"] = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError, match=r"'gates/kernel' has shape \(4, 4\); expected \(5, 4\)"):
        module.load_tf1_weights(wrong)
    with pytest.raises(TypeError, match="RNNSpec"):
        modern.torch.TF1RNN("LSTM")
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        modern.torch.TF1RNN(RNNSpec((CellSpec("GRUCell", 2, activation="swish"),), 3))


def _imports_torch_at_top(path):
    tree = ast.parse(open(path).read())
    for node in tree.body:
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        if any(n == "torch" or n.startswith(("torch.", "modern.torch")) for n in names):
            return True
    return False


def test_only_modern_torch_imports_torch_at_module_level():
    offenders = []
    for package in ("modern", "tools", "legacy_compat"):
        for folder, _, files in os.walk(os.path.join(ROOT, package)):
            if os.path.relpath(folder, ROOT).startswith(os.path.join("modern", "torch")):
                continue
            offenders += [os.path.join(folder, f) for f in files
                          if f.endswith(".py") and _imports_torch_at_top(os.path.join(folder, f))]
    assert offenders == []


@pytest.mark.slow
def test_the_kit_imports_without_torch():
    script = ("import sys; sys.modules['torch'] = None\n"
              "import modern, modern.checkpoint, tools.convert, tools.convert.pytorch, "
              "tools.cli.convert, tools.proof.registry, tools.proof.torch_harness\n")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT, capture_output=True,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
