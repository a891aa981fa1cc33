"""``port --to keras``: a TF1 RNN training program -> an idiomatic Keras 3 program.

:func:`port_to_keras` recognises the TF1 pipeline statically
(:func:`tools.porter.keras.recognize.recognize`) and writes a complete Keras 3 program of the
same model, trained the same way. The Keras code is not a second hand-written mapping:

* the RNN layers are rendered from the Keras model that
  :func:`modern.models.build_keras_model` builds for the recognised ``RNNSpec`` -- the
  model the registry's equivalence proofs (``tests/proof/test_pairs.py``) are run on -- by
  writing each layer's constructor with the settings where its config differs from
  Keras' defaults (so ``unit_forget_bias=False``, ``reset_after=False`` ... come from
  the proven model), and each layer is checked against its registry pair
  (:data:`tools.proof.registry.PAIRS`: its ``keras`` side names the class, and every
  setting of its ``keras.settings`` dict is in the code);
* TF1's initial biases (``forget_bias`` folded into the LSTM forget block, ``GRUCell``'s
  gate bias 1.0) are TF1's initial values (:func:`tools.proof.accuracy.tf1_initial_values`)
  sent through the weight map (:func:`modern.weights.tf1_to_keras`), written as a
  per-gate-block bias initializer; TF1's initial kernels (``get_variable``'s glorot-uniform
  over each TF1 kernel variable, input and recurrent rows in one matrix) likewise become
  the kernel and recurrent initializers' uniform limits (:func:`kernel_limits`);
* the optimizer comes from :data:`modern.optimizers.OPTIMIZERS` (TF1's Adam epsilon 1e-8,
  RMSProp as ``modern.optimizers.TF1RMSprop``...), the table the optimizer pairs prove;
  the loss is Keras' ``CategoricalCrossentropy(from_logits=True)`` (TF1's mean softmax
  cross-entropy); the readout ``Dense`` starts from the same distributions as TF1's W and
  b (``RandomNormal``, ``TruncatedNormal``, ``GlorotUniform`` for ``tf.layers.dense`` ...).

The generated program defines ``build_model()`` (layers named ``rnn``/``rnn_<i>`` and
``readout`` as in :func:`modern.models.build_keras_model`, so
:func:`modern.models.set_tf1_weights` loads TF1 variables into it) and
``compile_model(model)`` (optimizer, loss, accuracy metric), and trains under
``if __name__ == "__main__":`` with ``train_on_batch`` on the same ``next_batch``
batches, printing ``Step N, Minibatch Loss= ..., Training Accuracy= ...`` and
``Testing Accuracy: X`` on the full test set.

A program not fully recognised is not ported: the TF1 program comes back with a
``# rnn-migrate: <reason> (--to keras)`` line above each statement not covered, and each
reason carries its line and column and what to do (``--to compat``, ``rnn-migrate
convert``).

A program that is already TF2/Keras is left runnable: ``tf.keras.X`` becomes
``keras.X`` where Keras 3 has ``keras.X`` (and ``import keras`` is added), and
``keras.datasets.mnist.load_data()`` (a download) reads the kit's embedded MNIST; nothing
else changes, so porting a generated program again changes nothing.
"""
import re
from typing import List, Tuple

import libcst as cst
import numpy as np

from modern.spec import KERAS_TARGETS, RUNNERS
from tools.porter.keras.losses import LOSSES
from tools.porter.keras.wrap import wrap_call
from tools.porter.keras.recognize import (RecognizedPipeline, recognize_context,
                                         tf1_markers)
from tools.porter.keras.recognize.result import Miss

__all__ = ["port_to_keras", "port_to_keras_with_proof", "keras_layer_code"]

# config keys that are not settings of the port (identity, plumbing of the proof model)
_NOT_SETTINGS = {"name", "trainable", "dtype", "build_config", "return_state",
                 "zero_output_for_mask", "units", "layer", "backward_layer", "cell", "cells"}


# --------------------------------------------------------------------------------------
# rendering Keras objects as code
# --------------------------------------------------------------------------------------
def _default_of(obj):
    cls = type(obj)
    name = cls.__name__
    if name == "RNN":
        return cls(obj.cell)
    if name == "StackedRNNCells":
        return cls(obj.cells)
    return cls(obj.units)


def _config_diff(obj):
    """Settings of ``obj`` that differ from its class' defaults (primitives only)."""
    config, default = obj.get_config(), _default_of(obj).get_config()
    out = {}
    for key, value in config.items():
        if key in _NOT_SETTINGS or default.get(key, object()) == value:
            continue
        if isinstance(value, (dict, list)):
            raise ValueError(f"{type(obj).__name__}.{key}: a non-default structured setting "
                             f"{value!r} cannot be rendered")
        out[key] = value
    return out


def _qualname(obj):
    cls = type(obj)
    if cls.__module__.startswith("modern"):
        return f"modern.{cls.__name__}"
    return f"keras.layers.{cls.__name__}"


def _kwargs(settings):
    return ", ".join(f"{k}={v!r}" for k, v in settings.items())


def _render(obj, cells, extra, masked=False, unroll=False):
    """Constructor code of a Keras layer/cell; ``cells`` the CellSpecs it computes;
    ``masked``: TF1's sequence_length (zero outputs past each length); ``unroll``: the
    layer runs its steps unrolled, as TF1's static runners built them."""
    name = type(obj).__name__
    if name == "Bidirectional":
        return (f"keras.layers.Bidirectional("
                f"{_render(obj.forward_layer, cells, extra, masked, unroll)})")
    if name == "StackedRNNCells":
        inner = ", ".join(_render(c, [spec], extra) for c, spec in zip(obj.cells, cells))
        return f"keras.layers.StackedRNNCells([{inner}])"
    settings = _config_diff(obj)
    if name == "RNN":
        args = [_render(obj.cell, cells, extra)]
    else:
        args = [repr(obj.units)]
        settings.update(extra(cells[0]))
    if masked and name in ("RNN", "LSTM", "GRU", "SimpleRNN"):
        settings["zero_output_for_mask"] = True
    if unroll and name in ("RNN", "LSTM", "GRU", "SimpleRNN"):
        settings["unroll"] = True
    if settings:
        args.append(_kwargs(settings))
    return f"{_qualname(obj)}({', '.join(args)})"


