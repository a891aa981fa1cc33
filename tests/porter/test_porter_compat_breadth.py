"""``--to compat`` breadth: Python 2 notebooks, IPython magics, NumPy 2 removals, TF 2 programs.

Oracles:

* Python 2: the output a Python 2 interpreter prints for the original cells, written here by
  hand from Python 2.7's semantics (``map``/``filter``/``zip``/``range``/``dict.keys()``
  return lists, ``print(a, b)`` prints a tuple) and, where a ``python2.7`` interpreter is
  installed, also measured by running the original cells with it;
* magics: which lines IPython reads as magics, written by hand from IPython's rules (a ``%``
  / ``!`` line, or ``x = %magic`` / ``x = !cmd``, at the start of a logical line);
* NumPy 2: the values NumPy 1 gave, computed by hand (the removed aliases were the builtins:
  NumPy 1.20 release notes; ``int()``/``float()`` of a size-1 array converted its element),
  and NumPy 2's own errors on the original expressions, measured on the installed NumPy;
* TF 2: the project's seed programs (../shared/seeds), which must stay byte-identical.

Nothing here imports TensorFlow: the porter never executes its input.
"""
import ast
import builtins
import contextlib
import glob
import io
import json
import os
import shutil
import subprocess
import textwrap

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.support.helpers import REPO_ROOT
from tools.cli.port import main
from tools.porter import port_notebook, port_path, port_source
from tools.porter.compat import names
from tools.porter.engine import magic_lines, python2_kernel

SEEDS = REPO_ROOT.parent / "shared" / "seeds"
PY2_KERNEL = {"name": "python2", "display_name": "Python 2", "language": "python"}


def _notebook(cells, kernelspec=None, language_info=None):
    metadata = {}
    if kernelspec is not None:
        metadata["kernelspec"] = kernelspec
    if language_info is not None:
        metadata["language_info"] = language_info
    cells = [new_markdown_cell(c[1:]) if c.startswith("#!md") else new_code_cell(c)
             for c in cells]
    return nbformat.writes(new_notebook(cells=cells, metadata=metadata))


def _code_cells(text):
    return [c.source for c in nbformat.reads(text, as_version=4).cells if c.cell_type == "code"]


