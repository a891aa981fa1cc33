"""``port --to keras`` (tools.porter.keras.writer / tools.porter.keras.recognize).

* recognition of the two example programs (static analysis only) gives their spec and
  hyperparameters;
* the generated Keras 3 programs parse, carry the registry's settings, and run (one
  subprocess, the short fixtures of ``tests/fixtures/porter_keras/``), printing
  ``Testing Accuracy:``;
* the model each generated program builds (``build_model()``, imported, not run) equals
  the recognised spec's TF1 graph (``tools.proof.pipelines.build_legacy_graph``) within the
  registry's output tolerance, and starts from TF1's initial biases;
* unsupported constructs are listed with line and reason, and nothing is generated;
* porting a generated program again (as "already Keras") changes nothing; ``tf.keras``
  programs only get ``keras.X`` spellings.
"""
import ast
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from modern import models
from modern.models import CellSpec, RNNSpec
from tests.support.helpers import REPO_ROOT, run_python
from tools.proof import pipelines, registry
from tools.porter.keras.recognize import recognize
from tools.porter.keras.writer import port_to_keras

CASES = REPO_ROOT / "tests" / "fixtures" / "porter_keras"
EXAMPLES = REPO_ROOT / "examples" / "tf1"

# fixture -> (spec, runner, hyperparameters)
EXPECTED = {
    "lstm_small.py": (
        RNNSpec((CellSpec("BasicLSTMCell", 16, forget_bias=1.0),), 28, num_classes=10),
        "static_rnn",
        dict(steps=28, optimizer="adam", learning_rate=0.01, batch_size=32, training_steps=30,
             display_step=10, display_first=True, tf_seed=7, np_seed=7)),
    "gru_dynamic_0x.py": (
        RNNSpec((CellSpec("GRUCell", 12),), 28, num_classes=10),
        "dynamic_rnn",
        dict(steps=28, optimizer="sgd", learning_rate=0.5, batch_size=32,
             training_steps=29,  # step = 1; while step * 32 < 960: steps 1..29
             display_step=10, display_first=False, tf_seed=3, np_seed=4,
             readout_init={"mean": 0.0, "stddev": 0.5})),
    "stacked_dropout.py": (
        RNNSpec((CellSpec("LSTMCell", 6, forget_bias=0.5),) * 2, 28, num_classes=10),
        "static_rnn",
        dict(steps=28, optimizer="rmsprop", learning_rate=0.001, batch_size=16,
             training_steps=10, first_step=0, display_step=None,
             dropouts=((1.0, 0.8), (1.0, 0.8)))),
    "peephole_projection.py": (
        RNNSpec((CellSpec("LSTMCell", 7, use_peepholes=True, cell_clip=3.0, num_proj=4),), 28,
                num_classes=10),
        "dynamic_rnn",
        dict(steps=28, optimizer="adam", learning_rate=0.002, optimizer_options={"beta1": 0.8},
             batch_size=8, training_steps=3, first_step=0)),
    "bidirectional.py": (
        RNNSpec((CellSpec("BasicLSTMCell", 5),), 28, bidirectional=True, num_classes=10),
        "static_bidirectional_rnn",
        dict(steps=28, optimizer="sgd", learning_rate=0.1, batch_size=8, training_steps=5)),
    # sequence_length fed per batch (static, dynamic, bidirectional_dynamic_rnn)
    "masked_static.py": (
        RNNSpec((CellSpec("BasicLSTMCell", 6, forget_bias=1.0),), 28, masked=True,
                num_classes=10),
        "static_rnn",
        dict(steps=28, optimizer="adam", learning_rate=0.01, batch_size=8, training_steps=6,
             tf_seed=5, np_seed=5,
             sequence_length_feed="np.random.randint(28 // 2, 28 + 1, size=8)")),
    "masked_dynamic.py": (
        RNNSpec((CellSpec("GRUCell", 7),), 28, masked=True, num_classes=10),
        "dynamic_rnn",
        dict(steps=28, optimizer="sgd", learning_rate=0.5, batch_size=16, training_steps=4,
             first_step=0, readout_init={"mean": 0.0, "stddev": 0.1},
             sequence_length_feed="[28 - step] * 16")),
    # bidirectional_dynamic_rnn, readout on the last step of tf.concat(outputs, 2)
    "bidirectional_dynamic.py": (
        RNNSpec((CellSpec("BasicLSTMCell", 5),), 28, bidirectional=True, masked=True,
                num_classes=10),
        "bidirectional_dynamic_rnn",
        dict(steps=28, optimizer="sgd", learning_rate=0.1, batch_size=8, training_steps=5,
             sequence_length_feed="np.full(8, 28)")),
    # DropoutWrapper(output_keep_prob=keep_prob), keep_prob fed 0.75 / 1.0
    "keep_prob_dropout.py": (
        RNNSpec((CellSpec("BasicLSTMCell", 8, forget_bias=1.0),), 28, num_classes=10),
        "static_rnn",
        dict(steps=28, optimizer="adam", learning_rate=0.01, batch_size=16, training_steps=4,
             display_step=2, tf_seed=11, dropouts=((1.0, 0.75),),
             keep_prob_feeds={"keep_prob": 0.75}, sequence_length_feed=None)),
}
MASKED = sorted(name for name, (spec, _, _) in EXPECTED.items() if spec.masked)


def _read(path):
    return Path(path).read_text()


def _port(name):
    return port_to_keras(_source(name), filename=f"tests/fixtures/porter_keras/{name}")


def _source(name):
    """A fixture's source; a ``py2_`` fixture converted to Python 3 first, as the
    engine does."""
    from tools.porter import py2

    source = _read(CASES / name)
    return py2.to_python3(source) if name.startswith("py2_") else source


def _flat(source):
    """The code on one line (generated calls are wrapped at ~90 columns)."""
    return re.sub(r"\(\s+", "(", " ".join(source.split()))


def _unmarked(source):
    """``source`` without the port's ``# rnn-migrate: ... (--to keras)`` marker lines."""
    return "\n".join(line for line in source.split("\n")
                     if not (line.lstrip().startswith("# rnn-migrate:")
                             and line.endswith("(--to keras)")))


def _import_generated(source, tmp_path, name):
    path = tmp_path / f"generated_{name}"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"generated_{Path(name).stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines build_model(); training is under __main__
    return module


# ------------------------------------------------------------------------------------
# recognition
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("program,tf_seed", [("mnist_lstm_static_rnn.py", 20170),
                                             ("mnist_lstm_0x_spellings.py", 1612)])
def test_recognizes_the_example_programs(program, tf_seed):
    r = recognize(_read(EXAMPLES / program), filename=program)
    assert r.unrecognized == []
    assert r.complete
    assert r.spec == RNNSpec((CellSpec("BasicLSTMCell", 128, forget_bias=1.0),), 28,
                             num_classes=10)
    assert r.runner == "static_rnn"  # rnn.static_rnn, and 0.x's tf.nn.rnn
    assert (r.steps, r.input_size) == (28, 28)
    assert (r.optimizer, r.learning_rate, r.batch_size) == ("adam", 0.001, 128)
    # range(1, 1001) and 0.x's `while step * 128 <= 128000` are both 1000 steps
    assert (r.training_steps, r.first_step) == (1000, 1)
    assert (r.display_step, r.display_first) == (100, True)
    assert r.readout_init == {"mean": 0.0, "stddev": 1.0}
    assert r.loss == "softmax_cross_entropy"  # 0.x positional (logits, labels) included
    assert r.data == {"train_dir": "/tmp/data/", "one_hot": True}
    assert (r.tf_seed, r.np_seed) == (tf_seed, tf_seed)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_recognizes_the_fixtures(name):
    spec, runner, expected = EXPECTED[name]
    r = recognize(_read(CASES / name), filename=name)
    assert r.unrecognized == []
    assert (r.spec, r.runner) == (spec, runner)
    for key, value in expected.items():
        assert getattr(r, key) == value, key


