"""Known non-equivalences between TF1 RNN code and Keras 3, each with its evidence.

A :class:`Limitation` says what differs, why, which generic checks of a pair it
excuses (``skips``), and carries ``demonstrate()``: a function that builds both
sides and MEASURES the difference. ``tests/proof/test_limitations.py`` runs every
demonstration and asserts that the difference is really there (``holds``); if a
future Keras release removed it, that test fails and the limitation must go.
Pairs in :mod:`tools.proof.registry` reference these objects.
"""
import dataclasses
from typing import Callable, Optional, Tuple

import numpy as np
import tensorflow as tf
from tools.proof.pipelines import new_session

v1 = tf.compat.v1

CHECKS = ("outputs", "gradients", "training")


@dataclasses.dataclass(frozen=True)
class Demonstration:
    holds: bool  # the non-equivalence is observed
    detail: str  # what was measured, in words
    measured: Optional[float] = None


@dataclasses.dataclass(frozen=True)
class Limitation:
    name: str
    description: str
    reason: str
    demonstrate: Callable[[], Demonstration]
    skips: Tuple[str, ...] = ()  # generic checks this limitation excuses

    def __post_init__(self):
        unknown = set(self.skips) - set(CHECKS)
        if unknown:
            raise ValueError(f"Limitation {self.name}: unknown checks {sorted(unknown)}; "
                             f"expected a subset of {CHECKS}")


def _legacy_and_values(spec, steps, runner, seed, scale=0.5):
    from tools.proof import pipelines

    rng = np.random.default_rng(seed)
    legacy = pipelines.build_legacy_graph(spec, steps, runner)
    values = legacy.random_values(rng, scale=scale)
    legacy.set_values(values)
    return legacy, values, rng


def _demo_gru_reset_after():
    import keras

    from modern import weights
    from modern.models import CellSpec, RNNSpec
    from tools.proof import pipelines

    spec = RNNSpec((CellSpec("GRUCell", 4),), input_size=3)
    # weights of a trained-network scale (U(-1.5, 1.5)): the gap grows with |W|
    legacy, values, rng = _legacy_and_values(spec, 6, "dynamic_rnn", 0, scale=1.5)
    rnn_vars, _ = pipelines.tf1_values_for_keras(legacy, values)
    kernel, recurrent, bias = weights.tf1_to_keras(
        "GRUCell", {k.split("gru_cell/")[1]: v for k, v in rnn_vars.items()},
        input_size=3, units=4)
    layer = keras.layers.GRU(4, return_sequences=True)  # Keras' default reset_after=True
    layer.build((None, 6, 3))
    layer.set_weights([kernel, recurrent, np.stack([bias, np.zeros_like(bias)])])
    x = rng.normal(size=(5, 6, 3))
    diff = float(np.abs(legacy.run(legacy.outputs["outputs"], x)
                        - np.asarray(layer(x.astype("float32")))).max())
    return Demonstration(diff > 1e-2, f"GRU(reset_after=True) vs TF1 GRUCell, same weights "
                         f"(recurrent bias 0): max |diff| {diff:.3g}", diff)


def _demo_layer_norm_epsilon():
    import keras

    from modern.cells import TF1LayerNormLSTMCell
    from modern.models import CellSpec, RNNSpec, build_keras_model, set_tf1_weights
    from tools.proof import pipelines

    spec = RNNSpec((CellSpec("LayerNormBasicLSTMCell", 4),), input_size=3)
    legacy, values, rng = _legacy_and_values(spec, 5, "dynamic_rnn", 1)
    # Small pre-activations: the variance is far below keras' epsilon 1e-3.
    x = 1e-3 * rng.normal(size=(4, 5, 3))
    layer = keras.layers.RNN(TF1LayerNormLSTMCell(4, epsilon=1e-3), return_sequences=True)
    model = keras.Sequential([keras.Input((5, 3)), layer])
    rnn_vars, _ = pipelines.tf1_values_for_keras(legacy, values)
    scaled = {k: (v * 1e-2 if k.endswith("kernel") else v) for k, v in rnn_vars.items()}
    legacy.set_values({f"rnn/{k}": v for k, v in scaled.items()})
    weights_model = build_keras_model(spec, 5)
    set_tf1_weights(weights_model, spec, scaled)
    layer.set_weights(weights_model.get_layer("rnn").get_weights())
    diff = float(np.abs(legacy.run(legacy.outputs["outputs"], x)
                        - np.asarray(model(x.astype("float32")))).max())
    return Demonstration(diff > 1e-2, "layer norm with keras' epsilon 1e-3 instead of TF1's "
                         f"1e-12, low-variance inputs: max |diff| {diff:.3g}", diff)


def _demo_layer_norm_dropout():
    from modern.cells import TF1LayerNormLSTMCell

    try:
        TF1LayerNormLSTMCell(4, dropout_keep_prob=0.5)
    except (ValueError, NotImplementedError) as exc:
        return Demonstration(True, f"TF1LayerNormLSTMCell(dropout_keep_prob=0.5) refuses: {exc}")
    return Demonstration(False, "TF1LayerNormLSTMCell accepted dropout_keep_prob=0.5")


