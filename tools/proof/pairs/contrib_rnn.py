"""Migration pairs of ``tf.contrib.rnn``'s wrappers, fused cells and stacked runners.

Each pair's ``equivalence(seed)`` builds one small configuration on both sides: the TF1
graph from :mod:`legacy_compat.contrib.rnn` and the Keras 3 model the pair names, with the
same random weights (Uniform(-0.5, 0.5), biases included) and inputs drawn from the seed.
Seeds ``2k`` and ``2k + 1`` share configuration ``k`` (one graph, one model, two draws of
weights and inputs); even ``k`` run ``static_rnn``, odd ``k`` ``dynamic_rnn`` (the stacked
runners are their own runner). The fast profile's seeds 0 and 1 thus prove ``static_rnn``;
``dynamic_rnn`` gives the same outputs for these cells (``tests/legacy_compat/
test_contrib_rnn_extras.py``) and is proven by the thorough profile's seeds 2 and 3. It
reports:

* ``outputs/<runner>``: every output sequence and final-state part;
* ``gradients/<runner>``: the gradients of a random linear probe of all outputs with
  respect to the input (float inputs) and every weight, the TF1 gradients moved into the
  Keras layout by the pair's own weight map (LSTM's additive ``forget_bias`` left out).

Graphs, sessions and Keras models are built once per configuration (cached).
"""
import dataclasses
import functools
from typing import Callable, Tuple

import numpy as np

from modern import spec as spec_table
from modern import weights
from tools.proof import limitations as lim
from tools.proof.pair import KerasSide, MigrationPair
from tools.proof.report import compare
from tools.proof.tolerances import RANDOM_WEIGHT_SCALE, Tolerance
from tools.proof.pipelines import new_session

BATCH, STEPS = 2, 3
_RUNNERS = ("static_rnn", "dynamic_rnn")
_CONTRIB = "1.0-1.15: tf.contrib.rnn (removed with tf.contrib in 2.0)"
_WRAPPER_VERSIONS = ("0.x: tf.nn.rnn_cell / tensorflow.models.rnn.rnn_cell; 1.0-1.15: "
                     "tf.contrib.rnn")


# ------------------------------------------------------------------------------------
# the proof engine
# ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Proof:
    """How one pair is proven: its configurations and both sides of one of them."""

    config: Callable  # k -> configuration k (hashable; k = seed // 2)
    tf1: Callable  # (config, runner, x) -> {output name: tensor}, built in the current graph
    keras: Callable  # config -> keras.Model, x -> {output name: tensor}
    # (config, {TF1 variable name: array}, forget_bias) -> the model's trainable_weights values
    to_keras: Callable
    input_size: Callable = lambda config: config.input_size
    ids: Callable = None  # config -> number of classes, for integer-id inputs
    runners: Tuple[str, ...] = _RUNNERS
    gradients: bool = True  # False: the pair's limitations excuse the gradients


@dataclasses.dataclass
class _Built:
    session: object
    x: object
    outputs: dict
    variables: dict  # full TF1 name -> variable
    probes: dict
    gradient_names: list
    gradients: list
    assign: dict


@functools.lru_cache(maxsize=32)
def _tf1_graph(proof, config, runner):
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        if proof.ids is not None:
            x = v1.placeholder(tf.int32, [BATCH, STEPS], name="ids")
        else:
            x = v1.placeholder(tf.float32, [BATCH, STEPS, proof.input_size(config)], name="x")
        outputs = proof.tf1(config, runner, x)
        variables = {v.op.name: v for v in v1.global_variables()}
        probes = {name: v1.placeholder(tf.float32, t.shape) for name, t in outputs.items()}
        total = tf.add_n([tf.reduce_sum(t * probes[name]) for name, t in outputs.items()])
        names = ([] if proof.ids is not None else ["x"]) + sorted(variables)
        wrt = [x if n == "x" else variables[n] for n in names]
        gradients = ([tf.convert_to_tensor(g) for g in tf.gradients(total, wrt)]
                     if proof.gradients else [])
        assign = {}
        for name, var in variables.items():
            ph = v1.placeholder(var.dtype.base_dtype, var.shape)
            assign[name] = (ph, var.assign(ph))
        init = v1.global_variables_initializer()
    session = new_session(graph)
    session.run(init)
    return _Built(session, x, outputs, variables, probes, names, gradients, assign)


