"""``rnn-migrate port --to compat``: LibCST-style before/after tests, fixtures, CLI contract.

Nothing here imports TensorFlow: the porter never executes its input, and the one
ported program that is run goes to a subprocess (tests/support/helpers.run_python).
"""
import ast
import json
import shutil
import textwrap
from pathlib import Path

import nbformat
import pytest

from tests.support.helpers import REPO_ROOT, run_python
from tools.porter import port_path, port_source
from tools.cli.port import main

CASES = REPO_ROOT / "tests" / "fixtures" / "porter_compat"
EXAMPLES = REPO_ROOT / "examples"


def assert_port(before, after, *, manual=(), changes=None):
    """Port ``before``; check the code, the unconverted reasons and (optionally) change count."""
    result = port_source(textwrap.dedent(before))
    assert result.error is None, result.error
    assert result.code == textwrap.dedent(after)
    assert [u.reason for u in result.unconverted] == list(manual)
    if changes is not None:
        assert len(result.changes) == changes
    ast.parse(result.code)
    assert port_source(result.code).code == result.code  # idempotent
    return result


# --- import styles and aliases ---------------------------------------------------------
IMPORT_CASES = [
    ("import tensorflow as tf\n", "import legacy_compat.v1 as tf\n"),
    ("import tensorflow as tff\n", "import legacy_compat.v1 as tff\n"),
    ("import tensorflow\n", "import legacy_compat.v1 as tensorflow\n"),
    ("import tensorflow.compat.v1 as tf\n", "import legacy_compat.v1 as tf\n"),
    ("import numpy as np, tensorflow as tf\n", "import numpy as np, legacy_compat.v1 as tf\n"),
    ("from tensorflow import nn\n", "from legacy_compat.v1 import nn\n"),
    ("from tensorflow.contrib import rnn\n", "from legacy_compat.contrib import rnn\n"),
    ("import tensorflow.contrib.rnn as rnn\n", "import legacy_compat.contrib.rnn as rnn\n"),
    ("import tensorflow.contrib.rnn\n", "import legacy_compat.v1 as tensorflow\n"),
    ("from tensorflow.contrib.rnn import BasicLSTMCell as C\n",
     "from legacy_compat.contrib.rnn import BasicLSTMCell as C\n"),
    ("from tensorflow.contrib.rnn import (LSTMCell,\n    GRUCell)\n",
     "from legacy_compat.contrib.rnn import (LSTMCell,\n    GRUCell)\n"),
    ("from tensorflow.python.ops import rnn, rnn_cell\n",
     "from legacy_compat.python.ops import rnn, rnn_cell\n"),
    ("from tensorflow.python.ops.rnn import dynamic_rnn\n",
     "from legacy_compat.python.ops.rnn import dynamic_rnn\n"),
    ("from tensorflow.models.rnn import rnn, rnn_cell\n",
     "from legacy_compat.models.rnn import rnn, rnn_cell\n"),
    ("from tensorflow.models.rnn.rnn_cell import BasicLSTMCell\n",
     "from legacy_compat.models.rnn.rnn_cell import BasicLSTMCell\n"),
    ("from tensorflow.nn import rnn_cell\n", "from legacy_compat.nn import rnn_cell\n"),
    ("from tensorflow.examples.tutorials.mnist import input_data\n",
     "from legacy_compat.examples.tutorials.mnist import input_data\n"),
    ("from tensorflow.examples.tutorials.mnist.input_data import read_data_sets\n",
     "from legacy_compat.examples.tutorials.mnist.input_data import read_data_sets\n"),
    ("def f():\n    import tensorflow as tf  # local\n    return tf\n",
     "def f():\n    import legacy_compat.v1 as tf  # local\n    return tf\n"),
]


@pytest.mark.parametrize("before, after", IMPORT_CASES, ids=[c[0].split("\n")[0] for c in IMPORT_CASES])
def test_import_rewrites(before, after):
    assert_port(before, after, changes=1)


def test_aliases_resolve_uses_by_qualified_name():
    """Uses through any alias are checked; names that merely look like tf are not."""
    assert_port(
        """\
        import tensorflow as tff
        from tensorflow.contrib import rnn as r
        tf = object()
        a = tf.contrib.slim.flatten
        b = tff.contrib.slim.flatten(r.LSTMCell(3))
        """,
        """\
        import legacy_compat.v1 as tff
        from legacy_compat.contrib import rnn as r
        tf = object()
        a = tf.contrib.slim.flatten
        # rnn-migrate: tf.contrib.slim is not provided by legacy_compat
        b = tff.contrib.slim.flatten(r.LSTMCell(3))
        """,
        manual=["tf.contrib.slim is not provided by legacy_compat"],
        changes=2,
    )