def _demo_multi_rnn_cell_shared_object():
    from legacy_compat import rnn_cell_impl as cells

    graph = tf.Graph()
    with graph.as_default():
        cell = cells.BasicLSTMCell(3)
        v1.nn.static_rnn(cells.MultiRNNCell([cell] * 2),
                         tf.unstack(v1.placeholder(tf.float32, [None, 4, 3]), 4, 1),
                         dtype=tf.float32)
        names = [v.op.name for v in v1.global_variables()]
    shared = all("cell_0" in n for n in names) and len(names) == 2
    return Demonstration(shared, f"MultiRNNCell([cell] * 2) created {len(names)} variables "
                         f"({names}): one shared set, where a Keras stack of two layers has two")


def _demo_bidirectional_last_output():
    import keras

    from modern.models import CellSpec, RNNSpec, set_tf1_weights
    from tools.proof import pipelines

    spec = RNNSpec((CellSpec("BasicLSTMCell", 4),), input_size=3, bidirectional=True)
    legacy, values, rng = _legacy_and_values(spec, 6, "static_bidirectional_rnn", 2)
    rnn_vars, _ = pipelines.tf1_values_for_keras(legacy, values)
    default = keras.Sequential([keras.Input((6, 3)), keras.layers.Bidirectional(
        keras.layers.LSTM(4, unit_forget_bias=False), name="rnn")])
    set_tf1_weights(default, spec, rnn_vars)
    x = rng.normal(size=(5, 6, 3))
    tf1_last = legacy.run(legacy.outputs["outputs"], x)[:, -1, :]
    diff = float(np.abs(tf1_last - np.asarray(default(x.astype("float32")))).max())
    return Demonstration(diff > 1e-2, "Bidirectional(LSTM(u)) (return_sequences=False) vs TF1 "
                         f"outputs[-1]: max |diff| {diff:.3g} (its backward half is the "
                         "backward state after the whole sequence, TF1's after one step)", diff)


def _demo_mask_carries_output():
    import keras

    from modern.layers import SequenceMask
    from modern.models import CellSpec, RNNSpec, set_tf1_weights
    from tools.proof import pipelines

    spec = RNNSpec((CellSpec("BasicLSTMCell", 4),), input_size=3, masked=True)
    legacy, values, rng = _legacy_and_values(spec, 6, "dynamic_rnn", 3)
    rnn_vars, _ = pipelines.tf1_values_for_keras(legacy, values)
    x_in = keras.Input((6, 3))
    len_in = keras.Input((), dtype="int32")
    layer = keras.layers.LSTM(4, return_sequences=True, unit_forget_bias=False, name="rnn")
    model = keras.Model([x_in, len_in], layer(x_in, mask=SequenceMask()(len_in, x_in)))
    set_tf1_weights(model, spec, rnn_vars)
    x, lengths = rng.normal(size=(4, 6, 3)), np.array([2, 6, 3, 1], np.int32)
    diff = float(np.abs(legacy.run(legacy.outputs["outputs"], x, lengths)
                        - np.asarray(model([x.astype("float32"), lengths]))).max())
    return Demonstration(diff > 1e-2, "mask with Keras' default zero_output_for_mask=False "
                         f"vs TF1 sequence_length: max |diff| {diff:.3g} (Keras repeats the "
                         "last valid output past the length, TF1 writes 0)", diff)


def _demo_masking_skips_zero_step():
    import keras

    from modern.models import CellSpec, RNNSpec, set_tf1_weights
    from tools.proof import pipelines

    spec = RNNSpec((CellSpec("GRUCell", 4),), input_size=3, masked=True)
    legacy, values, rng = _legacy_and_values(spec, 6, "dynamic_rnn", 4)
    rnn_vars, _ = pipelines.tf1_values_for_keras(legacy, values)
    layer = keras.layers.GRU(4, reset_after=False, return_state=True, name="rnn")
    model = keras.Sequential([keras.Input((6, 3)), keras.layers.Masking(0.0), layer])
    set_tf1_weights(model, spec, rnn_vars)
    x = rng.normal(size=(2, 6, 3))
    x[:, 2, :] = 0.0  # a genuine all-zero step inside every sequence
    lengths = np.array([6, 6], np.int32)
    tf1_state = legacy.run(legacy.outputs["fw/cell_0/h"], x, lengths)
    keras_state = np.asarray(model(x.astype("float32"))[0])
    diff = float(np.abs(tf1_state - keras_state).max())
    return Demonstration(diff > 1e-3, "keras.layers.Masking(0.0) skips a real all-zero step "
                         f"that TF1 (sequence_length=6) processes: final-state max |diff| "
                         f"{diff:.3g}", diff)