# ------------------------------------------------------------------------------------
# the generated programs
# ------------------------------------------------------------------------------------
def test_generated_programs_carry_the_registry_settings():
    for name in EXPECTED:
        source, changes, _ = _port(name)
        tree = ast.parse(source)
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(m.startswith("tensorflow") for m in imported), imported
        assert "tf" not in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert "keras.Model(" in source and "def build_model():" in source
        batch_in = "[batch_x, batch_len]" if EXPECTED[name][0].masked else "batch_x"
        assert f"model.train_on_batch({batch_in}, batch_y)" in source
        assert 'print("Testing Accuracy: {:.4f}".format(test_acc))' in source
        assert "kernel_initializer=keras.initializers.RandomNormal(" in source
        assert any("registry pair" in c for c in changes)
    gru, changes, unconverted = _port("gru_dynamic_0x.py")
    gru = _flat(gru)
    assert unconverted == []
    assert "keras.layers.GRU(12, return_sequences=True, reset_after=False" in gru
    assert "GateBiasBlocks([1.0, 1.0, 0.0])" in gru  # GRUCell's gate bias 1.0
    assert "keras.optimizers.SGD(learning_rate=learning_rate)" in gru
    assert "RandomNormal(mean=0.0, stddev=0.5)" in gru
    assert "if step % display_step == 0:" in gru
    lstm, _, unconverted = _port("lstm_small.py")
    lstm = _flat(lstm)
    assert unconverted == []
    assert "keras.layers.LSTM(16, return_sequences=True, unit_forget_bias=False" in lstm
    assert "GateBiasBlocks([0.0, 1.0, 0.0, 0.0])" in lstm  # forget_bias on the f block
    assert "keras.optimizers.Adam(learning_rate=learning_rate, epsilon=1e-08)" in lstm
    assert "keras.utils.set_random_seed(7)" in lstm and "np.random.seed(7)" in lstm
    peephole = _flat(_port("peephole_projection.py")[0])
    assert ("keras.layers.RNN(modern.TF1LSTMCell(7, use_peepholes=True, cell_clip=3.0, "
            "num_proj=4), return_sequences=True" in peephole)
    assert "import modern" in peephole and "beta_1=0.8" in peephole
    bidi = _flat(_port("bidirectional.py")[0])
    assert "keras.layers.Bidirectional(keras.layers.LSTM(5, return_sequences=True" in bidi
    stacked, _, unconverted = _port("stacked_dropout.py")
    stacked = _flat(stacked)
    assert stacked.count("keras.layers.Dropout(0.2)") == 2
    assert 'name="rnn_0"' in stacked and 'name="rnn_1"' in stacked
    # RMSProp: modern.optimizers' table (TF1's mean square starts at 1.0), proven exact
    assert unconverted == []
    assert "optimizer=modern.optimizers.TF1RMSprop(learning_rate=learning_rate)" in stacked
    assert "import modern.optimizers" in stacked
    # the settings each registry pair names are in the code
    for pair_name, code, setting in (("GRUCell", gru, "reset_after"),
                                     ("BasicLSTMCell", lstm, "unit_forget_bias")):
        settings = registry.pair_named(pair_name).keras.settings
        assert f"{setting}={settings[setting]!r}" in code  # (neither is Keras' default)


RUN_GENERATED = ("lstm_small.py", "gru_dynamic_0x.py", "masked_static.py", "keep_prob_dropout.py")


@pytest.fixture(scope="module")
def generated_runs(tmp_path_factory):
    """{fixture: stdout} of the generated programs of RUN_GENERATED, run one after the
    other in one subprocess (one TensorFlow + Keras import)."""
    tmp = tmp_path_factory.mktemp("generated")
    paths = []
    for name in RUN_GENERATED:
        path = tmp / name
        path.write_text(_port(name)[0])
        paths.append(str(path))
    code = ("import runpy, sys\n"
            "for path in sys.argv[1:]:\n"
            "    print('=== ' + path, flush=True)\n"
            "    runpy.run_path(path, run_name='__main__')\n")
    proc = run_python(["-c", code, *paths], timeout=300, preloaded=True)
    runs = proc.stdout.split("=== ")[1:]
    assert len(runs) == len(RUN_GENERATED), proc.stdout + proc.stderr
    return {Path(run.partition("\n")[0]).name: run for run in runs}


# runs 4 generated programs in a subprocess (18 s); the default run keeps one generated
# program run end to end (tests/porter/test_porting_matrix.py::test_one_generated_keras_program_runs)
@pytest.mark.slow
@pytest.mark.xdist_group("porter_keras_generated_runs")
def test_generated_programs_run(generated_runs):
    lstm, gru = generated_runs["lstm_small.py"], generated_runs["gru_dynamic_0x.py"]
    assert re.findall(r"^Step (\d+), Minibatch Loss= \d+\.\d{4}, Training Accuracy= ",
                      lstm, re.M) == ["1", "10", "20", "30"]
    assert re.findall(r"^Step (\d+),", gru, re.M) == ["10", "20"]
    for out in (lstm, gru):
        match = re.search(r"^Testing Accuracy: ([01]\.\d{4})$", out, re.M)
        assert match, out
        assert 0.0 <= float(match.group(1)) <= 1.0


# Every fixture's port is checked against the TF1 code its generated test renders
# (tests/porter/test_keras_proofs.py); this is the cross-check against the kit's own TF1
# graph of the recognised spec (tools.proof.pipelines), by default on a static, a masked
# bidirectional dynamic and a stacked program, on all of them with -m slow.
CROSS_CHECKED = ("lstm_small.py", "bidirectional_dynamic.py", "stacked_dropout.py")


@pytest.mark.parametrize("name", [n if n in CROSS_CHECKED else pytest.param(
    n, marks=pytest.mark.slow) for n in sorted(EXPECTED)])