def _run(code):
    """stdout of ``code`` (pure Python) run in this process."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<port>", "exec"), {"__name__": "__port__"})
    return out.getvalue()


# ------------------------------------------------------------------------------------
# 6. Python 2 notebooks
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("metadata, expected", [
    ({"kernelspec": {"name": "python2", "language": "python"}}, True),
    ({"kernelspec": {"name": "conda-env-py27", "language": "python2"}}, True),
    ({"language_info": {"name": "python", "version": "2.7.12"}}, True),
    ({"language_info": {"name": "python", "codemirror_mode": {"name": "ipython",
                                                              "version": 2}}}, True),
    ({"kernelspec": {"name": "python3", "language": "python"},
      "language_info": {"name": "python", "version": "3.6.3"}}, False),
    ({}, False),
])
def test_python2_kernel_detection(metadata, expected):
    assert python2_kernel({"metadata": metadata}) is expected


# Cells that all parse as Python 3, run on a Python 2 kernel.
PY2_CELLS = [
    "%matplotlib inline\nd = {\"b\": 2, \"a\": 1}\nks = d.keys()\nks.sort()\nprint(ks)",
    "sq = map(lambda v: v * v, [1, 2, 3])\nprint(sq[1])\nprint(len(zip(\"ab\", \"cd\")))\n"
    "odd = filter(lambda v: v % 2, range(5))\nprint(odd)",
    "r = range(3)\nr.append(7)\nprint(r)\nprint(\"pair\", 3)",
    "items = d.items()\nitems.sort()\nprint(items[0])\nfor k, v in sorted(d.iteritems()):\n"
    "    print(k, v)",
    "half = 7 / 2",
]
# What Python 2.7 prints for them (by hand: lists from keys/map/zip/filter/range/items,
# print(a, b) is the print statement of a tuple).
PY2_STDOUT = ("['a', 'b']\n4\n2\n[1, 3]\n[0, 1, 2, 7]\n('pair', 3)\n('a', 1)\n"
              "('a', 1)\n('b', 2)\n")


def _python27():
    """A working Python 2.7 interpreter, or None (the measured oracle is optional)."""
    candidates = [shutil.which("python2.7"), shutil.which("python2")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/2.7*/bin/python")))
    for exe in filter(None, candidates):
        try:
            proc = subprocess.run([exe, "-c", "import sys; print(sys.version_info[0])"],
                                  capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if proc.returncode == 0 and proc.stdout.strip() == "2":
            return exe
    return None


def test_python2_kernel_notebook_runs_as_python2_did():
    """Every cell parses as Python 3 and would print something else (or fail) there; the
    port prints what the Python 2 kernel printed, and every change is reported by line."""
    for cell in PY2_CELLS:
        ast.parse("\n".join(line for line in cell.split("\n") if not line.startswith("%")))
    text = _notebook(PY2_CELLS, kernelspec=PY2_KERNEL)
    new_text, results = port_notebook(text)
    assert all(r.python2 and r.error is None for _, r in results)
    ported = _code_cells(new_text)
    assert ported[0].startswith("%matplotlib inline\n")  # the magic, untouched
    program = "\n".join(line for c in ported for line in c.split("\n")
                        if not line.startswith("%"))
    assert _run(program) == PY2_STDOUT
    # line-level report: each fissix change names the cell line it replaces
    original = _code_cells(text)  # (all cells are code cells: index = cell number)
    changes = [(cell, c) for cell, r in results for c in r.changes]
    assert sorted({cell for cell, _ in changes}) == [0, 1, 2, 3]  # '7 / 2' is not rewritten
    for cell, change in changes:
        assert original[cell].split("\n")[change.line - 1] == change.old.split("\n")[0]
    # Python 2's integer '/' is not rewritten: a warning at the line:col of the '/'
    warnings = [(cell, n) for cell, r in results for n in r.notes if "floor division" in n.message]
    assert [(cell, n.line, n.col) for cell, n in warnings] == [(4, 1, 8)]


def test_python2_oracle_matches_a_real_python27(tmp_path):
    """The hand-written PY2_STDOUT is what Python 2.7 prints (skipped without one)."""
    exe = _python27()
    if exe is None:
        pytest.skip("no Python 2.7 interpreter installed (the hand-written oracle still ran)")
    source = "\n".join(line for c in PY2_CELLS for line in c.split("\n")
                       if not line.startswith("%"))
    (tmp_path / "cells.py").write_text(source + "\n")
    proc = subprocess.run([exe, str(tmp_path / "cells.py")], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == PY2_STDOUT


def test_python2_notebook_future_print_function_after_a_magic():
    """``from __future__ import print_function`` after ``%matplotlib``: print stays a
    function (the magic's placeholder is a comment, so the future import stays first)."""
    text = _notebook(["%matplotlib inline\nfrom __future__ import print_function\n"
                      "print(\"a\", 1)\nprint(map(str, [1]))"], kernelspec=PY2_KERNEL)
    new_text, [(_, result)] = port_notebook(text)
    assert result.error is None and result.python2
    assert _code_cells(new_text) == ["%matplotlib inline\n\nprint(\"a\", 1)\n"
                                     "print(list(map(str, [1])))"]


def test_python3_notebook_is_not_converted():
    text = _notebook(["print(\"a\", 1)\nx = map(str, [1])"],
                     kernelspec={"name": "python3", "display_name": "Python 3",
                                 "language": "python"})
    new_text, [(_, result)] = port_notebook(text)
    assert new_text == text and not result.python2 and result.changes == []


@pytest.fixture
def py2_tree(tmp_path):
    """A Python 2 notebook, the helpers it imports (one through the other) and a module
    nobody imports, all parsing as Python 3."""
    root = tmp_path / "src"
    root.mkdir()
    (root / "nb.ipynb").write_text(_notebook(
        ["import helpers\nfrom other import f\nprint(\"n\", helpers.squares(3)[2])"],
        kernelspec=PY2_KERNEL))
    (root / "helpers.py").write_text("import chained\n\ndef squares(n):\n"
                                     "    return map(lambda v: v * v, range(n))\n")
    (root / "chained.py").write_text("def pairs(a, b):\n    return zip(a, b)\n")
    (root / "other.py").write_text("def f():\n    return filter(None, [0, 1])\n")
    (root / "unrelated.py").write_text("x = map(str, [1])\nprint(\"u\", 1)\n")
    return root


def test_modules_imported_by_a_python2_notebook_are_python2(py2_tree, tmp_path):
    out = tmp_path / "out"
    report = tmp_path / "report.json"
    assert port_path(py2_tree, out=out, report=report, stdout=io.StringIO()) == 0
    assert (out / "helpers.py").read_text().endswith("return [v * v for v in range(n)]\n")
    assert "return list(zip(a, b))" in (out / "chained.py").read_text()  # imported by helpers
    assert "return [_f for _f in [0, 1] if _f]" in (out / "other.py").read_text()
    assert (out / "unrelated.py").read_text() == (py2_tree / "unrelated.py").read_text()
    files = {os.path.basename(f["path"]): f for f in json.loads(report.read_text())["files"]}
    assert [f["python2"] for f in (files["helpers.py"], files["chained.py"], files["other.py"],
                                    files["unrelated.py"])] == [True, True, True, False]
    assert any("imported by nb.ipynb" in n["message"] for n in files["helpers.py"]["notes"])
    assert any(c["line"] == 4 for c in files["helpers.py"]["changes"])


def test_py2_option_forces_python2_for_plain_files(tmp_path, capsys):
    source = tmp_path / "tool.py"
    source.write_text("print(\"loss\", 0.5)\nsteps = map(int, [\"1\"])\n")
    assert main(["port", str(source), "--py2", "-o", str(tmp_path / "a.py")]) == 0
    assert (tmp_path / "a.py").read_text() == "print((\"loss\", 0.5))\nsteps = list(map(int, [\"1\"]))\n"
    assert main(["port", str(source), "-o", str(tmp_path / "b.py")]) == 0  # not Python 2
    assert (tmp_path / "b.py").read_text() == source.read_text()
    out = capsys.readouterr().out  # one change: the block of lines 1-2, at 1:1
    assert f"{source}:1:1: change: print(\"loss\", 0.5)\nsteps = map(" in out
    assert "-> print((\"loss\", 0.5))\nsteps = list(map(int, [\"1\"])): Python 2 -> 3" in out


def test_py2_option_reports_python3_only_syntax_as_an_error():
    result = port_source("x = f'{1}'\nprint(x, end='')\n", python2=True)
    assert result.exit_code == 2 and "cannot parse as Python 2" in result.error.message


# ------------------------------------------------------------------------------------
# 7. IPython magics, found with the tokenizer
# ------------------------------------------------------------------------------------
MAGIC_CELL = [
    ("%matplotlib inline", True),
    ("x = (\"%d\"", False),
    ("     % (3))", False),                 # continues the expression: Python
    ("!ls", True),
    ("y = !ls -la", True),
    ("z = %timeit f()", True),
    ("d[\"k\"] = !pwd", True),
    ("print(\"a=%d\" % 3)", False),          # '=' inside a string
    ("q = \"\"\"", False),
    ("%inside a string", False),
    ("!inside a string", False),
    ("\"\"\"", False),
    ("w = 1 + \\", False),
    ("  % 2", False),                       # after a backslash continuation
    ("ok = (a", False),
    ("      != b)", False),                 # '!=' inside brackets
    ("for i in x:", False),
    ("    %time f(i)", True),               # a magic as a block's statement
    ("!echo it's", True),                   # an unterminated quote: the tokenizer goes on
    ("# %comment", False),
    ("%time foo \\", True),
    ("   bar", True),                       # the magic continues
    ("s = x % 2", False),
    ("%%not a cell magic here", True),
]


def test_magic_lines_are_found_only_at_the_start_of_logical_lines():
    source = "\n".join(line for line, _ in MAGIC_CELL)
    assert magic_lines(source) == [k for k, (_, magic) in enumerate(MAGIC_CELL) if magic]


def test_magic_lines_survive_tokenizer_errors():
    """A bad dedent and an unclosed bracket stop Python's tokenizer; the scan goes on."""
    source = "if a:\n        b = 1\n    c = 2\n%time d\nx = (1,\n%e"
    assert magic_lines(source) == [3]


def test_notebook_with_percent_continuation_lines_ports(tmp_path):
    """Today's regex masked the ``% (...)`` lines and failed with "cannot parse as
    Python 2 or 3"; the tokenizer keeps them as Python and the magics come back as they were."""
    cells = ["%load_ext autoreload\nimport tensorflow as tf\nfiles = !ls",
             "print(\"Step %d, loss %.4f\"\n      % (1, 0.5))\nx = tf.placeholder(tf.float32)\n"
             "t = %time 1\nmsg = (\"%d wrong\"\n       % 3)",
             "%%time\nprint('cell magic: not Python')"]
    text = _notebook(cells)
    new_text, results = port_notebook(text)
    assert all(r.error is None for _, r in results)
    assert _code_cells(new_text) == [cells[0].replace("import tensorflow as tf",
                                                      "import legacy_compat.v1 as tf"),
                                     cells[1], cells[2]]
    again, _ = port_notebook(new_text)
    assert again == new_text


# ------------------------------------------------------------------------------------
# 8. NumPy 2 removals
# ------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_numpy_alias_table_is_numpy_1s():
    """Each alias was the builtin NumPy 1 named (the 1.20 release notes' table); NumPy 2
    (installed) removed it or gave the name to another type, so the original breaks."""
    assert set(np.__former_attrs__) <= set(names.NUMPY_BUILTIN_ALIASES)  # NumPy's own list
    for alias, builtin in names.NUMPY_BUILTIN_ALIASES.items():
        assert alias in np.__former_attrs__ or alias in ("bool", "long", "unicode")
        assert isinstance(getattr(builtins, builtin), type)
        try:
            now = getattr(np, alias)
        except AttributeError:
            continue
        assert now is not getattr(builtins, builtin), alias  # np.bool is np.bool_, np.long C long


@pytest.mark.filterwarnings("ignore::FutureWarning")  # NumPy 2 warns before it raises
@pytest.mark.parametrize("alias", ["float", "int", "object", "str", "unicode", "complex"])
def test_numpy2_raises_on_removed_aliases(alias):
    with pytest.raises(AttributeError):
        getattr(np, alias)


# (expression, the value NumPy 1 gave, by hand)
SIZE1 = [
    ("int(np.array([[3.7]], dtype=np.float32))", 3),
    ("float(np.array([2.5]))", 2.5),
    ("int(np.array([True]))", 1),
    ("float(np.array([[7]], dtype=np.int64))", 7.0),
    ("float(np.array([0.1], dtype=np.float32))", 0.10000000149011612),  # float32's 0.1
    ("int(np.asarray([-2.9]).reshape(1, 1, 1))", -2),
    ("float(np.zeros((1, 1)).sum(axis=0))", 0.0),
    ("int(np.argmax(np.array([[0.2, 0.7]]), 1))", 1),
]


@pytest.mark.parametrize("expression, numpy1", SIZE1)
def test_int_float_of_size1_arrays_get_item(expression, numpy1):
    result = port_source(f"import numpy as np\nv = {expression}\n")
    assert result.error is None
    [change] = [c for c in result.changes]
    assert (change.line, change.col, change.old) == (2, 5, expression)
    assert change.new == expression[:-1] + ".item())" and change.new in result.code
    namespace = {}
    exec(result.code, namespace)
    assert namespace["v"] == numpy1 and type(namespace["v"]) is type(numpy1)
    with pytest.raises(TypeError, match="only 0-dimensional arrays"):  # NumPy 2, the original
        eval(expression, {"np": np})


def test_item_is_exact_for_numpy_scalars_too():
    """``sess.run`` / ``.eval()`` may give a NumPy scalar (0-d): NumPy 2 converts those, and
    ``.item()`` gives the same Python value (float32 0.1 widened exactly, not re-rounded)."""
    for value in (np.float32(0.1), np.float16(2.5), np.int64(-7), np.bool_(True), np.array(3.5)):
        assert float(value.item()) == float(value) and int(value.item()) == int(value)


NUMPY_CASES = [
    # aliases, under any alias of numpy
    ("import numpy as np\nx = np.zeros(2, dtype=np.float)\ny = np.bool\n",
     "import numpy as np\nx = np.zeros(2, dtype=float)\ny = bool\n"),
    ("import numpy\nx = numpy.int(3) + numpy.long(4)\n",
     "import numpy\nx = int(3) + int(4)\n"),
    ("import numpy as onp\nt = (onp.object, onp.str, onp.unicode, onp.complex)\n",
     "import numpy as onp\nt = (object, str, str, complex)\n"),
    ("from numpy import float, zeros\nx = zeros(1, float)\n",
     "from numpy import zeros\nx = zeros(1, float)\n"),
    ("if True:\n    from numpy import int\n",
     "if True:\n    pass\n"),
    # left alone: an assignment target, NumPy's own types, an unrelated 'np'
    ("import numpy as np\nnp.float = float\nx = np.float64(1)\n", None),
    ("np = object()\nx = np.float\n", None),
    # int()/float() of a session's result, .eval(), .numpy(), a name bound to one
    ("import tensorflow as tf\nwith tf.Session() as s:\n    v = float(s.run(t))\n",
     "import legacy_compat.v1 as tf\nwith tf.Session() as s:\n    v = float(s.run(t).item())\n"),
    ("import tensorflow as tf\nsess = tf.InteractiveSession()\n_, l = sess.run([op, loss])\n"
     "print(int(l), int(tf.argmax(p, 1).eval()))\n",
     "import legacy_compat.v1 as tf\nsess = tf.InteractiveSession()\n_, l = sess.run([op, loss])\n"
     "print(int(l.item()), int(tf.argmax(p, 1).eval().item()))\n"),
    ("import tensorflow as tf\nacc = tf.get_default_session().run(a)[0]\nprint(float(acc))\n",
     "import legacy_compat.v1 as tf\nacc = tf.get_default_session().run(a)[0]\n"
     "print(float(acc.item()))\n"),
    # not NumPy values: nothing to do
    ("import numpy as np\nn = int(a.shape[0]) + int('3') + int(np.random.randint(3))\n", None),
    ("import pandas as pd\nv = float(df.eval('a + b'))\n", None),  # no TF: not Tensor.eval
    ("import tensorflow as tf\nv = int(x.eval().item())\n",
     "import legacy_compat.v1 as tf\nv = int(x.eval().item())\n"),  # already ported
]


@pytest.mark.parametrize("before, after", NUMPY_CASES)
def test_numpy2_rewrites(before, after):
    result = port_source(before)
    assert result.error is None
    assert result.code == (before if after is None else after)
    assert port_source(result.code).code == result.code  # idempotent
    for change in result.changes:
        if "NumPy" in change.why:  # line:col point at the original text
            line = before.split("\n")[change.line - 1]
            assert line[change.col - 1:].startswith(change.old.split(" ")[-1] if
                                                     change.old.startswith("from") else change.old)


@pytest.mark.parametrize("code, line, col, says", [
    # a session not seen as one (a parameter): not rewritten, warned
    ("import tensorflow as tf\ndef report(sess):\n    return float(sess.run(loss))\n",
     3, 12, "write float(sess.run(loss).item())"),
    # a name that is a session result on one path only
    ("import tensorflow as tf\ns = tf.Session()\nv = s.run(x)\nif c:\n    v = 1\nprint(int(v))\n",
     6, 7, "write int(v.item())"),
    # an alias import and a rebound builtin: reported, not rewritten
    ("from numpy import float as F\n", 1, 19, "use float instead of F"),
    ("import numpy as np\nfloat = 3\nx = np.float\n", 3, 5, "write builtins.float"),
])
def test_numpy2_unsure_spots_are_warnings(code, line, col, says):
    result = port_source(code)
    assert result.error is None and result.exit_code == 0
    assert [c for c in result.changes if "NumPy" in c.why] == []
    [warning] = [n for n in result.notes if n.severity == "warning"]
    assert (warning.line, warning.col) == (line, col) and says in warning.message


# ------------------------------------------------------------------------------------
# 9. TF 2 programs are left as they are
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["s003a_tf2_lstm_tape.py", "s003b_tf2_dynrnn_masking.py",
                                  "s003c_tf2_bilstm.py"])