def _demo_dropout_draws():
    import keras

    from legacy_compat import rnn_cell_impl as cells

    keep, n = 0.5, 20000
    graph = tf.Graph()
    with graph.as_default():
        x = tf.ones([1, n])
        wrapper = cells.DropoutWrapper(cells.BasicRNNCell(1), input_keep_prob=keep, seed=1)
        # the wrapper's input dropout, evaluated on ones: the mask times 1/keep
        dropped = wrapper._dropout(x, "input", None, keep)
        with new_session(graph) as sess:
            tf1_mask = sess.run(dropped)[0]
    keras_mask = np.asarray(keras.layers.Dropout(1 - keep, seed=1)(np.ones([1, n], "float32"),
                                                                    training=True))[0]
    tf1_keep, keras_keep = float((tf1_mask > 0).mean()), float((keras_mask > 0).mean())
    same_scale = np.allclose(tf1_mask[tf1_mask > 0], 1 / keep) and np.allclose(
        keras_mask[keras_mask > 0], 1 / keep)
    # 4 standard deviations of a kept fraction over n Bernoulli(keep) draws.
    tolerance = 4 * np.sqrt(keep * (1 - keep) / n)
    same_distribution = abs(tf1_keep - keep) < tolerance and abs(keras_keep - keep) < tolerance
    different_draws = float((tf1_mask > 0).astype(float) @ (keras_mask > 0)) / n < keep - tolerance
    return Demonstration(same_scale and same_distribution and different_draws,
                         f"kept fraction TF1 {tf1_keep:.4f}, Keras {keras_keep:.4f} (keep={keep}), "
                         "both scale by 1/keep; the masks differ (same distribution, not the "
                         "same draws)", abs(tf1_keep - keras_keep))


def _demo_dropout_state_keep_prob():
    from legacy_compat import rnn_cell_impl as cells

    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(0)
        x = v1.placeholder(tf.float32, [None, 5, 3])
        cell = cells.DropoutWrapper(cells.BasicLSTMCell(8), state_keep_prob=0.5, seed=3)
        outputs, state = v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        init = v1.global_variables_initializer()
        with new_session(graph) as sess:
            sess.run(init)
            out, h = sess.run([outputs[:, -1, :], state.h],
                              {x: np.random.default_rng(0).normal(size=(4, 5, 3))})
    dropped = float(np.mean(h == 0))
    differs = float(np.abs(out - h).max())
    return Demonstration(dropped > 0.1 and differs > 1e-3,
                         f"TF1 state_keep_prob=0.5 drops the returned final h ({dropped:.0%} zeros; "
                         f"max |h - last output| {differs:.3g}); Keras returns the undropped "
                         "state and has no per-step state dropout of this form", differs)


def _demo_not_built():
    """The legacy side of the unmapped APIs runs under legacy_compat."""
    from legacy_compat import rnn as runners
    from legacy_compat import rnn_cell_impl as cells

    graph = tf.Graph()
    ran = []
    with graph.as_default():
        x = v1.placeholder(tf.float32, [2, 3, 2])
        xs = tf.unstack(x, 3, 1)
        residual, _ = v1.nn.static_rnn(cells.ResidualWrapper(cells.BasicRNNCell(2)), xs,
                                       dtype=tf.float32, scope="residual")
        device, _ = v1.nn.static_rnn(cells.DeviceWrapper(cells.GRUCell(2), "/cpu:0"), xs,
                                     dtype=tf.float32, scope="device")
        init = v1.global_variables_initializer()
        with new_session(graph) as sess:
            sess.run(init)
            values = sess.run([residual[-1], device[-1]], {x: np.ones([2, 3, 2])})
            ran += ["ResidualWrapper", "DeviceWrapper"]
    return Demonstration(all(np.isfinite(v).all() for v in values) and callable(runners.raw_rnn)
                         and callable(runners.static_state_saving_rnn),
                         f"the legacy side runs ({', '.join(ran)}; raw_rnn and "
                         "static_state_saving_rnn are TF's own functions); the harness builds "
                         "no Keras model for them")


def _demo_attention_cell_wrapper():
    """The legacy side runs (static_rnn = dynamic_rnn) and its state is a window of its own
    outputs, which no Keras 3 layer keeps."""
    import keras

    from legacy_compat.contrib import rnn

    attn_length, attn_size, steps = 2, 3, 4
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [2, steps, 2])
        runs = {}
        for runner in ("static", "dynamic"):
            cell = rnn.AttentionCellWrapper(rnn.BasicLSTMCell(attn_size), attn_length)
            with v1.variable_scope(runner):
                if runner == "static":
                    outs, state = v1.nn.static_rnn(cell, tf.unstack(x, steps, 1),
                                                   dtype=tf.float32)
                    outs = tf.stack(outs, 1)
                else:
                    outs, state = v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
            runs[runner] = (outs, state[2])
        variables = {v.op.name: v for v in v1.global_variables()}
        rng = np.random.default_rng(5)
        assigns = []
        for name in sorted(variables):
            if name.startswith("static/"):
                value = rng.uniform(-0.5, 0.5, variables[name].shape.as_list())
                for prefix in ("static/", "dynamic/"):
                    target = variables[prefix + name[len("static/"):]]
                    assigns.append(target.assign(value.astype(np.float32)))
        with new_session(graph) as sess:
            sess.run(assigns)
            got = sess.run(runs, {x: rng.normal(size=(2, steps, 2))})
    static, dynamic = got["static"], got["dynamic"]
    runner_diff = float(np.abs(static[0] - dynamic[0]).max())
    window_diff = float(np.abs(static[1][:, -attn_size:] - static[0][:, -1]).max())
    keras_has_it = any(hasattr(keras.layers, name) for name in ("AttentionCellWrapper",
                                                                 "AttentionRNNCell"))
    return Demonstration(
        runner_diff <= 1e-6 and window_diff == 0.0 and not keras_has_it,
        f"the legacy side runs (static_rnn vs dynamic_rnn max |diff| {runner_diff:.3g}); its "
        f"state's window ends with the last output (|diff| {window_diff:.3g}); keras.layers "
        "has no attention-window cell, so no Keras model is generated", runner_diff)


