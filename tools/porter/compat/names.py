"""What the compat porter knows, as data (the engine is in :mod:`tools.porter.compat.codemods`).

Nothing here is a second list of TF spellings or module paths:

* module rewrites come from the layout of the ``legacy_compat`` package itself, whose
  module paths mirror the removed TF1 ones (see ``legacy_compat/__init__.py``):
  ``tensorflow.X.Y`` becomes ``legacy_compat.X.Y`` exactly when that module exists;
* the names a mirror module provides are read from its source (never imported);
* the TF 0.x spellings come from :data:`legacy_compat.spellings.SPELLINGS`, and the
  ``tf.layers`` names ``legacy_compat.v1`` serves from :data:`legacy_compat.spellings.V1_LAYERS`.

What remains here is which ``tf.contrib`` modules ``legacy_compat.v1`` serves, and hints
for what it does not; what makes a program TF 2 (its markers, and TF 2's API read from the
installed TensorFlow's API files, never imported); and NumPy 1's aliases and what returns
NumPy values, for the NumPy 2 rewrites.
"""
import ast
import functools
import importlib.util
from pathlib import Path

from legacy_compat import spellings as _spellings

SPELLINGS = _spellings.SPELLINGS

MARKER = "# rnn-migrate:"

#: Whole-namespace imports: ``import tensorflow as tf`` and TF 1.15's ``tensorflow.compat.v1``.
NAMESPACE_MODULES = {
    "tensorflow": "legacy_compat.v1",
    "tensorflow.compat.v1": "legacy_compat.v1",
    "tensorflow.compat": "legacy_compat",  # from tensorflow.compat import v1 as tf
}

#: ``tf.layers`` names legacy_compat.v1 serves from legacy_compat.layers (owned by
#: :data:`legacy_compat.spellings.V1_LAYERS`); every other ``tf.layers`` name raises
#: "not available with Keras 3".
V1_LAYERS = _spellings.V1_LAYERS


CONTRIB_HINTS = {
    "crf": "use tensorflow_addons.text.crf_log_likelihood / crf_decode (or a Keras 3 CRF layer)",
    "slim": "use Keras 3 layers (or the tf_slim package for TF1-style code)",
    "learn": "use Keras 3 (model.fit) instead of tf.contrib.learn",
    "cudnn_rnn": "use legacy_compat's LSTMCell/GRUCell or Keras 3 LSTM/GRU",
    "framework": "use the tf.compat.v1 equivalent (e.g. tf.train.get_or_create_global_step)",
    "metrics": "use tf.metrics (tf.compat.v1.metrics) or keras.metrics",
    "training": "use tf.data for input pipelines and tf.train for schedules",
}
CONTRIB_DEFAULT_HINT = (
    "legacy_compat recreates only the tf.contrib modules of legacy_compat.contrib: use the "
    "TF 2 / Keras 3 replacement named in the contrib sunset RFC, or its tf.compat.v1 "
    "equivalent"
)
LAYERS_HINT = (
    "legacy_compat serves only tf.layers.{names}; rewrite with keras.layers or tf.nn ops"
).format(names="/".join(V1_LAYERS))

#: 2to3 markers that make a file that parses as Python 3 still count as Python 2 input.
PY2_NAMES = frozenset(
    {"xrange", "raw_input", "unicode", "basestring", "long", "unichr", "execfile", "cmp"}
)
PY2_ATTRIBUTES = frozenset({"iteritems", "itervalues", "iterkeys", "has_key"})


@functools.lru_cache(maxsize=None)
def legacy_root():
    """The directory of the ``legacy_compat`` package (found without importing it)."""
    spec = importlib.util.find_spec("legacy_compat")
    return Path(list(spec.submodule_search_locations)[0])


def _contrib_modules():
    """The ``tf.contrib`` modules legacy_compat provides: the modules of its ``contrib``
    package (as ``legacy_compat.contrib.PROVIDED`` lists them), read without importing."""
    folder = legacy_root() / "contrib"
    return tuple(sorted(
        p.stem for p in folder.iterdir() if not p.name.startswith("_")
        and ((p.is_dir() and (p / "__init__.py").is_file()) or p.suffix == ".py")))

#: Dotted paths below ``tensorflow`` that ``import legacy_compat.v1 as tensorflow`` serves
#: as attributes, so ``import tensorflow.<path>`` (no alias) can become that line.
V1_ATTRIBUTE_PATHS = ("contrib.rnn", "nn", "nn.rnn_cell", "train", "layers", "compat.v1")

#: The ``tf.contrib`` modules legacy_compat.v1 serves.
V1_CONTRIB = _contrib_modules()


@functools.lru_cache(maxsize=None)
def module_file(dotted):
    """The source file of ``legacy_compat.<...>`` module ``dotted``, or None."""
    parts = dotted.split(".")
    if parts[0] != "legacy_compat":
        return None
    base = legacy_root().joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=None)
def exports(dotted):
    """Names module ``dotted`` provides (frozenset), or None when it may provide any name."""
    path = module_file(dotted)
    if path is None:
        return frozenset()
    names = file_exports(path)
    if names is None:
        return None
    if path.name == "__init__.py":
        names = set(names)
        for child in path.parent.iterdir():
            if child.suffix == ".py" and child.stem != "__init__":
                names.add(child.stem)
            elif (child / "__init__.py").is_file():
                names.add(child.name)
    return frozenset(names)