@pytest.mark.parametrize("code", [
    "import numpy as np\nx = np.split(0, 2, y)\n",
    "from . import tensorflow\n",
    "import tensorflow_datasets as tfds\n",
    "import legacy_compat.v1 as tf\nx = tf.split(0, 2, y)\n",
])
def test_noop(code):
    result = assert_port(code, code, changes=0)
    assert result.exit_code == 0


# --- 0.x spellings: left as written, noted from legacy_compat/spellings.py ------------------
def test_spellings_left_in_place_and_noted():
    code = """\
        import tensorflow as tf
        x = tf.split(0, 3, v)
        y = tf.split(v, 3, axis=0)
        o, s = tf.nn.rnn(cell, x, dtype=tf.float32)
        l = tf.nn.softmax_cross_entropy_with_logits(p, t)
        k = tf.nn.softmax_cross_entropy_with_logits(labels=t, logits=p)
        """
    result = assert_port(code, code.replace("import tensorflow as tf", "import legacy_compat.v1 as tf"))
    notes = [(n.line, n.message.split(" in its")[0]) for n in result.notes]
    assert notes == [(2, "tf.split"), (4, "tf.nn.rnn"),
                     (5, "tf.nn.softmax_cross_entropy_with_logits")]
    assert all(n.severity == "info" for n in result.notes)
    assert result.exit_code == 0


# --- unconverted constructs ---------------------------------------------------------------
def test_unconverted_marked_reported_and_left_in_place():
    result = assert_port(
        """\
        import tensorflow as tf
        from tensorflow.contrib import crf
        import tensorflow.contrib.slim as slim
        def net(x, k=tf.layers.conv2d):
            if tf.contrib.learn.run_n(x):
                return tf.layers.dense(x, 3) + tf.nn.rnn_cell.NoSuchCell
        flags = tf.app.flags
        """,
        """\
        import legacy_compat.v1 as tf
        # rnn-migrate: legacy_compat.contrib does not provide crf (from tensorflow.contrib)
        from tensorflow.contrib import crf
        # rnn-migrate: tensorflow.contrib.slim has no legacy_compat counterpart
        import tensorflow.contrib.slim as slim
        # rnn-migrate: tf.layers.conv2d is not available with Keras 3
        def net(x, k=tf.layers.conv2d):
            # rnn-migrate: tf.contrib.learn is not provided by legacy_compat
            if tf.contrib.learn.run_n(x):
                # rnn-migrate: tf.nn.rnn_cell.NoSuchCell is not provided by legacy_compat.nn.rnn_cell
                return tf.layers.dense(x, 3) + tf.nn.rnn_cell.NoSuchCell
        flags = tf.app.flags
        """,
        manual=[
            "legacy_compat.contrib does not provide crf (from tensorflow.contrib)",
            "tensorflow.contrib.slim has no legacy_compat counterpart",
            "tf.layers.conv2d is not available with Keras 3",
            "tf.contrib.learn is not provided by legacy_compat",
            "tf.nn.rnn_cell.NoSuchCell is not provided by legacy_compat.nn.rnn_cell",
        ],
    )
    assert result.exit_code == 1
    lines = [(u.line, u.col) for u in result.unconverted]
    assert lines == [(2, 1), (3, 8), (4, 14), (5, 8), (6, 40)]
    assert all(u.todo for u in result.unconverted)
    second = port_source(result.code)
    assert len(second.unconverted) == 5 and second.code == result.code


def test_marker_on_first_statement_is_not_duplicated():
    once = port_source("import tensorflow.contrib.slim as slim\n").code
    assert once.count("# rnn-migrate:") == 1
    assert port_source(once).code == once


# --- Python 2 ---------------------------------------------------------------------------------
def test_python2_constructs():
    result = port_source(textwrap.dedent("""\
        import tensorflow as tf
        for k, v in d.iteritems():
            print k, v
        try:
            n = len(x) / 2
        except ValueError, e:
            print >>sys.stderr, e
        for i in xrange(3): pass
        """))
    assert result.python2 and result.exit_code == 0
    assert result.code == textwrap.dedent("""\
        import legacy_compat.v1 as tf
        for k, v in d.items():
            print(k, v)
        try:
            n = len(x) / 2
        except ValueError as e:
            print(e, file=sys.stderr)
        for i in range(3): pass
        """)
    divisions = [n for n in result.notes if n.severity == "warning"]
    assert [(n.line, n.col) for n in divisions] == [(5, 9)]
    assert port_source(result.code).code == result.code