class _Code(str):
    """A setting value rendered as code, not as a repr."""

    def __repr__(self):
        return str(self)


def _keras_blocks(cell, input_size, kind, fold_forget_bias):
    """One number per gate block of each Keras weight of ``cell``'s layer: the parameter
    of TF1's initial distribution (:func:`tools.proof.pipelines.tf1_initial_distribution`)
    of the ``kind`` variables (``"constant"`` values, ``"uniform"`` limits; 0 for the
    others), sent through the weight map (:func:`modern.weights.tf1_to_keras`, with
    ``forget_bias`` folded into the LSTM forget block when ``fold_forget_bias``); None for
    cells whose Keras layer keeps TF1's layout and initializers (the modern cells)."""
    from modern import weights
    from tools.proof.pipelines import tf1_initial_distribution

    if cell.keras_target not in ("LSTM", "GRU", "SimpleRNN"):
        return None
    opts = cell.map_options(input_size=input_size)
    shapes = weights.tf1_variable_shapes(cell.cell_type, **{k: v for k, v in opts.items()
                                                            if k != "target"})
    values = {}
    for name, shape in shapes.items():
        found, parameter = tf1_initial_distribution(name, shape)
        values[name] = np.full(shape, parameter if found == kind else 0.0)
    if not fold_forget_bias and "forget_bias" in opts:
        opts = dict(opts, forget_bias=0.0)
    blocks = []
    for weight in weights.tf1_to_keras(cell.cell_type, values, **opts):
        weight = np.asarray(weight, np.float64)
        per_block = weight.reshape(weight.shape[:-1] + (-1, cell.units))
        first = per_block[(0,) * (weight.ndim - 1)][:, :1]  # each block's first value
        if not np.all(per_block == first):
            raise ValueError(f"{cell.cell_type}: TF1's initial {kind} is not one per gate "
                             "block")
        blocks.append([float(v) for v in first[:, 0]])
    return blocks


def _bias_blocks(cell):
    """TF1's initial bias of ``cell`` in the Keras layout, as one constant per gate block,
    or None when it is all zeros (or the Keras cell keeps TF1's layout)."""
    blocks = _keras_blocks(cell, 1, "constant", fold_forget_bias=True)
    if blocks is None:
        return None
    bias = blocks[-1]  # the Keras layer's bias: its last weight
    return bias if any(bias) else None


def kernel_limits(cell, input_size):
    """TF1's initial kernels of ``cell`` in the Keras layout: ``get_variable``'s default
    glorot-uniform on each TF1 kernel variable (``[input + units, blocks * units]``), as
    one uniform limit per gate block, the same for the Keras kernel and recurrent kernel
    (the rows of one TF1 matrix); None for the modern cells."""
    blocks = _keras_blocks(cell, input_size, "uniform", fold_forget_bias=False)
    if blocks is None:
        return None
    kernel, recurrent = blocks[:2]
    if kernel != recurrent:
        raise ValueError(f"{cell.cell_type}: the kernel and recurrent kernel limits differ")
    return kernel


def _initializer_extra(cell, input_size):
    """The layer's initializers where Keras' defaults are not TF1's: the bias per gate
    block (forget_bias, GRUCell's 1.0) and the kernels' glorot-uniform of TF1's combined
    matrix (Keras draws its kernel over [input, blocks * units] and its recurrent kernel
    orthogonally)."""
    extra = {}
    blocks = _bias_blocks(cell)
    if blocks is not None:
        extra["bias_initializer"] = _Code(f"GateBiasBlocks({blocks!r})")
    limits = kernel_limits(cell, input_size)
    if limits is not None:
        if len(set(limits)) == 1:
            code = f"keras.initializers.RandomUniform(minval={-limits[0]!r}, maxval={limits[0]!r})"
        else:
            code = f"UniformBlocks({limits!r})"
        extra["kernel_initializer"] = extra["recurrent_initializer"] = _Code(code)
    return extra


def keras_layer_code(spec, steps, unroll=False):
    """``[(layer name, constructor code, CellSpecs)]``: the RNN layers of the Keras model of
    ``spec`` (:func:`modern.models.build_keras_model`), rendered as code.

    ``unroll=True`` (the port of a static runner: TF1's ``static_rnn`` built one graph
    node per step) adds ``unroll=True``: the same per-step arithmetic without the
    ``while_loop`` and its TensorArrays, the speed lever measured in BENCHMARKS.md
    (``benchmarks/step_time.py``)."""
    from modern.models import _rnn_layers, build_keras_model

    model = build_keras_model(spec, steps)
    layers = _rnn_layers(model, spec)
    groups = [list(spec.cells)] if (spec.bidirectional or not spec.stacked) else \
        [[c] for c in spec.cells]
    # each cell's input depth, in the order _render meets the cells (a stack's layer reads
    # the one below it; both directions read the input)
    sizes, size = [], spec.input_size
    for cell in spec.cells:
        sizes.append(size)
        size = cell.output_size
    remaining = iter(sizes)

    def extra(cell):
        return _initializer_extra(cell, next(remaining))

    return [(layer.name, _render(layer, cells, extra, spec.masked, unroll), cells)
            for layer, cells in zip(layers, groups)]


def model_layers(r: RecognizedPipeline):
    """``[(layer name, constructor code, CellSpecs)]`` of the port's RNN layers: those of
    :func:`keras_layer_code`, an encoder-decoder's encoder first, its layers named
    ``encoder`` / ``decoder`` (``encoder_0``, ``encoder_1``... for a stack)."""
    layers = keras_layer_code(r.spec, r.steps, unroll=RUNNERS[r.runner].static)
    if r.encoder is None:
        return layers
    encoder = keras_layer_code(r.encoder["spec"], r.encoder["steps"],
                               unroll=RUNNERS[r.encoder["runner"]].static)
    return [(name.replace("rnn", side, 1), code, cells)
            for side, group in (("encoder", encoder), ("decoder", layers))
            for name, code, cells in group]