def test_generated_model_equals_the_tf1_graph(name, tmp_path):
    spec, runner, expected = EXPECTED[name]
    source, _, _ = _port(name)
    module = _import_generated(source, tmp_path, name)
    model = module.build_model()

    # Initial values: TF1's initial biases (forget_bias / GRU gate bias folded in Keras).
    tf1_vars, _ = models.get_tf1_weights(model, spec)
    for var, value in tf1_vars.items():
        if var.endswith("gates/bias"):
            np.testing.assert_array_equal(value, 1.0)
        elif var.endswith("bias"):
            np.testing.assert_array_equal(value, 0.0)

    # Same weights on both sides -> the same logits.
    steps = expected["steps"]
    legacy = pipelines.build_legacy_graph(spec, steps, runner)
    rng = np.random.default_rng(0)
    values = legacy.random_values(rng)
    legacy.set_values(values)
    rnn, readout = pipelines.tf1_values_for_keras(legacy, values)
    models.set_tf1_weights(model, spec, rnn, readout)
    x = rng.normal(size=(4, steps, spec.input_size)).astype(np.float32)
    if spec.masked:  # the same lengths on both sides (one full, one of 1 step)
        lengths = np.array([steps, 1, steps // 2, steps - 3], np.int32)
        want = legacy.run(legacy.outputs["logits"], x, lengths)
        got = np.asarray(model([x, lengths], training=False))
    else:
        want = legacy.run(legacy.outputs["logits"], x)
        got = np.asarray(model(x, training=False))
    tolerance = max(registry.pair_named(p).tolerance.outputs
                    for p in (spec.cells[0].cell_type, runner))
    assert got.shape == want.shape
    assert np.max(np.abs(got - want)) <= tolerance
    if name in NEW_FEATURES:
        assert np.max(np.abs(got - want)) <= 1e-6


# ------------------------------------------------------------------------------------
# what is not ported
# ------------------------------------------------------------------------------------
def test_unsupported_constructs_are_listed_with_line_and_reason():
    original = _read(CASES / "unsupported.py")
    source, changes, unconverted = port_to_keras(original, filename="unsupported.py")
    # nothing guessed, nothing generated: the TF1 program, its unported lines marked
    assert _unmarked(source) == original and changes == []
    reasons = dict(unconverted)
    lines = original.split("\n")
    for line, reason in unconverted:  # the marker above the construct's statement
        marked = source.split("\n")[source.split("\n").index(lines[line - 1]) - 1]
        assert marked == f"# rnn-migrate: {' '.join(reason.split())} (--to keras)"
    # each construct's column (1-based): where its call starts
    assert {(u[0], u.col) for u in unconverted} == {(19, 9), (26, 14), (28, 11)}
    assert all("--to compat" in u.todo and "rnn-migrate convert" in u.todo
               for u in unconverted)
    assert port_to_keras(source, filename="unsupported.py")[0] == source  # marked once
    assert "MultiRNNCell([cell] * n)" in reasons[19]
    # gradient noise after the clip: not only the clip between gradients and their use
    noise = [why for line, why in unconverted if line == 26 and "between" in why]
    assert noise and "g + tf.random_normal(" in noise[0] and "clip_by_global_norm" in noise[0]
    assert "tensorflow.nn.l2_loss" in reasons[28]
    assert all(isinstance(line, int) and line > 0 for line, _ in unconverted)


def test_unknown_cell_option_is_listed():
    original = _read(CASES / "lstm_small.py").replace(
        "rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)",
        "rnn.BasicLSTMCell(num_hidden, forget_bias=1.0, state_is_tuple=False)")
    source, _, unconverted = port_to_keras(original, filename="x.py")
    assert _unmarked(source) == original
    line = 1 + original[:original.index("state_is_tuple")].count("\n")
    assert unconverted == [(line, "BasicLSTMCell: state_is_tuple=False (concatenated state)")]


# ------------------------------------------------------------------------------------
# programs that already are Keras
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["lstm_small.py", "gru_dynamic_0x.py"])
def test_porting_a_generated_program_again_changes_nothing(name):
    source, _, _ = _port(name)
    again, changes, unconverted = port_to_keras(source, filename=name)
    assert (again, changes, unconverted) == (source, [], [])


TF_KERAS_PROGRAM = '''import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.Input((28, 28)),
    tf.keras.layers.LSTM(8),
    tf.keras.layers.Dense(10),
])
model.compile(optimizer=tf.keras.optimizers.Adam(1e-3),
              loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True))
tf.keras.backend.set_session(None)
print(model(np.zeros((2, 28, 28), np.float32)).shape)
'''


def test_tf_keras_programs_get_keras_spellings_only():
    source, changes, unconverted = port_to_keras(TF_KERAS_PROGRAM, filename="k.py")
    assert "import tensorflow as tf\nimport keras\n" in source
    assert "keras.Sequential([" in source and "tf.keras.Sequential" not in source
    assert "keras.layers.LSTM(8)" in source and "keras.optimizers.Adam(1e-3)" in source
    # Keras 3 has no keras.backend.set_session: left as it was, and listed
    assert "tf.keras.backend.set_session(None)" in source
    assert unconverted == [(11, "tf.keras.backend.set_session: Keras 3 has no "
                                "keras.backend.set_session; left as it is")]
    assert "added `import keras`" in changes
    again = port_to_keras(source, filename="k.py")
    assert again[0] == source and again[1] == []


# ------------------------------------------------------------------------------------
# sequence_length, bidirectional_dynamic_rnn, keep_prob placeholders
# ------------------------------------------------------------------------------------
NEW_FEATURES = MASKED + ["keep_prob_dropout.py"]


@pytest.mark.parametrize("name", MASKED)
def test_sequence_length_is_a_second_input_fed_per_batch(name):
    source, changes, unconverted = _port(name)
    assert unconverted == []
    ast.parse(source)
    flat = _flat(source)
    feed = EXPECTED[name][2]["sequence_length_feed"]
    assert 'sequence_length = keras.Input((), dtype="int32", name="sequence_length")' in flat
    assert 'mask = modern.SequenceMask(name="sequence_mask")(sequence_length, x)' in flat
    assert "zero_output_for_mask=True" in flat and "(sequence, mask=mask)" in flat
    assert "import modern" in source
    assert "keras.Model([x, sequence_length], logits" in flat
    assert f"batch_len = np.asarray({feed}, np.int32)" in flat
    assert "model.evaluate([test_x, test_len], test_y" in flat
    assert any("registry pair 'sequence_length'" in c for c in changes)


def test_bidirectional_dynamic_rnn_reads_the_last_step_of_the_concat():
    source, changes, unconverted = _port("bidirectional_dynamic.py")
    assert unconverted == []
    flat = _flat(source)
    assert "keras.layers.Bidirectional(keras.layers.LSTM(5, return_sequences=True" in flat
    assert "last = sequence[:, -1, :]" in flat
    assert any("registry pair 'bidirectional_dynamic_rnn'" in c for c in changes)
    # the readout on the concat of another tensor, or without the concat, is listed
    original = _read(CASES / "bidirectional_dynamic.py")
    other = original.replace("outputs = tf.concat(outputs, 2)\n", "")
    assert _unmarked(port_to_keras(other, filename="x.py")[0]) == other


def test_keep_prob_placeholder_becomes_training_only_dropout(tmp_path):
    source, changes, unconverted = _port("keep_prob_dropout.py")
    assert unconverted == []
    assert "sequence = keras.layers.Dropout(0.25)(sequence)" in source
    assert any("fed 0.75 with the train op" in c for c in changes)
    module = _import_generated(source, tmp_path, "keep_prob_dropout.py")
    model = module.build_model()
    x = np.random.default_rng(0).normal(size=(4, 28, 28)).astype(np.float32)
    inference = np.asarray(model(x, training=False))
    np.testing.assert_array_equal(inference, np.asarray(model(x, training=False)))
    assert not np.allclose(inference, np.asarray(model(x, training=True)))  # dropout on
    # a keep_prob fed other than 1.0 outside training is not ported
    original = _read(CASES / "keep_prob_dropout.py")
    other = original.replace("keep_prob: 1.0})", "keep_prob: 0.9})", 1)
    source, _, unconverted = port_to_keras(other, filename="x.py")
    assert _unmarked(source) == other and "outside training" in unconverted[0][1]


def test_sequence_length_fed_differently_at_test_is_listed():
    original = _read(CASES / "masked_dynamic.py")
    other = original + "    print(sess.run(loss, {x: bx.reshape((batch, steps, inputs)), " \
                       "y: by, lengths: [3] * batch}))\n"
    source, _, unconverted = port_to_keras(other, filename="x.py")
    assert _unmarked(source) == other
    assert any("outside the train op" in reason for _, reason in unconverted)


@pytest.mark.parametrize("name", NEW_FEATURES)
def test_porting_the_new_features_again_changes_nothing(name):
    source, _, _ = _port(name)
    assert port_to_keras(source, filename=name) == (source, [], [])


# runs 4 generated programs in a subprocess (18 s); the default run keeps one generated
# program run end to end (tests/porter/test_porting_matrix.py::test_one_generated_keras_program_runs)
@pytest.mark.slow
@pytest.mark.xdist_group("porter_keras_generated_runs")
def test_generated_masked_and_dropout_programs_run(generated_runs):
    runs = [generated_runs["masked_static.py"], generated_runs["keep_prob_dropout.py"]]
    assert re.findall(r"^Step (\d+),", runs[1], re.M) == ["2", "4"]
    for out in runs:
        assert re.search(r"^Testing Accuracy: ([01]\.\d{4})$", out, re.M), out


# ------------------------------------------------------------------------------------
# the programs people wrote: more idioms (tools.porter.keras.recognize, new fixtures)
# ------------------------------------------------------------------------------------
_GLOROT, _ZEROS = "keras.initializers.GlorotUniform()", "keras.initializers.Zeros()"
# fixture -> (spec, runner, recognised settings); ported through the engine (Python 2 too)
IDIOMS = {
    # Python 2, a module-level `step = 1` counted by `step = step + 1`, summaries, 0.x split
    "py2_summaries_while.py": (
        RNNSpec((CellSpec("BasicLSTMCell", 6, forget_bias=1.0),), 28, num_classes=10),
        "static_rnn",
        dict(training_steps=5, first_step=1, display_step=2, optimizer="adam",
             readout_init={"mean": 0.0, "stddev": 1.0})),
    # static_bidirectional_rnn written twice, in try and except: one runner
    "bidirectional_try_fallback.py": (
        RNNSpec((CellSpec("BasicLSTMCell", 5, forget_bias=1.0),), 28, bidirectional=True,
                num_classes=10),
        "static_bidirectional_rnn", dict(training_steps=4, optimizer="sgd")),
    # tf.gather(tf.transpose(outputs, [1, 0, 2]), T - 1), truncated normal W, constant b
    "transpose_gather_truncated.py": (
        RNNSpec((CellSpec("LSTMCell", 6),), 28, num_classes=10), "dynamic_rnn",
        dict(training_steps=3, first_step=0, learning_rate=0.001, readout_init=None,
             readout_initializers=("keras.initializers.TruncatedNormal(mean=0.0, stddev=0.1)",
                                   "keras.initializers.Constant(value=0.1)"))),
    # tf.layers.dense on the final state's h
    "state_h_dense.py": (
        RNNSpec((CellSpec("LSTMCell", 7),), 28, num_classes=10), "dynamic_rnn",
        dict(readout_from="final state h", readout_activation=None,
             readout_initializers=("keras.initializers.TruncatedNormal(mean=0.0, stddev=0.1)",
                                   _ZEROS))),
    # fully_connected on the last layer's final state of a MultiRNNCell of GRUs; RMSProp
    "stacked_state_fully_connected.py": (
        RNNSpec((CellSpec("GRUCell", 5),) * 2, 28, num_classes=10), "dynamic_rnn",
        dict(readout_from="final state h", readout_initializers=(_GLOROT, _ZEROS),
             optimizer="rmsprop", learning_rate=0.05)),
    # tf.get_variable weights under a variable_scope, tf.nn.xw_plus_b
    "get_variable_xw_plus_b.py": (
        RNNSpec((CellSpec("BasicRNNCell", 6),), 28, num_classes=10), "static_rnn",
        dict(readout_initializers=(_GLOROT, "keras.initializers.Constant(value=0.0)"))),
    # Adam's compute_gradients, tf.clip_by_value in a comprehension, apply_gradients
    "mnist_compute_gradients_clip_value.py": (
        RNNSpec((CellSpec("GRUCell", 32),), 56, num_classes=10), "dynamic_rnn",
        dict(steps=14, input_size=56, optimizer="adam", clipping={
            "name": "clip_by_value", "keras": {"clipvalue": 1.0},
            "args": {"clip_value_min": -1.0, "clip_value_max": 1.0}}, schedule=None)),
    # an input projection tf.matmul(X, W_in) + b_in inside `def RNN(X, ...)`, final_state[1]
    "input_projection_state.py": (
        RNNSpec((CellSpec("BasicLSTMCell", 6, forget_bias=1.0),), 6, num_classes=10),
        "dynamic_rnn",
        dict(training_steps=4, first_step=0, readout_from="final state h",
             input_projection={"units": 6, "activation": None, "initializers": (
                 "keras.initializers.RandomNormal(mean=0.0, stddev=1.0)",
                 "keras.initializers.Constant(value=0.1)")})),
}
# what a generated program may import: Keras, numpy, the kit's Keras cells/optimizers and
# its offline MNIST reader
_BACKEND_NEUTRAL = {"keras", "numpy", "modern", "modern.optimizers",
                    "legacy_compat.examples.tutorials.mnist"}


def _engine_port(name):
    from tools.porter.engine import port_source

    return port_source(_read(CASES / name), target="keras",
                       filename=f"tests/fixtures/porter_keras/{name}")


def _recognize_idiom(name):
    return recognize(_source(name), filename=name)


@pytest.mark.parametrize("name", sorted(IDIOMS))
def test_recognizes_the_idioms(name):
    spec, runner, expected = IDIOMS[name]
    r = _recognize_idiom(name)
    assert r.unrecognized == []
    assert r.complete
    shape = (expected.get("steps", 28), expected.get("input_size", 28))
    assert (r.spec, r.runner, r.steps, r.input_size) == (spec, runner) + shape
    assert r.input_projection == expected.get("input_projection")
    for key, value in expected.items():
        assert getattr(r, key) == value, key


@pytest.mark.parametrize("name", sorted(IDIOMS))
def test_idiom_ports_are_backend_neutral_keras(name):
    result = _engine_port(name)
    assert result.exit_code == 0 and result.unconverted == [], result.unconverted
    _assert_backend_neutral(result.code)
    assert port_to_keras(result.code, filename=name) == (result.code, [], [])  # a fixed point
    flat = _flat(result.code)
    kernel, bias = _recognize_idiom(name).readout_initializers
    assert f"kernel_initializer={kernel}, bias_initializer={bias}" in flat
    if IDIOMS[name][2].get("optimizer") == "rmsprop":
        assert "modern.optimizers.TF1RMSprop(learning_rate=learning_rate)" in flat
    if name.startswith("py2_"):  # Python 2 read through fissix; summaries dropped, named
        assert result.python2
        dropped = [c.new for c in result.changes if "plumbing" in c.new]
        for what in ("scalar_summary", "merge_all_summaries", "SummaryWriter",
                     "get_default_graph"):
            assert any(what in d for d in dropped), (what, dropped)


def _assert_backend_neutral(code):
    tree = ast.parse(code)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= _BACKEND_NEUTRAL, imported
    assert not {"tf", "tensorflow"} & {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def test_notebook_with_a_final_state_readout_ports_into_its_first_cell():
    """A Jupyter notebook (magics, a markdown cell): the GRU's final state read by
    fully_connected(xavier_initializer()), MomentumOptimizer through modern.optimizers'
    table (keras.optimizers.SGD(momentum=...))."""
    import json

    from tools.porter.engine import port_notebook

    text = _read(CASES / "gru_final_state_notebook.ipynb")
    new_text, results = port_notebook(text, target="keras")
    assert [r.unconverted for _, r in results] == [[]] * 4
    cells = [c for c in json.loads(new_text)["cells"] if c["cell_type"] == "code"]
    program = "".join(cells[0]["source"])
    _assert_backend_neutral(program)
    flat = _flat(program)
    assert "keras.layers.GRU(6, return_sequences=True, reset_after=False" in flat
    assert "keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9)" in flat
    assert ("kernel_initializer=keras.initializers.GlorotUniform(), "
            "bias_initializer=keras.initializers.Zeros()") in flat
    assert all("ported into the first code cell" in "".join(c["source"]) for c in cells[1:])


def test_final_state_readout_equals_the_tf1_graph(tmp_path):
    """``tf.layers.dense(states.h, n)``: the generated model, loaded with the TF1 graph's
    weights, gives the TF1 graph's logits (float32 sums over 28 steps: <= 1e-5, the
    registry's output tolerance for LSTMCell and dynamic_rnn, asserted below)."""
    name = "state_h_dense.py"
    spec, runner, _ = IDIOMS[name]
    module = _import_generated(_engine_port(name).code, tmp_path, name)
    model = module.build_model()
    legacy = pipelines.build_legacy_graph(spec, 28, runner)
    rng = np.random.default_rng(3)
    values = legacy.random_values(rng)
    legacy.set_values(values)
    models.set_tf1_weights(model, spec, *pipelines.tf1_values_for_keras(legacy, values))
    x = rng.normal(size=(3, 28, 28)).astype(np.float32)
    want = legacy.run(legacy.outputs["logits"], x)
    got = np.asarray(model(x, training=False))
    tolerance = max(registry.pair_named(p).tolerance.outputs for p in ("LSTMCell", runner))
    assert got.shape == want.shape == (3, 10)
    assert np.max(np.abs(got - want)) <= tolerance


def test_input_projection_port_equals_tf1(tmp_path):
    """The generated model of ``input_projection_state.py`` against the fixture's graph
    built with TF1's own code (tf.compat.v1 ops, dynamic_rnn and tf-keras' legacy
    BasicLSTMCell: the oracle), the same weights on both sides: reshape -> matmul + b ->
    reshape -> LSTM -> final_state[1] @ W + b. float32 sums over 28 steps: within the
    registry's output tolerance for BasicLSTMCell and dynamic_rnn (asserted below)."""
    import tensorflow as tf
    from tf_keras.src.layers.rnn import legacy_cells

    name = "input_projection_state.py"
    spec, runner, _ = IDIOMS[name]
    module = _import_generated(_engine_port(name).code, tmp_path, name)
    model = module.build_model()
    rng = np.random.default_rng(4)
    w_in, b_in = rng.normal(size=(28, 6)), rng.normal(size=6)
    w_out, b_out = rng.normal(size=(6, 10)), rng.normal(size=10)
    x = rng.normal(size=(3, 28, 28)).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        v1 = tf.compat.v1
        inputs = v1.placeholder(tf.float32, [None, 28, 28])
        rows = tf.reshape(inputs, [-1, 28])
        projected = tf.reshape(tf.matmul(rows, w_in.astype(np.float32)) + b_in.astype(
            np.float32), [-1, 28, 6])
        cell = legacy_cells.BasicLSTMCell(6, forget_bias=1.0, state_is_tuple=True)
        _, state = v1.nn.dynamic_rnn(cell, projected, dtype=tf.float32)
        logits = tf.matmul(state[1], w_out.astype(np.float32)) + b_out.astype(np.float32)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            kernel, bias = sess.run(cell.weights)
            want = sess.run(logits, {inputs: x})
    model.get_layer("input_projection").set_weights([w_in, b_in])
    models.set_tf1_weights(model, spec, {"basic_lstm_cell/kernel": kernel,
                                         "basic_lstm_cell/bias": bias}, (w_out, b_out))
    got = np.asarray(model(x, training=False))
    tolerance = max(registry.pair_named(p).tolerance.outputs
                    for p in ("BasicLSTMCell", runner))
    assert got.shape == want.shape == (3, 10)
    assert np.max(np.abs(got - want)) <= tolerance


def test_final_state_is_the_last_output_in_tf1():
    """TF1's semantics the final-state readouts rest on (TF1's own dynamic_rnn and
    MultiRNNCell of tf.compat.v1, tf-keras' legacy cells: the oracle): without
    sequence_length, state.h (LSTM), state (GRU) and state[-1] (a stack) are the last
    step's output, bit for bit; with sequence_length they are not."""
    import tensorflow as tf
    from tf_keras.src.layers.rnn import legacy_cells

    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 4)).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        v1 = tf.compat.v1
        inputs = v1.placeholder(tf.float32, [None, 5, 4])
        lengths = v1.placeholder(tf.int32, [None])
        with v1.variable_scope("lstm"):
            lstm_out, lstm_state = v1.nn.dynamic_rnn(legacy_cells.LSTMCell(3), inputs,
                                                     dtype=tf.float32)
        with v1.variable_scope("gru"):
            stack = legacy_cells.MultiRNNCell([legacy_cells.GRUCell(3) for _ in range(2)])
            gru_out, gru_state = v1.nn.dynamic_rnn(stack, inputs, dtype=tf.float32)
        with v1.variable_scope("masked"):
            masked_out, masked_state = v1.nn.dynamic_rnn(
                legacy_cells.LSTMCell(3), inputs, sequence_length=lengths, dtype=tf.float32)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            got = sess.run([lstm_out, lstm_state.h, gru_out, gru_state[-1], masked_out,
                            masked_state.h], {inputs: x, lengths: [5, 2, 3]})
    lstm_out, lstm_h, gru_out, gru_h, masked_out, masked_h = got
    np.testing.assert_array_equal(lstm_h, lstm_out[:, -1])
    np.testing.assert_array_equal(gru_h, gru_out[:, -1])
    assert not np.allclose(masked_h, masked_out[:, -1])  # hence listed under masking