@functools.lru_cache(maxsize=32)
def _keras_model(proof, config):
    return proof.keras(config)


def _equivalence(proof):
    def equivalence(seed):
        import tensorflow as tf

        config = proof.config(seed // 2)
        runner = proof.runners[(seed // 2) % len(proof.runners)]
        built = _tf1_graph(proof, config, runner)
        model = _keras_model(proof, config)
        rng = np.random.default_rng(seed)
        values = {name: rng.uniform(-RANDOM_WEIGHT_SCALE, RANDOM_WEIGHT_SCALE,
                                    var.shape.as_list()).astype(np.float32)
                  for name, var in sorted(built.variables.items())}
        built.session.run([op for _, op in built.assign.values()],
                          {ph: values[n] for n, (ph, _) in built.assign.items()})
        for variable, value in zip(model.trainable_weights, proof.to_keras(config, values, None)):
            variable.assign(np.asarray(value, np.float32))
        if proof.ids is not None:
            x = rng.integers(0, proof.ids(config), size=(BATCH, STEPS)).astype(np.int32)
        else:
            x = rng.normal(size=(BATCH, STEPS, proof.input_size(config))).astype(np.float32)
        probes = {name: rng.normal(size=t.shape.as_list()).astype(np.float32)
                  for name, t in built.outputs.items()}
        feed = {built.x: x}
        feed.update({built.probes[name]: value for name, value in probes.items()})
        tf1_out, tf1_grads = built.session.run([built.outputs, built.gradients], feed)

        x_tensor = tf.constant(x)
        with tf.GradientTape() as tape:
            if proof.ids is None:
                tape.watch(x_tensor)
            keras_out = model(x_tensor)
            total = tf.add_n([tf.reduce_sum(keras_out[k] * probes[k]) for k in probes])
        context = {"config": config, "runner": runner, "batch": BATCH, "steps": STEPS}
        reports = {f"outputs/{runner}": compare(
            tf1_out, {k: np.asarray(v) for k, v in keras_out.items()},
            atol=Tolerance.outputs, title=f"outputs, {runner}", context=context)}
        if not proof.gradients:
            return reports
        wrt = ([] if proof.ids is not None else [x_tensor]) + list(model.trainable_weights)
        keras_grads = [np.asarray(tf.convert_to_tensor(g)) for g in tape.gradient(total, wrt)]
        by_name = dict(zip(built.gradient_names, tf1_grads))
        paths = [w.path for w in model.trainable_weights]
        tf1_side = dict(zip(paths, proof.to_keras(config, by_name, 0.0)))
        keras_side = dict(zip(paths, keras_grads[-len(paths):]))
        if proof.ids is None:
            tf1_side = {"x": by_name["x"], **tf1_side}
            keras_side["x"] = keras_grads[0]
        reports[f"gradients/{runner}"] = compare(
            tf1_side, keras_side, atol=Tolerance.gradients, title=f"gradients, {runner}",
            context=context)
        return reports

    return equivalence


# ------------------------------------------------------------------------------------
# shared pieces of the two sides
# ------------------------------------------------------------------------------------
def _v1():
    import tensorflow as tf

    return tf, tf.compat.v1


def _contrib():
    from legacy_compat.contrib import rnn

    return rnn


def _run(cell, runner, x):
    """TF1's runner on ``x`` [batch, steps, ...] (or ids [batch, steps]); outputs stacked."""
    tf, v1 = _v1()
    if runner == "static_rnn":
        outs, state = v1.nn.static_rnn(cell, tf.unstack(x, STEPS, 1), dtype=tf.float32)
        return tf.stack(outs, 1), state
    if x.shape.rank == 2:  # ids: dynamic_rnn needs [batch, steps, 1]
        x = tf.expand_dims(x, -1)
    return v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)


def _lstm_outputs(outputs, state):
    return {"outputs": outputs, "c": state.c, "h": state.h}


def _keras_layer(target, units, **more):
    """The Keras target of modern.spec with its exactness settings (sequence and state)."""
    import keras

    from modern import cells as modern_cells

    table = spec_table.KERAS_TARGETS[target]
    module, _, name = (table.layer if table.builtin else table.cell).rpartition(".")
    cls = getattr(keras.layers if module.startswith("keras") else modern_cells, name)
    if table.builtin:
        return cls(units, return_sequences=True, return_state=True, **table.settings, **more)
    return keras.layers.RNN(cls(units, **more), return_sequences=True, return_state=True)


def _named_states(target, states):
    """Keras' state list -> {"c": ..., "h": ...} or {"h": ...} (by modern.spec's order)."""
    return dict(zip(spec_table.KERAS_TARGETS[target].state_order, states))


def _model(inputs, outputs):
    import keras

    return keras.Model(inputs, outputs)


def _scoped(values, scope):
    """``{name relative to scope: array}`` of the variables under ``scope/``."""
    return weights.scope_variables(values, scope)


def _lstm_weights(values, scope, input_size, units, forget_bias):
    return weights.tf1_to_keras("BasicLSTMCell", _scoped(values, scope), input_size=input_size,
                                units=units, forget_bias=forget_bias, target="LSTM")


_FORGET_BIASES = (1.0, 0.0, 0.5, -0.7)


def _forget_bias(config, fold):
    """The forget bias folded into the Keras bias: the cell's, or ``fold`` (0 for gradients)."""
    return config.forget_bias if fold is None else fold


# ------------------------------------------------------------------------------------
# OutputProjectionWrapper, InputProjectionWrapper, EmbeddingWrapper
# ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _WrapperConfig:
    input_size: int
    units: int
    size: int  # output_size / num_proj / embedding_size
    forget_bias: float = 1.0
    activation: str = ""  # "" or "tanh"


def _wrapper_config(seed):
    rng = np.random.default_rng(seed)
    return _WrapperConfig(int(rng.integers(2, 4)), int(rng.integers(2, 5)),
                          int(rng.integers(1, 4)), float(rng.choice(_FORGET_BIASES)),
                          ("", "tanh")[seed % 2])


def _output_projection_tf1(config, runner, x):
    tf, _ = _v1()
    rnn = _contrib()
    activation = tf.tanh if config.activation else None
    cell = rnn.OutputProjectionWrapper(rnn.BasicLSTMCell(config.units, config.forget_bias),
                                       config.size, activation=activation)
    return _lstm_outputs(*_run(cell, runner, x))


def _output_projection_keras(config):
    import keras

    x = keras.Input((STEPS, config.input_size))
    seq, h, c = _keras_layer("LSTM", config.units)(x)
    dense = keras.layers.Dense(config.size, activation=config.activation or None)
    return _model(x, {"outputs": dense(seq), "c": c, "h": h})


def _output_projection_weights(config, values, fold):
    scope = "rnn/output_projection_wrapper"
    return (_lstm_weights(values, f"{scope}/basic_lstm_cell", config.input_size, config.units,
                          _forget_bias(config, fold))
            + [values[f"{scope}/kernel"], values[f"{scope}/bias"]])


def _input_projection_tf1(config, runner, x):
    tf, _ = _v1()
    rnn = _contrib()
    activation = tf.tanh if config.activation else None
    cell = rnn.InputProjectionWrapper(rnn.GRUCell(config.units), config.size,
                                      activation=activation)
    outputs, state = _run(cell, runner, x)
    return {"outputs": outputs, "h": state}


def _input_projection_keras(config):
    import keras

    x = keras.Input((STEPS, config.input_size))
    dense = keras.layers.Dense(config.size, activation=config.activation or None)
    seq, h = _keras_layer("GRU", config.units)(dense(x))
    return _model(x, {"outputs": seq, "h": h})


def _input_projection_weights(config, values, fold):
    scope = "rnn/input_projection_wrapper"
    gru = weights.tf1_to_keras("GRUCell", _scoped(values, f"{scope}/gru_cell"),
                               input_size=config.size, units=config.units, target="GRU")
    return [values[f"{scope}/kernel"], values[f"{scope}/bias"]] + gru


def _embedding_tf1(config, runner, x):
    rnn = _contrib()
    cell = rnn.EmbeddingWrapper(rnn.BasicLSTMCell(config.units, config.forget_bias),
                                config.input_size + 3, config.size)
    return _lstm_outputs(*_run(cell, runner, x))


def _embedding_keras(config):
    import keras

    ids = keras.Input((STEPS,), dtype="int32")
    embedded = keras.layers.Embedding(config.input_size + 3, config.size)(ids)
    seq, h, c = _keras_layer("LSTM", config.units)(embedded)
    return _model(ids, {"outputs": seq, "c": c, "h": h})


def _embedding_weights(config, values, fold):
    scope = "rnn/embedding_wrapper"
    return [values[f"{scope}/embedding"]] + _lstm_weights(
        values, f"{scope}/basic_lstm_cell", config.size, config.units, _forget_bias(config, fold))


# ------------------------------------------------------------------------------------
# stack_bidirectional_rnn, stack_bidirectional_dynamic_rnn
# ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _StackConfig:
    input_size: int
    units: Tuple[int, ...]  # per layer (both directions)
    forget_bias: float = 1.0


def _stack_config(seed):
    rng = np.random.default_rng(seed)
    layers = 2 + seed % 2
    return _StackConfig(int(rng.integers(2, 4)),
                        tuple(int(u) for u in rng.integers(1, 4, size=layers)),
                        float(rng.choice(_FORGET_BIASES)))


def _stack_tf1(config, runner, x):
    tf, _ = _v1()
    rnn = _contrib()
    cells_fw = [rnn.BasicLSTMCell(u, config.forget_bias) for u in config.units]
    cells_bw = [rnn.BasicLSTMCell(u, config.forget_bias) for u in config.units]
    if runner == "stack_bidirectional_rnn":
        outs, states_fw, states_bw = rnn.stack_bidirectional_rnn(
            cells_fw, cells_bw, tf.unstack(x, STEPS, 1), dtype=tf.float32)
        outs = tf.stack(outs, 1)
    else:
        outs, states_fw, states_bw = rnn.stack_bidirectional_dynamic_rnn(
            cells_fw, cells_bw, x, dtype=tf.float32)
    outputs = {"outputs": outs}
    for i, (fw, bw) in enumerate(zip(states_fw, states_bw)):
        outputs.update({f"fw/cell_{i}/c": fw.c, f"fw/cell_{i}/h": fw.h,
                        f"bw/cell_{i}/c": bw.c, f"bw/cell_{i}/h": bw.h})
    return outputs


def _stack_keras(config):
    import keras

    x = keras.Input((STEPS, config.input_size))
    seq, outputs = x, {}
    for i, units in enumerate(config.units):
        layer = keras.layers.Bidirectional(_keras_layer("LSTM", units), merge_mode="concat")
        seq, fw_h, fw_c, bw_h, bw_c = layer(seq)
        outputs.update({f"fw/cell_{i}/c": fw_c, f"fw/cell_{i}/h": fw_h,
                        f"bw/cell_{i}/c": bw_c, f"bw/cell_{i}/h": bw_h})
    return _model(x, {"outputs": seq, **outputs})


def _stack_scope(runner):
    return "" if runner == "stack_bidirectional_rnn" else "bidirectional_rnn/"


def _stack_weights(runner):
    def to_keras(config, values, fold):
        arrays, depth = [], config.input_size
        for i, units in enumerate(config.units):
            scope = f"stack_bidirectional_rnn/cell_{i}/{_stack_scope(runner)}"
            arrays += weights.bidirectional_tf1_to_keras(
                "BasicLSTMCell", _scoped(values, f"{scope}fw/basic_lstm_cell"),
                _scoped(values, f"{scope}bw/basic_lstm_cell"), input_size=depth, units=units,
                forget_bias=_forget_bias(config, fold), target="LSTM")
            depth = 2 * units
        return arrays

    return to_keras


# ------------------------------------------------------------------------------------
# LSTMBlockCell, GRUBlockCell
# ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _BlockConfig:
    input_size: int
    units: int
    forget_bias: float = 1.0
    cell_clip: float = -1.0  # LSTMBlockCell: clips only when > 0
    peephole: bool = False


def _block_config(peephole, clip):
    def config(k):
        rng = np.random.default_rng(k)
        return _BlockConfig(int(rng.integers(2, 4)), int(rng.integers(2, 5)),
                            float(rng.choice(_FORGET_BIASES)),
                            float(rng.choice([0.05, 0.3])) if clip else -1.0,
                            peephole if peephole is not None else bool(k % 2))

    return config


def _lstm_block_tf1(config, runner, x):
    rnn = _contrib()
    cell = rnn.LSTMBlockCell(config.units, forget_bias=config.forget_bias,
                             cell_clip=config.cell_clip, use_peephole=config.peephole)
    return _lstm_outputs(*_run(cell, runner, x))


def _lstm_block_keras(config):
    import keras

    x = keras.Input((STEPS, config.input_size))
    if config.peephole or config.cell_clip > 0:
        target = "TF1LSTMCell"
        layer = _keras_layer(target, config.units, use_peepholes=config.peephole,
                             cell_clip=config.cell_clip if config.cell_clip > 0 else None,
                             forget_bias=config.forget_bias)
    else:
        target, layer = "LSTM", _keras_layer("LSTM", config.units)
    seq, *states = layer(x)
    return _model(x, {"outputs": seq, **_named_states(target, states)})


def _lstm_block_weights(config, values, fold):
    variables = _scoped(values, "rnn/lstm_cell")
    if not config.peephole and config.cell_clip <= 0:
        return weights.tf1_to_keras("BasicLSTMCell", variables, input_size=config.input_size,
                                    units=config.units, forget_bias=_forget_bias(config, fold),
                                    target="LSTM")
    # TF1LSTMCell takes forget_bias as its own argument: its weights are the TF1 arrays
    return weights.tf1_to_keras("LSTMCell", variables, input_size=config.input_size,
                                units=config.units, target="TF1LSTMCell",
                                use_peepholes=config.peephole)


# GRUBlockCell's variables under GRUCell's names (same layout: gate columns r | u)
_GRU_BLOCK_NAMES = {"w_ru": "gates/kernel", "b_ru": "gates/bias", "w_c": "candidate/kernel",
                    "b_c": "candidate/bias"}


def _gru_block_tf1(config, runner, x):
    rnn = _contrib()
    outputs, state = _run(rnn.GRUBlockCell(config.units), runner, x)
    return {"outputs": outputs, "h": state}


def _gru_block_keras(config):
    import keras

    x = keras.Input((STEPS, config.input_size))
    seq, h = _keras_layer("GRU", config.units)(x)
    return _model(x, {"outputs": seq, "h": h})


def _gru_block_weights(config, values, fold):
    variables = {_GRU_BLOCK_NAMES[k]: v for k, v in _scoped(values, "rnn/gru_cell").items()}
    return weights.tf1_to_keras("GRUCell", variables, input_size=config.input_size,
                                units=config.units, target="GRU")


def clip_gradient_demonstration():
    """LSTMBlockCell(cell_clip) vs TF1LSTMCell(cell_clip), same weights: ``(outputs max
    |diff|, gradients max |diff|)`` (for the limitation ``lstm-block-cell-clip-gradient``)."""
    proof = _Proof(lambda k: _BlockConfig(3, 4, 1.0, 0.05, False), _lstm_block_tf1,
                   _lstm_block_keras, _lstm_block_weights)
    reports = _equivalence(proof)(0)
    return reports["outputs/static_rnn"].max_diff, reports["gradients/static_rnn"].max_diff


# ------------------------------------------------------------------------------------
# the pairs
# ------------------------------------------------------------------------------------
def _pair(name, tf1_api, keras, proof=None, limitations=(), tf_versions=_CONTRIB):
    """A pair of this family: no RNNSpec builders; exact unless it declares limitations."""
    return MigrationPair(
        name=name, legacy_names=(name.split()[0],), tf1_api=tf1_api, tf_versions=tf_versions,
        keras=keras, configs=None, limitations=limitations, exact=not limitations,
        equivalence=_equivalence(proof) if proof is not None else None)


def _stack_pair(runner, tf1_api, scope_doc, notes):
    return _pair(runner, tf1_api, KerasSide(
        layer="keras.layers.Bidirectional", settings={"merge_mode": "concat"},
        reasons={"merge_mode": "each TF1 layer feeds concat([out_fw, out_bw], -1) to the next"},
        weight_map=_stack_weights(runner),
        weight_map_doc=f"stack_bidirectional_rnn/cell_<i>/{scope_doc}fw|bw/<cell scope>/... -> "
                       "Bidirectional layer i, forward|backward, by the cell's map",
        notes=notes), _Proof(_stack_config, _stack_tf1, _stack_keras, _stack_weights(runner),
                             runners=(runner,)))


def _tf1_lstm_cell_side(notes, weight_map_doc):
    return KerasSide(layer="keras.layers.RNN", cell="modern.TF1LSTMCell",
                     weight_map=_lstm_block_weights, weight_map_doc=weight_map_doc,
                     notes=notes + ("state order [c, h] (TF1's)",))


_SEQUENCE_NOTE = "the RNN layer with return_sequences=True (TF1's runners give every step)"
_TARGETS = spec_table.KERAS_TARGETS

PAIRS = (
    _pair("OutputProjectionWrapper",
          "tf.contrib.rnn.OutputProjectionWrapper(cell, output_size, activation=None)",
          KerasSide(
              layer="keras.layers.Dense", before="keras.layers.RNN",
              weight_map=_output_projection_weights,
              weight_map_doc="output_projection_wrapper/kernel -> Dense.kernel, .../bias -> "
                             "Dense.bias; output_projection_wrapper/<cell scope>/... -> the "
                             "cell's layer by the cell's map",
              notes=("Dense(output_size, activation) on the RNN layer's sequence output: it "
                     "acts on the last axis, i.e. on every step, as the wrapper did",
                     _SEQUENCE_NOTE, "the state is the wrapped cell's (unprojected)")),
          _Proof(_wrapper_config, _output_projection_tf1, _output_projection_keras,
                 _output_projection_weights),
          tf_versions=_WRAPPER_VERSIONS),
    _pair("InputProjectionWrapper",
          "tf.contrib.rnn.InputProjectionWrapper(cell, num_proj, activation=None)",
          KerasSide(
              layer="keras.layers.Dense", weight_map=_input_projection_weights,
              weight_map_doc="input_projection_wrapper/kernel -> Dense.kernel, .../bias -> "
                             "Dense.bias; input_projection_wrapper/<cell scope>/... -> the "
                             "cell's layer (input depth num_proj)",
              notes=("Dense(num_proj, activation) on the input sequence, then the cell's RNN "
                     "layer",)),
          _Proof(_wrapper_config, _input_projection_tf1, _input_projection_keras,
                 _input_projection_weights),
          tf_versions=_WRAPPER_VERSIONS),
    _pair("EmbeddingWrapper",
          "tf.contrib.rnn.EmbeddingWrapper(cell, embedding_classes, embedding_size)",
          KerasSide(
              layer="keras.layers.Embedding", weight_map=_embedding_weights,
              weight_map_doc="embedding_wrapper/embedding -> Embedding.embeddings; "
                             "embedding_wrapper/<cell scope>/... -> the cell's layer",
              notes=("Embedding(embedding_classes, embedding_size) on the [batch, time] ids, "
                     "then the cell's RNN layer",
                     "TF1 fed one [batch] (static_rnn) or [batch, time, 1] (dynamic_rnn) int "
                     "tensor of ids")),
          _Proof(_wrapper_config, _embedding_tf1, _embedding_keras, _embedding_weights,
                 ids=lambda c: c.input_size + 3),
          tf_versions=_WRAPPER_VERSIONS),
    _stack_pair("stack_bidirectional_dynamic_rnn",
                "tf.contrib.rnn.stack_bidirectional_dynamic_rnn(cells_fw, cells_bw, x, "
                "dtype=tf.float32)", "bidirectional_rnn/",
                ("one Bidirectional(layer(return_sequences=True)) per TF1 layer, stacked (not "
                 "one Bidirectional around a stack: each layer reads both directions of the "
                 "previous one)",
                 "return_state=True gives [out, fw states..., bw states...] per layer")),
    _stack_pair("stack_bidirectional_rnn",
                "tf.contrib.rnn.stack_bidirectional_rnn(cells_fw, cells_bw, "
                "tf.unstack(x, T, 1), dtype=tf.float32)", "",
                ("as stack_bidirectional_dynamic_rnn (TF1's scopes have no bidirectional_rnn "
                 "level here); TF1's list of T outputs is the sequence output unstacked on "
                 "axis 1",)),
    _pair("LSTMBlockCell", "tf.contrib.rnn.LSTMBlockCell(num_units, forget_bias=1.0)",
          KerasSide(
              layer="keras.layers.LSTM", settings=_TARGETS["LSTM"].settings,
              reasons=_TARGETS["LSTM"].reasons, weight_map=_lstm_block_weights,
              weight_map_doc="lstm_cell/kernel columns i,c,f,o (the layout of LSTMCell's "
                             "i,j,f,o) -> i,f,c,o; rows [:D] -> kernel, [D:] -> "
                             "recurrent_kernel; bias reordered, + forget_bias on the f block",
              notes=("return_state=True gives [output, h, c]; TF1's state is (c, h)",)),
          _Proof(_block_config(False, False), _lstm_block_tf1, _lstm_block_keras,
                 _lstm_block_weights)),
    _pair("LSTMBlockCell with peepholes",
          "tf.contrib.rnn.LSTMBlockCell(num_units, forget_bias, use_peephole=True)",
          _tf1_lstm_cell_side(
              ("TF1LSTMCell(units, use_peepholes=True, forget_bias=forget_bias): "
               "keras.layers.LSTM has no peepholes",),
              "identity (TF1 layout kept): kernel, bias, w_f_diag, w_i_diag, w_o_diag"),
          _Proof(_block_config(True, False), _lstm_block_tf1, _lstm_block_keras,
                 _lstm_block_weights)),
    _pair("LSTMBlockCell with cell_clip",
          "tf.contrib.rnn.LSTMBlockCell(num_units, forget_bias, cell_clip, use_peephole)",
          _tf1_lstm_cell_side(
              ("TF1LSTMCell(units, cell_clip=cell_clip if > 0 else None, use_peepholes, "
               "forget_bias): the block kernel clips only when cell_clip > 0",),
              "identity (TF1 layout kept): kernel, bias[, w_f_diag, w_i_diag, w_o_diag]"),
          _Proof(_block_config(None, True), _lstm_block_tf1, _lstm_block_keras,
                 _lstm_block_weights, gradients=False),
          limitations=(lim.LSTM_BLOCK_CELL_CLIP_GRADIENT,)),
    _pair("GRUBlockCell", "tf.contrib.rnn.GRUBlockCell(num_units) (cell_size= before 1.5)",
          KerasSide(
              layer="keras.layers.GRU", settings=_TARGETS["GRU"].settings,
              reasons=_TARGETS["GRU"].reasons, weight_map=_gru_block_weights,
              weight_map_doc="gru_cell/w_ru (r|u), b_ru, w_c, b_c -> as GRUCell's gates/kernel, "
                             "gates/bias, candidate/kernel, candidate/bias"),
          _Proof(_block_config(False, False), _gru_block_tf1, _gru_block_keras,
                 _gru_block_weights),
          limitations=(lim.GRU_RESET_AFTER,)),
    _pair("AttentionCellWrapper",
          "tf.contrib.rnn.AttentionCellWrapper(cell, attn_length, attn_size=None, "
          "attn_vec_size=None)",
          KerasSide(
              layer="keras.layers.RNN", weight_map_doc="none generated",
              notes=("a custom keras.layers.RNN cell: no Keras 3 layer attends over a window "
                     "of the cell's own last attn_length outputs",)),
          limitations=(lim.ATTENTION_CELL_WRAPPER,)),
)
