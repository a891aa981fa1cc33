"""``modern.checkpoint``: TF1 checkpoints -> Keras 3 models and back, against real TF1 graphs.

Every checkpoint here is written by a ``tf.compat.v1.train.Saver`` from a legacy
TF1 graph (``tools.proof.pipelines.build_legacy_graph``: legacy_compat's cells, TF1's
runners) holding random values. Older naming generations are written the way an old
program's checkpoint reads today: the same graph saved under its old names,
``Saver({old_name: variable})``. The old names are spelled out literally below, from
the TF sources that ``modern.checkpoint`` cites, and NOT computed with its own rename
table, so the table is checked against an independent spelling.

Tolerance: both sides compute in float32 from the same weight bits (the weight maps
only move blocks; the one arithmetic step, ``keras.layers.LSTM``'s forget-gate bias
``fl(b_f + forget_bias)``, rounds once by half an ulp). What remains is the order of
operations (one matmul over ``[x, h]`` vs ``x @ W + h @ U``, fused gate sums): a
few float32 roundings (ulp 6e-8 near 1) per step. The semantics doc measured at
most 1.5e-6 over 28 steps; these sequences have at most 5 steps and |values| of a
few units, so 1e-6 holds with margin (the largest difference measured is printed
at the end of the run).
"""
import os

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from modern import checkpoint
from modern import models
from modern.models import CellSpec, RNNSpec
from modern.weights import CELL_TYPES
from tools.proof import pipelines

v1 = tf.compat.v1

TOLERANCE = 1e-6
GENERATIONS = ("1.2", "1.0", "0.x")
MEASURED = {"max |diff|": 0.0}

# ------------------------------------------------------------------------------------
# Old spellings, written out from the sources (independent of modern.checkpoint's table)
# ------------------------------------------------------------------------------------
# TF 1.0-1.1 (contrib/rnn/python/tools/checkpoint_convert.py, RNN_NAME_REPLACEMENTS):
# the cells' kernel/bias were weights/biases; gamma, beta, w_*_diag kept their names.
TF10_LEAVES = {"kernel": "weights", "bias": "biases"}
# TF 0.x (tensorflow/python/ops/rnn_cell.py): linear() -> Linear/Matrix|Bias under the
# class-named scope; LSTMCell: W_0 (shard 0), B, W_F_diag..., W_P_0.
TF0_CELL_VARIABLES = {
    "basic_rnn_cell/kernel": "BasicRNNCell/Linear/Matrix",
    "basic_rnn_cell/bias": "BasicRNNCell/Linear/Bias",
    "basic_lstm_cell/kernel": "BasicLSTMCell/Linear/Matrix",
    "basic_lstm_cell/bias": "BasicLSTMCell/Linear/Bias",
    "gru_cell/gates/kernel": "GRUCell/Gates/Linear/Matrix",
    "gru_cell/gates/bias": "GRUCell/Gates/Linear/Bias",
    "gru_cell/candidate/kernel": "GRUCell/Candidate/Linear/Matrix",
    "gru_cell/candidate/bias": "GRUCell/Candidate/Linear/Bias",
    "lstm_cell/kernel": "LSTMCell/W_0",
    "lstm_cell/bias": "LSTMCell/B",
    "lstm_cell/w_f_diag": "LSTMCell/W_F_diag",
    "lstm_cell/w_i_diag": "LSTMCell/W_I_diag",
    "lstm_cell/w_o_diag": "LSTMCell/W_O_diag",
    "lstm_cell/projection/kernel": "LSTMCell/W_P_0",
}
# TF 0.x runners (tensorflow/python/ops/rnn.py): rnn() -> "RNN";
# bidirectional_rnn() -> "BiRNN" + "_FW" / "_BW" (the cells directly below).
TF0_RUNNER_SCOPES = {"rnn": "RNN", "bidirectional_rnn/fw": "BiRNN_FW",
                     "bidirectional_rnn/bw": "BiRNN_BW"}


