"""``rnn-migrate`` hygiene: TensorFlow's start-up logging stays off unless ``--verbose``,
and ``port --to compat`` (LibCST only) never imports TensorFlow or Keras.

The lines below were captured from TensorFlow 2.21 on CPU: with TF_CPP_MIN_LOG_LEVEL=3 it
still prints the absl pre-init ones (tensorflow/tensorflow#100442), which
:func:`tools.cli.output.quiet_tensorflow` takes out of fd 2 while TensorFlow is imported.
Only the ``slow`` test imports TensorFlow (in a subprocess).
"""
import importlib
import os
import sys

import pytest

from tests.support.helpers import REPO_ROOT, run_python
from tools import cli
from tools.cli import output
from tools.cli.output import QuietImport, quiet_tensorflow, startup_noise
from tools.cli.port import main as porter_main

MATRIX = REPO_ROOT / "tests" / "fixtures" / "porting_matrix"
PREINIT = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
INFO = ("I0000 00:00:1796179795.441156   15735 port.cc:153] oneDNN custom operations are on. "
        "You may see slightly different numerical results due to floating-point round-off "
        "errors from different computation orders. To turn them off, set the environment "
        "variable `TF_ENABLE_ONEDNN_OPTS=0`.")
CUDA = ("I0000 00:00:1796179795.441518   15735 cudart_stub.cc:31] Could not find cuda drivers "
        "on your machine, GPU will not be used.")
ERROR = ("E0000 00:00:1796179802.127226   15735 cuda_platform.cc:52] failed call to cuInit: "
         "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)")
WARN = "W0000 00:00:1796179802.1   15735 some_file.cc:7] a warning"


@pytest.mark.parametrize("line, dropped_from_level", [
    (PREINIT, 1), (INFO, 1), (CUDA, 1), (WARN, 2), (ERROR, 3),
    ("F0000 00:00:1.5   1 x.cc:1] fatal", 4),  # never dropped
    ("Traceback (most recent call last):", 4),
    ("rnn-migrate port: error: no such file", 4),
    ("  I0000 00:00:1.5   1 x.cc:1] indented: not a record", 4),
])
def test_startup_noise_follows_tf_cpp_min_log_level(line, dropped_from_level):
    for level in range(4):
        assert startup_noise(line + "\n", level) is (level >= dropped_from_level), level


@pytest.fixture
def fake_tensorflow(tmp_path, monkeypatch):
    """A module whose import writes, as TensorFlow's C++ does, straight to fd 2."""
    name = "fake_tf_startup_h10"
    (tmp_path / f"{name}.py").write_text(
        "import os, sys\n"
        f"os.write(2, {(PREINIT + chr(10)).encode()!r})\n"
        f"os.write(2, {(INFO + chr(10)).encode()!r})\n"
        "os.write(2, b'a line that is not absl logging\\n')\n"
        f"os.write(2, {(ERROR + chr(10)).encode()!r})\n"
        "print('written by Python during the import', file=sys.stderr)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    yield name
    sys.modules.pop(name, None)


def test_quiet_import_takes_startup_lines_out_of_fd2(fake_tensorflow, capfd):
    with quiet_tensorflow(fake_tensorflow):
        assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
        module = importlib.import_module(fake_tensorflow)
        os.write(2, (INFO + " (after the import)\n").encode())  # not filtered any more
    lines = capfd.readouterr().err.splitlines()
    # (capfd takes Python's own stderr writes directly, so they may come first here)
    assert sorted(lines) == sorted(["a line that is not absl logging",
                                    "written by Python during the import",
                                    INFO + " (after the import)"])
    assert lines.index("a line that is not absl logging") < lines.index(INFO + " (after the import)")
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"  # restored
    assert not any(isinstance(f, QuietImport) for f in sys.meta_path)
    assert type(module.__loader__).__name__ == "SourceFileLoader"  # its own, not the wrapper
    assert module.__spec__.loader is module.__loader__


def test_quiet_tensorflow_leaves_no_hook_when_nothing_is_imported(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    before = list(sys.meta_path)
    with quiet_tensorflow("a_module_nobody_imports_h10"):
        pass
    assert sys.meta_path == before and "TF_CPP_MIN_LOG_LEVEL" not in os.environ


def test_verbose_is_a_global_option(monkeypatch, capsys):
    entered = []
    real = output.quiet_tensorflow

    def spy(*args):
        entered.append(args)
        return real(*args)

    monkeypatch.setattr(output, "quiet_tensorflow", spy)
    fixture = str(MATRIX / "t18_tf2_eager.py")
    assert cli.main(["port", fixture]) == 0 and len(entered) == 1
    assert cli.main(["--verbose", "port", fixture]) == 0 and len(entered) == 1
    assert porter_main(["--verbose", "port", fixture]) == 0 and len(entered) == 1
    assert porter_main(["port", fixture]) == 0 and len(entered) == 2
    assert cli.main(["port", fixture, "--verbose"]) == 2  # global: before the subcommand
    assert cli.main(["--help"]) == 0
    assert "--verbose" in capsys.readouterr().out


def test_port_to_compat_imports_neither_tensorflow_nor_keras():
    """A port of a Python 2 notebook, a TF 2 program (read against TF 2's API files), a
    NumPy 2 one and an unconvertible one, in a fresh process: no tensorflow, keras or
    tf_keras module is imported, and nothing is written to stderr."""
    paths = [str(MATRIX / name) for name in ("n15_py2_kernel_notebook.ipynb", "t18_tf2_eager.py",
                                             "c17_numpy2_aliases.py", "u11_unconvertible.py")]
    code = (
        "import contextlib, io, sys\n"
        "from tools.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    code = main(['port', *{paths!r}, '--to', 'compat'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'tf_keras'})\n"
        "print(code, heavy, '4 file(s)' in out.getvalue(), 'already TF 2' in out.getvalue())\n")
    proc = run_python(["-c", code], timeout=120)
    assert proc.stdout.split("\n")[0] == "1 [] True True"  # 1: u11's unconvertible constructs
    assert proc.stderr == ""


@pytest.mark.slow
def test_no_tensorflow_startup_lines_unless_verbose():
    """The real thing: a command that imports TensorFlow and Keras (``--to keras``)."""
    fixture = str(MATRIX / "m01_basic_rnn_static.py")
    run = "import sys; from tools.cli import main; sys.exit(main(sys.argv[1:]))"
    quiet = run_python(["-c", run, "port", fixture, "--to", "keras"], timeout=300)
    assert "tensorflow" in quiet.stdout or "keras" in quiet.stdout  # the port itself
    assert not [line for line in quiet.stderr.splitlines() if startup_noise(line, 1)]
    loud = run_python(["-c", run, "--verbose", "port", fixture, "--to", "keras"], timeout=300,
                      env={"TF_CPP_MIN_LOG_LEVEL": "0"})
    assert loud.stdout == quiet.stdout
    assert [line for line in loud.stderr.splitlines() if startup_noise(line, 1)]


def test_quiet_mode_silences_tensorflows_deprecation_notices_and_restores_the_logger():
    """legacy_compat builds graphs with TF1 APIs that TF logs as deprecated
    (``WARNING:tensorflow:From ...: static_rnn ... is deprecated``); without --verbose the
    CLI keeps them off, and leaves the logger as it found it."""
    import logging

    from tools.cli.output import quiet_tensorflow

    logger = logging.getLogger("tensorflow")
    before = logger.level
    with quiet_tensorflow():
        assert not logger.isEnabledFor(logging.WARNING)
        assert logger.isEnabledFor(logging.ERROR)
    assert logger.level == before