def _demo_lstm_block_cell_clip_gradient():
    from tools.proof.pairs import contrib_rnn

    outputs, gradients = contrib_rnn.clip_gradient_demonstration()
    return Demonstration(
        outputs <= 1e-6 and gradients > 1e-3,
        f"LSTMBlockCell(cell_clip=0.05) vs RNN(TF1LSTMCell(cell_clip=0.05)), same weights: "
        f"outputs max |diff| {outputs:.3g}, gradients max |diff| {gradients:.3g}", gradients)


GRU_RESET_AFTER = Limitation(
    "gru-reset-after",
    "keras.layers.GRU's default reset_after=True is not TF1's GRUCell",
    "reset_after=True computes r * (h @ W + b_rec); TF1 computes (r * h) @ W. No weights make "
    "them equal: build GRU(reset_after=False).",
    _demo_gru_reset_after)
LAYER_NORM_EPSILON = Limitation(
    "layer-norm-epsilon",
    "keras.layers.LayerNormalization (epsilon=1e-3) is not contrib's layer_norm (1e-12)",
    "contrib.layers.layer_norm used variance_epsilon=1e-12; with Keras' default the "
    "normalisation of low-variance gates differs. modern.TF1LayerNormLSTMCell uses 1e-12.",
    _demo_layer_norm_epsilon)
LAYER_NORM_RECURRENT_DROPOUT = Limitation(
    "layer-norm-recurrent-dropout",
    "LayerNormBasicLSTMCell's dropout_keep_prob (recurrent dropout on g) is not ported",
    "modern.TF1LayerNormLSTMCell refuses dropout_keep_prob < 1; equivalence is at inference "
    "(keep_prob 1.0), where TF1 applies no dropout either.",
    _demo_layer_norm_dropout)
MULTI_RNN_CELL_SHARED_OBJECT = Limitation(
    "multi-rnn-cell-shared-object",
    "MultiRNNCell([cell] * n) shares ONE variable set in TF >= 1.2 where every layer's input "
    "has the same depth",
    "The same cell object is called under cell_0 and reuses its variables there. Where the "
    "depths differ (TF 1.0 programs), TF 1.2+ fails and legacy_compat gives each layer its "
    "own variables with TF 1.0's names (weights/biases) and a warning; TF 0.x created "
    "separate Cell0/, Cell1/ weights. The Keras stack built here has independent layers, "
    "which is what such programs almost always meant; map a shared checkpoint by loading "
    "cell_0's weights into every layer.",
    _demo_multi_rnn_cell_shared_object)
BIDIRECTIONAL_LAST_OUTPUT = Limitation(
    "bidirectional-last-output",
    "Bidirectional(LSTM(u)) is not TF1's static_bidirectional_rnn(...)[0][-1]",
    "Without return_sequences Keras concatenates the forward state after the last step and "
    "the backward state after the whole (reversed) sequence; TF1's outputs[-1] holds the "
    "backward output after ONE step. Use return_sequences=True and take [:, -1, :].",
    _demo_bidirectional_last_output)
MASK_CARRIES_OUTPUT = Limitation(
    "mask-carries-output",
    "a Keras mask with zero_output_for_mask=False is not TF1's sequence_length",
    "Keras' default carries the last valid output over masked steps; TF1 writes zeros. Final "
    "states agree; outputs do not. Set zero_output_for_mask=True.",
    _demo_mask_carries_output)
MASKING_SKIPS_ZERO_STEP = Limitation(
    "masking-skips-zero-step",
    "keras.layers.Masking(0.0) is not sequence_length",
    "Masking masks every all-zero time step, including genuine zero inputs inside a "
    "sequence, which TF1 processes. Build the mask from the lengths (modern.layers."
    "SequenceMask).",
    _demo_masking_skips_zero_step)
DROPOUT_DRAWS = Limitation(
    "dropout-draws",
    "DropoutWrapper and keras.layers.Dropout: same distribution, not the same random draws",
    "Both keep each element with probability keep_prob and scale by 1/keep_prob, but their "
    "random streams differ, so training runs with dropout cannot match step for step; "
    "equivalence is exact at inference.",
    _demo_dropout_draws, skips=("outputs", "gradients", "training"))
