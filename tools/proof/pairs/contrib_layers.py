"""Migration pairs of ``tf.contrib.layers``: ``fully_connected``/``linear`` ->
``keras.layers.Dense``, ``embed_sequence`` -> ``keras.layers.Embedding``.

Each pair's proof builds the TF1 side with :mod:`legacy_compat.contrib.layers` in a
``tf.Graph`` and the Keras side from the pair's :class:`KerasSide` settings, moves the
weights with the pair's weight map, and compares outputs and gradients (w.r.t. the
inputs and every weight, of ``sum(outputs * probe)`` for a random probe) at the pair's
tolerance. The seed draws the sizes, and for ``Dense`` whether the input has rank 3
(TF1 contracts its last axis, as ``Dense`` does).
"""
import numpy as np
import tensorflow as tf

from tools.proof.pair import KerasSide, MigrationPair
from tools.proof.report import compare
from tools.proof.tolerances import RANDOM_WEIGHT_SCALE, Tolerance
from tools.proof.pipelines import new_session

_v1 = tf.compat.v1

_CONTRIB_VERSIONS = "1.0-1.15 (tf.contrib.layers; removed in TF 2)"


# ------------------------------------------------------------------------------------
# weight maps (identity: TF1's variables are Keras' weights under other names)
# ------------------------------------------------------------------------------------
def fully_connected_to_dense(tf1_values, scope="fully_connected"):
    """``<scope>/weights`` -> kernel, ``<scope>/biases`` -> bias: ``Dense.set_weights``' list."""
    return [tf1_values[f"{scope}/weights"], tf1_values[f"{scope}/biases"]]


def embed_sequence_to_embedding(tf1_values, scope="EmbedSequence"):
    """``<scope>/embeddings`` -> embeddings: ``Embedding.set_weights``' list."""
    return [tf1_values[f"{scope}/embeddings"]]


# ------------------------------------------------------------------------------------
# the proofs
# ------------------------------------------------------------------------------------
def _tf1_side(build, x, probe_shape, rng):
    """Build ``build(placeholder)`` in a graph, give its variables random values; run the
    outputs and the gradients of ``sum(outputs * probe)`` w.r.t. the variables and, for a
    float input, the input (``x``)."""
    graph = tf.Graph()
    with graph.as_default():
        inputs = _v1.placeholder(tf.as_dtype(x.dtype), (None,) + x.shape[1:])
        outputs = build(inputs)
        variables = _v1.global_variables()
        probe = rng.normal(size=probe_shape).astype(np.float32)
        sources = variables + ([inputs] if inputs.dtype.is_floating else [])
        gradients = tf.gradients(tf.reduce_sum(outputs * probe), sources)
        names = [v.op.name for v in variables] + ["x"]
        values = {v.op.name: rng.uniform(-RANDOM_WEIGHT_SCALE, RANDOM_WEIGHT_SCALE,
                                         v.shape.as_list()).astype(np.float32)
                  for v in variables}
        feed = {_v1.placeholder(tf.float32, v.shape): values[v.op.name] for v in variables}
        assign = [_v1.assign(v, p) for v, p in zip(variables, feed)]
        fetches = {"outputs": outputs,  # IndexedSlices (embeddings) -> dense
                   "gradients": {n: tf.convert_to_tensor(g) for n, g in zip(names, gradients)}}
        with new_session(graph) as session:
            session.run(assign, feed)
            got = session.run(fetches, {inputs: x})
    return values, probe, got


def _keras_side(layer, x, probe):
    """The Keras layer's outputs and gradients of ``sum(outputs * probe)`` (by weight path)."""
    x_tensor = tf.constant(x)
    with tf.GradientTape() as tape:
        if x_tensor.dtype.is_floating:
            tape.watch(x_tensor)
        outputs = layer(x_tensor)
        total = tf.reduce_sum(outputs * tf.constant(probe))
    weights = list(layer.weights)
    sources = weights + ([x_tensor] if x_tensor.dtype.is_floating else [])
    gradients = [np.asarray(tf.convert_to_tensor(g)) for g in tape.gradient(total, sources)]
    return np.asarray(outputs), gradients


def _reports(tf1, keras_outputs, keras_gradients, context):
    tolerance = Tolerance()
    return {
        "outputs": compare({"outputs": tf1["outputs"]}, {"outputs": keras_outputs},
                           atol=tolerance.outputs, title="outputs", context=context),
        "gradients": compare(tf1["gradients"], keras_gradients, atol=tolerance.gradients,
                             title="gradients", context=context),
    }