# --------------------------------------------------------------------------------------
# the registry: which pair each part is, and its settings present in the code
# --------------------------------------------------------------------------------------
def _pairs_for(r: RecognizedPipeline):
    from tools.proof.registry import cell_pair, pair_named

    cells = r.spec.cells + (r.encoder["spec"].cells if r.encoder is not None else ())
    pairs = [(cell, cell_pair(cell)) for cell in dict.fromkeys(cells)]
    extra = [pair_named(r.runner)]
    if r.encoder is not None:
        extra.append(pair_named("initial_state"))
    if r.spec.stacked:
        extra.append(pair_named("MultiRNNCell"))
    if r.spec.num_classes is not None:
        extra.append(pair_named("readout outputs[-1] @ W + b"))
    if r.spec.masked:
        extra.append(pair_named("sequence_length"))
    if any(d is not None for d in r.dropouts):
        extra.append(pair_named("DropoutWrapper"))
    return pairs, extra


def _check_against_registry(cell, pair, code):
    """The rendered code uses the pair's Keras class and every one of its settings (or
    Keras' default already is the pair's setting)."""
    target = KERAS_TARGETS[cell.keras_target]
    if (pair.keras.layer, pair.keras.cell) != (target.layer, None if target.builtin
                                               else target.cell):
        raise AssertionError(f"registry pair {pair.name!r} says {pair.keras_api!r}; the proven "
                             f"model uses {target.name}")
    import keras

    cls = getattr(keras.layers, target.name, None)
    defaults = cls(1).get_config() if cls is not None else {}
    written = code.replace('"', "'")
    for key, value in pair.keras.settings.items():
        if key in _NOT_SETTINGS:
            continue
        if f"{key}={value!r}" in written:
            continue
        if key in defaults and defaults[key] == value:
            continue  # Keras' default already is the pair's setting
        raise AssertionError(f"registry pair {pair.name!r} requires {key}={value!r}; the port "
                             f"wrote {code}")


# --------------------------------------------------------------------------------------
# the generated program
# --------------------------------------------------------------------------------------
_INITIALIZER_CLASS = '''

@keras.saving.register_keras_serializable(package="tf1_port")
class GateBiasBlocks(keras.initializers.Initializer):
    """A bias that is one constant per gate block: TF1's initial bias in Keras' gate order
    (e.g. an LSTM's forget_bias on its forget block, a GRUCell's gate bias 1.0)."""

    def __init__(self, blocks):
        self.blocks = [float(b) for b in blocks]

    def __call__(self, shape, dtype=None):
        units = shape[-1] // len(self.blocks)
        return keras.ops.concatenate(
            [keras.ops.full((units,), b, dtype=dtype) for b in self.blocks])

    def get_config(self):
        return {"blocks": self.blocks}
'''
_UNIFORM_BLOCKS_CLASS = '''

@keras.saving.register_keras_serializable(package="tf1_port")
class UniformBlocks(keras.initializers.Initializer):
    """A kernel drawn uniformly in [-limit, limit] with one limit per gate block: TF1's
    glorot-uniform over each of its kernel variables (a GRUCell's gates and candidate
    kernels have different shapes, so different limits), in Keras' gate order."""

    def __init__(self, limits, seed=None):
        self.limits = [float(limit) for limit in limits]
        self.seed = seed

    def __call__(self, shape, dtype=None):
        units = shape[-1] // len(self.limits)
        seed = keras.random.SeedGenerator(self.seed) if self.seed is not None else None
        return keras.ops.concatenate([keras.random.uniform(
            (shape[0], units), -limit, limit, dtype=dtype, seed=seed)
            for limit in self.limits], axis=-1)

    def get_config(self):
        return {"limits": self.limits, "seed": self.seed}
'''


def _initializer_classes(layers):
    """The initializer classes the layers' code uses, as code."""
    code = "".join(code for _, code, _ in layers)
    return "".join(cls for name, cls in (("GateBiasBlocks(", _INITIALIZER_CLASS),
                                         ("UniformBlocks(", _UNIFORM_BLOCKS_CLASS))
                   if name in code)


def _sparse_gradient_notes(r: RecognizedPipeline):
    """What the table says of the optimizer on an embedding's sparse gradient."""
    from modern.optimizers import LAZY_SPARSE_NOTE, OPTIMIZERS

    target = OPTIMIZERS[r.optimizer_tf1[0].rsplit(".", 1)[1]]
    if r.optimizer_keras[0] != target.keras:  # the table's sparse class
        return [f"line {r.lines['optimizer']}: a model with an Embedding -> "
                f"{r.optimizer_keras[0]}: {target.sparse[1]}"]
    from tools.porter.keras.recognize.loss_optimizer import has_embedding

    if LAZY_SPARSE_NOTE in target.notes and has_embedding(r):
        return [f"line {r.lines['optimizer']}: known limitation: {LAZY_SPARSE_NOTE}"]
    return []


def _optimizer_code(r: RecognizedPipeline):
    """The Keras optimizer of :data:`modern.optimizers.OPTIMIZERS` (the table the
    optimizer pairs prove against TF1), with the arguments where Keras' default is not
    TF1's setting."""
    import importlib
    import inspect

    qualified, kwargs = r.optimizer_keras
    module, _, name = qualified.rpartition(".")
    defaults = inspect.signature(getattr(importlib.import_module(module), name)).parameters
    args = ["learning_rate=learning_rate"] + [
        f"{k}={v!r}" for k, v in kwargs.items() if k != "learning_rate"
        and (k not in defaults or defaults[k].default != v)]
    return f"{qualified}({', '.join(args)})"


# what the readout reads, as the TF1 program wrote it
_READOUT_FROM = {"last output": "outputs[-1]", "final state h": "state.h",
                 "last valid output": "state.h", "every output": "every step's output"}


def _learning_rate_code(r: RecognizedPipeline, indent=""):
    """``learning_rate = ...``: TF1's rate, or its schedule as the Keras schedule of
    :data:`modern.optimizers.SCHEDULES` (the table its pairs prove), with a comment."""
    if r.schedule is None:
        return f"{indent}learning_rate = {r.learning_rate!r}"
    qualified, kwargs = r.schedule["keras"]
    code = f"{qualified}({_kwargs(kwargs)})"
    return (f"{indent}# TF1's tf.train.{r.schedule['name']}(..., {r.schedule['step']}): its "
            f"step is Keras'\n{indent}# optimizer.iterations (both start at 0; a step reads "
            f"it before its increment)\n"
            + wrap_call("learning_rate = ", code, "", indent=len(indent)))