DROPOUT_STATE_KEEP_PROB = Limitation(
    "dropout-state-keep-prob",
    "state_keep_prob has no Keras equivalent",
    "TF1 drops h of the carried state at every step and also in the returned final state; "
    "Keras' recurrent_dropout uses per-gate masks fixed over the sequence and never drops the "
    "returned state.",
    _demo_dropout_state_keep_prob, skips=("outputs", "gradients", "training"))
NOT_BUILT_BY_HARNESS = Limitation(
    "not-built-by-harness",
    "no Keras model is generated for this API",
    "legacy_compat runs it; its Keras form is structural (a residual Add, a device scope, a "
    "custom loop, a stateful layer) and is written by hand, so no equivalence is claimed.",
    _demo_not_built, skips=("outputs", "gradients", "training"))

ATTENTION_CELL_WRAPPER = Limitation(
    "attention-cell-wrapper",
    "contrib's AttentionCellWrapper has no Keras 3 equivalent",
    "Its state carries a window of the cell's own last attn_length outputs, attended with a "
    "1x1 convolution, a tanh score and a softmax at every step; no Keras 3 layer or cell does "
    "that, so it is written by hand as a custom keras.layers.RNN cell and no equivalence is "
    "claimed. legacy_compat runs the TF1 side.",
    _demo_attention_cell_wrapper, skips=("outputs", "gradients", "training"))
LSTM_BLOCK_CELL_CLIP_GRADIENT = Limitation(
    "lstm-block-cell-clip-gradient",
    "LSTMBlockCell's cell_clip passes gradients straight through; a Keras clip stops them",
    "TF1's fused gradient kernel (LSTMBlockCellGrad) backpropagates through the clipped cell "
    "state as if the clip were the identity; modern.TF1LSTMCell (like TF1's LSTMCell) clips "
    "with min/max, whose gradient is 0 where it clips. Outputs are equal; gradients and "
    "training differ wherever the cell state is clipped.",
    _demo_lstm_block_cell_clip_gradient, skips=("gradients", "training"))

ALL = (GRU_RESET_AFTER, LAYER_NORM_EPSILON, LAYER_NORM_RECURRENT_DROPOUT,
       MULTI_RNN_CELL_SHARED_OBJECT, BIDIRECTIONAL_LAST_OUTPUT, MASK_CARRIES_OUTPUT,
       MASKING_SKIPS_ZERO_STEP, DROPOUT_DRAWS, DROPOUT_STATE_KEEP_PROB, NOT_BUILT_BY_HARNESS,
       ATTENTION_CELL_WRAPPER, LSTM_BLOCK_CELL_CLIP_GRADIENT)


# --- tf.contrib.seq2seq.sequence_loss (tools/proof/pairs/seq2seq_losses.py) ----------------
def _demo_sequence_loss_default_reduction():
    from tools.proof.pairs import seq2seq_losses as pair

    logits, targets, weights = pair.draw_problem(7)
    weights = (weights > 0).astype(np.float32)  # a 0/1 padding mask
    weights[-1] = 0.0  # and one fully padded example
    (tf1_loss, _), = pair.tf1_sequence_loss(logits, targets, weights, [{}])
    default, _ = pair.keras_sparse_crossentropy(logits, targets, weights,
                                                "sum_over_batch_size")
    matched, _ = pair.keras_sparse_crossentropy(logits, targets, weights,
                                                "mean_with_sample_weight")
    diff = float(abs(tf1_loss - default))
    ratio = float(weights.sum() / weights.size)
    return Demonstration(
        diff > 1e-3 and abs(float(default) - ratio * float(tf1_loss)) <= 1e-6
        and abs(float(tf1_loss - matched)) <= 1e-6,
        f"padding mask, {ratio:.0%} of the positions count: Keras' default reduction gives "
        f"{float(default):.6f}, TF1's sequence_loss {float(tf1_loss):.6f} (|diff| {diff:.3g}, "
        f"the ratio sum(w) / (B * T) = {ratio:.3f}); reduction='mean_with_sample_weight' "
        f"gives {float(matched):.6f}", diff)


SEQUENCE_LOSS_DEFAULT_REDUCTION = Limitation(
    "sequence-loss-default-reduction",
    "keras.losses.SparseCategoricalCrossentropy's default reduction is not sequence_loss's "
    "default average",
    "TF1 divides sum(ce * w) by sum(w); Keras' default 'sum_over_batch_size' divides by the "
    "number of positions B * T, so with padding (weights not all 1) the Keras loss is smaller "
    "by the factor sum(w) / (B * T) and so are its gradients. Set "
    "reduction='mean_with_sample_weight'.",
    _demo_sequence_loss_default_reduction)

ALL = ALL + (SEQUENCE_LOSS_DEFAULT_REDUCTION,)


