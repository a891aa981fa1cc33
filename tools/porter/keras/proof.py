"""The test that proves a Keras port: ``test_<stem>_keras_port.py``, written beside the port.

The recognised pipeline (:class:`~tools.porter.keras.recognize.RecognizedPipeline`) is
lowered a second time, to TF1 code on ``legacy_compat`` (TF1's cells and runners, bit-exact)
-- the program's model and loss as TF1 built them, without running the user's program:
its input idiom (``unstack`` for a static runner), an input projection ``matmul + b``,
the cells (``MultiRNNCell`` for a stack, one per direction), the runner with
``sequence_length``, the readout from ``outputs[-1]``, the final state's ``h`` or every
step's output (``tf.reshape(outputs, [-1, H])``, reshaped back per step), and
the loss (:data:`tools.porter.keras.losses.LOSSES`); an encoder-decoder's encoder first, in
``tf.variable_scope("encoder")``, its final state starting the decoder's runner in
``tf.variable_scope("decoder")`` (the test's ``weight_map`` copies each into the port's
layers ``encoder`` / ``decoder``). Dropout is left out on the TF1 side
(keep probabilities 1.0, as the program evaluates) and switched off on the Keras side by
the assertions (random masks cannot be compared).

The test imports the port (a ``.py`` module, or a notebook's code cells), copies the TF1
graph's random weights into ``build_model()`` with
:func:`tools.testing.weights_from_spec`, and asserts with the public API
(:func:`tools.testing.assert_equivalent`,
:func:`tools.testing.assert_training_equivalent`): the logits, the gradient of the loss
w.r.t. every weight, and the losses of a few steps of the program's optimizer
(``compile_model``'s Keras optimizer against TF1's own).
"""
import re
from pathlib import Path

from modern.spec import RUNNERS
from tools.proof.pipelines import READOUT_BIASES, READOUT_WEIGHTS
from tools.proof.tolerances import Tolerance
from tools.porter.keras.losses import LOSSES
from tools.porter.keras.wrap import wrap_call

__all__ = ["proof_test_name", "write_proof_test"]

TRAINING_STEPS = 3  # steps of the program's optimizer the generated test compares
# the TF1 variables of the generated graph: written into tf1_model and read back by the
# weight map (the readout's are weights_from_spec's defaults)
# (an encoder's own: "encoder_input_projection/weights"...; an embedding's:
# "embedding/weights", "encoder_embedding/weights")
_PROJECTION = ("input_projection/weights", "input_projection/biases")


def proof_test_name(original):
    """``test_<stem>_keras_port.py`` for the program ``original`` (a path or name)."""
    stem = re.sub(r"\W", "_", Path(str(original)).stem)
    return f"test_{stem}_keras_port.py"


def _cell_code(cell):
    args = [repr(cell.units)]
    for option, value in cell.tf1_options().items():
        if option == "activation":
            if value == "tanh":
                continue
            value = f"tf.nn.{value}" if cell.kind.activation_is_function else repr(value)
            args.append(f"activation={value}")
        else:
            args.append(f"{option}={value!r}")
    return f"rnn_cell.{cell.cell_type}({', '.join(args)})"


def _cells_code(spec):
    cells = [_cell_code(c) for c in spec.cells]
    if spec.stacked:
        inner = ",\n            ".join(cells)
        return f"rnn_cell.MultiRNNCell([\n            {inner}])"
    return cells[0]


def _readout_input(r):
    """TF1's readout input and the code that computes it from the runner's results."""
    spec = r.spec
    if r.readout_from in ("final state h", "last valid output"):
        if spec.bidirectional:
            raise ValueError("a final-state readout of a bidirectional runner")
        last = "state[-1]" if spec.stacked else "state"
        return f"{last}.h" if spec.cells[-1].lstm_like else last
    if r.readout_from == "every output":  # batch-major rows, one per step
        if RUNNERS[r.runner].static:
            return f"tf.reshape(tf.concat(outputs, 1), [-1, {spec.output_size}])"
        if spec.bidirectional:
            return f"tf.reshape(tf.concat(outputs, 2), [-1, {spec.output_size}])"
        return f"tf.reshape(outputs, [-1, {spec.output_size}])"
    if RUNNERS[r.runner].static:
        return "outputs[-1]"
    if spec.bidirectional:
        return "tf.concat(outputs, 2)[:, -1, :]"
    return "outputs[:, -1, :]"