def test_final_state_readouts_that_are_not_the_last_output_are_listed():
    original = _read(CASES / "state_h_dense.py")
    other = original.replace("logits = tf.layers.dense(states.h,",
                             "logits = tf.layers.dense(states.c,")
    r = recognize(other, filename="x.py")
    assert not r.complete
    assert any("final state's c" in why for _, why in r.unrecognized), r.unrecognized


def test_final_state_under_sequence_length_is_the_last_valid_output():
    """Under sequence_length TF1's final state h is each sequence's last valid output
    (not outputs[-1], zero past the length): recognised as such, and the generated model
    reads it with take_along_axis (proved by variable_length_lstm.py's generated test)."""
    other = _read(CASES / "state_h_dense.py").replace(
        "lstm_cell, X, dtype=tf.float32)", "lstm_cell, X, sequence_length=lengths, "
                                           "dtype=tf.float32)").replace(
        "y = tf.placeholder", "lengths = tf.placeholder(tf.int32, [None])\ny = tf.placeholder")
    r = recognize(other, filename="x.py")
    assert r.readout_from == "last valid output" and r.spec.masked
    assert not any("final state" in why for _, why in r.unrecognized), r.unrecognized
    code, _, unconverted = _port("variable_length_lstm.py")
    assert unconverted == [] and "keras.ops.take_along_axis(sequence, index, axis=1)" in code