def describe(r: RecognizedPipeline):
    cells = " + ".join(f"{c.cell_type}({c.units})" for c in r.spec.cells)
    if r.spec.stacked:
        cells = f"MultiRNNCell[{cells}]"
    masked = " with sequence_length" if r.spec.masked else ""
    kind = "outputs (regression)" if LOSSES[r.loss].labels == "values" else "classes"
    per_step = " per step" if r.readout_from == "every output" else ""
    if r.encoder is not None:
        enc = r.encoder
        encoder = " + ".join(f"{c.cell_type}({c.units})" for c in enc["spec"].cells)
        if enc["spec"].stacked:
            encoder = f"MultiRNNCell[{encoder}]"
        cells = (f"an encoder {encoder} run by {enc['runner']} over {enc['steps']} steps of "
                 f"{enc['input_size']} inputs, whose final state starts the decoder {cells}")
    return (f"{cells} run by {r.runner}{masked} over {r.steps} steps of {r.input_size} inputs, "
            f"readout {_READOUT_FROM[r.readout_from]} @ W + b -> {r.spec.num_classes} "
            f"{kind}{per_step}")


def _model_doc(r: RecognizedPipeline):
    """build_model()'s docstring: its input and output shapes."""
    x = "(batch, timesteps)" if r.token_input else "(batch, timesteps, num_input)"
    if r.spec.masked:
        x = f"[{x}, sequence_length (batch,)]"
    if r.encoder is not None:
        encoder_x = "(batch, encoder_timesteps)" if r.encoder["token_input"] else \
            "(batch, encoder_timesteps, encoder_num_input)"
        x = f"[{encoder_x}, " + x.strip("[]") + "]"
    out = "(batch, timesteps, num_classes)" if r.readout_from == "every output" \
        else "(batch, num_classes)"
    return f"The TF1 graph's model: {x} ->\n    logits {out}."


def _input_code(var, tokens, projection, prefix="", embedding=None, reuse=False):
    """The lines of a model input, ``var`` = the sequence the RNN reads: ``keras.Input``
    (``{prefix}x``), the embedding (layer ``embedding``, default ``{prefix}embedding``;
    ``reuse``: the layer made for the encoder) or one-hot vectors of token ids, the input
    projection (layer ``{prefix}input_projection``)."""
    x, steps = f"{prefix}x", f"{prefix}timesteps"
    if tokens:  # token ids in; the RNN reads their embedding / one-hot vectors
        lines = [f'    {x} = keras.Input(({steps},), dtype="int32", name="{x}")']
    else:
        lines = [f'    {x} = keras.Input(({steps}, {prefix}num_input), name="{x}")']
    lines.append(f"    {var} = {x}")
    name = embedding or f"{prefix}embedding"
    if tokens and "embedding" in tokens and reuse:
        lines.append(f"    {var} = {name}({var})  # the encoder's: one variable in TF1")
    elif tokens and "embedding" in tokens:
        vocabulary, dim = tokens["embedding"]
        lines += ["    # TF1's tf.nn.embedding_lookup(E, ids): E's rows, same initial values",
                  f"    {name} = keras.layers.Embedding({vocabulary!r}, {dim!r}, "
                  f"embeddings_initializer={tokens['initializer']},",
                  " " * len(f"    {name} = keras.layers.Embedding(") + f'name="{name}")',
                  f"    {var} = {name}({var})"]
    elif tokens:
        lines += ["    # TF1's tf.one_hot(ids, depth)",
                  f"    {var} = keras.ops.one_hot({var}, {tokens['one_hot']!r})"]
    if projection:
        kernel, bias = projection["initializers"]
        activation = ([f"        activation={projection['activation']!r},"]
                      if projection["activation"] else [])
        lines += [
            "    # TF1's input projection tf.matmul(x, W_in) + b_in on every step's inputs",
            f"    {var} = keras.layers.Dense(",
            f"        {projection['units']!r},",
            *activation,
            f"        kernel_initializer={kernel},",
            f"        bias_initializer={bias},",
            f"        name=\"{prefix}input_projection\")({var})",
        ]
    return lines


def _encoder_code(r: RecognizedPipeline, layers):
    """An encoder-decoder's encoder: its input and RNN layers, which return their final
    states (``state`` / ``state_0``, ``state_1``... per layer) for the decoder."""
    enc = r.encoder
    shared = r.shared_embedding
    lines = _input_code("encoded", enc["token_input"], enc["input_projection"], "encoder_",
                        embedding="embedding" if shared else None)
    encoder_layers = [layer for layer in layers if layer[0].startswith("encoder")]
    for i, (name, code, _) in enumerate(encoder_layers):
        state = "state" if len(encoder_layers) == 1 else f"state_{i}"
        code = code[:-1] + f', return_state=True, name="{name}")'
        lines.append(wrap_call(f"encoded, *{state} = ", code, "(encoded)"))
    return lines


