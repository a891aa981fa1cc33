"""The porting matrix: programs written in this repo (tests/fixtures/porting_matrix/), ported both ways.

For every fixture (Python 2 and 3, ``.py`` and ``.ipynb``, every import style):

* ``--to compat``: the port parses and, run, prints exactly what the UNPORTED program
  prints under the legacy_compat drop-in (:mod:`tools.porter.compat.dropin`; Python 2 fixtures:
  the drop-in run of their fissix conversion) -- by default for the fixtures of
  ``DEFAULT_RUNS`` (every kind of rewrite), for every fixture with ``-m slow``;
* ``--to keras``: where the recogniser supports the program, the generated
  ``build_model()`` equals the recognised spec's TF1 graph within the registry tolerance;
  where it does not, the reasons are listed with line numbers and nothing is generated;
* porting a port again changes nothing; unconvertible constructs are reported and marked.

Together the fixtures cover every registry pair that has builders and every 0.x spelling
of legacy_compat/spellings.py (both checked here from the tables, not hard-coded).
The programs run in two processes (originals, ports), several per process, each forked from
a process that imported TensorFlow once (``run_python(..., preloaded=True)``).
"""
import ast
import functools
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest

from legacy_compat.spellings import SPELLINGS
from modern import models
from tests.support.helpers import REPO_ROOT, run_python
from tools.proof import pipelines, registry
from tools.porter import port_notebook, port_path, port_source, py2
from tools.porter.engine import magic_lines
from tools.porter.keras.recognize import recognize

MATRIX = REPO_ROOT / "tests" / "fixtures" / "porting_matrix"
FIXTURES = sorted(p.name for p in MATRIX.iterdir() if p.suffix in (".py", ".ipynb"))
PY2 = {"m02_lstm_py2_noalias.py", "m06_bidi_models_rnn_py2.py"}
NOTEBOOKS = [n for n in FIXTURES if n.endswith(".ipynb")]
KERAS_SUPPORTED = {"m01_basic_rnn_static.py", "m02_lstm_py2_noalias.py",
                   "m03_peephole_dynamic_tff.py", "m04_gru_lstm_multi_dropout.py",
                   "m05_layernorm_contrib.py", "m06_bidi_models_rnn_py2.py",
                   "n10_lstm_dynamic_notebook.ipynb",
                   "n16_percent_format.ipynb"}  # `a, b = 1, 2` constants (issue 9)
UNCONVERTIBLE = "u11_unconvertible.py"
KERAS_RUN = "m01_basic_rnn_static.py"  # the one generated Keras program run end to end
PY2_KERNEL = {"n15_py2_kernel_notebook.ipynb"}  # Python 2 by its kernelspec; cells parse as 3
NUMPY1 = {"c17_numpy2_aliases.py"}  # the unported program needs NumPy 1: run with NUMPY1_SHIM
TF2 = {"t18_tf2_eager.py"}  # already TF 2: its compat port is itself, run eagerly (no drop-in)

#: NumPy 1 for an unported program (it runs on NumPy 2 here): the builtin-type aliases that
#: NumPy 2 removed were the builtins themselves (NumPy 1.20 release notes; np.bool and
#: np.long still exist and give the same dtypes), and int()/float() of a size-1 ndarray of
#: any ndim converted its one element, PyArray_GETITEM (what ndarray.item() returns), with
#: the builtin (NumPy 1.x numpy/core/src/multiarray/number.c, array_scalar_forward).
NUMPY1_SHIM = """
import builtins as _builtins, numpy as _numpy
for _alias, _type in {"float": float, "int": int, "object": object, "str": str,
                      "unicode": str, "complex": complex}.items():
    setattr(_numpy, _alias, _type)  # no NumPy 2 code can use these names: nothing else changes
def _numpy1(convert):
    def scalar(x=0, *args):
        if isinstance(x, _numpy.ndarray) and not args:
            if x.size != 1:
                raise TypeError("only size-1 arrays can be converted to Python scalars")
            x = x.item()
        return convert(x, *args)
    return scalar
int, float = _numpy1(_builtins.int), _numpy1(_builtins.float)
"""