@functools.lru_cache(maxsize=None)
def file_exports(path):
    """Names the module file ``path`` binds at top level (frozenset), or None when a module
    ``__getattr__`` may provide any name; ``setattr(module, "name", ...)`` calls count."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "setattr"
                and len(node.value.args) == 3 and isinstance(node.value.args[1], ast.Constant)):
            names.add(node.value.args[1].value)  # TF's lazily loaded tf.keras, tf.losses...
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == "__getattr__":
                return None
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*" and node.module and node.level == 0:
                    more = exports(node.module)
                    if more is None:
                        return None
                    names.update(more)
                else:
                    names.add(alias.asname or alias.name)
    return frozenset(names)


def provides(dotted, name):
    found = exports(dotted)
    return found is None or name in found


def mirror_module(tf_dotted):
    """``legacy_compat`` module replacing TF module ``tf_dotted`` (``tensorflow...``), or None."""
    if tf_dotted in NAMESPACE_MODULES:
        return NAMESPACE_MODULES[tf_dotted]
    head, _, rest = tf_dotted.partition(".")
    if head != "tensorflow" or not rest or rest.split(".")[0] in ("v1", "compat"):
        return None
    target = "legacy_compat." + rest
    return target if module_file(target) is not None else None


SPELLINGS_BY_PATH = {"tensorflow." + s.old_path.split(".", 1)[1]: s for s in SPELLINGS}


# --- TF 2 programs: left as they are ---------------------------------------------------
#: Uses that make a program a TF 2 program (eager: Keras, tapes, tf.data, tf.function)
#: when nothing in it is TF1-only (:func:`tf2_provides`); qualified-name prefixes.
TF2_MARKERS = ("tensorflow.keras", "keras", "tensorflow.GradientTape", "tensorflow.data",
               "tensorflow.function")

#: TF1 whatever TF 2 still ships: the v1 namespace, and what legacy_compat recreates.
TF1_PREFIXES = ("tensorflow.compat.v1", "tensorflow.compat.v2.compat.v1", "legacy_compat")


@functools.lru_cache(maxsize=None)
def tf2_module_file(dotted):
    """The API file of TF 2 namespace ``dotted`` (``tensorflow``, ``tensorflow.nn``...) of
    the installed TensorFlow, found without importing it; None when there is none."""
    spec = importlib.util.find_spec("tensorflow")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(list(spec.submodule_search_locations)[0])
    parts = dotted.split(".")
    path = root.joinpath("_api", "v2", *parts[1:], "__init__.py") if parts[1:] \
        else root / "__init__.py"
    return path if parts[0] == "tensorflow" and path.is_file() else None


def tf2_provides(tf_dotted):
    """Whether TF 2's public API has ``tensorflow.a.b...`` (read from the installed
    TensorFlow's generated API files; attributes of classes and of lazily loaded modules
    such as ``tf.keras`` are not checked). None when TensorFlow is not installed."""
    if tf2_module_file("tensorflow") is None:
        return None
    parts = tf_dotted.split(".")
    for k in range(1, len(parts)):
        path = tf2_module_file(".".join(parts[:k]))
        if path is None:
            return True
        found = file_exports(path)
        if found is not None and parts[k] not in found:
            return False
    return True


# --- NumPy 2 ----------------------------------------------------------------------------
#: The aliases of builtin types that NumPy 1.20 deprecated, with the builtin each one was
#: (NumPy 1.20.0 release notes, "Using the aliases of builtin types like np.int is
#: deprecated"). NumPy 1.24 / 2.0 removed them (AttributeError), except ``np.bool`` and
#: ``np.long``, which NumPy 2 reintroduced as ``np.bool_`` and the C ``long`` type: the
#: builtin keeps NumPy 1's meaning in every case.
NUMPY_BUILTIN_ALIASES = {"float": "float", "int": "int", "bool": "bool", "object": "object",
                         "str": "str", "long": "int", "unicode": "str", "complex": "complex"}

#: ``numpy`` functions that always return an ndarray or a NumPy scalar (never a Python
#: object), so ``int(np.f(...))`` may be ``int(np.f(...).item())`` (see NumPy 2 in codemods).
NUMPY_ARRAY_FUNCTIONS = frozenset({
    "array", "asarray", "asanyarray", "ascontiguousarray", "copy", "zeros", "ones", "empty",
    "full", "zeros_like", "ones_like", "empty_like", "full_like", "arange", "linspace",
    "reshape", "ravel", "squeeze", "expand_dims", "transpose", "concatenate", "stack",
    "hstack", "vstack", "take", "where", "argmax", "argmin", "max", "min", "amax", "amin",
    "sum", "prod", "mean", "std", "var", "median", "cumsum", "dot", "matmul", "exp", "log",
    "sqrt", "abs", "absolute", "round", "around", "floor", "ceil", "clip", "maximum",
    "minimum", "equal", "not_equal", "greater", "less", "logical_and", "logical_or",
})

#: ndarray methods and attributes that return an ndarray or a NumPy scalar.
NDARRAY_METHODS = frozenset({
    "reshape", "ravel", "flatten", "squeeze", "transpose", "astype", "copy", "sum", "prod",
    "mean", "std", "var", "max", "min", "argmax", "argmin", "cumsum", "round", "clip", "dot",
})
NDARRAY_ATTRIBUTES = frozenset({"T", "real", "imag"})

#: What a TF1 program's session returns: ``<session>.run(...)`` of one of these, and
#: ``<tensor>.eval()``, are NumPy values (normalized TF names).
TF_SESSIONS = frozenset({"tensorflow.Session", "tensorflow.InteractiveSession",
                         "tensorflow.train.MonitoredSession",
                         "tensorflow.train.MonitoredTrainingSession",
                         "tensorflow.train.SingularMonitoredSession"})