def _model_code(r: RecognizedPipeline, layers):
    lines = []
    if r.encoder is not None:
        lines += ["    # the encoder: its final state starts the decoder (TF1's",
                  "    # dynamic_rnn(decoder_cell, ..., initial_state=encoder_state))"]
        lines += _encoder_code(r, layers)
        layers = [layer for layer in layers if not layer[0].startswith("encoder")]
        lines.append("    # the decoder (teacher forcing: it reads the target sequence)")
    lines += _input_code("sequence", r.token_input, r.input_projection,
                         reuse=r.shared_embedding)
    call = "(sequence)"
    if r.spec.masked:
        lines += ['    sequence_length = keras.Input((), dtype="int32", name="sequence_length")',
                  "    # TF1's sequence_length: a mask, outputs 0 past each length",
                  '    mask = modern.SequenceMask(name="sequence_mask")(sequence_length, x)']
        call = "(sequence, mask=mask)"
    sequence_call = call
    drops = list(r.dropouts) if len(r.dropouts) == len(layers) else [None] * len(layers)
    for i, ((name, code, _), dropout) in enumerate(zip(layers, drops)):
        keep_in, keep_out = dropout or (1.0, 1.0)
        if r.encoder is not None:  # layer i starts from the encoder's layer i
            state = "state" if len(layers) == 1 else f"state_{i}"
            call = sequence_call[:-1] + f", initial_state={state})"
        if keep_in < 1.0:
            lines.append(f"    sequence = keras.layers.Dropout({round(1.0 - keep_in, 12)!r})("
                         "sequence)  # DropoutWrapper input_keep_prob")
        code = code[:-1] + f', name="{name}")'
        if "unroll=True" in code:
            lines.append("    # unroll=True: no while_loop, as TF1's static runner built one "
                         "node per step")
        lines.append(wrap_call("sequence = ", code, call))
        if keep_out < 1.0:
            lines.append(f"    sequence = keras.layers.Dropout({round(1.0 - keep_out, 12)!r})("
                         "sequence)  # DropoutWrapper output_keep_prob")
    kernel, bias = r.readout_initializers
    what = ("TF1's final state h (the last step's output: no sequence_length)"
            if r.readout_from == "final state h" else "TF1's outputs[-1]: the last time step")
    activation = ([f"        activation={r.readout_activation!r},"]
                  if r.readout_activation else [])
    if r.readout_from == "last valid output":
        lines += [
            "    # TF1's final state h under sequence_length: each sequence's last valid",
            "    # output (a length 0 reads step 0, zero past the length, as TF1's zero state)",
            "    index = keras.ops.maximum(sequence_length - 1, 0)[:, None, None]",
            "    last = keras.ops.take_along_axis(sequence, index, axis=1)[:, 0, :]",
        ]
    elif r.readout_from == "every output":
        lines += [
            "    # TF1's readout on every step's output (tf.reshape(outputs, [-1, H]) @ W + b,",
            "    # one row per step): Dense on the last axis, logits (batch, timesteps, classes)",
        ]
    else:
        lines.append(f"    last = sequence[:, -1, :]  # {what}")
    lines += [
        "    # the readout's initial values: the same distributions as TF1's",
        "    logits = keras.layers.Dense(",
        "        num_classes,",
        *activation,
        f"        kernel_initializer={kernel},",
        f"        bias_initializer={bias},",
        "        name=\"readout\")("
        + ("sequence)" if r.readout_from == "every output" else "last)"),
    ]
    return "\n".join(lines)


def _stem(filename):
    """The program's file stem as a Keras model name (letters, digits and ``_``, starting
    with a letter or digit: TensorFlow's name scopes refuse others)."""
    stem = (filename or "").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"\W", "_", stem).strip("_") or "ported_model"


def kit_imports(r: RecognizedPipeline, layers):
    """The ``import modern`` lines the model code needs (none for Keras built-ins)."""
    uses_modern = r.spec.masked or any(c.keras_target not in ("LSTM", "GRU", "SimpleRNN")
                                       for c in r.spec.cells)
    kit = (["import modern  # Keras 3 cells for what Keras has no built-in for"]
           if uses_modern else [])
    if r.optimizer_keras[0].startswith("modern.optimizers."):
        kit.append("import modern.optimizers  # TF1's optimizers Keras has no exact form of")
    return kit


def _loss_weights_code(r: RecognizedPipeline):
    """compile's ``loss_weights`` line of the loss (LOSSES), or nothing."""
    template = LOSSES[r.loss].loss_weights
    if template is None:
        return ""
    return ("\n        loss_weights=" + template.format(scale=r.loss_scale) + ",  # TF1's "
            f"division by {r.loss_scale!r}")


def model_definitions(r: RecognizedPipeline, filename, layers, optimizer_code):
    """``GateBiasBlocks`` (when a layer uses it), ``build_model()`` and
    ``compile_model(model)`` as self-contained code: the shapes and the learning rate are
    locals, so they can go into any program (the kept program of :mod:`.kept`)."""
    classes = _initializer_classes(layers).strip()
    model_in = "[x, sequence_length]" if r.spec.masked else "x"
    shapes = f"timesteps, num_input, num_classes = {r.steps!r}, {r.input_size!r}, " \
        f"{r.spec.num_classes!r}"
    if r.encoder is not None:
        model_in = "[encoder_x, " + model_in.strip("[]") + "]"
        shapes = (f"encoder_timesteps, encoder_num_input = {r.encoder['steps']!r}, "
                  f"{r.encoder['input_size']!r}\n    " + shapes)
    return f'''{classes + chr(10) * 3 if classes else ""}def build_model():
    """{_model_doc(r)}"""
    {shapes}
{_model_code(r, layers)}
    return keras.Model({model_in}, logits, name="{_stem(filename)}")


def compile_model(model):
    """TF1's training: the same optimizer settings and loss ({r.loss.replace("_", " ")})."""
{_learning_rate_code(r, "    ")}
    model.compile(
        optimizer={optimizer_code},
        loss={LOSSES[r.loss].keras},{_loss_weights_code(r)}
        metrics={LOSSES[r.loss].metrics})
    return model
'''


