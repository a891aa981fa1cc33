"""``rnn-migrate demo``: port the bundled TF1 tutorial and train both sides side by side.

The demo takes the legacy tutorial shipped with the project as package data of this
package (``tools/demo/tutorial/mnist_lstm_static_rnn.py``, read with
:mod:`importlib.resources`; ``examples/tf1/mnist_lstm_static_rnn.py`` in a checkout is a
link to it: a ``BasicLSTMCell`` unrolled by ``static_rnn`` over the 28 rows of an MNIST
digit, readout ``outputs[-1] @ W + b``) and

1. ports it to Keras 3 with the porter (``tools.porter.keras.writer.port_to_keras``) when it
   is installed, printing (or, with ``--out-dir``, writing) the ported source and the
   pipeline the recogniser found;
2. obtains the pipeline's :class:`modern.models.RNNSpec` from the recogniser
   (``tools.porter.keras.recognize.recognize``), or, when the porter is absent or fails, from
   :func:`fallback_pipeline`, which reads the tutorial's module constants with
   :mod:`ast` (the tutorial is never executed);
3. loads the same initial weights into the TF1 graph (``legacy_compat``) and the Keras
   model (``modern``) and compares their outputs on the first test batch *before
   training*;
4. trains both on the embedded MNIST from the same initial weights on the same batches
   (:func:`train_sides`): the TF1 graph with TF1's optimizer in a ``Session``
   (:func:`tools.proof.accuracy.train_legacy`) and, on the Keras side, *the ported
   program itself*: its ``build_model()`` and ``compile_model()`` trained with
   ``train_on_batch`` as its ``main()`` does (the TF1 weights loaded into it), so the
   times shown are those of the program the user gets; without a port (porter absent or
   failed) the Keras side is :func:`tools.proof.accuracy.train_keras`'s model. It prints
   a table: max |Δ| before training, the loss after N steps, test accuracy, ms per step
   (and the Keras/TF1 ratio) and wall time of each side, plus a verdict line;
5. writes a PNG of the two loss curves (matplotlib, Agg), which lie on top of each
   other.

Defaults (500 steps of 128 on 20,000 training images, the full 10,000-image test set)
take about a minute on 2 CPU cores; ``--steps``, ``--train-size``, ``--test-size``,
``--units``, ``--batch-size`` and ``--seed`` scale it.

Files: the PNG (``--png``, default ``demo_loss_curves.png`` in the current directory)
and the ported source (``--out-dir``) are overwritten only when they are previous demo
outputs (the PNG carries a ``Software: rnn-migrate demo`` tag, the ported source starts
with the porter's header), otherwise the demo refuses unless ``--force``.

:func:`run_demo` runs it with the :class:`DemoOptions` of ``rnn-migrate demo`` and prints
through a printer object (``line``, ``table``, ``progress``: :class:`tools.cli.output.Printer`);
it returns 0 (success) or 1 (the two sides disagree before training, above
:data:`FORWARD_TOLERANCE`) and raises :class:`DemoError` (``code`` 1: the tutorial is
missing; 2: a bad option or a refused overwrite, nothing trained). The command line
(argument parsing, error lines, exit codes) is :mod:`tools.cli.demo`.

Only the standard library is imported at module level: ``rnn-migrate``'s parser imports
this module for the demo's help text.
"""
import ast
import contextlib
import dataclasses
import importlib
import importlib.resources
import importlib.util
import os
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from tools.proof.tolerances import REAL_SIZE_FORWARD

# The bundled legacy tutorial: package data (tools/demo/tutorial/), read with importlib.resources.
TUTORIAL_NAME = "mnist_lstm_static_rnn.py"
TUTORIAL_PATH = importlib.resources.files(__name__) / "tutorial" / TUTORIAL_NAME

DEFAULT_STEPS = 500
DEFAULT_TRAIN_SIZE = 20000
DEFAULT_TEST_SIZE = 10000
DEFAULT_PNG = "demo_loss_curves.png"
MNIST_TRAIN, MNIST_TEST = 60000, 10000
# The Keras model and the TF1 graph, same weights, same inputs: max |Δ| allowed (a
# real-size model; the reason is in tools.proof.tolerances, which imports nothing heavy).
FORWARD_TOLERANCE = REAL_SIZE_FORWARD
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_SOFTWARE_TAG = "rnn-migrate demo"
PORTED_NAME = "mnist_lstm_static_rnn_keras.py"
PORTED_HEADER = '"""Keras 3 port of'