def test_tf2_seed_programs_come_out_unchanged(name):
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} (the project's seed programs) is not in this checkout")
    source = (SEEDS / name).read_text()
    result = port_source(source)
    assert result.code == source and result.tf2 and result.exit_code == 0
    assert result.changes == [] and result.unconverted == []
    assert any("already a TF 2 program" in n.message for n in result.notes)
    if "mnist.load_data" in source:  # the kit's embedded MNIST is named for the download
        assert any("legacy_compat.mnist.load_mnist_npz" in n.message for n in result.notes)


def test_tf2_seed_tree_summary_says_already_tf2(tmp_path):
    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is not in this checkout")
    out = io.StringIO()
    paths = sorted(str(p) for p in SEEDS.glob("s003*.py"))
    assert port_path(paths, out=tmp_path, stdout=out) == 0
    assert "3 already TF 2 (left unchanged); exit code 0" in out.getvalue()
    for path in paths:
        assert (tmp_path / os.path.basename(path)).read_text() == open(path).read()


@pytest.mark.parametrize("code, tf2", [
    ("import tensorflow as tf\nds = tf.data.Dataset.range(3)\n"
     "@tf.function\ndef f(x):\n    return x + 1\n", True),
    ("import keras\nimport tensorflow as tf\nwith tf.GradientTape() as t:\n    y = m(x)\n", True),
    ("from tensorflow.keras.layers import LSTM\nlayer = LSTM(3)\n", True),
    # TF1: placeholders + tf.keras, sessions, tf.compat.v1, contrib, TF1-only API
    ("import tensorflow as tf\nx = tf.placeholder(tf.float32)\ny = tf.keras.layers.Dense(2)(x)\n",
     False),
    ("import tensorflow as tf\nm = tf.keras.Sequential()\nsess = tf.compat.v1.Session()\n", False),
    ("import tensorflow as tf\nm = tf.keras.Sequential()\nc = tf.contrib.rnn.LSTMCell(2)\n", False),
    ("import tensorflow as tf\nwith tf.GradientTape():\n    o = tf.train.AdamOptimizer(0.1)\n",
     False),
    ("import tensorflow as tf\nwith tf.GradientTape():\n    tf.set_random_seed(1)\n", False),
    ("import tensorflow as tf\nimport legacy_compat.v1 as v1\nds = tf.data.Dataset.range(3)\n",
     False),
    # no TF 2 use at all: a TF1 program as far as anyone can tell
    ("import tensorflow as tf\ny = tf.matmul(a, b)\n", False),
])
def test_tf2_programs_are_told_from_tf1_ones(code, tf2):
    result = port_source(code)
    assert result.tf2 is tf2
    assert (result.code == code) if tf2 else ("tensorflow as tf" not in result.code)


def test_tf2_program_numpy2_spots_are_warnings_only():
    code = ("import numpy as np\nimport tensorflow as tf\nx = np.zeros(3, dtype=np.float)\n"
            "ds = tf.data.Dataset.from_tensor_slices(x)\nv = float(t.numpy())\n")
    result = port_source(code)
    assert result.code == code and result.tf2 and result.changes == []
    warned = {(n.line, n.col) for n in result.notes if n.severity == "warning"}
    assert warned == {(3, 23), (5, 5)}