def _dense_proof(side, tf1_layer):
    """``(seed) -> reports`` for ``tf1_layer(inputs, units)`` vs ``keras.layers.Dense``."""

    def equivalence(seed):
        import keras

        from legacy_compat.contrib import layers

        rng = np.random.default_rng(seed)
        batch, depth, units, steps = (int(n) for n in rng.integers(1, 5, size=4))
        shape = (batch, steps, depth) if seed % 2 else (batch, depth)
        x = rng.normal(size=shape).astype(np.float32)
        values, probe, tf1 = _tf1_side(
            lambda inputs: getattr(layers, tf1_layer)(inputs, units), x,
            shape[:-1] + (units,), rng)
        layer = keras.layers.Dense(units, **side.settings)
        layer.build(shape)
        layer.set_weights(side.weight_map(values))
        outputs, (kernel, bias, x_grad) = _keras_side(layer, x, probe)
        keras_gradients = {"fully_connected/weights": kernel, "fully_connected/biases": bias,
                           "x": x_grad}
        return _reports(tf1, outputs, keras_gradients,
                        {"layer": tf1_layer, "input shape": shape, "units": units})

    return equivalence


def _embedding_proof(side):
    def equivalence(seed):
        import keras

        from legacy_compat.contrib import layers

        rng = np.random.default_rng(seed)
        batch, steps, vocab, dim = (int(n) for n in rng.integers(1, 6, size=4))
        ids = rng.integers(0, vocab, size=(batch, steps)).astype(np.int32)
        values, probe, tf1 = _tf1_side(
            lambda inputs: layers.embed_sequence(inputs, vocab, dim), ids,
            (batch, steps, dim), rng)
        layer = keras.layers.Embedding(vocab, dim, **side.settings)
        layer.build((None, steps))
        layer.set_weights(side.weight_map(values))
        outputs, (embeddings,) = _keras_side(layer, ids, probe)
        return _reports(tf1, outputs, {"EmbedSequence/embeddings": embeddings},
                        {"ids shape": ids.shape, "vocab_size": vocab, "embed_dim": dim})

    return equivalence


# ------------------------------------------------------------------------------------
# the pairs
# ------------------------------------------------------------------------------------
_DENSE_NOTES = (
    "weights_initializer: contrib's default xavier_initializer() is glorot_uniform, "
    "Keras' default kernel_initializer; biases_initializer zeros = Keras' bias default",
    "biases_initializer=None (no biases) -> use_bias=False",
    "normalizer_fn=f: Dense(use_bias=False), then the normalisation layer, then the "
    "activation",
    "inputs of rank > 2: both contract the last axis",
)


def _dense_side(activation, reason):
    return KerasSide(
        layer="keras.layers.Dense", settings={"activation": activation},
        reasons={"activation": reason}, weight_map=fully_connected_to_dense,
        weight_map_doc="fully_connected/weights -> kernel, fully_connected/biases -> bias",
        notes=_DENSE_NOTES)


_FULLY_CONNECTED_SIDE = _dense_side(
    "relu", "contrib's activation_fn defaults to tf.nn.relu; Keras Dense's activation "
    "defaults to None (linear)")
_LINEAR_SIDE = _dense_side(
    None, "linear is fully_connected(..., activation_fn=None): no activation, Keras' default")
_EMBEDDING_SIDE = KerasSide(
    layer="keras.layers.Embedding",
    settings={"embeddings_initializer": "glorot_uniform"},
    reasons={"embeddings_initializer": "embed_sequence's initializer=None takes the variable "
                                       "scope's default, glorot_uniform; Keras' Embedding "
                                       "defaults to uniform(-0.05, 0.05)"},
    weight_map=embed_sequence_to_embedding,
    weight_map_doc="EmbedSequence/embeddings -> embeddings",
    notes=("Embedding(vocab_size, embed_dim); unique=True gives the same values",
           "reuse=True / a shared scope: reuse the same Embedding layer object"))


def _exact_pair(name, tf1_api, side, equivalence):
    """A pair of this family: proven by its own ``equivalence``, exact (no limitation)."""
    return MigrationPair(name=name, legacy_names=(name,), tf1_api=tf1_api,
                         tf_versions=_CONTRIB_VERSIONS, keras=side, configs=None, exact=True,
                         equivalence=equivalence)


PAIRS = (
    _exact_pair("fully_connected",
                "tf.contrib.layers.fully_connected(inputs, num_outputs, activation_fn=tf.nn.relu)",
                _FULLY_CONNECTED_SIDE, _dense_proof(_FULLY_CONNECTED_SIDE, "fully_connected")),
    _exact_pair("linear",
                "tf.contrib.layers.linear(inputs, num_outputs) "
                "(= fully_connected(..., activation_fn=None))",
                _LINEAR_SIDE, _dense_proof(_LINEAR_SIDE, "linear")),
    _exact_pair("embed_sequence", "tf.contrib.layers.embed_sequence(ids, vocab_size, embed_dim)",
                _EMBEDDING_SIDE, _embedding_proof(_EMBEDDING_SIDE)),
)