def _with_numpy1(source):
    """``source`` with :data:`NUMPY1_SHIM` after its ``from __future__`` imports."""
    lines = source.split("\n")
    at = max([k + 1 for k, line in enumerate(lines) if line.startswith("from __future__")],
             default=0)
    return "\n".join(lines[:at] + [NUMPY1_SHIM] + lines[at:])


def _text(name):
    return (MATRIX / name).read_text()


def _code_cells(text):
    """A notebook's code cells as one program (IPython magics skipped: the lines
    ``tools.porter.engine.magic_lines`` finds; a ``%`` line inside brackets is Python)."""
    nb = json.loads(text)
    lines = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if source.lstrip().startswith("%%"):
            continue
        magic = set(magic_lines(source))
        lines += [line for k, line in enumerate(source.split("\n")) if k not in magic]
    return "\n".join(lines) + "\n"


def _program(name):
    """The unported program as Python source (notebooks: the concatenated code cells)."""
    text = _text(name)
    return _code_cells(text) if name.endswith(".ipynb") else text


def _header(name, key):
    text = _text(name)
    found = re.findall(rf"^#?\s*{key}: (.*?)(?:\\n|$)", text, re.M)
    return [item.strip() for line in found for item in line.split(";")]


@functools.lru_cache(maxsize=None)
def _compat(name):
    text = _text(name)
    if name.endswith(".ipynb"):
        new_text, results = port_notebook(text)
        return new_text, [r for _, r in results]
    result = port_source(text, filename=name)
    assert result.error is None, result.error
    return result.code, [result]


@functools.lru_cache(maxsize=None)
def _keras(name):
    text = _text(name)
    if name.endswith(".ipynb"):
        new_text, results = port_notebook(text, target="keras")
        return new_text, [r for _, r in results]
    result = port_source(text, target="keras", filename=name)
    assert result.error is None, result.error
    return result.code, [result]


# ------------------------------------------------------------------------------------
# coverage of the registry and of the 0.x spellings table
# ------------------------------------------------------------------------------------
def test_fixtures_cover_every_registry_pair_with_builders():
    declared = {pair for name in FIXTURES for pair in _header(name, "pairs")}
    names = {p.name for p in registry.PAIRS}
    assert declared <= names, declared - names
    with_builders = {p.name for p in registry.PAIRS if p.configs is not None}
    assert with_builders - declared == set()


def test_fixtures_use_every_0x_spelling():
    sources = "\n".join(_program(name) for name in FIXTURES)
    missing = []
    for s in SPELLINGS:
        prefix = {"tf": r"\.", "tf.nn": r"\bnn\.", "tf.train": r"\btrain\."}[s.namespace]
        # a function is called, a module spelling (tf.nn.seq2seq) is used as old.name(
        if not re.search(prefix + re.escape(s.old) + r"[(.]", sources):
            missing.append(s.old_path)
    assert missing == []
    # the statically recognisable ones are noted by the compat port as 0.x spellings
    noted = " ".join(n.message for name in FIXTURES for r in _compat(name)[1] for n in r.notes)
    for s in SPELLINGS:
        if s.detect not in ("labels_dtype",):  # decided at run time by dtype
            assert s.old_path in noted, s.old_path


def test_fixtures_cover_python2_notebooks_and_import_styles():
    assert len(PY2) >= 2 and NOTEBOOKS
    for name in PY2:
        source = _text(name)
        with pytest.raises(SyntaxError):
            ast.parse(source)
        assert re.search(r"^\s*print [\"']", source, re.M) and "xrange(" in source
    sources = "\n".join(_program(name) for name in FIXTURES)
    for style in ("import tensorflow as tf\n", "import tensorflow\n", "import tensorflow as tff\n",
                  "from tensorflow.contrib import rnn\n",
                  "from tensorflow.contrib.rnn import BasicLSTMCell",
                  "from tensorflow.python.ops import rnn, rnn_cell\n",
                  "from tensorflow.models.rnn import rnn, rnn_cell\n", "tf.nn.rnn_cell.",
                  "tf.contrib.rnn.", "from tensorflow.examples.tutorials.mnist import input_data"):
        assert style in sources, style