def _input_lines(tokens, projection, prefix="", embedding_prefix=None, reuse=False):
    """tf1_model's lines from ``inputs["{prefix}x"]`` to ``{prefix}x``, the RNN's input:
    the embedding variable ``{embedding_prefix}embedding/weights`` (default: the
    prefix; ``reuse``: made before, the encoder's) or one-hot vectors of token ids, the
    input projection ``matmul + b`` on every step."""
    x, const = f"{prefix}x", prefix.upper()
    lines = [f'    {x} = inputs["{x}"]']
    if tokens and "embedding" in tokens:
        vocabulary, dim = tokens["embedding"]
        embedding = f"{prefix if embedding_prefix is None else embedding_prefix}embedding"
        if not reuse:
            lines.append(f'    {embedding} = v1.get_variable("{embedding}/weights", '
                         f'[{vocabulary}, {dim}])')
        lines.append(f"    {x} = tf.nn.embedding_lookup({embedding}, {x})")
    elif tokens:
        lines.append(f"    {x} = tf.one_hot({x}, {tokens['one_hot']})")
    if projection:
        units, activation = projection["units"], projection["activation"]
        projected = f"tf.matmul({prefix}flat, {prefix}w_in) + {prefix}b_in"
        if activation:
            projected = f"tf.nn.{activation}({projected})"
        lines += [
            "    # the input projection tf.matmul(x, W_in) + b_in on every step",
            f'    {prefix}w_in = v1.get_variable("{prefix}{_PROJECTION[0]}", '
            f'[{const}NUM_INPUT, {units}])',
            f'    {prefix}b_in = v1.get_variable("{prefix}{_PROJECTION[1]}", [{units}])',
            f"    {prefix}flat = tf.reshape({x}, [-1, {const}NUM_INPUT])",
            f"    {x} = tf.reshape({projected}, [-1, {const}TIMESTEPS, {units}])",
        ]
    return lines


def _encoder_lines(r):
    """An encoder-decoder's encoder, in variable scope ``encoder``: its final state
    ``encoder_state`` starts the decoder."""
    enc = r.encoder
    shared = r.shared_embedding
    lines = _input_lines(enc["token_input"], enc["input_projection"], "encoder_",
                         embedding_prefix="" if shared else None)
    runner = RUNNERS[enc["runner"]]
    if runner.static:
        lines.append("    encoder_x = tf.unstack(encoder_x, ENCODER_TIMESTEPS, 1)")
    lines += ['    with v1.variable_scope("encoder"):',
              f"        cell = {_cells_code(enc['spec'])}",
              f"        _, encoder_state = rnn.{enc['runner']}(cell, encoder_x, "
              "dtype=tf.float32)"]
    return lines


