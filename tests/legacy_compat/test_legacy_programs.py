"""Real legacy programs: ported by swapping imports only, and they train again.

``examples/tf1/`` holds TF1 / TF 0.x tutorial programs as they were written for
TensorFlow 1.4-1.15 and 0.12; ``examples/ported/`` holds the same files after the import
swaps of ``examples/IMPORT_SWAPS.md``. These tests check

1. that the ported files differ from the originals only by those swaps (and a comment
   at the top), so "only the imports changed" is itself tested;
2. that each ported program trains and reaches >= 0.90 accuracy on the full 10000-image
   MNIST test set, with a falling minibatch loss. The default run trains each program
   for SHORT_STEPS steps (the file as it is but for its one step-count line, which the
   test substitutes): 300 steps already give 92-94% (measured: 250 steps 92.6% / 92.4%,
   400 steps 94.5% / 94.6%; 1000 steps 97.2%). The programs as they are (1000 steps,
   about 40 s of CPU each) run with ``-m slow``;
3. that the originals do not run on plain TensorFlow 2.16+ (why the kit exists); both
   originals run in one subprocess (one TensorFlow import).

Programs run in a subprocess: ``legacy_compat.v1`` puts its process in graph mode.
"""
import difflib
import re
from pathlib import Path

import pytest

from tests.support.helpers import REPO_ROOT, run_python

EXAMPLES = REPO_ROOT / "examples"
ORIGINAL_DIR = EXAMPLES / "tf1"
PORTED_DIR = EXAMPLES / "ported"
SWAPS_DOC = EXAMPLES / "IMPORT_SWAPS.md"

PROGRAMS = ["mnist_lstm_static_rnn.py", "mnist_lstm_0x_spellings.py"]

# What plain TensorFlow 2.16+ says when it meets each original: the first import that
# no longer exists.
PLAIN_TF_FAILURE = {
    "mnist_lstm_static_rnn.py": "No module named 'tensorflow.contrib'",
    "mnist_lstm_0x_spellings.py": "No module named 'tensorflow.examples'",
}

MIN_TEST_ACCURACY = 0.90

# The default run's training length, and the line of each program that sets it.
SHORT_STEPS = 300
STEP_LINES = {
    "mnist_lstm_static_rnn.py": ("training_steps = 1000\n",
                                 f"training_steps = {SHORT_STEPS}\n"),
    "mnist_lstm_0x_spellings.py": ("training_iters = 128000 ",
                                   f"training_iters = {SHORT_STEPS * 128} "),  # batch 128
}

_TABLE_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|\s*$")
_TEST_ACCURACY_LINE = re.compile(r"^Testing Accuracy: ([01]\.\d{4})$")
_MINIBATCH_LOSS = re.compile(r"Minibatch Loss= ([0-9]+\.[0-9]+)")


def _import_swaps():
    """``{old line: new line}`` read from the table in examples/IMPORT_SWAPS.md."""
    swaps = {}
    for line in SWAPS_DOC.read_text().splitlines():
        match = _TABLE_ROW.match(line.strip())
        if match:
            swaps[match.group(1)] = match.group(2)
    return swaps


def _lines(path):
    return path.read_text().splitlines()


def test_swap_table_lists_the_three_tutorial_swaps():
    swaps = _import_swaps()
    assert swaps["import tensorflow as tf"] == "import legacy_compat.v1 as tf"
    assert swaps["from tensorflow.contrib import rnn"] == "from legacy_compat.contrib import rnn"
    assert (
        swaps["from tensorflow.examples.tutorials.mnist import input_data"]
        == "from legacy_compat.examples.tutorials.mnist import input_data"
    )
    for old, new in swaps.items():
        assert "tensorflow" in old and "legacy_compat" not in old, old
        assert "legacy_compat" in new and "tensorflow" not in new, new