def _program(r: RecognizedPipeline, filename, layers, optimizer_code):
    stem = _stem(filename)
    imports = ["import keras", "import numpy as np", ""]
    kit = kit_imports(r, layers)
    if kit:
        imports += kit + [""]
    imports.append("from legacy_compat.examples.tutorials.mnist import input_data")
    seeds = []
    if r.tf_seed is not None:
        seeds.append(f"    keras.utils.set_random_seed({r.tf_seed!r})  # tf.set_random_seed")
    if r.np_seed is not None:
        seeds.append(f"    np.random.seed({r.np_seed!r})  # next_batch shuffles with numpy")
    first = r.first_step
    if r.spec.masked:
        batch_in, model_in, test_in = ("[batch_x, batch_len]", "[x, sequence_length]",
                                       "[test_x, test_len]")
        lengths = ("\n        # TF1's sequence_length feed, on the batch as next_batch gives it"
                   f"\n        batch_len = np.asarray({r.sequence_length_feed}, np.int32)")
        test_len = ("\n    test_len = np.full(len(test_x), timesteps, np.int32)"
                    "  # the full length")
    else:
        batch_in, model_in, test_in, lengths, test_len = "batch_x", "x", "test_x", "", ""
    if r.display_step:
        cond = "step % display_step == 0"
        if r.display_first:
            cond = f"step == {first} or " + cond
        display = f'''
        if {cond}:
            batch_loss, batch_acc = model.test_on_batch({batch_in}, batch_y)
            print("Step {{}}, Minibatch Loss= {{:.4f}}, Training Accuracy= {{:.3f}}".format(
                step, batch_loss, batch_acc))'''
    else:
        display = ""
    data_dir = r.data["train_dir"]
    doc = (f'"""Keras 3 port of {filename}, written by `port --to keras` (tools.porter).\n\n'
           f"The TF1 model: {describe(r)}.\n"
           "Same initial-value semantics (TF1's initial biases, the readout's initial\n"
           "distributions),\n"
           "optimizer, learning rate, batch size, number of steps and MNIST batches.\n"
           '"""')
    return f'''{doc}
{chr(10).join(imports)}

# Hyperparameters (from the TF1 program)
{_learning_rate_code(r)}
training_steps = {r.training_steps!r}
batch_size = {r.batch_size!r}
display_step = {r.display_step!r}

# Shapes
timesteps = {r.steps!r}
num_input = {r.input_size!r}
num_classes = {r.spec.num_classes!r}
{_initializer_classes(layers)}

def build_model():
    """{_model_doc(r)}"""
{_model_code(r, layers)}
    return keras.Model({model_in}, logits, name="{stem}")


def compile_model(model):
    """TF1's training: the same optimizer settings and reduce_mean(softmax cross-entropy)."""
    model.compile(
        optimizer={optimizer_code},
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
    return model


def main():
{chr(10).join(seeds) if seeds else "    pass"}
    mnist = input_data.read_data_sets({data_dir!r}, one_hot=True)

    model = compile_model(build_model())

    for step in range({first}, {first} + training_steps):
        batch_x, batch_y = mnist.train.next_batch(batch_size){lengths}
        batch_x = batch_x.reshape((batch_size, timesteps, num_input))
        model.train_on_batch({batch_in}, batch_y){display}
    print("Optimization Finished!")

    # Evaluate on the whole test set
    test_x = mnist.test.images.reshape((-1, timesteps, num_input))
    test_y = mnist.test.labels{test_len}
    _, test_acc = model.evaluate({test_in}, test_y, batch_size=1000, verbose=0)
    print("Testing Accuracy: {{:.4f}}".format(test_acc))


if __name__ == "__main__":
    main()
'''


class _Statements(cst.CSTVisitor):
    """``[(first line, last line, first line's indentation)]`` of every statement."""

    METADATA_DEPENDENCIES = (cst.metadata.PositionProvider,)

    def __init__(self, lines):
        super().__init__()
        self.lines, self.found = lines, []

    def on_visit(self, node):
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            where = self.get_metadata(cst.metadata.PositionProvider, node)
            text = self.lines[where.start.line - 1]
            self.found.append((where.start.line, where.end.line,
                               text[:len(text) - len(text.lstrip())]))
        return True


def _marked(source, unconverted):
    """``source`` with ``# rnn-migrate: <reason>`` above the statement of each construct
    the Keras port does not cover (the TF1 program kept, nothing generated); a marker
    already there is not repeated, so marking a marked program changes nothing."""
    lines = source.split("\n")
    visitor = _Statements(lines)
    cst.metadata.MetadataWrapper(cst.parse_module(source)).visit(visitor)
    inserts = {}  # line index -> [marker lines]
    for line, reason, *_ in unconverted:
        around = [(last - first, first, indent) for first, last, indent in visitor.found
                  if first <= max(line, 1) <= last]
        if not around:  # a whole-program reason (line 1 a comment): the first statement
            around = [(0, first, indent) for first, _, indent in visitor.found[:1]]
        _, first, indent = min(around) if around else (0, 1, "")
        text = f"{indent}# rnn-migrate: {' '.join(reason.split())} (--to keras)"
        above, k = [], first - 2
        while k >= 0 and lines[k].strip().startswith("#"):
            above.append(lines[k].strip())
            k -= 1
        if text.strip() not in above and text not in inserts.get(first - 1, []):
            inserts.setdefault(first - 1, []).append(text)
    out = []
    for index, text in enumerate(lines):
        out += inserts.get(index, [])
        out.append(text)
    return "\n".join(out)


