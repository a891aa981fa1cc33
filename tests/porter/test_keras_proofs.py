"""The test ``port --to keras`` writes beside each port (tools.porter.keras.proof).

Every fixture of ``tests/fixtures/porter_keras/`` is ported with the command's own code
(``tools.porter.engine.port_path``, as ``rnn-migrate port --to keras -o DIR`` does), and
the generated ``test_<stem>_keras_port.py`` is imported and run here:

* its logits check (TF1 model on legacy_compat vs the port's ``build_model()``) for every
  fixture and every TF1 seed program of ``../shared/seeds`` (by default for those whose
  gradients and training are not checked by default: each program runs one of the two);
* its gradients + training check (one gradient-descent step of learning rate 1, then
  3 steps of the program's optimizer) for every fixture with ``-m slow``, by default for
  the few of ``DEFAULT_TRAINING``;
* negative controls: a port whose readout, loss or learning rate is changed fails the
  check that must catch it, and only that one.
"""
import importlib.util
import io
import sys
from pathlib import Path

import pytest

from tests.support.helpers import REPO_ROOT, run_python
from tools.porter import engine
from tools.testing import EquivalenceError

CASES = REPO_ROOT / "tests" / "fixtures" / "porter_keras"
FIXTURES = sorted(p.name for p in CASES.iterdir() if p.name != "unsupported.py")
# the project's TF1 seed programs (../shared/seeds; the TF2 ones have no TF1 model)
SEEDS = REPO_ROOT.parent / "shared" / "seeds"
TF1_SEEDS = ("s000_tf8_rnn_basiclstm.py", "s001_py2_mnist_rnn.py", "s002a_contrib_lstm.py",
             "s002b_contrib_bilstm.py")
# gradients + training by default (each 1.5-2.5 CPU-s): a notebook, GRU and LSTM, static
# and dynamic, an input projection, a final-state readout, sequence_length, a many-to-many
# model with the sparse cross-entropy per step, Adam and GradientDescent; every fixture
# (stacks, dropout, bidirectional, RMSProp, Python 2...) with -m slow
DEFAULT_TRAINING = ("gru_final_state_notebook.ipynb", "input_projection_state.py",
                    "masked_dynamic.py", "lstm_small.py", "char_rnn_sequence_loss.py")


def _ported(name, directory):
    """Port ``name`` into ``directory`` as the CLI does -> (port path, test module)."""
    source = SEEDS / name if name in TF1_SEEDS else CASES / name
    if not source.exists():
        pytest.skip(f"{source} is not in this checkout")
    code = engine.port_path(source, out=directory / name, target="keras",
                            stdout=io.StringIO())
    assert code == engine.EXIT_OK
    test = directory / f"test_{Path(name).stem}_keras_port.py"
    assert test.exists(), sorted(p.name for p in directory.iterdir())
    module_name = f"proof_{Path(name).stem}_{abs(hash(str(directory)))}"
    spec = importlib.util.spec_from_file_location(module_name, test)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return directory / name, module


@pytest.fixture(scope="module")
def proofs(tmp_path_factory):
    cache = {}

    def get(name):
        if name not in cache:
            path, module = _ported(name, tmp_path_factory.mktemp(Path(name).stem))
            cache[name] = (path, module, module.load_port())
        return cache[name]

    return get


def _backend():
    import keras

    return keras.backend.backend()


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.slow) if n in DEFAULT_TRAINING else n
    for n in FIXTURES + list(TF1_SEEDS)])
def test_generated_logits_check_passes(proofs, name):
    _, module, port = proofs(name)
    module.test_logits_equal_tf1(port, _backend())


@pytest.mark.parametrize("name", [
    n if n in DEFAULT_TRAINING else pytest.param(n, marks=pytest.mark.slow)
    for n in FIXTURES + list(TF1_SEEDS)])
def test_generated_gradients_and_training_check_passes(proofs, name):
    _, module, port = proofs(name)
    module.test_gradients_and_training_equal_tf1(port, _backend())