def old_spelling(name, generation):
    """A TF 1.2+ full name of a legacy graph -> the same variable in ``generation``."""
    if generation == "1.2" or name.startswith("readout/"):
        return name
    segments = name.split("/")
    if generation == "1.0":
        return "/".join(segments[:-1] + [TF10_LEAVES.get(segments[-1], segments[-1])])
    runner = "/".join(segments[:2]) if segments[0] == "bidirectional_rnn" else segments[0]
    rest = segments[len(runner.split("/")):]
    out = [TF0_RUNNER_SCOPES[runner]]
    if rest[0] == "multi_rnn_cell":
        out += ["MultiRNNCell", "Cell" + rest[1][len("cell_"):]]
        rest = rest[2:]
    if rest[0] == "layer_norm_basic_lstm_cell":
        # contrib's LayerNormBasicLSTMCell never had CamelCase names: weights/biases.
        return "/".join(out + rest[:-1] + [TF10_LEAVES.get(rest[-1], rest[-1])])
    return "/".join(out + [TF0_CELL_VARIABLES["/".join(rest)]])


# ------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------
def runner_for(spec, dynamic=False):
    if spec.bidirectional:
        return "bidirectional_dynamic_rnn" if dynamic else "static_bidirectional_rnn"
    return "dynamic_rnn" if dynamic else "static_rnn"


_SAVERS = {}


def saver_for(legacy, generation):
    """A Saver of the legacy graph's variables under their ``generation`` names (cached)."""
    key = (legacy.graph, generation)
    if key not in _SAVERS:
        with legacy.graph.as_default():
            _SAVERS[key] = v1.train.Saver(
                {old_spelling(n, generation): v for n, v in legacy.all_variables.items()},
                write_version=v1.train.SaverDef.V2)
    return _SAVERS[key]


def save_legacy(legacy, generation, prefix):
    with legacy.graph.as_default():
        return saver_for(legacy, generation).save(legacy.session, str(prefix),
                                                  write_meta_graph=False)


def restore_legacy(legacy, generation, prefix):
    with legacy.graph.as_default():
        saver_for(legacy, generation).restore(legacy.session, str(prefix))


def save_arrays(values, prefix):
    """Write ``{name: array}`` with a TF1 Saver (for hand-made, e.g. broken, checkpoints)."""
    graph = tf.Graph()
    with graph.as_default():
        variables = {n: v1.Variable(np.asarray(a, np.float32), name=n) for n, a in values.items()}
        saver = v1.train.Saver(variables)
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            return saver.save(session, str(prefix), write_meta_graph=False)


def inputs_for(spec, steps, batch, rng):
    x = rng.normal(size=(batch, steps, spec.input_size))
    lengths = None
    if spec.masked:
        lengths = rng.integers(0, steps + 1, size=batch).astype(np.int32)
        lengths[0] = steps
    return x, lengths


def max_diff(legacy, model, x, lengths, record=True):
    """Max |TF1 - Keras| over every output (sequence, final states, logits)."""
    expected = legacy.run(legacy.outputs, x, lengths)
    x32 = np.asarray(x, np.float32)
    got = model([x32, lengths] if legacy.spec.masked else [x32])
    assert set(got) == set(expected)
    diff = 0.0
    for name, value in expected.items():
        assert np.shape(got[name]) == np.shape(value), name
        diff = max(diff, float(np.max(np.abs(np.asarray(got[name], np.float64) - value))))
    if record:
        MEASURED["max |diff|"] = max(MEASURED["max |diff|"], diff)
    return diff


def readout_option(spec):
    return (pipelines.READOUT_WEIGHTS, pipelines.READOUT_BIASES) if spec.num_classes else None


class _Summary:
    """Prints the largest difference measured at the end of the run (a plugin registered
    at run time: conftest.py is not this module's to extend)."""

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.write_line(f"[test_checkpoint_conversion] largest |TF1 - Keras| "
                                    f"(float32): {MEASURED['max |diff|']:.3g}")


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("checkpoint-conversion-summary"):
        manager.register(_Summary(), "checkpoint-conversion-summary")
    yield