def test_loss_on_other_logits_than_the_readout_is_listed():
    """The loss must read the readout (followed through names and ``RNN(x, ...)``'s one
    ``return``): scaled logits are another model, listed, not ported as this one."""
    original = _read(CASES / "state_h_dense.py")
    other = original.replace("labels=y, logits=logits)", "labels=y, logits=logits * 2.0)")
    r = recognize(other, filename="x.py")
    assert not r.complete
    assert any("not the readout's output" in why for _, why in r.unrecognized)


def test_nested_training_loops_are_listed():
    """``for epoch in ...: for i in ...: next_batch`` is not one loop of N steps: listed,
    not counted as the inner loop's steps."""
    original = _read(CASES / "get_variable_xw_plus_b.py")
    other = original.replace("    for step in range(1, training_steps + 1):\n",
                             "    for epoch in range(2):\n     for step in range(1, 4):\n")
    r = recognize(other, filename="x.py")
    assert not r.complete
    assert any("nested loops" in why for _, why in r.unrecognized), r.unrecognized


# runs 2 generated programs of the new idioms (a stacked GRU with TF1RMSprop and a
# bidirectional LSTM): ~55 s on 2 shared cores
@pytest.mark.slow
def test_generated_idiom_programs_run(tmp_path):
    paths = []
    for name in ("stacked_state_fully_connected.py", "bidirectional_try_fallback.py"):
        path = tmp_path / name
        path.write_text(_engine_port(name).code)
        paths.append(str(path))
    code = ("import runpy, sys\n"
            "for path in sys.argv[1:]:\n"
            "    print('=== ' + path, flush=True)\n"
            "    runpy.run_path(path, run_name='__main__')\n")
    proc = run_python(["-c", code, *paths], timeout=300)
    runs = proc.stdout.split("=== ")[1:]
    assert len(runs) == 2, proc.stdout + proc.stderr
    for out in runs:
        assert re.search(r"^Testing Accuracy: ([01]\.\d{4})$", out, re.M), out


# ------------------------------------------------------------------------------------
# encoder-decoders: two runners, the decoder started from the encoder's final state
# ------------------------------------------------------------------------------------
ENCODER_DECODERS = {  # fixture -> (encoder cells, decoder steps, shared embedding, optimizer)
    "seq2seq_reverse_embedding.py": ((("LSTMCell", 24),), 5, True,
                                     "modern.optimizers.TF1Adam"),
    "seq2seq_forecast_stacked_gru.py": ((("GRUCell", 12), ("GRUCell", 12)), 8, False,
                                        "modern.optimizers.TF1RMSprop"),
    # static runners over tf.unstack of tf.one_hot inputs (no Embedding: Keras' Adam)
    "py2_seq2seq_static_one_hot.py": ((("BasicLSTMCell", 32),), 4, False,
                                      "keras.optimizers.Adam"),
}


@pytest.mark.parametrize("name", sorted(ENCODER_DECODERS))
def test_encoder_decoders_start_the_decoder_from_the_encoder_state(name):
    """`dynamic_rnn(decoder_cell, ..., initial_state=encoder_state)` with the state of
    another runner (through names, in variable_scope blocks or scope=): the encoder's
    layers return their states (return_state=True), layer i of the decoder starts from
    layer i's; a shared embedding is one Keras layer used twice; Adam on a model with an
    Embedding is the table's TF1Adam (sparse gradients summed per row, as TF1)."""
    cells, steps, shared, optimizer = ENCODER_DECODERS[name]
    r = recognize(_source(name), filename=name)
    assert r.encoder is not None and r.runner == r.encoder["runner"] in (
        "dynamic_rnn", "static_rnn")
    assert tuple((c.cell_type, c.units) for c in r.encoder["spec"].cells) == cells
    assert tuple((c.cell_type, c.units) for c in r.spec.cells) == cells
    assert (r.steps, r.encoder["shared_embedding"], r.readout_from) == (
        steps, shared, "every output")
    code, changes, unconverted = _port(name)
    assert unconverted == [] and "import tensorflow" not in code
    flat = " ".join(code.split())
    states = ["state"] if len(cells) == 1 else [f"state_{i}" for i in range(len(cells))]
    for state in states:
        assert f"encoded, *{state} = " in flat
        assert f"initial_state={state})" in flat
    assert flat.count("return_state=True") == len(cells)
    assert "keras.Model([encoder_x, x], logits" in flat
    assert flat.count("keras.layers.Embedding(") == (1 if shared else 0)
    assert f"optimizer={optimizer}(" in flat
    assert any("registry pair 'initial_state'" in c for c in changes), changes


def test_predicted_ids_are_the_argmax_of_the_predicted_logits():
    """`prediction = tf.argmax(logits, 2)` fetched alone (no labels fed) -> the argmax of
    `model.predict_on_batch` on the same axis (the softmax keeps it); an accuracy built on
    that prediction stays the accuracy metric."""
    code, changes, unconverted = _port("seq2seq_reverse_embedding.py")
    assert unconverted == []
    runs = {c.split(": ", 1)[1].split(" -> ")[0]: c.split(" -> ")[1] for c in changes
            if "sess.run(" in c}
    assert runs["sess.run(prediction, feed_dict=...)"] == (
        "keras.ops.convert_to_numpy(keras.ops.argmax(model.predict_on_batch([source, "
        "decoder_in]), axis=2))")
    assert "['accuracy']" in runs["sess.run(accuracy, feed_dict=...)"]


@pytest.mark.parametrize("old, new, reason", [
    # two runners, neither started from the other: not an encoder-decoder
    ("initial_state=encoder_state, dtype=tf.float32", "dtype=tf.float32",
     "more than one RNN runner"),
    # the decoder's state is not the encoder's
    ("    encoder_cell = tf.contrib.rnn.LSTMCell(hidden)",
     "    encoder_cell = tf.contrib.rnn.GRUCell(hidden)", "differ in their states"),
    ("encoder_cell, encoder_embedded, dtype=tf.float32)",
     "encoder_cell, encoder_embedded, dtype=tf.float32, sequence_length=lengths)",
     "an encoder under sequence_length is not ported"),
])
def test_encoder_decoder_forms_not_ported_are_listed(old, new, reason):
    _assert_listed("seq2seq_reverse_embedding.py", old, new, reason)


# ------------------------------------------------------------------------------------
# a class whose __init__ builds the graph (tools.porter.keras.recognize.classes)
# ------------------------------------------------------------------------------------
def test_a_class_whose_init_builds_the_graph_is_followed_through_its_instance():
    """`self.inputs = tf.placeholder(...)` ... in `__init__(self, num_steps, ...)`, one
    `model = Class(num_steps=steps, ...)`, `sess.run(model.train_op, {model.inputs: x})`:
    the attributes are followed as names, the constructor's parameters are its call's
    arguments (keywords, a default), the report names them as the program wrote them, and
    the class and its instance go with the graph."""
    from tools.porter.keras.kept import DATA_REASONS

    name = "class_graph_gru_classifier.py"
    r = recognize(_source(name), filename=name)
    assert {why for _, why in r.unrecognized} <= set(DATA_REASONS), r.unrecognized
    assert (r.runner, r.steps, r.input_size, r.spec.num_classes, r.readout_from,
            r.learning_rate) == ("dynamic_rnn", 12, 2, 2, "final state h", 0.01)
    assert [(c.cell_type, c.units) for c in r.spec.cells] == [("GRUCell", 16)]
    code, changes, unconverted = _port(name)
    assert unconverted == [] and "SequenceClassifier" not in code and "tensorflow" not in code
    runs = [c for c in changes if "sess.run(" in c]
    assert "sess.run([model.train_op, model.loss], feed_dict=...)" in runs[0], runs
    assert "model.train_on_batch(x_train[start:start + batch_size]" in runs[0]


