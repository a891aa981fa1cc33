"""What the compat porter knows, as data (the engine is in :mod:`tools.porter.compat.codemods`).

Nothing here is a second list of TF spellings or module paths:

* module rewrites come from the layout of the ``legacy_compat`` package itself, whose
  module paths mirror the removed TF1 ones (see ``legacy_compat/__init__.py``):
  ``tensorflow.X.Y`` becomes ``legacy_compat.X.Y`` exactly when that module exists;
* the names a mirror module provides are read from its source (never imported);
* the TF 0.x spellings come from :data:`legacy_compat.spellings.SPELLINGS`, and the
  ``tf.layers`` names ``legacy_compat.v1`` serves from :data:`legacy_compat.spellings.V1_LAYERS`.

What remains here is which ``tf.contrib`` modules ``legacy_compat.v1`` serves, and hints
for what it does not.
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
    "layers": (
        "use tf.layers.dense/dropout/flatten (served by legacy_compat.layers), "
        "tf.glorot_uniform_initializer for xavier_initializer, or Keras 3 layers"
    ),
    "seq2seq": "no legacy_compat counterpart: port the decoder by hand or to a Keras 3 RNN",
    "legacy_seq2seq": "no legacy_compat counterpart: rewrite with tf.nn.static_rnn loops by hand",
    "slim": "use Keras 3 layers (or the tf_slim package for TF1-style code)",
    "learn": "use Keras 3 (model.fit) instead of tf.contrib.learn",
    "cudnn_rnn": "use legacy_compat's LSTMCell/GRUCell or Keras 3 LSTM/GRU",
    "framework": "use the tf.compat.v1 equivalent (e.g. tf.train.get_or_create_global_step)",
    "metrics": "use tf.metrics (tf.compat.v1.metrics) or keras.metrics",
    "training": "use tf.data for input pipelines and tf.train for schedules",
}
CONTRIB_DEFAULT_HINT = (
    "legacy_compat recreates only tf.contrib.rnn: use the TF 2 / Keras 3 replacement named "
    "in the contrib sunset RFC, or its tf.compat.v1 equivalent"
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
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
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
    if path.name == "__init__.py":
        for child in path.parent.iterdir():
            if child.suffix == ".py" and child.stem != "__init__":
                names.add(child.stem)
            elif (child / "__init__.py").is_file():
                names.add(child.name)
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