# The module constants the fallback reads (the tutorial's names).
TUTORIAL_CONSTANTS = ("num_hidden", "timesteps", "num_input", "num_classes",
                      "learning_rate", "batch_size")


@dataclasses.dataclass
class DemoOptions:
    """The demo's settings (``rnn-migrate demo``'s options; ``None``: the tutorial's value)."""

    steps: int = DEFAULT_STEPS
    train_size: int = DEFAULT_TRAIN_SIZE
    test_size: int = DEFAULT_TEST_SIZE
    units: Optional[int] = None
    batch_size: Optional[int] = None
    seed: int = 0
    png: str = DEFAULT_PNG
    out_dir: Optional[str] = None
    no_source: bool = False
    force: bool = False


class DemoError(Exception):
    """A problem reported to the user; ``code`` is the exit status."""

    def __init__(self, message, code=2):
        super().__init__(message)
        self.code = code


@dataclasses.dataclass
class TutorialPipeline:
    """What the demo needs from the tutorial: the spec, runner and training settings."""

    spec: object  # modern.models.RNNSpec
    runner: str
    time_steps: int
    learning_rate: float
    batch_size: int
    optimizer: str = "adam"
    source: str = "fallback"  # "recogniser" or "fallback"


# --------------------------------------------------------------------------
# the tutorial -> the pipeline
# --------------------------------------------------------------------------
def tutorial_source(path=None) -> str:
    """The tutorial's text (default :data:`TUTORIAL_PATH`, this package's data)."""
    path = TUTORIAL_PATH if path is None else path
    if isinstance(path, (str, os.PathLike)):
        path = Path(path)
    if not path.is_file():
        raise DemoError(f"the bundled legacy tutorial is missing: {path} (package data of "
                        "tools.demo, in tools/demo/tutorial/: reinstall the kit)", code=1)
    return path.read_text(encoding="utf-8")


def _literal(node):
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def tutorial_constants(source: str) -> Dict[str, object]:
    """The tutorial's numeric module constants, read with :mod:`ast` (nothing executed).

    Returns ``{name: value}`` for :data:`TUTORIAL_CONSTANTS` (plain ``name = literal``
    assignments at module level; the last assignment wins) and ``forget_bias``: the
    literal ``forget_bias=`` keyword of the ``BasicLSTMCell(...)`` call, else TF1's
    default 1.0.
    """
    tree = ast.parse(source)
    found: Dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in TUTORIAL_CONSTANTS:
                literal = _literal(value)
                if literal is not None:
                    found[target.id] = literal
    found["forget_bias"] = 1.0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "BasicLSTMCell":
                for keyword in node.keywords:
                    if keyword.arg == "forget_bias" and _literal(keyword.value) is not None:
                        found["forget_bias"] = float(_literal(keyword.value))
    return found


def fallback_pipeline(source: str) -> TutorialPipeline:
    """The pipeline of the bundled tutorial from its module constants (ast only).

    The tutorial's structure is known (BasicLSTMCell(num_hidden, forget_bias) run by
    ``static_rnn`` over ``timesteps`` steps of ``num_input``, readout to
    ``num_classes``, Adam at ``learning_rate``, batches of ``batch_size``); only its
    numbers are read, by :func:`tutorial_constants`.
    """
    from modern.models import CellSpec, RNNSpec

    constants = tutorial_constants(source)
    missing = [name for name in TUTORIAL_CONSTANTS if name not in constants]
    if missing:
        raise DemoError("the tutorial does not define the module constants "
                        f"{', '.join(missing)} (expected plain `name = number` assignments)",
                        code=1)
    spec = RNNSpec(cells=(CellSpec("BasicLSTMCell", int(constants["num_hidden"]),
                                   forget_bias=float(constants["forget_bias"])),),
                   input_size=int(constants["num_input"]),
                   num_classes=int(constants["num_classes"]))
    return TutorialPipeline(spec=spec, runner="static_rnn",
                            time_steps=int(constants["timesteps"]),
                            learning_rate=float(constants["learning_rate"]),
                            batch_size=int(constants["batch_size"]), source="fallback")