def expected_generations(spec, generation):
    """The renames a checkpoint of ``generation`` needs: LayerNormBasicLSTMCell only ever
    had the 1.0 spelling, and a lone 0.x cell under "RNN/" needs only its cell renames."""
    if generation != "0.x":
        return (generation,)
    layer_norm = [c.cell_type == "LayerNormBasicLSTMCell" for c in spec.cells]
    needs_0x = spec.stacked or spec.bidirectional or not all(layer_norm)
    return tuple(sorted(({"0.x"} if needs_0x else set()) | ({"1.0"} if any(layer_norm) else set())))


# ------------------------------------------------------------------------------------
# every cell type, stacks, bidirectional, every naming generation
# ------------------------------------------------------------------------------------
CASES = {
    "BasicRNNCell": RNNSpec((CellSpec("BasicRNNCell", 4),), 3),
    "BasicLSTMCell": RNNSpec((CellSpec("BasicLSTMCell", 5),), 3),
    "LSTMCell-peepholes-proj": RNNSpec(
        (CellSpec("LSTMCell", 5, use_peepholes=True, num_proj=3),), 3),
    "GRUCell": RNNSpec((CellSpec("GRUCell", 4),), 3),
    "LayerNormBasicLSTMCell": RNNSpec((CellSpec("LayerNormBasicLSTMCell", 4),), 3),
    "stack-readout": RNNSpec(
        (CellSpec("BasicLSTMCell", 4), CellSpec("LSTMCell", 4, use_peepholes=True, num_proj=3),
         CellSpec("GRUCell", 3)), 3, num_classes=4),
    "bidirectional": RNNSpec(
        (CellSpec("LSTMCell", 4, use_peepholes=True, num_proj=3),), 3, bidirectional=True),
    "bidirectional-stack-readout": RNNSpec(
        (CellSpec("GRUCell", 3), CellSpec("LayerNormBasicLSTMCell", 4),
         CellSpec("BasicRNNCell", 3)), 2, bidirectional=True, num_classes=2),
}
STEPS = 4