# ------------------------------------------------------------------------------------
# compat: the port prints what the unported program prints under the drop-in
# ------------------------------------------------------------------------------------
# Grappler (the graph optimiser each Session and tf.function runs once per graph) is off
# in both processes: the programs are small and run once, so optimising each graph cost
# more than running it (about a third of the CPU time); originals and ports run under the
# same setting, and print the same numbers with or without it.
RUNNER = r"""
import io, contextlib, runpy, sys, traceback
import tensorflow
tensorflow.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
for path in sys.argv[1:]:
    eager = path.endswith(("keras_generated.py", "_tf2_eager.py"))
    if not eager:  # Keras and TF 2 programs first: TF1 graph mode is global
        import legacy_compat.v1 as tf
        from tools.porter.compat import dropin
        tf.reset_default_graph()
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            if eager:
                runpy.run_path(path, run_name="__main__")
            else:
                dropin.run_program(path)
    except BaseException:
        buf.write("!!! " + traceback.format_exc().replace("\n", " | "))
    print("=== " + path + "\n" + buf.getvalue(), flush=True)
"""


def _split_runs(stdout):
    runs = {}
    for chunk in stdout.split("=== ")[1:]:
        path, _, out = chunk.partition("\n")
        runs[Path(path).stem] = out.rstrip("\n").split("\n")
    return runs


# The programs run by default (an original and its port: 0.5-3.5 CPU-s per fixture): every
# kind of rewrite the compat port makes -- no alias and Python 2 (m02), python.ops imports
# (m07), a notebook of a Python 2 kernel (n15) and one with `%` lines (n16), TF 0.x
# spellings (s09), contrib.layers (c12), NumPy 2 (c17), seq2seq (c19), sequence_length
# (m08), a TF 2 program (t18), unconvertible constructs (u11) and the plain tutorial (m01);
# every fixture with -m slow
DEFAULT_RUNS = {"m01_basic_rnn_static.py", "m02_lstm_py2_noalias.py",
                "m07_bidi_dynamic_python_ops.py", "m08_sequence_length.py",
                "n15_py2_kernel_notebook.ipynb", "n16_percent_format.ipynb",
                "s09_spellings_0x.py", "c12_contrib_layers.py", "c17_numpy2_aliases.py",
                "c19_seq2seq_decoder.py", "t18_tf2_eager.py", UNCONVERTIBLE}
BEHAVES = "test_compat_port_behaves_as_the_unported_program"


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory):
    """(original runs, compat-port runs) by fixture stem, of the fixtures whose behaviour
    test this session runs; one process per side."""
    selected = {item.callspec.params["name"] for item in request.session.items
                if getattr(item, "originalname", None) == BEHAVES}
    tmp = tmp_path_factory.mktemp("matrix")
    originals, ports = [], []
    for name in [n for n in FIXTURES if n in selected]:
        stem = Path(name).stem
        source = _program(name)
        if name in PY2 or name in PY2_KERNEL:
            source = py2.to_python3(source)  # the drop-in runs Python 3 only
        if name in NUMPY1:
            source = _with_numpy1(source)
        (tmp / "orig").mkdir(exist_ok=True)
        (tmp / "port").mkdir(exist_ok=True)
        (tmp / "orig" / f"{stem}.py").write_text(source)
        originals.append(str(tmp / "orig" / f"{stem}.py"))
        code, _ = _compat(name)
        if name.endswith(".ipynb"):
            code = _code_cells(code)
        (tmp / "port" / f"{stem}.py").write_text(code)
        ports.append(str(tmp / "port" / f"{stem}.py"))
    keras_code, _ = _keras(KERAS_RUN)
    (tmp / "port" / "keras_generated.py").write_text(keras_code)
    originals.sort(key=lambda path: not path.endswith("_tf2_eager.py"))  # eager ones first
    ports.sort(key=lambda path: not path.endswith("_tf2_eager.py"))
    # one process per side, each forked from a process that imported TensorFlow once
    procs = [run_python(["-c", RUNNER, *paths], timeout=300, preloaded=True)
             for paths in (originals, [str(tmp / "port" / "keras_generated.py")] + ports)]
    return _split_runs(procs[0].stdout), _split_runs(procs[1].stdout)