def _model_code(r):
    spec = r.spec
    runner = RUNNERS[r.runner]
    lines = _encoder_lines(r) if r.encoder is not None else []
    lines += _input_lines(r.token_input, r.input_projection,
                          reuse=r.shared_embedding)
    length = ', sequence_length=inputs["sequence_length"]' if spec.masked else ""
    if runner.static:
        lines.append("    x = tf.unstack(x, TIMESTEPS, 1)  # a list of TIMESTEPS (batch, "
                     "inputs) tensors")
    if spec.bidirectional:
        lines += ["", "    def make_cell():", f"        return {_cells_code(spec)}", ""]
        if runner.static:
            lines.append(f"    outputs, state_fw, state_bw = rnn.{r.runner}(make_cell(), "
                         f"make_cell(), x, dtype=tf.float32{length})")
        else:
            lines.append(f"    outputs, (state_fw, state_bw) = rnn.{r.runner}(make_cell(), "
                         f"make_cell(), x, dtype=tf.float32{length})")
    elif r.encoder is not None:  # the decoder, started from the encoder's final state
        lines += ['    with v1.variable_scope("decoder"):',
                  f"        cell = {_cells_code(spec)}",
                  f"        outputs, state = rnn.{r.runner}(cell, x, initial_state="
                  f"encoder_state, dtype=tf.float32{length})"]
    else:
        lines += [f"    cell = {_cells_code(spec)}",
                  f"    outputs, state = rnn.{r.runner}(cell, x, dtype=tf.float32{length})"]
    logits = f"tf.matmul({_readout_input(r)}, weights) + biases"
    if r.readout_activation:
        logits = f"tf.nn.{r.readout_activation}({logits})"
    if r.readout_from == "every output":  # back to (batch, steps, classes)
        logits = f"tf.reshape({logits}, [-1, TIMESTEPS, NUM_CLASSES])"
    lines += [
        f'    weights = v1.get_variable("{READOUT_WEIGHTS}", [{spec.output_size}, NUM_CLASSES])',
        f'    biases = v1.get_variable("{READOUT_BIASES}", [NUM_CLASSES])',
        f"    logits = {logits}",
        '    if "labels" not in inputs:',
        '        return {"logits": logits}',
        "    loss = " + LOSSES[r.loss].tf1.format(labels='inputs["labels"]', logits="logits",
                                             scale=r.loss_scale),
        '    return {"logits": logits, "loss": loss}',
    ]
    return "\n".join(lines)


def _labels_code(r):
    """The labels the generated test draws: per example, or per step of a many-to-many
    model."""
    shape = "(BATCH, TIMESTEPS)" if r.readout_from == "every output" else "BATCH"
    labels = LOSSES[r.loss].labels
    if labels == "one_hot":
        return f"np.eye(NUM_CLASSES, dtype=np.float32)[rng.integers(0, NUM_CLASSES, {shape})]"
    if labels == "class_ids":
        return f"rng.integers(0, NUM_CLASSES, {shape}).astype(np.int32)"
    shape = "(BATCH, TIMESTEPS, NUM_CLASSES)" if r.readout_from == "every output" \
        else "(BATCH, NUM_CLASSES)"
    return f"rng.normal(size={shape}).astype(np.float32)"


def _optimizer_code(r):
    """tf1_optimizer()'s body: the program's optimizer (on its schedule)."""
    qualified, arguments = r.optimizer_tf1
    args = {k: repr(v) for k, v in arguments.items()}
    lines = []
    if r.schedule is not None:
        step = r.schedule["step_param"]
        schedule = ", ".join([f"{step}=v1.train.get_or_create_global_step()"] + [
            f"{k}={v!r}" for k, v in r.schedule["tf1"].items()])
        lines.append(wrap_call("learning_rate = ", f"v1.train.{r.schedule['name']}({schedule})",
                               ""))
        args["learning_rate"] = "learning_rate"
    call = ", ".join(f"{k}={v}" for k, v in args.items())
    lines.append(wrap_call("return ", f"{qualified.replace('tf.compat.v1.', 'v1.')}({call})",
                           ""))
    return "\n".join(lines).strip()


def _setup_test(r):
    """A test that compile_model()'s optimizer has the program's clipping and schedule
    as its settings (the random batch of the training check may not reach the clip
    norm, nor a schedule's first boundary), or nothing."""
    if r.clipping is None and r.schedule is None:
        return ""
    checks = []
    if r.clipping is not None:
        (argument, value), = r.clipping["keras"].items()
        checks.append(f'    assert config["{argument}"] == {value!r}  # tf.{r.clipping["name"]}')
    if r.schedule is not None:
        qualified, kwargs = r.schedule["keras"]
        checks += [f"    schedule = config[\"learning_rate\"]  # tf.train.{r.schedule['name']}",
                   f'    assert schedule["class_name"] == "{qualified.rsplit(".", 1)[1]}"']
        checks += [f'    assert schedule["config"]["{k}"] == {v!r}' for k, v in kwargs.items()]
    return f'''@pytest.mark.parametrize("backend", [keras.backend.backend()])
def test_optimizer_has_the_programs_clipping_and_schedule(port, backend):
    \"\"\"The program's gradient processing as the Keras optimizer's settings: the Keras
    forms modern.optimizers maps them to (CLIPPING, SCHEDULES), proven against TF1's own
    code by the kit's registry pairs.\"\"\"
    config = port.compile_model(port.build_model()).optimizer.get_config()
{chr(10).join(checks)}


'''