def _port_tf1(source, filename):
    from tools.porter.keras import kept

    context = recognize_context(source, filename=filename)
    r = context.result
    unconverted = list(r.unrecognized)
    own_data = (unconverted and {m[1] for m in unconverted} <= set(kept.DATA_REASONS)
                and r.spec is not None and r.runner is not None
                and None not in (r.steps, r.optimizer, r.learning_rate))
    if own_data:  # the program's own data and loops: kept, its graph replaced
        try:
            program = kept.keep_program(context)  # before building the model's layers
        except kept.NotKept as error:
            reason = context.shown(error.reason)
            unconverted = [Miss(error.line, f"{reason} (the program's own data and loop are "
                                            "kept; its TF1 session is not)")]
            return _marked(source, unconverted), [], unconverted, None
        unconverted = []
        r.kept = True
    elif r.complete and r.rate_variable is not None:
        unconverted.append(Miss(r.lines["optimizer"], f"the learning rate in the variable "
                                f"`{r.rate_variable['name']}` (set by tf.assign) is ported in "
                                "programs whose own loop is kept, not in a next_batch "
                                "tutorial's new loop, where its assignments would be lost"))
        return _marked(source, unconverted), [], sorted(unconverted), None
    elif r.complete and (r.loss != "softmax_cross_entropy" or r.readout_from == "every output"):
        unconverted.append(Miss(r.lines["loss"], "a many-to-many model (a readout on every step's output) "
                                "on MNIST's next_batch batches"
                                if r.readout_from == "every output" else
                                f"{r.loss} on MNIST's next_batch batches: the MNIST program "
                                "is a classifier of one-hot labels"))
        return _marked(source, unconverted), [], sorted(unconverted), None
    elif not r.complete:
        if not unconverted:
            unconverted.append(Miss(1, "the TF1 pipeline was not fully recognised"))
        return _marked(source, unconverted), [], sorted(unconverted), None
    if r.spec.masked and r.sequence_length_feed is None and not own_data:
        unconverted = [Miss(r.lines.get("sequence_length", 0),
                            "sequence_length: its per-batch feed was not recognised")]
        return _marked(source, unconverted), [], unconverted, None
    if r.encoder is not None and not own_data:
        unconverted = [Miss(r.lines["encoder"], "an encoder-decoder on MNIST's next_batch "
                                                "batches: ported with the program's own "
                                                "data and loop")]
        return _marked(source, unconverted), [], unconverted, None
    layers = model_layers(r)
    pairs, other_pairs = _pairs_for(r)
    changes = []
    all_code = " ".join(code for _, code, _ in layers)
    for cell, pair in pairs:
        _check_against_registry(cell, pair, all_code)
        changes.append(f"line {r.lines['runner']}: {cell.cell_type}({cell.units}) -> "
                       f"{pair.keras_api} [registry pair {pair.name!r}: "
                       f"{'; '.join(pair.keras_settings)}]")
        blocks = _bias_blocks(cell)
        if blocks is not None:
            changes.append(f"line {r.lines['runner']}: TF1's initial {cell.cell_type} bias "
                           f"(forget_bias/gate bias) -> bias_initializer="
                           f"GateBiasBlocks({blocks})")
        if cell.keras_target in ("LSTM", "GRU", "SimpleRNN"):
            changes.append(f"line {r.lines['runner']}: TF1's initial {cell.cell_type} "
                           "kernels (get_variable's glorot-uniform over [input + units, "
                           "blocks * units]) -> kernel_initializer and "
                           "recurrent_initializer of the same uniform limits")
    for pair in other_pairs:
        note = "; ".join(pair.keras_settings)
        changes.append(f"line {r.lines.get('readout' if 'readout' in pair.name else 'runner')}: "
                       f"{pair.tf1_api} -> {pair.keras_api}"
                       + (f" [registry pair {pair.name!r}: {note}]" if note else ""))
        for limitation in pair.limitations:
            changes.append(f"  known limitation of {pair.name!r}: {limitation.name}")
    for name, code, _ in layers:
        changes.append(f"layer {name!r}: {code}")
    if r.spec.masked:
        changes.append(f"line {r.lines['sequence_length']}: sequence_length placeholder -> "
                       "input 'sequence_length', modern.SequenceMask, zero_output_for_mask=True"
                       f"; fed `{r.sequence_length_feed}` per batch (test set: full length)")
    for name, keep in r.keep_prob_feeds.items():
        changes.append(f"keep_prob placeholder `{name}` fed {keep} with the train op and 1.0 "
                       f"elsewhere -> keras.layers.Dropout({round(1.0 - keep, 12)!r}), active "
                       "only in train_on_batch")
    optimizer_code = _optimizer_code(r)
    changes.append(f"line {r.lines['optimizer']}: tf.train {r.optimizer} optimizer -> "
                   f"{optimizer_code}")
    changes += _sparse_gradient_notes(r)
    if r.clipping is not None:
        (argument, value), = r.clipping["keras"].items()
        changes.append(f"tf.{r.clipping['name']} between compute_gradients and "
                       f"apply_gradients -> the optimizer's {argument}={value!r} "
                       "(modern.optimizers.CLIPPING)")
    if r.schedule is not None:
        changes.append(f"line {r.schedule['line']}: tf.train.{r.schedule['name']} -> "
                       f"{r.schedule['keras'][0]} as the learning rate; its global step "
                       f"`{r.schedule['step']}` -> optimizer.iterations "
                       "(modern.optimizers.SCHEDULES)")
    changes.append(f"line {r.lines['loss']}: {LOSSES[r.loss].tf1_spellings[0]} -> "
                   f"{LOSSES[r.loss].keras} ({LOSSES[r.loss].why})")
    if not own_data:
        changes.append(f"line {r.lines['loop']}: training loop -> {r.training_steps} "
                       f"train_on_batch steps of {r.batch_size} (same next_batch batches)")
    changes += [f"line {line}: {what}" for line, what in r.dropped]
    if r.input_projection:
        changes.append(f"line {r.lines['input_projection']}: input projection tf.matmul(x, W_in) "
                       f"+ b_in on every step -> keras.layers.Dense("
                       f"{r.input_projection['units']}) before the RNN (same initial "
                       "distributions)")
    if own_data:
        code = program.code(model_definitions(r, filename, layers, optimizer_code),
                            kit_imports(r, layers))
        return code, changes + program.changes, [], r
    changes.append(f"line {r.lines['data']}: tensorflow.examples...input_data -> "
                   "legacy_compat.examples.tutorials.mnist.input_data (same data)")
    return _program(r, filename, layers, optimizer_code), changes, sorted(unconverted), r


# --------------------------------------------------------------------------------------
# programs that already are TF2 / Keras
# --------------------------------------------------------------------------------------
def _keras_has(path):
    import importlib

    import keras

    obj = keras
    for part in path:
        if not hasattr(obj, part):
            try:
                obj = importlib.import_module(f"{obj.__name__}.{part}")
                continue
            except (ImportError, AttributeError):
                return False
        obj = getattr(obj, part)
    return True


def _attr_path(node):
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return parts[::-1]
    return None