@pytest.mark.parametrize("name", FIXTURES)
def test_compat_port_parses(name):
    code, results = _compat(name)
    tree = ast.parse(_code_cells(code) if name.endswith(".ipynb") else code)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert name in TF2 or not any(m.split(".")[0] == "tensorflow" for m in imported), imported


@pytest.mark.xdist_group("porting_matrix_runs")  # one worker runs the `runs` fixture
@pytest.mark.parametrize("name", [n if n in DEFAULT_RUNS else pytest.param(
    n, marks=pytest.mark.slow) for n in FIXTURES])
def test_compat_port_behaves_as_the_unported_program(name, runs):
    originals, ports = runs
    stem = Path(name).stem
    want, got = originals[stem], ports[stem]
    assert not any(line.startswith("!!! ") for line in want), want
    assert got == want
    assert any(line.startswith(("Testing Accuracy:", "Final loss:")) for line in want), want


@pytest.mark.xdist_group("porting_matrix_runs")
def test_one_generated_keras_program_runs(runs):
    out = runs[1]["keras_generated"]
    assert not any(line.startswith("!!! ") for line in out), out
    match = [line for line in out if line.startswith("Testing Accuracy: ")]
    assert match and 0.0 <= float(match[0].split()[-1]) <= 1.0


# ------------------------------------------------------------------------------------
# keras: equivalence where supported, reasons (and no partial port) where not
# ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(KERAS_SUPPORTED))
def test_keras_port_is_equivalent_to_the_tf1_graph(name, tmp_path):
    source = _program(name)
    if name in PY2:
        source = py2.to_python3(source)
    r = recognize(source, filename=name)
    assert r.complete and r.unrecognized == []
    code, results = _keras(name)
    assert all(res.unconverted == [] for res in results), [res.unconverted for res in results]
    program = _code_cells(code) if name.endswith(".ipynb") else code
    ast.parse(program)
    path = tmp_path / f"gen_{Path(name).stem}.py"
    path.write_text(program)
    spec_ = importlib.util.spec_from_file_location(f"gen_{Path(name).stem}", path)
    module = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(module)
    model = module.build_model()
    spec = r.spec
    legacy = pipelines.build_legacy_graph(spec, r.steps, r.runner)
    rng = np.random.default_rng(0)
    values = legacy.random_values(rng)
    legacy.set_values(values)
    models.set_tf1_weights(model, spec, *pipelines.tf1_values_for_keras(legacy, values))
    x = rng.normal(size=(3, r.steps, spec.input_size)).astype(np.float32)
    want = legacy.run(legacy.outputs["logits"], x)
    got = np.asarray(model(x, training=False))
    assert got.shape == want.shape
    assert np.max(np.abs(got - want)) <= 1e-6


@pytest.mark.parametrize("name", sorted(set(FIXTURES) - KERAS_SUPPORTED - TF2))
def test_keras_port_lists_reasons_and_changes_nothing(name):
    code, results = _keras(name)
    # never a silent partial port: the TF1 program kept, its unported lines marked
    marks = [line for line in code.split("\n") if "# rnn-migrate:" in line]
    assert marks and all("(--to keras)" in line for line in marks)
    if not name.endswith(".ipynb"):
        assert "\n".join(line for line in code.split("\n") if line not in marks) \
            == _text(name)
    unconverted = [u for res in results for u in res.unconverted]
    assert unconverted
    assert all(isinstance(u.line, int) and u.line > 0 and u.reason and u.col >= 1
               and "--to compat" in u.todo for u in unconverted)


# ------------------------------------------------------------------------------------
# no-op: porting a port again changes nothing
# ------------------------------------------------------------------------------------
# by default the notebooks, the Python 2 programs and two TF 1.x ones; all with -m slow
AGAIN = set(NOTEBOOKS) | PY2 | {"m01_basic_rnn_static.py", "c19_seq2seq_decoder.py"}