def _apply_doc(r):
    parts = [f"tf.{r.clipping['name']}" if r.clipping else "no clipping"]
    if r.schedule is not None:
        parts.append(f"the global step its {r.schedule['name']} reads")
    return ", ".join(parts)


def _apply_code(r):
    """tf1_apply()'s body: the program's gradient processing and global step."""
    lines = []
    step = ", global_step=v1.train.get_global_step()" if r.schedule is not None else ""
    if r.clipping is not None:
        args = ", ".join(repr(v) for v in r.clipping["args"].values())  # TF1's order
        lines.append("gradients, variables = zip(*grads_and_vars)")
        if r.clipping["name"] == "clip_by_global_norm":
            lines.append(f"gradients, _ = tf.clip_by_global_norm(gradients, {args})")
        else:
            lines.append(f"gradients = [tf.{r.clipping['name']}(g, {args}) for g in gradients]")
        lines.append(f"return optimizer.apply_gradients(zip(gradients, variables){step})")
    else:
        lines.append(f"return optimizer.apply_gradients(grads_and_vars{step})")
    lines[-1] = wrap_call("", lines[-1], "")
    return "\n    ".join(line.strip() if i < len(lines) - 1 else line.lstrip()
                         for i, line in enumerate(lines))


def _dataclass_code(obj):
    """``Class(field=value, ...)`` with the fields that differ from their defaults."""
    import dataclasses

    args = []
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if field.default is not dataclasses.MISSING and value == field.default:
            continue
        if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            inner = ", ".join(_dataclass_code(v) for v in value)
            args.append(f"{field.name}=({inner},)")
        else:
            args.append(f"{field.name}={value!r}")
    return f"{type(obj).__name__}({', '.join(args)})"


def _weight_scale(r):
    fan_in = 0
    for spec in (r.spec,) + ((r.encoder["spec"],) if r.encoder is not None else ()):
        size = spec.input_size
        for cell in spec.cells:
            fan_in = max(fan_in, size + cell.output_size)
            size = cell.output_size if not spec.bidirectional else size
    return round(min(0.5, fan_in ** -0.5), 4)


def _encoder_constants(r):
    """An encoder-decoder's encoder: its shapes, spec and runner, or nothing."""
    if r.encoder is None:
        return ""
    enc = r.encoder
    return (f"\n# the encoder, whose final state starts the decoder (SPEC)\n"
            f"ENCODER_TIMESTEPS, ENCODER_NUM_INPUT = {enc['steps']!r}, {enc['input_size']!r}\n"
            f"ENCODER = {_dataclass_code(enc['spec'])}\nENCODER_RUNNER = {enc['runner']!r}")


def _weight_map_code(r):
    """The ``weight_map`` argument of the checks: weights_from_spec's copy, or the name
    of an encoder-decoder's ``weight_map`` (:func:`_encoder_decoder_map`)."""
    if r.encoder is not None:
        return "weight_map"
    return f"testing.weights_from_spec(SPEC, RUNNER{_layers_option(r)})"


def _layers_option(r, prefix=""):
    """weights_from_spec's ``layers=`` for the input projection and embedding (those of
    an encoder's ``prefix``), or nothing."""
    layers = []
    tokens = r.encoder["token_input"] if prefix else r.token_input
    projection = r.encoder["input_projection"] if prefix else r.input_projection
    if projection:
        names = tuple(prefix + name for name in _PROJECTION)
        layers.append(f'"{prefix}input_projection": {names!r}'.replace("'", '"'))
    if tokens and "embedding" in tokens and not (r.shared_embedding and not prefix):
        layer = "embedding" if r.shared_embedding else f"{prefix}embedding"
        layers.append(f'"{layer}": ("{layer}/weights",)')
    return f", layers={{{', '.join(layers)}}}" if layers else ""