class _TfKerasToKeras(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (cst.metadata.PositionProvider,)

    def __init__(self, tf_names):
        super().__init__()
        self.tf_names = tf_names
        self.changes, self.unconverted = [], []
        self.has_import_keras = False
        self.replacements = {}
        self.mnist_calls = set()
        # local name -> the dotted path it was imported as (``from keras.datasets import
        # mnist``)
        self.mnist_aliases = {}

    def _line(self, node):
        return self.get_metadata(cst.metadata.PositionProvider, node).start.line

    def visit_Import(self, node):
        for alias in node.names:
            if _attr_path(alias.name) == ["keras"] and alias.asname is None:
                self.has_import_keras = True

    def visit_Attribute(self, node):
        """Decide for a whole ``tf.keras.a.b`` chain at its outermost attribute."""
        path = _attr_path(node)
        if not path or len(path) < 3 or path[0] not in self.tf_names or path[1] != "keras":
            return True
        rest = path[2:]
        line = self._line(node)
        if not _keras_has(rest):
            self.unconverted.append(Miss(line, f"{'.'.join(path)}: Keras 3 has no "
                                               f"keras.{'.'.join(rest)}; left as it is"))
            self.replacements[node] = node
            return False
        self.changes.append(f"line {line}: {'.'.join(path)} -> keras.{'.'.join(rest)}")
        new = cst.Name("keras")
        for part in rest:
            new = cst.Attribute(value=new, attr=cst.Name(part))
        self.replacements[node] = new
        return False

    def leave_Attribute(self, original, updated):
        return self.replacements.get(original, updated)

    def visit_Call(self, node):
        """``mnist.load_data()`` of keras.datasets (downloads, fails offline) -> the
        kit's embedded MNIST in the same layout."""
        path = _attr_path(node.func)
        if path and path[-1] == "load_data" and not node.args \
                and self._is_keras_mnist(path[:-1]):
            self.mnist_calls.add(node)
            self.changes.append(f"line {self._line(node)}: {'.'.join(path)}() (downloads "
                                "mnist.npz, fails offline) -> " + _MNIST_FUNCTION + "(): the "
                                "kit's embedded MNIST, same arrays and layout, never "
                                "downloaded")
        return True

    def _is_keras_mnist(self, path):
        full = self.mnist_aliases.get(path[0], [path[0]]) + path[1:]
        if full[0] in self.tf_names:
            full = ["tensorflow"] + full[1:]
        return full in (["keras", "datasets", "mnist"],
                        ["tensorflow", "keras", "datasets", "mnist"])

    def leave_Call(self, original, updated):
        if original in self.mnist_calls:
            return cst.Call(func=cst.Name(_MNIST_FUNCTION))
        return updated

    def visit_ImportFrom(self, node):
        module = _attr_path(node.module) if node.module else None
        if module and not node.relative and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                local = alias.asname.name.value if alias.asname else alias.name.value
                self.mnist_aliases[local] = module + [alias.name.value]

    def leave_ImportFrom(self, original, updated):
        module = _attr_path(original.module) if original.module else None
        if module and module[:2] == ["tensorflow", "keras"] and not original.relative:
            rest = module[2:]
            if rest and not _keras_has(rest):
                return updated
            new_module = cst.Name("keras")
            for part in rest:
                new_module = cst.Attribute(value=new_module, attr=cst.Name(part))
            self.changes.append(f"line {self._line(original)}: from {'.'.join(module)} -> "
                                f"from {'.'.join(['keras'] + rest)}")
            return updated.with_changes(module=new_module)
        if module == ["tensorflow"] and not isinstance(original.names, cst.ImportStar) \
                and [a.name.value for a in original.names] == ["keras"] \
                and original.names[0].asname is None:
            self.changes.append(f"line {self._line(original)}: from tensorflow import keras "
                                "-> import keras")
            self.has_import_keras = True
            return cst.Import(names=[cst.ImportAlias(name=cst.Name("keras"))])
        return updated


_MNIST_FUNCTION = "load_mnist_offline"
_MNIST_DEFINITION = f'''from legacy_compat.mnist import load_mnist_npz


def {_MNIST_FUNCTION}():
    """keras.datasets.mnist.load_data() without the download: ((x_train, y_train),
    (x_test, y_test)) from the kit's embedded MNIST (the original 70,000 digits,
    sha256-checked)."""
    data = load_mnist_npz()
    return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
'''


def _with_statements_after_imports(module, code):
    """``module`` with the statements of ``code`` after its last top-level import."""
    body = list(module.body)
    last_import = -1
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
            last_import = i
    added = list(cst.parse_module(code).body)
    after = last_import + 1
    if after < len(body) and isinstance(added[-1], cst.FunctionDef):  # PEP 8: 2 blank lines
        body[after] = body[after].with_changes(
            leading_lines=[cst.EmptyLine(), cst.EmptyLine()] + list(body[after].leading_lines))
    body[after:after] = added
    return module.with_changes(body=body)


def _port_keras(source):
    module = cst.parse_module(source)
    tf_names = set()
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Import):
                    for alias in small.names:
                        if _attr_path(alias.name) == ["tensorflow"]:
                            tf_names.add(alias.asname.name.value if alias.asname else "tensorflow")
    transformer = _TfKerasToKeras(tf_names)
    new = cst.metadata.MetadataWrapper(module).visit(transformer)
    changes = list(transformer.changes)
    if transformer.mnist_calls:
        new = _with_statements_after_imports(new, _MNIST_DEFINITION)
    if any("-> keras." in c for c in changes) and not transformer.has_import_keras:
        new = _with_statements_after_imports(new, "import keras\n")
        changes.append("added `import keras`")
    return new.code, changes, sorted(transformer.unconverted)


def _is_keras_program(source):
    return "keras" in source


def port_to_keras_with_proof(source: str, *, filename: str = "<string>"):
    """:func:`port_to_keras` and the proof of a generated program:
    ``(new_source, changes, unconverted, proof)``; ``proof`` is None (nothing generated,
    or a program that already is Keras) or ``proof(port_name) -> the text of
    test_<stem>_keras_port.py`` for the port saved as ``port_name`` beside that test
    (:mod:`tools.porter.keras.proof`)."""
    cst.parse_module(source)  # a syntax error is the caller's to see
    if tf1_markers(source):
        code, changes, unconverted, r = _port_tf1(source, filename)
        if r is None:
            return code, changes, unconverted, None
        from tools.porter.keras.proof import write_proof_test

        return code, changes, unconverted, lambda port_name: write_proof_test(
            r, filename, port_name)
    return port_to_keras(source, filename=filename) + (None,)


def port_to_keras(source: str, *, filename: str = "<string>"
                  ) -> Tuple[str, List[str], List[Tuple[int, str]]]:
    """Port ``source`` to Keras 3: ``(new_source, changes, unconverted)``.

    ``changes`` lists what was rewritten (with the registry pair of each part);
    ``unconverted`` lists ``(line, reason)`` of what was not. When the TF1 pipeline is
    not fully recognised nothing is generated: ``new_source`` is ``source``.
    """
    cst.parse_module(source)  # a syntax error is the caller's to see
    if tf1_markers(source):
        return _port_tf1(source, filename)[:3]
    if _is_keras_program(source):
        return _port_keras(source)
    return source, [], [(1, "no TF1 RNN pipeline and no Keras code found")]