@pytest.mark.parametrize("name", [n if n in AGAIN else pytest.param(n, marks=pytest.mark.slow)
                                  for n in FIXTURES])
def test_porting_again_changes_nothing(name):
    for target, port in (("compat", _compat), ("keras", _keras)):
        code, _ = port(name)
        if name.endswith(".ipynb"):
            again, _ = port_notebook(code, target=target)
        else:
            again = port_source(code, target=target, filename=name).code
        assert again == code, target


# ------------------------------------------------------------------------------------
# the report names every unconvertible construct
# ------------------------------------------------------------------------------------
def test_unconvertible_constructs_are_reported_and_marked(tmp_path):
    source = _text(UNCONVERTIBLE)
    code, (result,) = _compat(UNCONVERTIBLE)
    lines = source.split("\n")
    expected = {}
    for construct in ("tf.contrib.crf", "tf.contrib.slim"):
        expected[construct] = 1 + next(i for i, l in enumerate(lines)
                                          if construct in l and not l.startswith("#"))
    reported = {(u.line, u.reason) for u in result.unconverted}
    for construct, line in expected.items():
        assert any(ln == line and construct in reason for ln, reason in reported), construct
        marker = f"# rnn-migrate: {construct} is not provided by legacy_compat"
        assert marker in code
    assert result.exit_code == 1
    report = tmp_path / "r.json"
    assert port_path(MATRIX / UNCONVERTIBLE, out=tmp_path / "o.py", report=report) == 1
    data = json.loads(report.read_text())
    assert sorted(u["line"] for u in data["files"][0]["unconverted"]) == sorted(expected.values())


# ------------------------------------------------------------------------------------
# Python 2 kernels, NumPy 2, TF 2 programs (issue 8)
# ------------------------------------------------------------------------------------
def test_python2_kernel_notebook_is_converted_as_python2():
    """n15 parses as Python 3 everywhere; its kernelspec makes it Python 2: fissix's whole
    fixer set runs (the lists of map/zip/filter/keys(), print(a, b) a tuple) and every
    change is reported by line."""
    program = _program("n15_py2_kernel_notebook.ipynb")
    ast.parse(program)
    assert not py2.has_py2_markers(ast.parse(program))
    code, results = _compat("n15_py2_kernel_notebook.ipynb")
    assert all(r.python2 for r in results)
    fissix = [c for r in results for c in r.changes if "fissix" in c.why]
    ported = _code_cells(code)
    for construct in ("list(hparams.keys())", "list(map(int", "list(zip(",
                      'print(("readout:", len(readout)))'):
        assert construct in ported and any(construct in c.new for c in fissix), construct


def test_tf2_program_is_left_unchanged():
    """t18 (tf.keras + GradientTape + tf.data + tf.function, nothing TF1) is not ported:
    the code is the input byte for byte, exit 0, and the report says it is TF 2 already."""
    code, (result,) = _compat("t18_tf2_eager.py")
    assert code == _text("t18_tf2_eager.py") and result.tf2 and result.exit_code == 0
    assert result.changes == [] and result.unconverted == []
    assert any("already a TF 2 program" in n.message for n in result.notes)


def test_numpy2_rewrites_are_reported_with_positions():
    """c17: every NumPy 2 rewrite is a reported change at the line:col of the original."""
    source = _text("c17_numpy2_aliases.py")
    code, (result,) = _compat("c17_numpy2_aliases.py")
    lines = source.split("\n")
    numpy_changes = [c for c in result.changes if "NumPy" in c.why]
    assert {c.new for c in numpy_changes} >= {"float", "int", "bool", "str"}
    for change in numpy_changes:
        assert lines[change.line - 1][change.col - 1:].startswith(change.old.split("\n")[0])
    assert "astype(float)" in code and "astype(np.float)" not in code
    assert code.count(".item()") == 2  # int(t.eval()) and float(sess.run(t))