@pytest.mark.parametrize("name", PROGRAMS)
def test_ported_program_differs_from_original_only_by_import_swaps(name):
    swaps = _import_swaps()
    original = _lines(ORIGINAL_DIR / name)
    ported = _lines(PORTED_DIR / name)

    assert not any("legacy_compat" in line for line in original), (
        f"examples/tf1/{name} must be a genuine TF1 program, without legacy_compat"
    )

    swapped = 0
    matcher = difflib.SequenceMatcher(None, original, ported, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if tag == "insert" and i1 == 0:
            # the note at the top of the ported file
            added = ported[j1:j2]
            assert all(line.startswith("#") for line in added), added
            continue
        assert tag == "replace" and i2 - i1 == j2 - j1, (
            f"{name}: lines {i1 + 1}-{i2} of the original were changed in a way that is "
            f"not a line-for-line import swap:\n"
            + "\n".join(difflib.unified_diff(original[i1:i2], ported[j1:j2], lineterm=""))
        )
        for old, new in zip(original[i1:i2], ported[j1:j2]):
            assert old in swaps and swaps[old] == new, (
                f"{name}: {old!r} -> {new!r} is not a swap listed in examples/IMPORT_SWAPS.md"
            )
            swapped += 1

    assert swapped >= 1, f"{name}: no import was swapped"
    leftover = [line for line in ported if line in swaps]
    assert not leftover, f"{name}: TF1 import lines left unswapped: {leftover}"


def _assert_trains_to_90_percent(name, proc):
    out_lines = [line for line in proc.stdout.splitlines() if line.strip()]

    losses = [float(m.group(1)) for m in map(_MINIBATCH_LOSS.search, out_lines) if m]
    assert losses, f"{name} printed no 'Minibatch Loss' line:\n{proc.stdout}"
    assert losses[-1] < losses[0], f"{name}: minibatch loss did not decrease: {losses}"

    match = _TEST_ACCURACY_LINE.match(out_lines[-1])
    assert match, f"{name}: last line is not 'Testing Accuracy: X':\n{proc.stdout}"
    accuracy = float(match.group(1))
    assert accuracy >= MIN_TEST_ACCURACY, f"{name}: test accuracy {accuracy}\n{proc.stdout}"


@pytest.mark.slow
@pytest.mark.parametrize("name", PROGRAMS)
def test_ported_program_trains_to_90_percent_test_accuracy_in_fewer_steps(name, tmp_path):
    """The ported program, its step count cut to SHORT_STEPS (nothing else changed)."""
    source = (PORTED_DIR / name).read_text()
    old, new = STEP_LINES[name]
    assert source.count(old) == 1, f"{name}: expected one line starting {old!r}"
    short = tmp_path / name
    short.write_text(source.replace(old, new))
    _assert_trains_to_90_percent(name, run_python([str(short)], timeout=600, preloaded=True))


@pytest.mark.slow
@pytest.mark.parametrize("name", PROGRAMS)
def test_ported_program_trains_to_90_percent_test_accuracy(name):
    _assert_trains_to_90_percent(name, run_python([str(PORTED_DIR / name)], timeout=600, preloaded=True))


# Runs each original as __main__ in one interpreter. A program that raises would have
# exited with status 1 on its own: its traceback goes to stderr and 1 is reported.
_RUN_EACH = """
import runpy, sys, traceback
for path in sys.argv[1:]:
    sys.stderr.write("\\n@@@ start " + path + "\\n")
    try:
        runpy.run_path(path, run_name="__main__")
        code = 0
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stderr.write("\\n@@@ exit %d\\n" % code)
"""
_RUN_EACH_OUTPUT = re.compile(r"^@@@ start (.*?)\n(.*?)^@@@ exit (-?\d+)$", re.M | re.S)


@pytest.fixture(scope="module")
def plain_tensorflow_runs():
    """{program: (exit status, stderr)} of the originals, run on plain TensorFlow."""
    proc = run_python(["-c", _RUN_EACH, *(str(ORIGINAL_DIR / name) for name in PROGRAMS)],
                      timeout=300, preloaded=True)
    runs = {Path(path).name: (int(code), err)
            for path, err, code in _RUN_EACH_OUTPUT.findall(proc.stderr)}
    assert sorted(runs) == sorted(PROGRAMS), proc.stderr[-3000:]
    return runs


@pytest.mark.xdist_group("plain_tensorflow_runs")
@pytest.mark.parametrize("name", PROGRAMS)
def test_original_program_fails_on_plain_tensorflow(name, plain_tensorflow_runs):
    returncode, stderr = plain_tensorflow_runs[name]
    assert returncode != 0, stderr[-3000:]
    assert "ModuleNotFoundError" in stderr, stderr[-3000:]
    assert PLAIN_TF_FAILURE[name] in stderr, stderr[-3000:]