@pytest.mark.parametrize("old, new, reason", [
    # a graph attribute used outside sess.run: the session block is not kept
    ('(epoch + 1, loss))', '(epoch + 1, loss), model.logits)',
     "the session block uses ['model.logits'] other than in sess.run"),
    # a training and an evaluation instance: two graphs
    ("num_classes=2)\n", "num_classes=2)\nother = SequenceClassifier(steps, 2, 16, 2)\n",
     "is instantiated 2 times"),
    # a parameter that shadows a module constant of another value
    ("steps, batch_size = 12, 50", "steps, batch_size = 12, 50\nnum_steps = 7",
     "the parameter `num_steps` is given another value than the module's constant"),
])
def test_graph_class_forms_not_ported_are_listed(old, new, reason):
    _assert_listed("class_graph_gru_classifier.py", old, new, reason)


def test_graph_class_arguments_by_position_and_default():
    name = "class_graph_gru_classifier.py"
    source = _read(CASES / name).replace(
        "SequenceClassifier(num_steps=steps, num_inputs=2, hidden_size=16, num_classes=2)",
        "SequenceClassifier(steps, 2, 8, 2, 0.05)")
    r = recognize(source, filename=name)
    assert (r.steps, r.spec.cells[0].units, r.learning_rate) == (12, 8, 0.05)


# ------------------------------------------------------------------------------------
# programs with their own data: kept, their graph replaced (tools.porter.keras.kept)
# ------------------------------------------------------------------------------------
OWN_DATA = ("numpy_epochs_gru.py", "own_batches_lstm_static.py", "sine_regression_lstm.py",
            "embedding_tokens_lstm.py", "one_hot_parity_gru.py", "variable_length_lstm.py",
            # many-to-many: a readout on every step's output
            "char_rnn_sequence_loss.py", "tagging_static_sparse_xent.py",
            "sine_sequence_regression_dense.py",
            # Python 2; clip_by_global_norm and exponential_decay on its global step
            "py2_clip_decay_stacked.py",
            # a learning-rate variable set per epoch by an assign op
            "lr_assign_decay_gru.py",
            # PTB style: sequence_loss_by_example summed / batch_size, clipping, perplexity
            "ptb_style_sequence_loss_by_example.py",
            # encoder-decoders: the decoder started from the encoder's final state
            "seq2seq_reverse_embedding.py", "seq2seq_forecast_stacked_gru.py",
            "py2_seq2seq_static_one_hot.py",
            # a class whose __init__ builds the graph
            "class_graph_gru_classifier.py")
# run against the TF1 program by default (the others with -m slow): 3-8 CPU-s each; the
# kept port of every fixture is proved by its generated test (test_keras_proofs.py)
OWN_DATA_RUN = ("sine_regression_lstm.py",)
# the PTB-style fixture's language: each word follows from the one before with 10% noise,
# so a model that learned it has a perplexity near exp(0.57) = 1.8; a uniform guess over
# its 16 words has 16
PTB_PERPLEXITY_BOUND = 4.0
_RUN = r"""
import io, contextlib, runpy, sys
for path in sys.argv[1:]:
    if sys.argv[0] == "tf1":
        import legacy_compat.v1 as tf
        from tools.porter.compat import dropin
        tf.reset_default_graph()
        run = lambda: dropin.run_program(path)
    else:
        run = lambda: runpy.run_path(path, run_name="__main__")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        run()
    print("=== " + path + "\n" + buf.getvalue(), flush=True)
"""


def _last_value(output, label):
    lines = [line for line in output.split("\n") if label in line]
    return float(re.findall(r"[0-9]*\.[0-9]+", lines[-1])[-1])


@pytest.mark.parametrize("name", [n if n in OWN_DATA_RUN else pytest.param(
    n, marks=pytest.mark.slow) for n in OWN_DATA])
def test_programs_with_their_own_data_keep_them_and_learn_as_tf1(name, tmp_path):
    """A program that builds its own batches (numpy epochs x slices; its own batch
    function in a while loop, keep_prob dropout; a regressor on sine windows with the
    mean squared error; word ids through an embedding; bits through tf.one_hot) keeps its
    data code and loop; its graph becomes the Keras model
    and each sess.run one Keras call. The TF1 program (unported, under the legacy_compat
    drop-in) and the port run on the same data (same numpy seed) for the same steps: both
    learn, to test accuracies within 0.1 (test MSEs within 0.01) of each other (their
    random initial weights differ: TF1's graph seed is not Keras')."""
    code, changes, unconverted = _port(name)
    assert unconverted == [] and "import tensorflow" not in code, unconverted
    assert "model = compile_model(build_model())" in code
    assert any("sess.run(" in c and "train_on_batch" in c for c in changes), changes
    path = tmp_path / name
    path.write_text(code)
    original = tmp_path / f"original_{name}"  # Python 3: the drop-in runs Python 3
    original.write_text(_source(name))
    tf1 = run_python(["-c", _RUN.replace("sys.argv[0] ==", '"tf1" =='), str(original)],
                     preloaded=True).stdout.split("=== ")[1:]
    keras_runs = run_python(["-c", _RUN.replace("sys.argv[0] ==", '"keras" =='), str(path)],
                            preloaded=True).stdout.split("=== ")[1:]
    for want, got in zip(tf1, keras_runs):
        assert len(want.split("\n")) == len(got.split("\n"))  # the same prints
        if "test MSE" in want:  # a regressor: the sine's variance is 0.5 (0.44 its steps)
            tf1_mse, keras_mse = _last_value(want, "test MSE"), _last_value(got, "test MSE")
            print(f"{name}: test MSE TF1 {tf1_mse:.5f}, Keras port {keras_mse:.5f}")
            assert max(tf1_mse, keras_mse) < 0.02 and abs(tf1_mse - keras_mse) < 0.01
            continue
        if "perplexity" in want:  # a language model over a vocabulary of 16 words
            tf1_ppl, keras_ppl = _last_value(want, "perplexity"), _last_value(got, "perplexity")
            print(f"{name}: train perplexity TF1 {tf1_ppl:.3f}, Keras port {keras_ppl:.3f}")
            assert max(tf1_ppl, keras_ppl) < PTB_PERPLEXITY_BOUND, (want, got)
            assert abs(tf1_ppl - keras_ppl) <= 0.1 * tf1_ppl, (want, got)
            continue
        tf1_acc, keras_acc = _last_value(want, "ccuracy"), _last_value(got, "ccuracy")
        print(f"{name}: test accuracy TF1 {tf1_acc:.3f}, Keras port {keras_acc:.3f}")
        assert min(tf1_acc, keras_acc) > 0.6 and abs(tf1_acc - keras_acc) <= 0.1, (want, got)


@pytest.mark.parametrize("placeholders", [
    # the labels' placeholder first, both on one line
    "Y, X = tf.placeholder(tf.float32, [None, n_classes]), "
    "tf.placeholder(tf.float32, [None, n_steps, n_input])\n",
    # a [None, steps, n] target placeholder before the input's
    "Y = tf.placeholder(tf.float32, [None, n_classes])\nZ = tf.placeholder(tf.float32, "
    "[None, n_steps, n_input])\nX = tf.placeholder(tf.float32, [None, n_steps, n_input])\n",
])
def test_the_model_input_is_the_placeholder_that_reaches_the_runner(placeholders):
    """The placeholder the runner's input is computed from is the model's input, however
    the placeholders are ordered or assigned (a tuple on one line); the feed of the other
    one is the labels."""
    source = _read(CASES / "numpy_epochs_gru.py")
    old = ("X = tf.placeholder(tf.float32, [None, n_steps, n_input])\n"
           "Y = tf.placeholder(tf.float32, [None, n_classes])\n")
    assert old in source
    code, changes, unconverted = port_to_keras(source.replace(old, placeholders),
                                               filename="numpy_epochs_gru.py")
    assert unconverted == [], unconverted
    runs = [c for c in changes if "sess.run([optimizer, cost]" in c]
    assert runs and "model.train_on_batch(bx, by," in runs[0], changes


@pytest.mark.parametrize("change,reason", [
    ("with tf.Session() as sess:", "no `with tf.Session() as sess:` block"),
    ("acc = sess.run(accuracy,", "sess.run fetches ['correct']"),
])
def test_own_data_programs_list_what_the_kept_port_does_not_cover(change, reason):
    source = _read(CASES / "numpy_epochs_gru.py")
    if change.startswith("with"):
        source = source.replace(change, "sess = tf.Session()\nif True:")
    else:
        source = source.replace(change, "acc = sess.run(correct,")
    code, changes, unconverted = port_to_keras(source, filename="x.py")
    assert changes == [] and len(unconverted) == 1 and reason in unconverted[0][1]
    assert "(--to keras)" in code and "import tensorflow as tf" in code  # TF1 kept, marked