def test_python2_numpy_sorts_are_left_as_they_are():
    """NumPy's sort (np.sort(a, axis=1), a.sort(axis=0)) is not Python 2's
    list.sort(cmp, key, reverse): fissix's own fix_sorted, which rewrote it, is not run."""
    result = port_source(textwrap.dedent("""\
        import numpy as np
        import tensorflow as tf
        target = np.sort(source, axis=1)
        order = np.sort(x)
        x.sort(axis=0)
        print target
        """))
    assert result.python2 and result.exit_code == 0
    assert "np.sort(source, axis=1)" in result.code and "np.sort(x)" in result.code
    assert "x.sort(axis=0)" in result.code and "cmp_to_key" not in result.code


def test_py3_file_with_py2_name_keeps_print_calls():
    code = "import tensorflow as tf\nprint('a', 1)\nfor i in xrange(2): pass\n"
    assert port_source(code).code == (
        "import legacy_compat.v1 as tf\nprint('a', 1)\nfor i in range(2): pass\n")


@pytest.mark.parametrize("code, where", [
    ("x = 1\ndef f(:\n    pass\n", (2, 7)),
    ("print 'a'\nif x:\n  y = (\n", (4, 1)),
])
def test_parse_error_reported_with_position(code, where):
    result = port_source(code)
    assert result.error is not None and (result.error.line, result.error.col) == where
    assert result.exit_code == 2 and result.code == code


# --- the worked examples and the Python 2 tutorial --------------------------------------------
@pytest.mark.parametrize("name", ["mnist_lstm_static_rnn.py", "mnist_lstm_0x_spellings.py"])
def test_examples_port_to_examples_ported(name):
    """examples/tf1 ports to examples/ported exactly, but for the ported file's comment header."""
    result = port_source((EXAMPLES / "tf1" / name).read_text())
    assert result.code == _without_header(EXAMPLES / "ported" / name)
    assert result.exit_code == 0 and result.unconverted == []