def _encoder_decoder_map(r):
    """The module-level ``weight_map`` of an encoder-decoder: both RNNs' variables (TF1
    scopes ``encoder/`` and ``decoder/``) into the port's layers of the same names."""
    if r.encoder is None:
        return ""
    return f'''

def weight_map(session, graph, keras_model):
    """TF1's variables -> the port's weights: the encoder's (scope encoder/rnn) into its
    layers named encoder, the decoder's and the readout's into decoder and readout."""
    for copy in (testing.weights_from_spec(ENCODER, ENCODER_RUNNER, scope="encoder/rnn",
                                           layer="encoder"{_layers_option(r, "encoder_")}),
                 testing.weights_from_spec(SPEC, RUNNER, scope="decoder/rnn", layer="decoder"{_layers_option(r)})):
        copy(session, graph, keras_model)


'''


def _loader_code(port_name, kept):
    if kept:  # the program trains at import: only its imports and definitions
        source = ("notebook = nbformat.read(str(PORT), as_version=4)\n    code = "
                  "\"\\n\".join(cell.source for cell in notebook.cells if cell.cell_type "
                  "== \"code\")") if port_name.endswith(".ipynb") else "code = PORT.read_text()"
        return f'''def load_port():
    """The port's imports and definitions (build_model, compile_model and what they use),
    as a module; the program's own statements, which load its data and train, are not
    run."""
    import ast
{"    import nbformat" + chr(10) if port_name.endswith(".ipynb") else ""}
    {source}
    tree = ast.parse(code)
    tree.body = [node for node in tree.body if isinstance(
        node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))]
    module = types.ModuleType(PORT.stem)
    module.__file__ = str(PORT)
    sys.modules[PORT.stem] = module  # Keras' serialisable classes are registered there
    exec(compile(tree, str(PORT), "exec"), module.__dict__)
    return module'''
    if port_name.endswith(".ipynb"):
        return '''def load_port():
    """The port's code cells (a notebook), as a module; ``main()`` is not run."""
    import nbformat

    notebook = nbformat.read(str(PORT), as_version=4)
    code = "\\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    module = types.ModuleType(PORT.stem)
    module.__file__ = str(PORT)
    sys.modules[PORT.stem] = module  # Keras' serialisable classes are registered there
    exec(compile(code, str(PORT), "exec"), module.__dict__)
    return module'''
    return '''def load_port():
    """The port, imported as a module (``main()`` runs only as a script)."""
    spec = importlib.util.spec_from_file_location(PORT.stem, PORT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[PORT.stem] = module
    spec.loader.exec_module(module)
    return module'''