def test_kept_notebook_keeps_its_cells():
    """A notebook with its own data: the model definitions join the first code cell, a
    cell that only built the graph says so, the session's cell keeps the training (its
    generated test runs with the other fixtures' in test_keras_proofs.py)."""
    import nbformat

    from tools.porter.engine import port_file

    report = port_file(CASES / "one_hot_notebook_kept.ipynb", target="keras")
    assert not report.error and not report.manual and report.proof is not None
    cells = [c for c in nbformat.reads(report.new_text, as_version=4).cells
             if c.cell_type == "code"]
    assert "def build_model():" in cells[0].source and "make" not in cells[1].source
    assert cells[1].source.startswith("# ported by rnn-migrate: this cell built the TF1 graph")
    assert cells[2].source.startswith("# the TF1 session") and "train_on_batch" in cells[2].source
    assert "tensorflow" not in report.new_text


# ------------------------------------------------------------------------------------
# many-to-many models: a readout on every step's output
# ------------------------------------------------------------------------------------
MANY_TO_MANY = {  # fixture -> (loss of LOSSES, token input, runner)
    "char_rnn_sequence_loss.py": ("sparse_softmax_cross_entropy", {"one_hot": 28},
                                  "dynamic_rnn"),
    "tagging_static_sparse_xent.py": ("sparse_softmax_cross_entropy", {
        "embedding": (12, 8),
        "initializer": "keras.initializers.RandomUniform(minval=-1.0, maxval=1.0)"},
        "static_rnn"),
    "sine_sequence_regression_dense.py": ("mean_squared_error", None, "dynamic_rnn"),
    # a [batch_size, num_steps] placeholder (one batch size), sequence_loss_by_example
    "ptb_style_sequence_loss_by_example.py": ("per_sequence_sparse_cross_entropy", {
        "embedding": (16, 32), "initializer": "keras.initializers.GlorotUniform()"},
        "dynamic_rnn"),
}


@pytest.mark.parametrize("name", sorted(MANY_TO_MANY))
def test_many_to_many_models_read_every_step(name):
    """`tf.reshape(outputs, [-1, H])` (dynamic), `tf.reshape(tf.concat(outputs, 1), [-1,
    H])` (static) through the readout, the logits maybe reshaped back: the Keras RNN
    returns every step and one Dense reads them all; sequence_loss with weights of ones
    and the mean sparse cross-entropy become Keras' sparse cross-entropy (labels per
    step), the mean squared error stays (tools.porter.keras.losses)."""
    from tools.porter.keras.kept import DATA_REASONS
    from tools.porter.keras.losses import LOSSES

    loss, tokens, runner = MANY_TO_MANY[name]
    r = recognize(_read(CASES / name), filename=name)
    assert {why for _, why in r.unrecognized} <= set(DATA_REASONS), r.unrecognized
    assert (r.readout_from, r.loss, r.token_input or None, r.runner) == (
        "every output", loss, tokens, runner)
    code, changes, unconverted = _port(name)
    assert unconverted == []
    flat = " ".join(code.split())
    assert "return_sequences=True" in flat and 'name="readout")(sequence)' in flat
    assert f"loss={LOSSES[loss].keras}" in flat
    assert "logits (batch, timesteps, num_classes)" in flat


@pytest.mark.parametrize("name, old, new, reason", [
    # time-major rows (concat on axis 0) are not the batch-major rows Dense gives
    ("tagging_static_sparse_xent.py", "tf.concat(outputs, 1)", "tf.concat(outputs, 0)",
     "no readout on the RNN's last output"),
    # weights other than ones: a mask, Keras' sample_weight (not ported)
    ("char_rnn_sequence_loss.py", "tf.ones_like(Y, dtype=tf.float32)",
     "tf.cast(Y > 0, tf.float32)", "sequence_loss is ported with weights of ones"),
    ("char_rnn_sequence_loss.py", "tf.ones_like(Y, dtype=tf.float32))",
     "tf.ones_like(Y, dtype=tf.float32), average_across_timesteps=False)",
     "its default averaging"),
    # a sum over the steps is not the mean Keras' loss takes
    ("tagging_static_sparse_xent.py", "loss = tf.reduce_mean(", "loss = tf.reduce_sum(",
     "the tf.reduce_mean of one such call only"),
])
def test_many_to_many_forms_not_ported_are_listed(name, old, new, reason):
    _assert_listed(name, old, new, reason)


def _assert_listed(name, old, new, reason):
    """The fixture ``name`` with ``old`` replaced by ``new`` is not ported: ``reason`` is
    listed (with a column) and the output keeps the program, marked."""
    source = _read(CASES / name)
    assert old in source
    code, changes, unconverted = port_to_keras(source.replace(old, new), filename=name)
    assert changes == [] and any(reason in why for _, why in unconverted), unconverted
    assert all(m.col > 0 for m in unconverted) and "(--to keras)" in code


# ------------------------------------------------------------------------------------
# gradient clipping and learning-rate schedules (modern.optimizers CLIPPING, SCHEDULES)
# ------------------------------------------------------------------------------------
def test_clipping_and_schedule_become_the_optimizers_settings():
    """tf.gradients -> clip_by_global_norm -> apply_gradients(global_step=...) with an
    exponential_decay on that step: the Keras optimizer's global_clipnorm and an
    ExponentialDecay learning rate (Keras' iterations are TF1's global step)."""
    r = recognize(_source("py2_clip_decay_stacked.py"))
    assert r.clipping == {"name": "clip_by_global_norm", "keras": {"global_clipnorm": 1.0},
                          "args": {"clip_norm": 1.0}}
    assert r.schedule["keras"] == ("keras.optimizers.schedules.ExponentialDecay", {
        "initial_learning_rate": 0.5, "decay_steps": 50, "decay_rate": 0.9, "staircase": True})
    assert r.global_step == r.schedule["step"] == "global_step"
    code, changes, unconverted = _port("py2_clip_decay_stacked.py")
    assert unconverted == []
    flat = _flat(code)
    assert "keras.optimizers.SGD(learning_rate=learning_rate, global_clipnorm=1.0)" in flat
    assert ("learning_rate = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate"
            "=0.5, decay_steps=50, decay_rate=0.9, staircase=True)") in flat
    assert "model.train_on_batch(train_x[start:start + batch_size], train_y[" in flat
    assert "feed = " not in code  # the feed dict, inlined into the Keras call


_CLIP_SOURCE = "py2_clip_decay_stacked.py"


@pytest.mark.parametrize("old, new, reason", [
    # TF1 never decayed this rate: nothing increments the step it reads
    ("list(zip(grads, tvars)), global_step=global_step)", "list(zip(grads, tvars)))",
     "which minimize/apply_gradients does not increment"),
    # the clip is not between the gradients and their application
    ("train_op = optimizer.apply_gradients(list(zip(grads, tvars))",
     "train_op = optimizer.apply_gradients(list(zip(tf.gradients(cost, tvars), tvars))",
     "gradient processing is ported as"),
    ("tf.clip_by_global_norm(tf.gradients(cost, tvars), max_grad_norm)",
     "tf.clip_by_global_norm(tf.gradients(cost, tvars), max_grad_norm, use_norm=2.0)",
     "use_norm is given"),
])
def test_gradient_processing_not_ported_is_listed(old, new, reason):
    source = _source(_CLIP_SOURCE)
    assert old in source
    code, changes, unconverted = port_to_keras(source.replace(old, new), filename="x.py")
    assert changes == [] and any(reason in why for _, why in unconverted), unconverted


def test_asymmetric_clip_by_value_is_listed():
    source = _read(CASES / "mnist_compute_gradients_clip_value.py")
    assert "tf.clip_by_value(grad, -1., 1.)" in source
    code, changes, unconverted = port_to_keras(
        source.replace("tf.clip_by_value(grad, -1., 1.)", "tf.clip_by_value(grad, -1., 2.)"),
        filename="x.py")
    assert changes == [] and any("is not symmetric" in why for _, why in unconverted)


# ------------------------------------------------------------------------------------
# the ported RNN layers start from TF1's initial distributions
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("cell", [CellSpec("BasicLSTMCell", 16, forget_bias=1.0),
                                  CellSpec("GRUCell", 16), CellSpec("BasicRNNCell", 16)],
                         ids=lambda c: c.cell_type)