def _module_exists(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def recognised_pipeline(source: str, filename: str):
    """``(TutorialPipeline or None, RecognizedPipeline or None, note)`` from the porter."""
    if not _module_exists("tools.porter.keras.recognize"):
        return None, None, "tools.porter.keras.recognize is not installed"
    try:
        recognize = importlib.import_module("tools.porter.keras.recognize").recognize
        found = recognize(source, filename=filename)
    except Exception as error:  # the porter is another component: fall back, say why
        return None, None, f"the recogniser failed ({type(error).__name__}: {error})"
    spec = getattr(found, "spec", None)
    if (spec is None or getattr(found, "runner", None) is None
            or not getattr(spec, "num_classes", None) or found.steps is None):
        return None, found, "the recogniser did not find the whole pipeline"
    optimizer = found.optimizer if found.optimizer in ("adam", "sgd") else "adam"
    pipeline = TutorialPipeline(
        spec=spec, runner=found.runner, time_steps=int(found.steps),
        learning_rate=float(found.learning_rate or 1e-3),
        batch_size=int(found.batch_size or 128), optimizer=optimizer, source="recogniser")
    return pipeline, found, ""


def port_tutorial(source: str, filename: str):
    """Port the tutorial with ``tools.porter.keras.writer`` when it is installed and works.

    Returns ``(new_source or None, changes, unconverted, note)``; ``note`` says why
    there is no source (porter absent, failed, or generated nothing), else ``""``.
    """
    if not _module_exists("tools.porter.keras.writer"):
        return None, [], [], "tools.porter.keras.writer is not installed: no Keras source shown"
    try:
        port_to_keras = importlib.import_module("tools.porter.keras.writer").port_to_keras
        result = port_to_keras(source, filename=filename)
        new_source, changes, unconverted = tuple(result)[:3]
    except Exception as error:
        return None, [], [], f"the porter failed ({type(error).__name__}: {error})"
    if new_source == source:
        return None, list(changes), list(unconverted), "the porter generated no Keras source"
    return new_source, list(changes), list(unconverted), ""


def load_ported(source: str, name: str = "ported_program"):
    """The ported program ``source`` as a module (its ``build_model()`` and
    ``compile_model()``; ``main()`` runs only under ``__main__``, so nothing trains)."""
    import sys
    import tempfile
    import types

    module = types.ModuleType(name)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        module.__file__ = str(path)
        sys.modules[name] = module  # keras' serializable classes look their module up
        try:
            exec(compile(source, str(path), "exec"), module.__dict__)
        finally:
            sys.modules.pop(name, None)
    return module


def with_units(source: str, units: int) -> str:
    """The tutorial with ``num_hidden = units`` (``--units``), to port a model of that size."""
    import re

    new, count = re.subn(r"^num_hidden\s*=\s*\d+", f"num_hidden = {int(units)}", source,
                         flags=re.M)
    if count != 1:
        raise DemoError("the tutorial has no single `num_hidden = N` line to resize", code=1)
    return new


def _ported_side(module, spec, runner, values):
    """``(step, predict)`` of the ported program's model as its ``main()`` trains it
    (``compile_model(build_model())``, one ``train_on_batch`` per batch), from the TF1
    ``values``."""
    import numpy as np

    from modern import models
    from tools.proof import pipelines

    model = module.compile_model(module.build_model())
    models.set_tf1_weights(model, spec, *pipelines.split_tf1_values(spec, runner, values))
    return (lambda x, y: model.train_on_batch(x, y)[0],
            lambda x: np.asarray(model(x, training=False)))  # eager: no predict trace


def _legacy_side(spec, runner, time_steps, values, optimizer, learning_rate):
    """``(step, predict)`` of the TF1 graph (TF1's optimizer in its ``Session``)."""
    from tools.proof import pipelines

    legacy = pipelines.build_legacy_graph(spec, time_steps, runner, training=True, optimize=True)
    if optimizer not in legacy.training:
        raise DemoError(f"the tutorial's optimizer {optimizer!r} has no TF1 train op here")
    labels, lr, loss, train_op, reset = legacy.training[optimizer]
    legacy.set_values(values)
    legacy.session.run(reset)  # fresh optimizer slots (the graph is cached)
    feed = {lr: learning_rate}
    return (lambda x, y: legacy.run([loss, train_op], x, extra_feed={labels: y, **feed})[0],
            lambda x: legacy.run(legacy.outputs["logits"], x))


def train_sides(spec, runner, module, *, train_images, train_labels, test_images,
                test_labels, steps, batch_size, optimizer, learning_rate, seed,
                initial_values, progress=None):
    """:func:`tools.proof.accuracy.train_both`'s comparison with the ported program
    ``module`` as the Keras side (``None``: ``train_both`` itself, its own Keras model).

    Same initial weights, same batches (``train_both``'s seed streams). The two sides
    take turns, one step each, so a change of machine load hits both alike and the ms
    per step of the two are comparable; each side's step is timed on its own.
    """
    import numpy as np

    from tools.proof import accuracy

    if module is None:
        return accuracy.train_both(
            spec, runner, train_images=train_images, train_labels=train_labels,
            test_images=test_images, test_labels=test_labels, steps=steps,
            batch_size=batch_size, optimizer=optimizer, learning_rate=learning_rate,
            seed=seed, initial_values=initial_values, progress=progress)
    train_x = accuracy.prepare_images(train_images, spec)
    test_x = accuracy.prepare_images(test_images, spec)
    train_y = accuracy.one_hot(train_labels, spec.num_classes)
    test_y = accuracy.one_hot(test_labels, spec.num_classes)
    indices = accuracy.batch_indices(len(train_x), steps, batch_size,
                                     np.random.default_rng([seed, 1]))
    sides = {"legacy": _legacy_side(spec, runner, train_x.shape[1], initial_values,
                                    optimizer, learning_rate),
             "keras": _ported_side(module, spec, runner, initial_values)}
    losses = {side: [] for side in sides}
    spent = {side: 0.0 for side in sides}
    first = dict(spent)
    for i, idx in enumerate(indices):
        x, y = train_x[idx], train_y[idx]
        for side in (list(sides) if i % 2 == 0 else list(sides)[::-1]):
            begin = time.perf_counter()
            losses[side].append(float(sides[side][0](x, y)))
            spent[side] += time.perf_counter() - begin
            if i == 0:
                first[side] = spent[side]
            if progress is not None:
                progress(side, i + 1)
    result = {}
    for side, (_, predict) in sides.items():
        begin = time.perf_counter()
        logits = np.concatenate([np.asarray(predict(test_x[i:i + accuracy.EVAL_CHUNK]))
                                 for i in range(0, len(test_x), accuracy.EVAL_CHUNK)])
        eval_s = time.perf_counter() - begin
        result[side] = accuracy._side_result(losses[side], logits, test_y, spent[side],
                                             first[side], eval_s, steps)
    result["config"] = {"runner": runner, "steps": steps, "batch_size": batch_size,
                        "optimizer": optimizer, "learning_rate": learning_rate, "seed": seed,
                        "train_size": len(train_x), "test_size": len(test_x),
                        "time_steps": train_x.shape[1]}
    return result


# --------------------------------------------------------------------------
# option values and files
# --------------------------------------------------------------------------
def _is_demo_png(path: Path) -> bool:
    try:
        head = path.read_bytes()[:65536]
    except OSError:
        return False
    return head.startswith(PNG_MAGIC) and PNG_SOFTWARE_TAG.encode() in head


def _is_ported_source(path: Path) -> bool:
    try:
        return path.read_text(encoding="utf-8", errors="replace").startswith(PORTED_HEADER)
    except OSError:
        return False


def _check_output(path: Path, is_ours, force, what):
    if path.exists() and (path.is_dir() or not (force or is_ours(path))):
        if path.is_dir():
            raise DemoError(f"{what} {path} is a directory")
        raise DemoError(f"{what} {path} exists and is not a previous demo output; "
                        "pass --force to overwrite it")
    if not path.parent.is_dir():
        raise DemoError(f"{what} {path}: directory {path.parent} does not exist")


def check_options(args: DemoOptions, pipeline: TutorialPipeline):
    """Raise :class:`DemoError` (exit 2) for option values the run cannot use."""
    if args.train_size > MNIST_TRAIN:
        raise DemoError(f"--train-size {args.train_size} exceeds the {MNIST_TRAIN} MNIST "
                        "training images")
    if args.test_size > MNIST_TEST:
        raise DemoError(f"--test-size {args.test_size} exceeds the {MNIST_TEST} MNIST test "
                        "images")
    batch_size = args.batch_size or pipeline.batch_size
    if batch_size > args.train_size:
        raise DemoError(f"--batch-size {batch_size} exceeds --train-size {args.train_size}")
    if not args.png or not args.png.strip():
        raise DemoError("--png needs a file name")
    if importlib.util.find_spec("matplotlib") is None:
        raise DemoError("the loss-curve PNG needs matplotlib: pip install matplotlib")
    _check_output(Path(args.png), _is_demo_png, args.force, "--png")
    if args.out_dir is not None:
        out_dir = Path(args.out_dir)
        if out_dir.exists() and not out_dir.is_dir():
            raise DemoError(f"--out-dir {out_dir} is not a directory")
        if out_dir.is_dir():
            _check_output(out_dir / PORTED_NAME, _is_ported_source, args.force,
                          "ported source")


# --------------------------------------------------------------------------
# the comparison, the table, the PNG
# --------------------------------------------------------------------------
def forward_difference(spec, runner, time_steps, values, x) -> Tuple[float, Dict[str, float]]:
    """Max |Δ| of every output (sequence, final states, logits) of the TF1 graph and the
    Keras model holding the same ``values`` (TF1 full names), on inputs ``x``."""
    from modern import models
    from tools.proof import harness, pipelines

    legacy = pipelines.build_legacy_graph(spec, time_steps, runner, training=True, optimize=True)
    model = models.build_keras_model(spec, time_steps)
    harness.load_same_weights(legacy, model, values)
    result = harness.compare_outputs(legacy, model, x)
    return (result.max_diff if result.diffs else float("inf")), result.diffs


def write_png(path, legacy_losses: List[float], keras_losses: List[float], *, title: str):
    """The two loss curves (and their |Δ| per step, log scale) to ``path`` (Agg)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    steps = np.arange(1, len(legacy_losses) + 1)
    legacy = np.asarray(legacy_losses, np.float64)
    keras_ = np.asarray(keras_losses, np.float64)
    figure = Figure(figsize=(8, 6), dpi=100)
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    top.plot(steps, legacy, color="tab:blue", linewidth=3.0, alpha=0.6,
             label="TF1 graph (legacy_compat, tf.compat.v1 Session)")
    top.plot(steps, keras_, color="tab:orange", linewidth=1.2, linestyle="--",
             label="Keras 3 model (modern)")
    top.set_ylabel("training loss (softmax cross-entropy)")
    top.set_title(title, fontsize=10)
    top.legend(loc="upper right")
    top.grid(True, alpha=0.3)
    delta = np.abs(legacy - keras_)
    bottom.semilogy(steps, np.maximum(delta, 1e-12), color="tab:gray", linewidth=1.0)
    bottom.set_xlabel("training step")
    bottom.set_ylabel("|Δ loss|")
    bottom.grid(True, alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, format="png", metadata={"Software": PNG_SOFTWARE_TAG})


def _fmt_delta(value):
    return f"{value:.2g}"


def result_rows(result, forward_max, forward_batch):
    legacy, keras_ = result["legacy"], result["keras"]
    config = result["config"]
    steps = config["steps"]
    window = min(steps, _final_window())

    def delta(key):
        return _fmt_delta(abs(legacy[key] - keras_[key]))

    rows = [
        [f"max |Δ| outputs before training (first {forward_batch} test images)", "-", "-",
         _fmt_delta(forward_max)],
        [f"loss at step {steps}", f"{legacy['losses'][-1]:.4f}", f"{keras_['losses'][-1]:.4f}",
         _fmt_delta(abs(legacy["losses"][-1] - keras_["losses"][-1]))],
        [f"loss, mean of the last {window} steps", f"{legacy['final_loss']:.4f}",
         f"{keras_['final_loss']:.4f}", delta("final_loss")],
        [f"test accuracy ({config['test_size']} images)", f"{legacy['test_accuracy']:.4f}",
         f"{keras_['test_accuracy']:.4f}", delta("test_accuracy")],
        ["test loss", f"{legacy['test_loss']:.4f}", f"{keras_['test_loss']:.4f}",
         delta("test_loss")],
        ["ms per step (steady state)", f"{legacy['ms_per_step']:.1f}",
         f"{keras_['ms_per_step']:.1f}",
         f"Keras/TF1 {keras_['ms_per_step'] / max(legacy['ms_per_step'], 1e-9):.2f}x"],
        ["wall time, train + eval (s)", f"{legacy['wall_s']:.1f}", f"{keras_['wall_s']:.1f}",
         "-"],
    ]
    return rows


def _final_window():
    from tools.proof import accuracy

    return accuracy.FINAL_LOSS_WINDOW


def _loss_curve_delta(result):
    import numpy as np

    a = np.asarray(result["legacy"]["losses"], np.float64)
    b = np.asarray(result["keras"]["losses"], np.float64)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


# --------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------
@contextlib.contextmanager
def _quiet_tensorflow():
    """TF's deprecation notices (static_rnn, ...) silenced while the demo runs."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    logger, level = None, None
    try:
        import tensorflow as tf

        logger = tf.get_logger()
        level = logger.level
        logger.setLevel("ERROR")
    except ImportError:
        pass
    try:
        yield
    finally:
        if logger is not None:
            logger.setLevel(level)


def run_demo(options: DemoOptions, printer, *, started: Optional[float] = None) -> int:
    """Run the demo, printing through ``printer``; 0 equivalent, 1 not (see the module doc).

    ``started`` (a :func:`time.perf_counter` value) is where the reported wall time
    starts, default now. Raises :class:`DemoError` for a missing tutorial, a bad option
    value or a refused overwrite.
    """
    started = time.perf_counter() if started is None else started
    with _quiet_tensorflow():
        return _run(options, printer, started)


def _describe_spec(pipeline: TutorialPipeline):
    spec = pipeline.spec
    cells = " -> ".join(f"{c.cell_type}({c.units}, forget_bias={float(c.forget_bias)!r})"
                        if c.lstm_like else f"{c.cell_type}({c.units})" for c in spec.cells)
    return (f"{cells} run by {pipeline.runner} over {pipeline.time_steps} steps of "
            f"{spec.input_size} inputs, readout outputs[-1] @ W + b -> {spec.num_classes} "
            f"classes; {pipeline.optimizer} lr {pipeline.learning_rate:g}, batches of "
            f"{pipeline.batch_size}")


def _ported_for_training(source, filename, ported, spec, pipeline):
    """``(module or None, note)``: the ported program to train on the Keras side (ported
    again with ``num_hidden`` resized when ``--units`` changes it)."""
    if ported is None:
        return None, "no port, so the proof model (tools.proof.accuracy.train_keras)"
    units = spec.cells[0].units
    try:
        if units != pipeline.spec.cells[0].units:
            ported, _, _ = port_tutorial(with_units(source, units), filename)[:3]
        module = load_ported(ported)
    except Exception as error:  # the porter is another component: fall back, say why
        return None, (f"the ported program did not load ({type(error).__name__}: {error}), "
                      "so the proof model (tools.proof.accuracy.train_keras)")
    return module, ("the ported program's build_model() + compile_model(), one "
                    "train_on_batch per batch, as its main() trains")


def _run(args: DemoOptions, printer, started) -> int:
    source = tutorial_source()
    try:
        shown_path = Path(TUTORIAL_PATH).relative_to(Path.cwd())
    except (TypeError, ValueError):  # outside the current directory, or not a file system
        shown_path = TUTORIAL_PATH
    filename = TUTORIAL_PATH.name

    # 1. the pipeline: the recogniser, else the ast fallback (checked before anything heavy)
    pipeline, found, note = recognised_pipeline(source, filename)
    if pipeline is None:
        pipeline = fallback_pipeline(source)
    check_options(args, pipeline)

    printer.line(f"Legacy tutorial: {shown_path}")
    # 2. the port
    ported, changes, unconverted, port_note = port_tutorial(source, filename)
    if ported is not None:
        if args.out_dir is not None:
            out_dir = Path(args.out_dir)
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / PORTED_NAME
            target.write_text(ported, encoding="utf-8")
            printer.line(f"Ported to Keras 3 by tools.porter.keras.writer: wrote {target}")
        elif not args.no_source:
            printer.line("Ported to Keras 3 by tools.porter.keras.writer:")
            printer.line("-" * 72)
            printer.line(ported.rstrip("\n"))
            printer.line("-" * 72)
        else:
            printer.line("Ported to Keras 3 by tools.porter.keras.writer (source not shown: "
                         "--no-source)")
        if changes:
            printer.line("What the port changed:")
            for change in changes:
                printer.line(f"  - {change}")
    else:
        printer.line(f"Keras port: {port_note}")
    for line, reason in unconverted:
        printer.line(f"  not converted, line {line}: {reason}")
    if pipeline.source == "recogniser":
        printer.line(f"Recognised pipeline (tools.porter.keras.recognize): {_describe_spec(pipeline)}")
    else:
        printer.line(f"Pipeline from the tutorial's module constants (ast fallback; {note}): "
                     f"{_describe_spec(pipeline)}")

    # 3. the run's spec (--units overrides the tutorial's num_hidden)
    spec = pipeline.spec
    if args.units is not None and args.units != spec.cells[0].units:
        spec = dataclasses.replace(spec, cells=tuple(dataclasses.replace(c, units=args.units)
                                                     for c in spec.cells))
    batch_size = args.batch_size or pipeline.batch_size

    import numpy as np

    from legacy_compat.mnist import load_mnist_npz
    from tools.proof import accuracy, pipelines

    data = load_mnist_npz()
    train_images, train_labels = data["x_train"][:args.train_size], data["y_train"][:args.train_size]
    test_images, test_labels = data["x_test"][:args.test_size], data["y_test"][:args.test_size]

    # The shared initial weights, drawn as train_both would (TF1's initializers, seed).
    legacy = pipelines.build_legacy_graph(spec, pipeline.time_steps, pipeline.runner,
                                          training=True, optimize=True)
    shapes = {name: tuple(var.shape.as_list()) for name, var in legacy.all_variables.items()}
    values = pipelines.tf1_initial_values(shapes, np.random.default_rng([args.seed, 0]))
    forward_x = accuracy.prepare_images(test_images[:batch_size], spec)
    forward_max, _ = forward_difference(spec, pipeline.runner, pipeline.time_steps, values,
                                        forward_x)

    printer.line(f"Training both sides: {args.steps} steps of {batch_size} on "
                 f"{len(train_images)} MNIST training images, {pipeline.optimizer} lr "
                 f"{pipeline.learning_rate:g}, seed {args.seed}, LSTM units "
                 f"{spec.cells[0].units}; evaluating on {len(test_images)} test images ...")
    module, keras_note = _ported_for_training(source, filename, ported, spec, pipeline)
    printer.line(f"Keras side: {keras_note}")
    sides = {"legacy": "TF1 graph (legacy_compat)", "keras": "Keras 3 (modern)"}
    with printer.progress({label: args.steps for label in sides.values()}) as advance:
        result = train_sides(
            spec, pipeline.runner, module, train_images=train_images,
            train_labels=train_labels, test_images=test_images, test_labels=test_labels,
            steps=args.steps, batch_size=batch_size, optimizer=pipeline.optimizer,
            learning_rate=pipeline.learning_rate, seed=args.seed, initial_values=values,
            progress=lambda side, done: advance(sides[side], done))
    result["config"].setdefault("test_size", len(test_images))
    curve_delta = _loss_curve_delta(result)

    png = Path(args.png)
    existed = png.exists()
    write_png(png, result["legacy"]["losses"], result["keras"]["losses"],
              title=(f"{filename}: TF1 graph vs Keras 3, same weights and batches\n"
                     f"max |Δ| before training {forward_max:.2g}, loss curves max |Δ| "
                     f"{curve_delta:.2g} over {args.steps} steps"))

    wall = time.perf_counter() - started
    rows = result_rows(result, forward_max, len(forward_x))
    rows.append(["demo wall time (s)", "-", "-", f"{wall:.1f}"])
    printer.table(f"TF1 graph vs Keras 3 model: {spec.cells[0].cell_type}"
                  f"({spec.cells[0].units}) + {pipeline.runner} + readout, MNIST",
                  ["", "TF1 graph (legacy_compat)", "Keras 3 (modern)", "|Δ|"], rows)
    ok = forward_max <= FORWARD_TOLERANCE
    verdict = ("EQUIVALENT" if ok else
               f"MISMATCH: outputs differ before training above {FORWARD_TOLERANCE:g}")
    printer.line(f"Verdict: {verdict}: max |Δ| before training {forward_max:.2g}; loss curves "
                 f"max |Δ| {curve_delta:.2g} over {args.steps} steps; test accuracy "
                 f"{result['legacy']['test_accuracy']:.4f} (TF1) vs "
                 f"{result['keras']['test_accuracy']:.4f} (Keras)")
    printer.line(f"{'overwrote' if existed else 'wrote'} {png} (the two loss curves)")
    return 0 if ok else 1