@pytest.mark.parametrize("generation", GENERATIONS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_legacy_checkpoint_converts_exactly(case, generation, tmp_path):
    spec = CASES[case]
    rng = np.random.default_rng(sorted(CASES).index(case) * 10 + GENERATIONS.index(generation))
    legacy = pipelines.build_legacy_graph(spec, STEPS, runner_for(spec))
    legacy.set_values(legacy.random_values(rng))
    prefix = save_legacy(legacy, generation, tmp_path / "model.ckpt")

    found = checkpoint.read_tf1_checkpoint(prefix, readout=readout_option(spec))
    assert found.spec == spec
    assert found.generations == expected_generations(spec, generation)
    model = checkpoint.from_tf1_checkpoint(prefix, readout=readout_option(spec))
    assert model.tf1_spec == spec
    x, lengths = inputs_for(spec, STEPS, 3, rng)
    assert max_diff(legacy, model, x, lengths) <= TOLERANCE


@st.composite
def pipelines_with_options(draw):
    """A random spec (cells, options, stack, direction, masking, readout) and a naming."""
    cells = []
    for _ in range(draw(st.integers(1, 2))):
        cell_type = draw(st.sampled_from(CELL_TYPES))
        units = draw(st.integers(1, 4))
        options = {"activation": draw(st.sampled_from(["tanh", "relu", "softsign"]))}
        if cell_type in ("BasicLSTMCell", "LSTMCell", "LayerNormBasicLSTMCell"):
            options["forget_bias"] = draw(st.sampled_from([0.0, 0.5, 1.0, 2.5]))
        if cell_type == "LSTMCell":
            options["use_peepholes"] = draw(st.booleans())
            options["num_proj"] = draw(st.one_of(st.none(), st.integers(1, 3)))
            options["cell_clip"] = draw(st.one_of(st.none(), st.sampled_from([0.1, 0.5, 2.0])))
            options["proj_clip"] = draw(st.one_of(st.none(), st.sampled_from([0.1, 0.5])))
        if cell_type == "LayerNormBasicLSTMCell":
            options["layer_norm"] = draw(st.booleans())
        cells.append(CellSpec(cell_type, units, **options))
    spec = RNNSpec(tuple(cells), draw(st.integers(1, 3)), bidirectional=draw(st.booleans()),
                   masked=draw(st.booleans()),
                   num_classes=draw(st.one_of(st.none(), st.integers(1, 3))))
    return (spec, draw(st.sampled_from(GENERATIONS)), draw(st.booleans()),
            draw(st.integers(1, 5)), draw(st.integers(0, 2**32 - 1)))


def runtime_options(spec):
    """What the checkpoint does not store, as from_tf1_checkpoint's per-layer options."""
    return {key: [getattr(c, key) if key != "forget_bias" or c.lstm_like else None
                  for c in spec.cells]
            for key in ("forget_bias", "cell_clip", "proj_clip", "activation")}


@settings(max_examples=10)
@given(pipelines_with_options())
def test_random_pipelines_with_runtime_options(example):
    spec, generation, dynamic, steps, seed = example
    rng = np.random.default_rng(seed)
    legacy = pipelines.build_legacy_graph(spec, steps, runner_for(spec, dynamic))
    legacy.set_values(legacy.random_values(rng))
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        save_legacy(legacy, generation, os.path.join(directory, "model.ckpt"))
        # a directory with a `checkpoint` file is accepted as well as a prefix
        model = checkpoint.from_tf1_checkpoint(directory, readout=readout_option(spec),
                                               masked=spec.masked, **runtime_options(spec))
    assert model.tf1_spec == spec
    x, lengths = inputs_for(spec, steps, 3, rng)
    assert max_diff(legacy, model, x, lengths) <= TOLERANCE


def test_runtime_option_forget_bias_is_honoured(tmp_path):
    spec = RNNSpec((CellSpec("BasicLSTMCell", 4, forget_bias=0.25),), 3)
    rng = np.random.default_rng(7)
    legacy = pipelines.build_legacy_graph(spec, STEPS, "static_rnn")
    legacy.set_values(legacy.random_values(rng))
    prefix = save_legacy(legacy, "1.2", tmp_path / "model.ckpt")
    x, lengths = inputs_for(spec, STEPS, 3, rng)
    default = checkpoint.from_tf1_checkpoint(prefix)  # TF1's default 1.0: another model
    assert max_diff(legacy, default, x, lengths, record=False) > 1e-3
    given_bias = checkpoint.from_tf1_checkpoint(prefix, forget_bias=0.25)
    assert given_bias.tf1_spec == spec
    assert max_diff(legacy, given_bias, x, lengths) <= TOLERANCE


# ------------------------------------------------------------------------------------
# the reverse: Keras model -> TF1 checkpoint -> legacy graph
# ------------------------------------------------------------------------------------
# by default every case under TF 1.2+ names and the largest case under every naming
# (the names are what differs; each structure's weights are the same); all with -m slow
ROUND_TRIPS = [pytest.param(case, naming, marks=() if naming == "1.2" or case == max(
    CASES, key=len) else pytest.mark.slow) for case in sorted(CASES) for naming in GENERATIONS]


@pytest.mark.parametrize("case, naming", ROUND_TRIPS)
def test_round_trip_through_a_legacy_graph(case, naming, tmp_path):
    spec = CASES[case]
    dynamic = case in ("BasicLSTMCell", "bidirectional")
    rng = np.random.default_rng(100 + sorted(CASES).index(case))
    legacy = pipelines.build_legacy_graph(spec, STEPS, runner_for(spec, dynamic))
    values = legacy.random_values(rng)
    model = models.build_keras_model(spec, STEPS)
    rnn_values, readout = pipelines.tf1_values_for_keras(legacy, values)
    models.set_tf1_weights(model, spec, rnn_values, readout)

    prefix = checkpoint.to_tf1_checkpoint(model, spec, tmp_path / "out.ckpt",
                                          runner=runner_for(spec, dynamic), naming=naming)
    # The writer spells every name as the cited sources do, and stores the weights
    # get_tf1_weights maps back, bit for bit.
    reader = tf.train.load_checkpoint(prefix)
    expected_names = {old_spelling(n, naming): n for n in legacy.all_variables}
    assert set(reader.get_variable_to_shape_map()) == set(expected_names)
    tf1_rnn, tf1_readout = models.get_tf1_weights(model, spec)
    scope = pipelines.RUNNER_SCOPES[legacy.runner]
    mapped = {f"{scope}/{k}": v for k, v in tf1_rnn.items()}
    if tf1_readout is not None:
        mapped.update(zip((pipelines.READOUT_WEIGHTS, pipelines.READOUT_BIASES), tf1_readout))
    for old, new in expected_names.items():
        np.testing.assert_array_equal(reader.get_tensor(old), mapped[new])

    legacy.set_values({n: np.zeros(v.shape) for n, v in values.items()})
    restore_legacy(legacy, naming, prefix)  # a TF1 Saver restores it
    x, lengths = inputs_for(spec, STEPS, 3, rng)
    assert max_diff(legacy, model, x, lengths) <= TOLERANCE
    again = checkpoint.from_tf1_checkpoint(prefix, readout=readout_option(spec))
    assert again.tf1_spec == spec
    assert max_diff(legacy, again, x, lengths) <= TOLERANCE


# ------------------------------------------------------------------------------------
# the rename table
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("generation, old, new", checkpoint.NAME_RENAMES)
def test_rename_table_rows_invert(generation, old, new):
    concrete_old = old.replace("{scope}", "BiRNN").replace("{i}", "3")
    concrete_new = new.replace("{scope}", "BiRNN").replace("{i}", "3")
    if not old.endswith("/"):
        concrete_old, concrete_new = "RNN/" + concrete_old, "RNN/" + concrete_new
    else:
        concrete_old, concrete_new = concrete_old + "x", concrete_new + "x"
    assert checkpoint.normalize_name(concrete_old) == concrete_new
    assert checkpoint.tf1_name(concrete_new, generation) == concrete_old


def test_renames_respect_segment_boundaries():
    assert checkpoint.normalize_name("rnn/basic_lstm_cell/weights") == "rnn/basic_lstm_cell/kernel"
    # lstm_cell inside basic_lstm_cell, and readout/weights, are not renamed
    assert checkpoint.normalize_name("readout/weights") == "readout/weights"
    assert checkpoint.normalize_name("x/MyLSTMCell/B") == "x/MyLSTMCell/B"
    assert (checkpoint.normalize_name("BiRNN_BW/MultiRNNCell/Cell1/LSTMCell/W_P_0")
            == "BiRNN/bw/multi_rnn_cell/cell_1/lstm_cell/projection/kernel")


def test_tf0_sharded_lstm_cell_is_concatenated(tmp_path):
    """TF 0.x LSTMCell(num_unit_shards=2, num_proj_shards=2): W_0, W_1 and W_P_0, W_P_1."""
    spec = RNNSpec((CellSpec("LSTMCell", 5, use_peepholes=True, num_proj=3),), 2)
    rng = np.random.default_rng(3)
    legacy = pipelines.build_legacy_graph(spec, STEPS, "static_rnn")
    values = legacy.random_values(rng)
    legacy.set_values(values)
    old = {old_spelling(n, "0.x"): v for n, v in values.items()}
    kernel, projection = old.pop("RNN/LSTMCell/W_0"), old.pop("RNN/LSTMCell/W_P_0")
    # _get_sharded_variable: the first (rows % shards) shards get one more row
    old.update({"RNN/LSTMCell/W_0": kernel[:3], "RNN/LSTMCell/W_1": kernel[3:],
                "RNN/LSTMCell/W_P_0": projection[:3], "RNN/LSTMCell/W_P_1": projection[3:]})
    prefix = save_arrays(old, tmp_path / "sharded.ckpt")
    found = checkpoint.read_tf1_checkpoint(prefix)
    assert found.spec == spec
    assert found.names["lstm_cell/kernel"] == ("RNN/LSTMCell/W_0", "RNN/LSTMCell/W_1")
    model = checkpoint.from_tf1_checkpoint(prefix)
    assert max_diff(legacy, model, *inputs_for(spec, STEPS, 2, rng)) <= TOLERANCE


# ------------------------------------------------------------------------------------
# options and errors
# ------------------------------------------------------------------------------------
def _classifier_checkpoint(tmp_path, training=False, generation="1.2"):
    spec = RNNSpec((CellSpec("BasicLSTMCell", 3),), 2, num_classes=2)
    legacy = pipelines.build_legacy_graph(spec, STEPS, "static_rnn", training=training)
    legacy.set_values(legacy.random_values(np.random.default_rng(5)))
    if not training:
        return spec, legacy, save_legacy(legacy, generation, tmp_path / "model.ckpt")
    with legacy.graph.as_default():  # everything, optimizer slots included
        saver = v1.train.Saver()
        return spec, legacy, saver.save(legacy.session, str(tmp_path / "model.ckpt"),
                                        write_meta_graph=False)


def test_unnamed_readout_is_listed(tmp_path):
    _, _, prefix = _classifier_checkpoint(tmp_path, generation="0.x")
    with pytest.raises(ValueError, match="outside the RNN scope") as error:
        checkpoint.from_tf1_checkpoint(prefix)
    assert "'readout/weights'" in str(error.value) and "'readout/biases'" in str(error.value)
    assert "readout=" in str(error.value)


def test_optimizer_slots_are_skipped_by_default(tmp_path):
    spec, legacy, prefix = _classifier_checkpoint(tmp_path, training=True)
    names = set(tf.train.load_checkpoint(prefix).get_variable_to_shape_map())
    assert {"rnn/basic_lstm_cell/kernel/Adam", "train_adam/beta1_power"} <= names
    found = checkpoint.read_tf1_checkpoint(prefix, readout=readout_option(spec))
    assert found.spec == spec
    assert "rnn/basic_lstm_cell/kernel/Adam_1" in found.ignored
    model = checkpoint.from_tf1_checkpoint(prefix, readout=readout_option(spec))
    assert max_diff(legacy, model, *inputs_for(spec, STEPS, 2, np.random.default_rng(0))) \
        <= TOLERANCE
    with pytest.raises(ValueError) as error:
        checkpoint.from_tf1_checkpoint(prefix, readout=readout_option(spec),
                                       ignore_optimizer_slots=False)
    message = str(error.value)
    assert "rnn/basic_lstm_cell/kernel/Adam" in message and "train_adam/beta2_power" in message
    # ignore= globs: skip the readout (and get the RNN alone)
    bare = checkpoint.from_tf1_checkpoint(prefix, ignore=["readout/*"])
    assert "logits" not in bare.output_names and bare.tf1_spec.num_classes is None


def test_wrong_shapes_name_the_variable_and_the_expected_shape(tmp_path):
    good = {"rnn/basic_lstm_cell/kernel": np.zeros((5, 12)),
            "rnn/basic_lstm_cell/bias": np.zeros(12)}
    with pytest.raises(ValueError, match=r"'rnn/basic_lstm_cell/bias' has shape \[11\]; "
                                         r"expected \[12\]"):
        checkpoint.from_tf1_checkpoint(save_arrays({**good, "rnn/basic_lstm_cell/bias":
                                                    np.zeros(11)}, tmp_path / "a.ckpt"))
    with pytest.raises(ValueError, match=r"'rnn/basic_lstm_cell/kernel' has shape \[5, 10\]; "
                                         r"expected \[input_size \+ units, 4 \* units\]"):
        checkpoint.from_tf1_checkpoint(save_arrays({**good, "rnn/basic_lstm_cell/kernel":
                                                    np.zeros((5, 10))}, tmp_path / "b.ckpt"))
    stacked = {"rnn/multi_rnn_cell/cell_0/gru_cell/gates/kernel": np.zeros((5, 6)),
               "rnn/multi_rnn_cell/cell_0/gru_cell/gates/bias": np.zeros(6),
               "rnn/multi_rnn_cell/cell_0/gru_cell/candidate/kernel": np.zeros((5, 3)),
               "rnn/multi_rnn_cell/cell_0/gru_cell/candidate/bias": np.zeros(3),
               # layer 1's input is layer 0's output (3), so its kernel is [3 + 4, 16]
               "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel": np.zeros((8, 16)),
               "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias": np.zeros(16)}
    with pytest.raises(ValueError, match=r"'rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel' "
                                         r"has shape \[8, 16\]; expected \[7, 16\]"):
        checkpoint.from_tf1_checkpoint(save_arrays(stacked, tmp_path / "c.ckpt"))
    with pytest.raises(ValueError, match=r"'out_w' have shape \[4, 2\]; expected \[3, "):
        checkpoint.from_tf1_checkpoint(
            save_arrays({**{k: v for k, v in stacked.items() if "cell_0" in k},
                         "out_w": np.zeros((4, 2)), "out_b": np.zeros(2)}, tmp_path / "d.ckpt"),
            readout=("out_w", "out_b"))


def test_unknown_variables_inside_the_rnn_scope_are_named(tmp_path):
    base = {"rnn/basic_lstm_cell/kernel": np.zeros((5, 12)),
            "rnn/basic_lstm_cell/bias": np.zeros(12)}
    with pytest.raises(ValueError, match=r"unknown variable inside the RNN scope: "
                                         r"'rnn/basic_lstm_cell/w_f_diag'"):
        checkpoint.from_tf1_checkpoint(save_arrays(
            {**base, "rnn/basic_lstm_cell/w_f_diag": np.zeros(3)}, tmp_path / "a.ckpt"))
    with pytest.raises(ValueError, match=r"'rnn/counter'"):
        checkpoint.from_tf1_checkpoint(save_arrays({**base, "rnn/counter": np.zeros(())},
                                                   tmp_path / "b.ckpt"))
    with pytest.raises(ValueError, match=r"missing variable rnn/lstm_cell/w_o_diag of shape \[3\]"):
        checkpoint.from_tf1_checkpoint(save_arrays(
            {"rnn/lstm_cell/kernel": np.zeros((5, 12)), "rnn/lstm_cell/bias": np.zeros(12),
             "rnn/lstm_cell/w_f_diag": np.zeros(3), "rnn/lstm_cell/w_i_diag": np.zeros(3)},
            tmp_path / "c.ckpt"))


def test_cell_type_override_and_custom_cell_scopes(tmp_path):
    spec = RNNSpec((CellSpec("BasicLSTMCell", 3),), 2)
    rng = np.random.default_rng(11)
    legacy = pipelines.build_legacy_graph(spec, STEPS, "static_rnn")
    values = legacy.random_values(rng)
    legacy.set_values(values)
    x, lengths = inputs_for(spec, STEPS, 2, rng)
    # A cell given its own name: the scope does not say which cell it was.
    custom = {n.replace("basic_lstm_cell", "encoder_cell"): v for n, v in values.items()}
    prefix = save_arrays(custom, tmp_path / "custom.ckpt")
    with pytest.raises(ValueError, match="pass cell_type="):
        checkpoint.from_tf1_checkpoint(prefix, scope="rnn")
    model = checkpoint.from_tf1_checkpoint(prefix, scope="rnn", cell_type="BasicLSTMCell")
    assert model.tf1_spec == spec
    assert max_diff(legacy, model, x, lengths) <= TOLERANCE
    # LSTMCell without peepholes or projection computes what BasicLSTMCell does.
    as_lstm = checkpoint.from_tf1_checkpoint(save_legacy(legacy, "1.2", tmp_path / "m.ckpt"),
                                             cell_type="LSTMCell")
    assert as_lstm.tf1_spec.cells[0].cell_type == "LSTMCell"
    assert max_diff(legacy, as_lstm, x, lengths) <= TOLERANCE
    with pytest.raises(ValueError, match=r"unknown variable inside the RNN scope: "
                                         r"'rnn/basic_lstm_cell/kernel'"):
        checkpoint.from_tf1_checkpoint(tmp_path / "m.ckpt", cell_type="GRUCell")


def test_scopes_and_structure(tmp_path):
    rng = np.random.default_rng(2)

    def lstm(scope, rows=5, units=3):
        return {f"{scope}/basic_lstm_cell/kernel": rng.normal(size=(rows, 4 * units)),
                f"{scope}/basic_lstm_cell/bias": rng.normal(size=4 * units)}

    two = save_arrays({**lstm("encoder"), **lstm("decoder")}, tmp_path / "two.ckpt")
    with pytest.raises(ValueError, match=r"several scopes .* pass scope="):
        checkpoint.read_tf1_checkpoint(two)
    found = checkpoint.read_tf1_checkpoint(two, scope="encoder", ignore=["decoder/*"])
    assert found.scope == "encoder" and found.spec.input_size == 2
    assert found.ignored == ("decoder/basic_lstm_cell/bias", "decoder/basic_lstm_cell/kernel")
    # TF 0.x tutorial style: tf.Variable readout ("Variable", "Variable_1"), a global_step
    tutorial = save_arrays({"RNN/BasicLSTMCell/Linear/Matrix": rng.normal(size=(5, 12)),
                            "RNN/BasicLSTMCell/Linear/Bias": rng.normal(size=12),
                            "Variable": rng.normal(size=(3, 10)), "Variable_1": np.zeros(10),
                            "global_step": np.zeros(())}, tmp_path / "tutorial.ckpt")
    found = checkpoint.read_tf1_checkpoint(tutorial, readout=("Variable", "Variable_1"))
    assert found.spec == RNNSpec((CellSpec("BasicLSTMCell", 3),), 2, num_classes=10)
    assert found.generations == ("0.x",) and found.ignored == ("global_step",)
    # cells called without a runner scope (a hand-written loop)
    top = save_arrays({k[len("x/"):]: v for k, v in lstm("x").items()}, tmp_path / "top.ckpt")
    assert checkpoint.read_tf1_checkpoint(top).scope == ""
    # bidirectional: both directions, alike
    forward = {f"bidirectional_rnn/fw/{k[len('x/'):]}": v for k, v in lstm("x").items()}
    with pytest.raises(ValueError, match="needs both fw/ and bw/"):
        checkpoint.read_tf1_checkpoint(save_arrays(forward, tmp_path / "fw.ckpt"))
    backward = {f"bidirectional_rnn/bw/{k[len('x/'):]}": v for k, v in lstm("x", 6, 4).items()}
    with pytest.raises(ValueError, match="forward and backward cells .* differ"):
        checkpoint.read_tf1_checkpoint(save_arrays({**forward, **backward}, tmp_path / "bi.ckpt"))
    layer_1 = {f"rnn/multi_rnn_cell/cell_1/{k[len('x/'):]}": v for k, v in lstm("x").items()}
    with pytest.raises(ValueError, match=r"has layers \[1\]; missing \[0\]"):
        checkpoint.read_tf1_checkpoint(save_arrays(layer_1, tmp_path / "stack.ckpt"))


def test_unknown_runtime_option_is_a_type_error(tmp_path):
    spec, _, prefix = _classifier_checkpoint(tmp_path)
    with pytest.raises(TypeError, match="'forgetbias'"):
        checkpoint.from_tf1_checkpoint(prefix, forgetbias=1.0)
    with pytest.raises(ValueError, match=r"cell_clip=2\.0 applies to LSTMCell only"):
        checkpoint.from_tf1_checkpoint(prefix, readout=readout_option(spec), cell_clip=2.0)
    model = models.build_keras_model(CASES["BasicLSTMCell"])
    with pytest.raises(ValueError, match="Unknown naming '2.0'"):
        checkpoint.to_tf1_checkpoint(model, CASES["BasicLSTMCell"], tmp_path / "x", naming="2.0")
    with pytest.raises(ValueError, match="unidirectional"):
        checkpoint.to_tf1_checkpoint(model, CASES["BasicLSTMCell"], tmp_path / "x",
                                     runner="static_bidirectional_rnn")


def test_missing_checkpoint_names_the_path(tmp_path):
    missing = tmp_path / "nowhere" / "model.ckpt"
    with pytest.raises(FileNotFoundError, match=str(missing)):
        checkpoint.from_tf1_checkpoint(missing)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=str(empty)):
        checkpoint.from_tf1_checkpoint(empty)


def test_checkpoint_file_names_are_accepted(tmp_path):
    spec, _, prefix = _classifier_checkpoint(tmp_path)
    for path in (prefix, prefix + ".index", tmp_path):
        found = checkpoint.read_tf1_checkpoint(path, readout=readout_option(spec))
        assert found.spec == spec and found.path == prefix


def test_public_exports():
    import modern

    assert modern.from_tf1_checkpoint is checkpoint.from_tf1_checkpoint
    assert modern.to_tf1_checkpoint is checkpoint.to_tf1_checkpoint
