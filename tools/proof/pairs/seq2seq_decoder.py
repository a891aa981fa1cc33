"""Migration pair of ``tf.contrib.seq2seq``'s decoder in teacher forcing -> Keras 3.

TF1 trained a decoder with ``dynamic_decode(BasicDecoder(cell, TrainingHelper(inputs,
sequence_length), initial_state, output_layer=tf.layers.Dense(n)))``. Keras 3 has no
decoder API; teacher forcing is the cell's sequence layer over the decoder inputs,
called with ``initial_state`` (the encoder's state), then ``Dense`` on the sequence.

An encoder-decoder written with two runners is the same on the Keras side: the decoder's
``tf.nn.dynamic_rnn(cell, inputs, initial_state=encoder_state)`` is the sequence layer
called with ``initial_state`` (pair ``initial_state``, proven the same way with
``dynamic_rnn`` in ``tf.variable_scope("decoder")``).

The proof builds the TF1 side with :mod:`legacy_compat.contrib.seq2seq` in a ``tf.Graph``
(the seed draws the cell -- BasicRNNCell, BasicLSTMCell or GRUCell --, the sizes and the
sequence lengths, one of them the full length), moves the weights with
:func:`decoder_to_keras` and compares the logits and the final state, and the gradients of
``sum(logits * probe)`` w.r.t. the inputs, the initial state and every weight (Keras'
cell gradients mapped back by :func:`modern.weights.keras_to_tf1` with ``forget_bias=0``,
which makes that map linear), at the pair's tolerance.
"""
import dataclasses

import numpy as np
import tensorflow as tf

from modern import spec as spec_table
from tools.proof.pair import KerasSide, MigrationPair
from tools.proof.report import compare
from tools.proof.tolerances import RANDOM_WEIGHT_SCALE, Tolerance
from tools.proof.pipelines import new_session

_v1 = tf.compat.v1

_SCOPE = "decoder"  # dynamic_decode's default variable scope
_CELL_TYPES = ("BasicRNNCell", "BasicLSTMCell", "GRUCell")


# where each decoder puts its cell's variables inside the scope ``decoder``: TF1's
# dynamic_decode directly, dynamic_rnn (an encoder-decoder's decoder) under its ``rnn``
_CELL_SCOPES = {"dynamic_decode": "", "dynamic_rnn": "rnn/"}


def decoder_to_keras(cell, input_size, tf1_values, runner="dynamic_decode"):
    """TF1 decoder variables -> ``(the sequence layer's weights, the Dense's weights)``.

    ``cell`` is a :class:`modern.spec.CellSpec`; ``tf1_values`` maps TF1's names
    (``decoder/<cell scope>/...``, ``decoder/rnn/<cell scope>/...`` for ``dynamic_rnn``,
    ``decoder/dense/kernel``, ``decoder/dense/bias``) to arrays.
    """
    from modern import weights

    prefix = f"{_SCOPE}/{_CELL_SCOPES[runner]}{cell.tf1_scope}/"
    cell_values = {k[len(prefix):]: v for k, v in tf1_values.items() if k.startswith(prefix)}
    rnn = weights.tf1_to_keras(cell.cell_type, cell_values, **cell.map_options(input_size))
    return rnn, [tf1_values[f"{_SCOPE}/dense/kernel"], tf1_values[f"{_SCOPE}/dense/bias"]]


def initial_state_to_keras(cell, input_size, tf1_values):
    """:func:`decoder_to_keras` of an encoder-decoder's ``dynamic_rnn`` decoder (its cell
    under ``decoder/rnn/``)."""
    return decoder_to_keras(cell, input_size, tf1_values, runner="dynamic_rnn")