def _without_header(path):
    lines = path.read_text().splitlines(True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


def test_python2_tutorial_ports_and_runs(tmp_path):
    out = tmp_path / "tutorial.py"
    source = CASES / "py2_tutorial_rnn.py"
    before = source.read_bytes()
    assert port_path(source, out=out, report=tmp_path / "r.json") == 0
    assert source.read_bytes() == before
    code = out.read_text()
    ast.parse(code)
    assert "import legacy_compat.v1 as tf" in code and "xrange(" not in code
    assert "tf.split(0, n_steps, inputs)" in code and "tf.nn.rnn(cell" in code  # served by v1
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["exit_code"] == 0 and report["files"][0]["python2"]
    proc = run_python([str(out)], env={"RNN_MIGRATE_STEPS": "20"}, timeout=120,
                      preloaded=True)
    assert "steps = 20" in proc.stdout and "done" in proc.stdout


# --- notebooks ------------------------------------------------------------------------------------
def test_notebook(tmp_path):
    source = CASES / "notebook_tf012.ipynb"
    out = tmp_path / "nb.ipynb"
    assert port_path(source, out=out) == 1  # tf.contrib.slim in the last cell
    old = nbformat.read(source, as_version=4)
    new = nbformat.read(out, as_version=4)
    assert new.metadata == old.metadata
    for a, b in zip(old.cells, new.cells):
        assert a.cell_type == b.cell_type and a.metadata == b.metadata
        assert a.get("outputs") == b.get("outputs")
        assert a.get("execution_count") == b.get("execution_count")
    assert new.cells[0].source == old.cells[0].source  # markdown untouched
    assert new.cells[1].source == (
        "%matplotlib inline\n!pip install tensorflow==0.12\n"
        "import legacy_compat.v1 as tf\nfrom legacy_compat.contrib import rnn")
    assert new.cells[2].source == "cell = rnn.BasicLSTMCell(8)\nprint('cell ready')"
    assert new.cells[3].source == old.cells[3].source  # %%time cell magic: not parsed
    assert new.cells[4].source.startswith("# rnn-migrate: tf.contrib.slim")
    again = tmp_path / "again.ipynb"
    assert port_path(out, out=again) == 1
    assert again.read_text() == out.read_text()


# --- files, trees and the CLI contract ------------------------------------------------------
@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "src"
    (root / "sub").mkdir(parents=True)
    shutil.copy(EXAMPLES / "tf1" / "mnist_lstm_static_rnn.py", root / "a.py")
    (root / "sub" / "b.py").write_text("import tensorflow as tf\nx = tf.contrib.slim\n"
                                       "y = tf.contrib.slim.conv2d(x)\n")
    (root / "sub" / "notes.txt").write_text("not python\n")
    return root


def _snapshot(root):
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_tree_mirrored_and_input_unchanged(tree, tmp_path, capsys):
    before = _snapshot(tree)
    out = tmp_path / "out"
    assert main(["port", str(tree), "--to", "compat", "-o", str(out),
                 "--report", str(tmp_path / "r.json")]) == 1
    assert _snapshot(tree) == before
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.py")) == ["a.py", "sub/b.py"]
    assert not (out / "sub" / "notes.txt").exists()
    assert (out / "a.py").read_text() == _without_header(
        EXAMPLES / "ported" / "mnist_lstm_static_rnn.py")
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["exit_code"] == 1
    b = next(f for f in report["files"] if f["path"].endswith("b.py"))
    assert [u["line"] for u in b["unconverted"]] == [2, 3]
    assert b["unconverted"][0]["todo"]
    printed = capsys.readouterr().out
    assert "b.py:3:5: manual: tf.contrib.slim.conv2d" in printed
    assert "exit code 1" in printed
    # -o never overwrites without --force
    assert main(["port", str(tree), "-o", str(out)]) == 2
    assert main(["port", str(tree), "-o", str(out), "--force"]) == 1


def test_dry_run_writes_nothing(tree, capsys):
    before = _snapshot(tree)
    assert main(["port", str(tree / "a.py")]) == 0
    assert _snapshot(tree) == before
    assert "+import legacy_compat.v1 as tf" in capsys.readouterr().out


def test_in_place_keeps_backup_and_refuses_to_overwrite_it(tree):
    a = tree / "a.py"
    original = a.read_text()
    assert main(["port", str(a), "--in-place"]) == 0
    assert (tree / "a.py.bak").read_text() == original
    assert "import legacy_compat.v1 as tf" in a.read_text()
    ported = a.read_text()
    a.write_text(original)
    assert main(["port", str(a), "--in-place"]) == 2  # a.py.bak exists
    assert a.read_text() == original
    (tree / "a.py.bak").unlink()
    a.write_text(ported)
    assert main(["port", str(a), "--in-place"]) == 0  # nothing to change: no backup
    assert not (tree / "a.py.bak").exists()


def test_parse_error_writes_nothing(tree, tmp_path):
    (tree / "sub" / "broken.py").write_text("def f(:\n")
    out = tmp_path / "out"
    assert main(["port", str(tree), "-o", str(out)]) == 2
    assert not out.exists()


@pytest.mark.parametrize("argv", [
    ["port"],
    ["port", "x.py", "--to", "jax"],
    ["port", "x.py", "-o", "y.py", "--in-place"],
    ["port", "/nonexistent/x.py"],
])
def test_bad_arguments_exit_2(argv):
    assert main(argv) == 2


def test_cli_subprocess_exit_codes(tmp_path):
    good = EXAMPLES / "tf1" / "mnist_lstm_0x_spellings.py"
    proc = run_python(["-m", "tools.porter", "port", str(good), "-o", str(tmp_path / "g.py")],
                      check=False, timeout=60, preloaded=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "g.py").read_text().count("legacy_compat") == 2


def test_compat_v1_spellings():
    assert_port("from tensorflow.compat import v1 as tf\nx = tf.contrib.slim.flatten\n",
                "from legacy_compat import v1 as tf\n"
                "# rnn-migrate: tf.contrib.slim is not provided by legacy_compat\n"
                "x = tf.contrib.slim.flatten\n",
                manual=["tf.contrib.slim is not provided by legacy_compat"], changes=1)


def test_out_inside_input_tree_is_not_ported_again(tree):
    assert main(["port", str(tree), "-o", str(tree / "ported")]) == 1
    assert main(["port", str(tree), "-o", str(tree / "ported"), "--force"]) == 1
    assert not (tree / "ported" / "ported").exists()


def test_to_keras_without_module_is_a_clear_error(monkeypatch, capsys):
    import tools.cli.port as cli_port

    real = cli_port.importlib.util.find_spec
    monkeypatch.setattr(cli_port.importlib.util, "find_spec",
                        lambda name, *a: None if name == "tools.porter.keras.writer" else real(name, *a))
    assert main(["port", str(EXAMPLES / "tf1"), "--to", "keras"]) == 2
    assert "tools.porter.keras.writer" in capsys.readouterr().err


@pytest.mark.skipif(not __import__("tools.porter.engine", fromlist=["x"]).keras_available(),
                    reason="tools.porter.keras.writer (a colleague's module) is not in this checkout")
def test_to_keras_is_routed_through_the_same_engine(tmp_path):
    """--to keras reuses the file/tree/report machinery; the Keras port itself is tested elsewhere."""
    out = tmp_path / "k.py"
    code = port_path(EXAMPLES / "tf1" / "mnist_lstm_static_rnn.py", out=out, target="keras",
                     report=tmp_path / "k.json")
    assert code in (0, 1)
    ast.parse(out.read_text())
    assert json.loads((tmp_path / "k.json").read_text())["target"] == "keras"