def test_ported_layers_start_from_tf1s_initial_distributions(cell):
    """The generated layer's kernel and recurrent kernel, per gate block, against the
    TF1 cell's own initial variables (legacy_compat in a TF1 graph, get_variable's default
    initializer) mapped to the Keras layout: the same uniform range (largest |w| within
    3% of TF1's glorot limit, never above it) and spread (std within 12%). Keras'
    defaults (glorot over [input, blocks * units], orthogonal recurrent) are not TF1's:
    here an LSTM's default kernel reaches 0.261 and its recurrent kernel 0.416, where
    TF1's limit is 0.240."""
    import keras
    import tensorflow as tf

    from legacy_compat import rnn, rnn_cell_impl as rnn_cell
    from modern import weights
    from tools.porter.keras import writer

    input_size = 24
    spec = RNNSpec((cell,), input_size, num_classes=3)
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(1)
        x = tf.compat.v1.placeholder(tf.float32, [None, 5, input_size])
        tf1_cell = getattr(rnn_cell, cell.cell_type)(16)
        rnn.dynamic_rnn(tf1_cell, x, dtype=tf.float32)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            values = {v.op.name.split("/", 2)[-1]: session.run(v)
                      for v in tf.compat.v1.global_variables()}
    opts = dict(cell.map_options(input_size=input_size))
    if "forget_bias" in opts:
        opts["forget_bias"] = 0.0
    tf1_kernels = [w for w in weights.tf1_to_keras(cell.cell_type, values, **opts)
                   if np.ndim(w) == 2]
    (_, code, _), = writer.keras_layer_code(spec, 5)
    namespace = {"keras": keras}
    exec(writer._initializer_classes([(None, code, None)]), namespace)
    keras.utils.set_random_seed(2)
    layer = eval(code, namespace)
    layer.build((None, 5, input_size))
    keras_kernels = [w for w in layer.get_weights() if np.ndim(w) == 2]
    limits = writer.kernel_limits(cell, input_size)
    for tf1_w, keras_w in zip(tf1_kernels, keras_kernels):
        assert tf1_w.shape == keras_w.shape
        for block, limit in enumerate(limits):
            columns = slice(block * 16, (block + 1) * 16)
            for w in (tf1_w[:, columns], keras_w[:, columns]):
                assert 0.97 * limit <= np.abs(w).max() <= limit
                assert abs(w.std() / (limit / np.sqrt(3.0)) - 1.0) < 0.12


def test_schedule_in_an_mnist_tutorial_port(tmp_path):
    """The MNIST-tutorial port (not a kept program) with exponential_decay on the step its
    apply_gradients increments: the module-level learning rate is the Keras schedule, and
    compile_model() gives the optimizer that schedule and the clip."""
    source = _read(CASES / "mnist_compute_gradients_clip_value.py")
    for old, new in (
            ("optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate)",
             "global_step = tf.Variable(0, trainable=False)\n"
             "rate = tf.train.exponential_decay(learning_rate, global_step, 50, 0.5)\n"
             "optimizer = tf.train.AdamOptimizer(learning_rate=rate)"),
            ("optimizer.apply_gradients(capped_gvs)",
             "optimizer.apply_gradients(capped_gvs, global_step=global_step)")):
        assert old in source
        source = source.replace(old, new)
    code, changes, unconverted = port_to_keras(source, filename="mnist_schedule.py")
    assert unconverted == []
    assert ("learning_rate = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate"
            "=0.01, decay_steps=50, decay_rate=0.5, staircase=False)") in _flat(code)
    module = _import_generated(code, tmp_path, "mnist_schedule.py")
    config = module.compile_model(module.build_model()).optimizer.get_config()
    assert config["clipvalue"] == 1.0
    assert config["learning_rate"]["class_name"] == "ExponentialDecay"


@pytest.mark.parametrize("old, new", [
    (None, None),  # the assign op fed through its placeholder
    ("sess.run(lr_update, feed_dict={new_lr: base_lr * lr_decay ** max(epoch - 2, 0)})",
     "sess.run(tf.assign(lr, base_lr * lr_decay ** max(epoch - 2, 0)))"),
])
def test_learning_rate_variable_set_by_assign(old, new):
    """`lr = tf.Variable(x, trainable=False)` read by the optimizer and set with tf.assign
    (an op fed a placeholder, or tf.assign(lr, value) run directly): the kept program sets
    the Keras optimizer's learning rate where TF1 assigned it, and a fetch of `lr` reads
    the optimizer's (SCHEDULES["assign"])."""
    source = _read(CASES / "lr_assign_decay_gru.py")
    if old is not None:
        assert old in source
        source = source.replace(old, new)
    r = recognize(source)
    assert r.rate_variable["name"] == "lr" and r.rate_variable["initial"] == 0.5
    code, changes, unconverted = port_to_keras(source, filename="lr.py")
    assert unconverted == []
    assert "tf1_assign_learning_rate(model, base_lr * lr_decay ** max(epoch - 2, 0))" in code
    assert "np.float32(keras.ops.convert_to_numpy(model.optimizer.learning_rate))" in code
    assert "def tf1_assign_learning_rate(model, value):" in code
    assert "keras.optimizers.SGD(learning_rate=learning_rate)" in code
    assert "learning_rate = 0.5" in code


def test_learning_rate_assign_without_its_value_fed_is_listed():
    source = _read(CASES / "lr_assign_decay_gru.py").replace(
        "sess.run(lr_update, feed_dict={new_lr: base_lr * lr_decay ** max(epoch - 2, 0)})",
        "sess.run(lr_update, feed_dict={inputs: test_x})")
    code, changes, unconverted = port_to_keras(source, filename="lr.py")
    assert changes == [] and any("without `new_lr` fed" in why for _, why in unconverted)


def test_learning_rate_variable_in_an_mnist_tutorial_is_listed():
    """The MNIST-tutorial port writes a new loop: an assign the program ran in its own
    loop would be lost, so a learning-rate variable there is listed, not ported."""
    source = _read(CASES / "mnist_compute_gradients_clip_value.py").replace(
        "optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate)",
        "lr = tf.Variable(learning_rate, trainable=False)\n"
        "optimizer = tf.train.AdamOptimizer(learning_rate=lr)")
    code, changes, unconverted = port_to_keras(source, filename="x.py")
    assert changes == [] and any("`lr` (set by tf.assign)" in why for _, why in unconverted)


def test_sequence_loss_by_example_summed_over_the_batch_size():
    """PTB's cost, `tf.reduce_sum(sequence_loss_by_example([logits], [targets],
    [tf.ones(...)])) / batch_size`: Keras' summed sparse cross-entropy with loss_weights
    1 / batch_size (TF1's division, whatever the batch fed); a divisor that is not a
    constant is listed."""
    name = "ptb_style_sequence_loss_by_example.py"
    r = recognize(_read(CASES / name))
    assert (r.loss, r.loss_scale) == ("per_sequence_sparse_cross_entropy", 20)
    code, changes, unconverted = _port(name)
    assert unconverted == []
    assert 'loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum")' \
        in code and "loss_weights=1.0 / 20," in code
    assert "tf1_fetches(model.train_on_batch(x_all[start:start + batch_size]" in code
    source = _read(CASES / name).replace("cost = tf.reduce_sum(loss) / batch_size",
                                         "cost = tf.reduce_sum(loss) / tf.to_float(batch_size)")
    code, changes, unconverted = port_to_keras(source, filename=name)
    assert changes == [] and unconverted  # nothing generated, the reason listed
    assert any("the cost's divisor: cannot resolve" in why for _, why in unconverted)


@pytest.mark.parametrize("name", ["py2_kernel_tagging_notebook.ipynb",
                                  "one_hot_notebook_kept.ipynb"])
def test_kept_notebook_models_train_in_a_compiled_step(name, tmp_path):
    """A kept notebook's model is named after the notebook (a name TensorFlow's scopes
    accept: a notebook's cells once gave "_string_", which the compiled train step
    refused), and one compiled train_on_batch runs. The Python 2 kernel notebook is
    converted first (fissix), its per-step tagging model keeps its data cells."""
    import ast

    import keras
    import nbformat

    from tools.porter.engine import port_file

    report = port_file(CASES / name, target="keras")
    assert not report.error and not report.manual and report.proof is not None
    code = "\n".join(c.source for c in nbformat.reads(report.new_text, as_version=4).cells
                     if c.cell_type == "code")
    tree = ast.parse(code)
    tree.body = [n for n in tree.body if isinstance(
        n, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))]
    namespace = {"__name__": f"kept_{Path(name).stem}"}
    exec(compile(tree, name, "exec"), namespace)
    model = namespace["compile_model"](namespace["build_model"]())
    assert model.name == Path(name).stem
    steps = model.input_shape[1]
    x = np.random.default_rng(0).integers(0, 2, (4, steps)).astype(np.int32)
    y = (np.zeros((4, steps), np.int32) if model.output_shape[1] == steps
         else np.eye(model.output_shape[-1], dtype=np.float32)[[0, 1, 0, 1]])
    model.run_eagerly = False
    loss = model.train_on_batch(x, y)
    assert np.isfinite(np.asarray(keras.tree.flatten(loss)[0]))