def test_generated_test_names_the_backend_and_imports_only_public_kit_api(proofs):
    path, module, _ = proofs("lstm_small.py")
    text = Path(module.__file__).read_text()
    assert f"Path(__file__).with_name({path.name!r})" in text
    assert "from tools import testing" in text
    assert "tools.proof" not in text.split('"""', 2)[2]  # the code uses the public API only
    assert "pytest.mark.parametrize(\"backend\", [keras.backend.backend()])" in text
    assert "v1.train.AdamOptimizer(learning_rate=0.01)" in text


def _mutated(name, tmp_path, old, new):
    """The fixture's port with ``old`` replaced by ``new``, and its generated test."""
    path, module = _ported(name, tmp_path)
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    return module, module.load_port()


@pytest.mark.parametrize("old,new,failing", [
    # the readout reads the first step instead of the last: the logits differ
    ("last = sequence[:, -1, :]", "last = sequence[:, 0, :]", "logits"),
    # label smoothing: same logits, another loss -> other gradients (and losses)
    pytest.param("CategoricalCrossentropy(from_logits=True)",
                 "CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)",
                 {"gradients", "training"}, marks=pytest.mark.slow),
    # another learning rate: same logits and gradients, other losses after a step
    ("learning_rate = 0.5", "learning_rate = 0.45", {"training"}),
])
def test_generated_test_fails_on_a_wrong_port(tmp_path, old, new, failing):
    module, port = _mutated("gru_dynamic_0x.py", tmp_path, old, new)
    if failing == "logits":
        with pytest.raises(EquivalenceError, match="logits"):
            module.test_logits_equal_tf1(port, _backend())
        return
    module.test_logits_equal_tf1(port, _backend())
    with pytest.raises(EquivalenceError) as error:
        module.test_gradients_and_training_equal_tf1(port, _backend())
    failed = {o.name.split(":")[0] for o in error.value.report.outputs if not o.ok}
    assert failed == failing, str(error.value)


def test_the_proof_is_not_overwritten_without_force(tmp_path):
    out = tmp_path / "lstm_small.py"
    test = tmp_path / "test_lstm_small_keras_port.py"
    test.write_text("# mine\n")
    code = engine.port_path(CASES / "lstm_small.py", out=out, target="keras",
                            stdout=io.StringIO(), stderr=io.StringIO())
    assert code == engine.EXIT_ERROR
    assert test.read_text() == "# mine\n" and not out.exists()
    assert engine.port_path(CASES / "lstm_small.py", out=out, target="keras", force=True,
                            stdout=io.StringIO()) == engine.EXIT_OK
    assert "def test_logits_equal_tf1" in test.read_text()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_generated_tests_pass_on_other_keras_backends(tmp_path, backend):
    """The generated tests run as a user runs them (``pytest`` on the files, the port
    and the kit importable) with ``KERAS_BACKEND`` set: the TF1 side on legacy_compat,
    the port's Keras model on torch / JAX (a static LSTM with Adam, a masked GRU, a
    peephole LSTM with projection: a modern cell; a many-to-many char-RNN; PTB's summed
    loss with loss_weights and global-norm clipping; a clipped stack on an exponential
    decay; two encoder-decoders, one with a shared embedding trained by TF1Adam)."""
    from tools.testing.backends import backend_available

    if not backend_available(backend):
        pytest.skip(f"Keras backend {backend!r}: {backend} is not installed")
    names = ("lstm_small.py", "masked_dynamic.py", "peephole_projection.py",
             "char_rnn_sequence_loss.py", "ptb_style_sequence_loss_by_example.py",
             "py2_clip_decay_stacked.py", "seq2seq_reverse_embedding.py",
             "seq2seq_forecast_stacked_gru.py")
    tests = 0
    for name in names:
        _, module = _ported(name, tmp_path)
        tests += sum(n.startswith("test_") for n in dir(module))
    proc = run_python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-rA",
                       str(tmp_path)], cwd=tmp_path, env={"KERAS_BACKEND": backend},
                      check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tests >= 2 * len(names)
    assert proc.stdout.count("PASSED") == tests and f"[{backend}]" in proc.stdout, proc.stdout