def _tf1_side(cell, config, x, initial_state, probe, rng, runner):
    """Decode with legacy_compat in a graph (``dynamic_decode``, or ``dynamic_rnn`` in
    ``tf.variable_scope("decoder")``); random weights; logits, final state and the
    gradients of ``sum(logits * probe)`` (by TF1 name; ``x`` and ``state/<part>``)."""
    from legacy_compat import layers, rnn
    from legacy_compat import rnn_cell_impl as cells
    from legacy_compat.contrib import seq2seq

    batch, steps, depth, vocab, lengths = config
    graph = tf.Graph()
    with graph.as_default():
        inputs = _v1.placeholder(tf.float32, [batch, steps, depth], "inputs")
        parts = {part: _v1.placeholder(tf.float32, [batch, cell.units], part)
                 for part in cell.state_parts}
        tf1_cell = getattr(cells, cell.cell_type)(cell.units, **cell.tf1_options())
        state = (cells.LSTMStateTuple(parts["c"], parts["h"]) if cell.lstm_like
                 else parts["h"])
        if runner == "dynamic_decode":
            decoder = seq2seq.BasicDecoder(tf1_cell, seq2seq.TrainingHelper(inputs, lengths),
                                           state, output_layer=layers.Dense(vocab))
            outputs, final_state, _ = seq2seq.dynamic_decode(decoder)
            logits = outputs.rnn_output
        else:
            with _v1.variable_scope(_SCOPE):
                outputs, final_state = rnn.dynamic_rnn(tf1_cell, inputs, initial_state=state)
                logits = layers.Dense(vocab)(outputs)
        final = dict(zip(cell.state_parts, tf.nest.flatten(final_state)))
        variables = _v1.global_variables()
        names = [v.op.name for v in variables] + ["x"] + [f"state/{p}" for p in parts]
        gradients = tf.gradients(tf.reduce_sum(logits * probe),
                                 variables + [inputs] + list(parts.values()))
        values = {v.op.name: rng.uniform(-RANDOM_WEIGHT_SCALE, RANDOM_WEIGHT_SCALE,
                                         v.shape.as_list()).astype(np.float32)
                  for v in variables}
        feed = {_v1.placeholder(tf.float32, v.shape): values[v.op.name] for v in variables}
        assign = [_v1.assign(v, p) for v, p in zip(variables, feed)]
        fetches = {"outputs": dict({"rnn_output": logits},
                                   **{f"final_state/{p}": t for p, t in final.items()}),
                   "gradients": dict(zip(names, gradients))}
        with new_session(graph) as session:
            session.run(assign, feed)
            feed = {parts[p]: initial_state[p] for p in parts}
            feed[inputs] = x
            got = session.run(fetches, feed)
    return values, got


def _keras_side(cell, config, values, x, initial_state, probe, runner):
    """The cell's Keras sequence layer (modern.models) with initial_state, then Dense."""
    import keras

    from modern import models, weights

    batch, steps, depth, vocab, _ = config
    spec = models.RNNSpec((cell,), input_size=depth)
    layer = models.build_keras_model(spec, steps).get_layer("rnn")
    rnn_weights, dense_weights = decoder_to_keras(cell, depth, values, runner)
    layer.set_weights(rnn_weights)
    dense = keras.layers.Dense(vocab)
    dense.build((None, steps, cell.units))
    dense.set_weights(dense_weights)
    order = spec_table.KERAS_TARGETS[cell.keras_target].state_order
    x_tensor = tf.constant(x)
    states = {part: tf.constant(initial_state[part]) for part in cell.state_parts}
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x_tensor] + list(states.values()))
        result = layer(x_tensor, initial_state=[states[p] for p in order])
        logits = dense(result[0])
        total = tf.reduce_sum(logits * probe)
    final = dict(zip(order, result[1:]))
    outputs = dict({"rnn_output": np.asarray(logits)},
                   **{f"final_state/{p}": np.asarray(final[p]) for p in cell.state_parts})
    grads = tape.gradient(total, {"cell": list(layer.weights), "dense": list(dense.weights),
                                  "x": x_tensor, "state": states})
    linear = dict(cell.map_options(depth), forget_bias=0.0)  # gradients map linearly
    cell_grads = weights.keras_to_tf1(cell.cell_type, [np.asarray(g) for g in grads["cell"]],
                                      **linear)
    gradients = {f"{_SCOPE}/{_CELL_SCOPES[runner]}{cell.tf1_scope}/{k}": v
                 for k, v in cell_grads.items()}
    gradients.update({f"{_SCOPE}/dense/kernel": np.asarray(grads["dense"][0]),
                      f"{_SCOPE}/dense/bias": np.asarray(grads["dense"][1]),
                      "x": np.asarray(grads["x"])})
    gradients.update({f"state/{p}": np.asarray(g) for p, g in grads["state"].items()})
    return outputs, gradients