# --- PyTorch (modern.torch; tests/modern/test_torch.py) --------------------------------------
def _demo_torch_nn_gru():
    import torch

    from modern.models import CellSpec, RNNSpec

    # weights of a trained-network scale (U(-1.5, 1.5)), as for GRU(reset_after=True)
    legacy, values, rng = _legacy_and_values(RNNSpec((CellSpec("GRUCell", 4),), input_size=3),
                                             6, "dynamic_rnn", 0, scale=1.5)
    tf1 = {k.rsplit("gru_cell/", 1)[1]: np.asarray(v, np.float32) for k, v in values.items()}
    # the best map: TF1's gates r|u -> nn.GRU's r, z (z = u: h' = z * h + (1 - z) * n as
    # TF1's u * h + (1 - u) * c), the candidate -> n, the recurrent candidate bias b_hn = 0;
    # the reset gate still multiplies h @ W_hn (torch) instead of entering as r * h (TF1)
    kernel = np.concatenate([tf1["gates/kernel"], tf1["candidate/kernel"]], axis=1)
    bias = np.concatenate([tf1["gates/bias"], tf1["candidate/bias"]])
    layer = torch.nn.GRU(3, 4, batch_first=True)
    with torch.no_grad():
        for name, value in (("weight_ih_l0", kernel[:3].T), ("weight_hh_l0", kernel[3:].T),
                            ("bias_ih_l0", bias), ("bias_hh_l0", np.zeros_like(bias))):
            getattr(layer, name).copy_(torch.as_tensor(np.ascontiguousarray(value)))
        x = rng.normal(size=(5, 6, 3))
        got = layer(torch.as_tensor(x, dtype=torch.float32))[0].numpy()
    diff = float(np.abs(legacy.run(legacy.outputs["outputs"], x) - got).max())
    return Demonstration(diff > 1e-2, f"torch.nn.GRU vs TF1 GRUCell, best weight map (b_hn = 0): "
                         f"max |diff| {diff:.3g}", diff)


TORCH_NN_GRU = Limitation(
    "torch-nn-gru",
    "torch.nn.GRU is not TF1's GRUCell",
    "nn.GRU computes n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); TF1 computes "
    "c = tanh([x, r * h] @ W_c + b_c): the reset gate acts after the recurrent matmul, as in "
    "Keras' reset_after=True, and no weights make them equal. modern.torch uses its own "
    "TF1GRUCell (modern.torch.cells).",
    _demo_torch_nn_gru)


def _demo_torch_layer_norm_gradients():
    from modern.models import CellSpec, RNNSpec
    from tools.proof import torch_harness

    spec = RNNSpec((CellSpec("LayerNormBasicLSTMCell", 3),), 1, num_classes=3)
    reports = [torch_harness.compare_gradients(spec, "dynamic_rnn", steps=3, batch=2, seed=seed)
               for seed in (4, 9)]
    outputs = max(torch_harness.compare_forward(spec, "dynamic_rnn", steps=3, batch=2, seed=seed)
                  .max_diff for seed in (4, 9))
    worst = max(reports, key=lambda r: r.max_diff)
    return Demonstration(
        worst.max_diff > 1e-5 and outputs <= 1e-6,
        f"LayerNormBasicLSTMCell(3), same weights and inputs: outputs max |diff| {outputs:.3g}, "
        f"gradients max |diff| {worst.max_diff:.3g} (d/d{worst.worst})", worst.max_diff)


TORCH_LAYER_NORM_GRADIENTS = Limitation(
    "torch-layer-norm-gradients",
    "LayerNormBasicLSTMCell's gradients in torch differ from TF1's beyond 1e-5",
    "The layer norm's backward pass, (g - mean(g) - x_hat * mean(g * x_hat)) / sigma, cancels "
    "terms of order |g| and divides by the small standard deviation of a few units; torch's "
    "autograd rounds it differently from TF's gradient graph (the Keras cell runs TF's own "
    "ops and agrees to ~1e-6), so gradients differ by up to ~5e-5 and SGD trajectories drift "
    "apart where sigma is small. Outputs agree within 1e-6.",
    _demo_torch_layer_norm_gradients, skips=("gradients", "training"))
# the torch column's limitations (the registry's pairs reference ALL; these are demonstrated
# by tests/modern/test_torch.py)
TORCH_LIMITATIONS = (TORCH_NN_GRU, TORCH_LAYER_NORM_GRADIENTS)


# --- TF1 optimizers, clipping and schedules (tools/proof/pairs/optimizers.py) ---------------
def _steps_text():
    from tools.proof.tolerances import OPTIMIZER_STEPS

    return f"parameters over {OPTIMIZER_STEPS} steps from one start"


def _optimizer_demo(name, keras_optimizer):
    """max |diff| of TF1's parameter trajectory of the demo case ``name`` and that of the
    Keras optimizer ``keras_optimizer`` (``None``: the one modern.optimizers' table gives)."""
    from tools.proof.pairs import optimizers as pair

    tf1 = pair.tf1_trajectories(0)[name]
    return pair.trajectory_diff(tf1, pair.keras_trajectory(pair.CASES[name], 0, keras_optimizer))