def write_proof_test(r, original, port_name):
    """The text of ``test_<stem>_keras_port.py`` for the port ``port_name`` (a file name
    beside the test) of the program ``original``."""
    from tools.porter.keras.writer import describe  # the writer imports this module

    spec = r.spec
    extra_imports = "import types\n" if port_name.endswith(".ipynb") or r.kept else ""
    inputs = ['        "x": rng.uniform(0.0, 1.0, (BATCH, TIMESTEPS, NUM_INPUT)).astype('
              'np.float32),']
    if r.token_input:  # token ids below the vocabulary (one-hot depth)
        vocabulary = r.token_input.get("embedding", (r.token_input.get("one_hot"),))[0]
        inputs = [f'        "x": rng.integers(0, {vocabulary}, (BATCH, TIMESTEPS)).astype('
                  'np.int32),']
    if r.encoder is not None:
        tokens = r.encoder["token_input"]
        if tokens:
            vocabulary = tokens.get("embedding", (tokens.get("one_hot"),))[0]
            inputs.insert(0, f'        "encoder_x": rng.integers(0, {vocabulary}, (BATCH, '
                             'ENCODER_TIMESTEPS)).astype(np.int32),')
        else:
            inputs.insert(0, '        "encoder_x": rng.uniform(0.0, 1.0, (BATCH, '
                             'ENCODER_TIMESTEPS, ENCODER_NUM_INPUT)).astype(np.float32),')
    if spec.masked:
        inputs.append('        "sequence_length": rng.integers(1, TIMESTEPS + 1, BATCH)'
                      '.astype(np.int32),')
    return f'''"""Proof that {port_name} (the Keras 3 port of {Path(str(original)).name}) computes and
trains as the TF1 program did. Written by `rnn-migrate port --to keras`; run `pytest` on it.

The TF1 side is the program's model and loss rebuilt from what the porter read in it, on
legacy_compat (TF1's cells and runners, exact to the last bit) in a tf.Graph of its own:
{describe(r)}.
Dropout is off on both sides (TF1's keep probabilities 1.0 as the program evaluates; the
Keras Dropout layers at rate 0): random masks cannot be compared.

Both sides start from the same random weights (the TF1 graph's, copied into build_model()
by tools.testing.weights_from_spec) and get the same batch. Checked with the public API
of tools.testing:
* the logits (assert_equivalent, max |difference| <= {Tolerance.outputs:g});
* the gradient of the loss w.r.t. every weight (one gradient-descent step of learning
  rate 1 on both sides, <= {Tolerance.gradients:g}) and {TRAINING_STEPS} steps of the
  program's optimizer, TF1's {r.optimizer_tf1[0].rsplit(".", 1)[1]} against
  compile_model()'s (losses <= {Tolerance.training:g}) (assert_training_equivalent).
Tolerances: tools.proof.tolerances.Tolerance (float32 sums in another order).
Backends: the Keras backend of the process, named in each test's id ([tensorflow], [jax],
[torch]); `KERAS_BACKEND=jax pytest {proof_test_name(original)}` checks another (the kit's
own tests run such generated tests on all three).
"""
import importlib.util
import sys
{extra_imports}from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from legacy_compat import rnn, rnn_cell_impl as rnn_cell
from modern.spec import CellSpec, RNNSpec
from tools import testing

v1 = tf.compat.v1
PORT = Path(__file__).with_name({port_name!r})
TIMESTEPS, NUM_INPUT, NUM_CLASSES = {r.steps!r}, {r.input_size!r}, {spec.num_classes!r}
BATCH = 8
# random weights Uniform(-s, s) with s = 1/sqrt(the largest fan-in of a cell): the
# pre-activations stay O(1), as in a trained model, however wide the model
WEIGHT_SCALE = {_weight_scale(r)!r}
# the recognised model (modern.spec) and runner: how TF1's weights map to Keras'
SPEC = {_dataclass_code(spec)}
RUNNER = {r.runner!r}{_encoder_constants(r)}


{_loader_code(port_name, r.kept)}


{_encoder_decoder_map(r)}def tf1_model(inputs):
    """The TF1 program's model (and loss, when fed labels) on legacy_compat."""
{_model_code(r)}


def tf1_optimizer():
    """The TF1 program's optimizer."""
    {_optimizer_code(r)}


def tf1_apply(optimizer, grads_and_vars):
    """The TF1 program's step from its gradients:
    {_apply_doc(r)}."""
    {_apply_code(r)}


def batch(seed=0):
    rng = np.random.default_rng(seed)
    inputs = {{
{chr(10).join(inputs)}
    }}
    labels = {_labels_code(r)}
    return inputs, labels


@pytest.fixture(scope="module")
def port():
    return load_port()


@pytest.mark.parametrize("backend", [keras.backend.backend()])
def test_logits_equal_tf1(port, backend):
    inputs, _ = batch()
    testing.assert_equivalent(tf1_model, port.build_model(), inputs,
                              weight_map={_weight_map_code(r)},
                              output_names=["logits"], weight_scale=WEIGHT_SCALE)


{_setup_test(r)}@pytest.mark.parametrize("backend", [keras.backend.backend()])
def test_gradients_and_training_equal_tf1(port, backend):
    inputs, labels = batch(1)
    testing.assert_training_equivalent(
        tf1_model, lambda: port.compile_model(port.build_model()), inputs, labels,
        tf1_optimizer=tf1_optimizer, tf1_apply=tf1_apply, weight_map={_weight_map_code(r)},
        steps={TRAINING_STEPS}, weight_scale=WEIGHT_SCALE)
'''