def _equivalence(seed, runner="dynamic_decode"):
    from modern.models import CellSpec

    rng = np.random.default_rng(seed)
    cell = CellSpec(_CELL_TYPES[seed % len(_CELL_TYPES)], int(rng.integers(1, 5)))
    batch, steps, depth, vocab = (int(n) for n in rng.integers(1, 5, size=4))
    # one entry runs the full length, so TF1 decodes every step (Keras always does);
    # shorter entries are not masked by TF1 without impute_finished either (dynamic_rnn
    # has no lengths here: it runs every step)
    lengths = np.concatenate([[steps], rng.integers(1, steps + 1, size=batch - 1)])
    if runner == "dynamic_rnn":
        lengths[:] = steps
    config = (batch, steps, depth, vocab, lengths.astype(np.int32))
    x = rng.normal(size=(batch, steps, depth)).astype(np.float32)
    initial_state = {p: rng.normal(size=(batch, cell.units)).astype(np.float32)
                     for p in cell.state_parts}
    probe = rng.normal(size=(batch, steps, vocab)).astype(np.float32)
    values, tf1 = _tf1_side(cell, config, x, initial_state, probe, rng, runner)
    outputs, gradients = _keras_side(cell, config, values, x, initial_state, probe, runner)
    tolerance = Tolerance()
    context = {"runner": runner, "cell": cell.cell_type, "units": cell.units, "batch": batch, "steps": steps,
               "input depth": depth, "output units": vocab, "sequence_length": lengths.tolist()}
    return {
        "outputs": compare(tf1["outputs"], outputs, atol=tolerance.outputs, title="outputs",
                           context=context),
        "gradients": compare(tf1["gradients"], gradients, atol=tolerance.gradients,
                             title="gradients", context=context),
    }


def _initial_state_equivalence(seed):
    return _equivalence(seed, runner="dynamic_rnn")


_DECODER_SIDE = KerasSide(
    layer="keras.layers.RNN",
    settings=dict(spec_table.SEQUENCE_LAYER_SETTINGS),
    reasons={"return_sequences": "the decoder emits every step's output (rnn_output "
                                 "[batch, time, ...])",
             "return_state": "dynamic_decode returns the final state; Keras gives "
                             "[output, *states]"},
    weight_map=decoder_to_keras,
    weight_map_doc="decoder/<cell scope>/... -> the cell's map (as for dynamic_rnn); "
                   "decoder/dense/kernel, bias -> Dense",
    notes=(
        "or the cell's built-in layer (keras.layers.LSTM, GRU, SimpleRNN) with the same "
        "settings",
        "call it as layer(decoder_inputs, initial_state=...): TF1's initial_state, with an "
        "LSTMStateTuple(c, h) passed as [h, c]",
        "output_layer=tf.layers.Dense(n) -> keras.layers.Dense(n) on the returned sequence",
        "TF1 decodes max(sequence_length) steps and, without impute_finished, does not mask "
        "shorter entries: Keras' outputs[:, :max(sequence_length)] are the same; mask the "
        "loss with the lengths (sequence_loss' weights)",
        "impute_finished=True zeroes the logits past each length (after the output layer) "
        "and freezes the state: Keras has no such layer; with a mask "
        "(zero_output_for_mask=True) the final states match, the logits there are Dense's "
        "bias instead of 0",
        "inference (GreedyEmbeddingHelper, SampleEmbeddingHelper) has no Keras layer: "
        "write the loop (argmax, Embedding, cell step)",
    ))

PAIRS = (
    MigrationPair(
        name="seq2seq BasicDecoder + TrainingHelper",
        legacy_names=("TrainingHelper", "BasicDecoder", "dynamic_decode"),
        tf1_api="tf.contrib.seq2seq.dynamic_decode(tf.contrib.seq2seq.BasicDecoder(cell, "
                "tf.contrib.seq2seq.TrainingHelper(inputs, sequence_length), initial_state, "
                "output_layer=tf.layers.Dense(n)))",
        tf_versions="1.1-1.15 (tf.contrib.seq2seq; removed in TF 2)",
        keras=_DECODER_SIDE,
        configs=None,
        exact=True,
        equivalence=_equivalence,
    ),
    MigrationPair(
        name="initial_state",
        legacy_names=(),
        tf1_api="tf.nn.dynamic_rnn(decoder_cell, decoder_inputs, "
                "initial_state=encoder_state): an encoder-decoder's decoder, started from "
                "the encoder's final state (teacher forcing)",
        tf_versions="0.x-1.15",
        keras=dataclasses.replace(
            _DECODER_SIDE,
            weight_map=initial_state_to_keras,
            weight_map_doc="decoder/rnn/<cell scope>/... -> the cell's map (as for "
                           "dynamic_rnn); the readout's as Dense",
            notes=("encoder: its sequence layer with return_state=True; decoder: "
                   "layer(decoder_inputs, initial_state=encoder_states), the states in the "
                   "order both layers use (an LSTMStateTuple(c, h) is [h, c]); one per "
                   "layer of a stack",)),
        configs=None,
        exact=True,
        equivalence=_initial_state_equivalence,
    ),
)