def _demo_keras_rmsprop():
    import keras

    from tools.proof.tolerances import OPTIMIZER_TRAJECTORY

    # (modern.optimizers.TF1RMSprop on the same case: the RMSPropOptimizer pair's proof)
    builtin = _optimizer_demo("RMSPropOptimizer", keras.optimizers.RMSprop(
        learning_rate=0.01, rho=0.9, momentum=0.0, epsilon=1e-10, centered=False))
    return Demonstration(builtin > 1e3 * OPTIMIZER_TRAJECTORY["RMSPropOptimizer"],
                         f"RMSPropOptimizer(0.01) vs keras.optimizers.RMSprop with every TF1 "
                         f"setting, {_steps_text()}: max |diff| {builtin:.3g}", builtin)


def _demo_keras_default_epsilon():
    import keras

    from tools.proof.tolerances import OPTIMIZER_TRAJECTORY

    adam = _optimizer_demo("limitation/AdamOptimizer/tiny-gradients",
                           keras.optimizers.Adam(0.05))
    adam_fixed = _optimizer_demo("limitation/AdamOptimizer/tiny-gradients", None)
    # (Adadelta with the table's epsilon=1e-8: the AdadeltaOptimizer pair's proof)
    adadelta = _optimizer_demo("AdadeltaOptimizer", keras.optimizers.Adadelta(1.0))
    holds = (adam > 1e3 * OPTIMIZER_TRAJECTORY["AdamOptimizer"]
             and adam_fixed <= OPTIMIZER_TRAJECTORY["AdamOptimizer"]
             and adadelta > 1e3 * OPTIMIZER_TRAJECTORY["AdadeltaOptimizer"])
    return Demonstration(holds, f"{_steps_text()}: AdamOptimizer(0.05) vs keras Adam(0.05) "
                         f"(epsilon 1e-7), gradients ~1e-6: max |diff| {adam:.3g} (epsilon=1e-8: "
                         f"{adam_fixed:.3g}); AdadeltaOptimizer(1.0) vs keras Adadelta(1.0): "
                         f"{adadelta:.3g}", min(adam, adadelta))


def _demo_momentum_varying_learning_rate():
    from tools.proof.tolerances import OPTIMIZER_TRAJECTORY

    diff = _optimizer_demo("limitation/MomentumOptimizer/exponential_decay", None)
    return Demonstration(diff > 1e2 * OPTIMIZER_TRAJECTORY["MomentumOptimizer"],
                         f"MomentumOptimizer(exponential_decay(0.05, step, 6, 0.5), 0.9) vs "
                         f"keras SGD(ExponentialDecay(...), momentum=0.9), "
                         f"{_steps_text()}: max |diff| {diff:.3g}", diff)


def _demo_clip_by_value_asymmetric():
    import keras

    from modern.optimizers import CLIPPING, NotPortableError
    from tools.proof.tolerances import OPTIMIZER_TRAJECTORY

    try:
        CLIPPING["clip_by_value"].keras_kwargs(None, -0.05, 0.3)
        refused = "accepted"
    except NotPortableError:
        refused = "refused"
    diff = _optimizer_demo("limitation/clip_by_value/asymmetric",
                           keras.optimizers.SGD(0.1, clipvalue=0.3))
    return Demonstration(refused == "refused" and diff > 1e2 * OPTIMIZER_TRAJECTORY[
        "clip_by_value"], f"clip_by_value(g, -0.05, 0.3) + GradientDescentOptimizer(0.1) vs "
        f"keras SGD(0.1, clipvalue=0.3), {_steps_text()}: max |diff| {diff:.3g}; the "
        f"table {refused} the asymmetric range", diff)



KERAS_RMSPROP_INITIAL_MEAN_SQUARE = Limitation(
    "keras-rmsprop-initial-mean-square",
    "keras.optimizers.RMSprop is not TF1's RMSPropOptimizer, whatever its settings",
    "TF1 starts the mean square ms at 1.0, Keras at 0: Keras' first step is "
    "lr * sign(g) / sqrt(1 - rho) (3.2 lr at rho=0.9) whatever |g|, TF1's "
    "lr * g / sqrt(rho + (1 - rho) * g**2 + epsilon), and the trajectories part. Use "
    "modern.optimizers.TF1RMSprop (TF1's slots and update order; epsilon inside the sqrt "
    "in both).",
    _demo_keras_rmsprop)
KERAS_DEFAULT_EPSILON = Limitation(
    "keras-default-epsilon",
    "keras.optimizers.Adam and Adadelta's default epsilon (1e-7) is not TF1's (1e-8)",
    "The formulas are TF1's (Adam: epsilon added to sqrt(v) with the bias correction folded "
    "into the step size); only the default differs. It matters where sqrt(v) is small "
    "(small gradients, e.g. a loss scaled down) and always for Adadelta, whose first steps "
    "are ~sqrt(epsilon). Set epsilon=1e-8 (the table does).",
    _demo_keras_default_epsilon)
MOMENTUM_VARYING_LEARNING_RATE = Limitation(
    "momentum-varying-learning-rate",
    "keras.optimizers.SGD(momentum=m) is TF1's MomentumOptimizer only while the learning "
    "rate is constant",
    "TF1 accumulates raw gradients (a = m*a + g; var -= lr*a), Keras learning-rate-scaled "
    "ones (v = m*v - lr*g; var += v): with a schedule or an assigned learning rate, TF1 "
    "applies the new rate to the whole accumulated history, Keras only to new gradients.",
    _demo_momentum_varying_learning_rate)
CLIP_BY_VALUE_ASYMMETRIC = Limitation(
    "clip-by-value-asymmetric",
    "an asymmetric tf.clip_by_value(g, a, b) (a != -b) has no Keras optimizer argument",
    "Keras' clipvalue=c clips to [-c, c]; modern.optimizers.CLIPPING refuses asymmetric "
    "ranges. Clip in a custom train_step (or subclass the optimizer's _clip_gradients).",
    _demo_clip_by_value_asymmetric)



def _demo_sparse_gradient_squares():
    import keras

    from tools.proof.pairs import sparse_gradients as pair
    from tools.proof.tolerances import OPTIMIZER_TRAJECTORY

    adam = pair.trajectory_diff("AdamOptimizer", 0, keras.optimizers.Adam(0.05, epsilon=1e-8))
    adagrad = pair.trajectory_diff("AdagradOptimizer", 0, keras.optimizers.Adagrad(
        0.1, initial_accumulator_value=0.1, epsilon=0.0))
    fixed = max(pair.trajectory_diff(name, 0) for name in ("AdamOptimizer",
                                                           "AdagradOptimizer"))
    holds = (adam > 1e3 * OPTIMIZER_TRAJECTORY["AdamOptimizer"]
             and adagrad > 1e3 * OPTIMIZER_TRAJECTORY["AdagradOptimizer"]
             and fixed <= OPTIMIZER_TRAJECTORY["AdamOptimizer"])
    return Demonstration(holds, f"an Embedding's table over {pair.STEPS} steps, a repeated "
                         f"id: AdamOptimizer(0.05) vs keras Adam with TF1's settings: max "
                         f"|diff| {adam:.3g}; AdagradOptimizer(0.1) vs keras Adagrad: "
                         f"{adagrad:.3g} (modern.optimizers.TF1Adam / TF1Adagrad: "
                         f"{fixed:.3g})", min(adam, adagrad))


def _demo_lazy_sparse_updates():
    from tools.proof.pairs import sparse_gradients as pair
    from tools.proof.tolerances import OPTIMIZER_TRAJECTORY

    diffs = {name: pair.trajectory_diff(name, 0) for name in ("MomentumOptimizer",
                                                               "RMSPropOptimizer")}
    holds = all(d > 1e3 * OPTIMIZER_TRAJECTORY[name] for name, d in diffs.items())
    return Demonstration(holds, f"an Embedding's table over {pair.STEPS} steps, a row looked "
                         "up every other step: " + "; ".join(
                             f"{name} vs the table's Keras optimizer: max |diff| {d:.3g}"
                             for name, d in diffs.items()), min(diffs.values()))


KERAS_SPARSE_GRADIENT_SQUARES = Limitation(
    "keras-sparse-gradient-squares",
    "keras.optimizers.Adam and Adagrad square an embedding's sparse gradient slice by slice",
    "On the TF backend an Embedding's gradient is tf.IndexedSlices, one slice per looked-up "
    "id: Keras' Adam and Adagrad add the squares of a repeated id's slices to their second "
    "moment / accumulator, TF1 (which sums the slices first) the square of their sum. Use "
    "modern.optimizers.TF1Adam / TF1Adagrad (the table's sparse classes; the port picks "
    "them for a model with an Embedding). JAX and torch give dense gradients: no "
    "difference there.",
    _demo_sparse_gradient_squares)
TF1_SPARSE_UPDATES_ARE_LAZY = Limitation(
    "tf1-sparse-updates-are-lazy",
    "TF1's MomentumOptimizer and RMSPropOptimizer update only the looked-up rows of an "
    "embedding",
    "On a sparse gradient (tf.nn.embedding_lookup) TF1's sparse kernels touch only the rows "
    "in the batch: the other rows' momentum and mean square neither decay nor move the "
    "variable. Keras' optimizers (and modern.optimizers.TF1RMSprop) update every row, a "
    "row not looked up with a zero gradient. Equal for rows looked up every step, and "
    "without momentum for the variable's values until a skipped row is looked up again.",
    _demo_lazy_sparse_updates)

ALL = ALL + (KERAS_RMSPROP_INITIAL_MEAN_SQUARE, KERAS_DEFAULT_EPSILON,
             MOMENTUM_VARYING_LEARNING_RATE, CLIP_BY_VALUE_ASYMMETRIC,
             KERAS_SPARSE_GRADIENT_SQUARES, TF1_SPARSE_UPDATES_ARE_LAZY)
