"""The registry of migration pairs: the one source of truth of the kit.

A :class:`MigrationPair` says: this TF1 API (``legacy_names``, as exported by
``legacy_compat``) becomes that Keras 3 construct (``keras``, a :class:`KerasSide`: the
layer, the dict of settings that make it exact with the reason for each, and the
function that moves the weights), here is how to draw configurations of it
(``configs``, a hypothesis strategy of ``(RNNSpec, runner)``), the tolerances that the
equivalence tests use, and its known non-equivalences
(:class:`tools.proof.limitations.Limitation`, each with its reason and the function that
demonstrates it). The generic tests (``tests/proof/test_pairs.py``), the limitation
tests, the API-mapping reference and the porter all read :data:`PAIRS`; adding a mapping
means adding one ``_pair(...)`` call below.

The Keras side of a cell comes from :data:`modern.spec.KERAS_TARGETS` (the same data
:func:`modern.models.build_keras_model` builds the proven models from), so a setting is
stated once. Builders are shared: the legacy side is
:func:`tools.proof.pipelines.build_legacy_graph` and the Keras side
:func:`modern.models.build_keras_model`, both driven by the pair's ``RNNSpec``.
"""
import os

from modern import models, weights
from modern import spec as spec_table
from modern.spec import BIDIRECTIONAL_RUNNERS, UNIDIRECTIONAL_RUNNERS
from tools.proof import limitations as lim
from tools.proof.pair import KerasSide, MigrationPair  # noqa: F401 (the registry's types)
from tools.testing import strategies



def _target_side(target_name, weight_map_doc, notes=()):
    """The Keras side of a cell pair: modern.spec's target, modern.weights' map."""
    target = spec_table.KERAS_TARGETS[target_name]
    return KerasSide(layer=target.layer, settings=target.settings, reasons=target.reasons,
                     weight_map=weights.tf1_to_keras, weight_map_doc=weight_map_doc,
                     cell=None if target.builtin else target.cell, notes=tuple(notes))


_SEQUENCE_REASONS = {
    "return_sequences": "TF1's runners return every step's output (static_rnn's list, "
                        "stacked on axis 1)",
    "return_state": "TF1's runners return the final state; Keras gives [output, *states]",
}


# ------------------------------------------------------------------------------------
# configuration strategies (the public ones of tools.testing.strategies, with small sizes)
# ------------------------------------------------------------------------------------
_MAX_UNITS = 5
_ALL_RUNNERS = UNIDIRECTIONAL_RUNNERS + BIDIRECTIONAL_RUNNERS


def _cell(cell_type, lstm_options=False):
    return strategies.cell_specs(cell_types=(cell_type,), max_units=_MAX_UNITS,
                                 lstm_options=lstm_options)


def _any_cell():
    return strategies.cell_specs(max_units=_MAX_UNITS)


def _pipelines(cells, *, runners=UNIDIRECTIONAL_RUNNERS, **options):
    """A zero-argument factory of ``(RNNSpec, runner)`` strategies (see MigrationPair)."""
    return lambda: strategies.pipelines(cells=cells, runners=runners, **options)


def _runner_side():
    return KerasSide(
        layer="keras.layers.RNN", settings=spec_table.SEQUENCE_LAYER_SETTINGS,
        reasons=_SEQUENCE_REASONS, weight_map=models.set_tf1_weights,
        weight_map_doc="the cell's map; variables under rnn/",
        notes=("or the cell's built-in layer (keras.layers.LSTM, GRU, SimpleRNN) with the "
               "same settings",))


def _bidirectional_side(weight_map_doc):
    return KerasSide(
        layer="keras.layers.Bidirectional",
        settings=spec_table.BIDIRECTIONAL_SETTINGS,
        reasons={"merge_mode": "equals tf.concat([out_fw, out_bw], -1) of TF1's outputs"},
        weight_map=weights.bidirectional_tf1_to_keras, weight_map_doc=weight_map_doc,
        notes=("the layer inside with return_sequences=True, then take [:, -1, :] for TF1's "
               "outputs[-1]",))


# ------------------------------------------------------------------------------------
# the pairs
# ------------------------------------------------------------------------------------
PAIRS = []


def _pair(**kwargs):
    pair = MigrationPair(**kwargs)
    PAIRS.append(pair)
    return pair


_CELL_VERSIONS = "0.x: tf.nn.rnn_cell / tensorflow.models.rnn.rnn_cell; 1.0-1.15: tf.contrib.rnn, tf.nn.rnn_cell"

_pair(
    name="BasicRNNCell",
    legacy_names=("BasicRNNCell",),
    tf1_api="tf.nn.rnn_cell.BasicRNNCell(num_units, activation=None)",
    tf_versions=_CELL_VERSIONS,
    keras=_target_side(
        "SimpleRNN", "kernel[:D] -> kernel, kernel[D:] -> recurrent_kernel, bias -> bias",
        notes=("activation: TF1's None means tanh (Keras' None means linear)",)),
    configs=_pipelines(_cell("BasicRNNCell")),
    exact=True,
)
_pair(
    name="BasicLSTMCell",
    legacy_names=("BasicLSTMCell", "LSTMStateTuple"),
    tf1_api="tf.contrib.rnn.BasicLSTMCell(num_units, forget_bias=1.0, state_is_tuple=True)",
    tf_versions=_CELL_VERSIONS,
    keras=_target_side(
        "LSTM", "kernel columns i,j,f,o -> i,f,c,o; rows [:D] -> kernel, [D:] -> "
                "recurrent_kernel; bias reordered, + forget_bias on the f block",
        notes=("return_state=True gives [output, h, c]; TF1's state is (c, h)",)),
    configs=_pipelines(_cell("BasicLSTMCell")),
    exact=True,
)
_pair(
    name="LSTMCell",
    legacy_names=("LSTMCell",),
    tf1_api="tf.nn.rnn_cell.LSTMCell(num_units, forget_bias=1.0)",
    tf_versions=_CELL_VERSIONS,
    keras=_target_side("LSTM", "as BasicLSTMCell"),
    configs=_pipelines(_cell("LSTMCell")),
    exact=True,
)
_pair(
    name="LSTMCell with peepholes, clipping, projection",
    legacy_names=("LSTMCell",),
    tf1_api="tf.nn.rnn_cell.LSTMCell(num_units, use_peepholes, cell_clip, num_proj, proj_clip)",
    tf_versions=_CELL_VERSIONS,
    keras=_target_side(
        "TF1LSTMCell", "identity (TF1 layout kept): kernel, bias, w_f_diag, w_i_diag, "
                       "w_o_diag, projection/kernel -> projection_kernel",
        notes=("Keras 3 has no peepholes, clipping or projection: use modern.TF1LSTMCell",
               "state order [c, h] (TF1's), not keras.layers.LSTM's [h, c]")),
    configs=_pipelines(_cell("LSTMCell", lstm_options=True)),
    exact=True,
)
_pair(
    name="GRUCell",
    legacy_names=("GRUCell",),
    tf1_api="tf.contrib.rnn.GRUCell(num_units)",
    tf_versions=_CELL_VERSIONS,
    keras=_target_side(
        "GRU", "gates/kernel r|u and candidate/kernel -> kernel/recurrent_kernel z,r,h; "
               "gates/bias u,r + candidate/bias -> bias [3U]"),
    configs=_pipelines(_cell("GRUCell")),
    limitations=(lim.GRU_RESET_AFTER,),
)
_pair(
    name="LayerNormBasicLSTMCell",
    legacy_names=("LayerNormBasicLSTMCell",),
    tf1_api="tf.contrib.rnn.LayerNormBasicLSTMCell(num_units, forget_bias=1.0, layer_norm=True)",
    tf_versions="1.0-1.15 (tf.contrib.rnn)",
    keras=_target_side(
        "TF1LayerNormLSTMCell",
        "identity: kernel, <part>/gamma -> <part>_gamma, <part>/beta -> <part>_beta",
        notes=("layer-norm epsilon 1e-12 (TF1's), not keras.layers.LayerNormalization's 1e-3",)),
    configs=_pipelines(_cell("LayerNormBasicLSTMCell", lstm_options=True)),
    limitations=(lim.LAYER_NORM_EPSILON, lim.LAYER_NORM_RECURRENT_DROPOUT),
)
_pair(
    name="MultiRNNCell",
    legacy_names=("MultiRNNCell",),
    tf1_api="tf.contrib.rnn.MultiRNNCell([cell_0, cell_1, ...])",
    tf_versions=_CELL_VERSIONS,
    keras=KerasSide(
        layer="keras.layers.RNN", cell="keras.layers.StackedRNNCells",
        settings={"return_sequences": True},
        reasons={"return_sequences": "each layer of a stack feeds every step to the next"},
        weight_map=weights.stack_tf1_to_keras,
        weight_map_doc="multi_rnn_cell/cell_<i>/<cell scope>/... -> layer i, each by its "
                       "cell's map",
        notes=("unidirectional: stacked Keras RNN layers, one per cell",
               "bidirectional stacks: Bidirectional(RNN(StackedRNNCells)) (TF1 runs the "
               "whole stack per direction), not a stack of Bidirectional layers")),
    configs=_pipelines(_any_cell(), runners=_ALL_RUNNERS, min_layers=2, max_layers=3),
    limitations=(lim.MULTI_RNN_CELL_SHARED_OBJECT,),
)
_pair(
    name="static_rnn",
    legacy_names=("static_rnn", "rnn"),
    tf1_api="tf.contrib.rnn.static_rnn(cell, tf.unstack(x, T, 1), dtype=tf.float32) "
            "(0.x: tf.nn.rnn)",
    tf_versions="0.x: tf.nn.rnn; 1.0-1.15: tf.contrib.rnn.static_rnn, tf.nn.static_rnn",
    keras=_runner_side(),
    configs=_pipelines(_any_cell(), runners=("static_rnn",)),
    exact=True,
)
_pair(
    name="dynamic_rnn",
    legacy_names=("dynamic_rnn",),
    tf1_api="tf.nn.dynamic_rnn(cell, x, sequence_length=None, dtype=tf.float32)",
    tf_versions="0.8-1.15",
    keras=_runner_side(),
    configs=_pipelines(_any_cell(), runners=("dynamic_rnn",)),
    exact=True,
)
_pair(
    name="static_bidirectional_rnn",
    legacy_names=("static_bidirectional_rnn", "bidirectional_rnn"),
    tf1_api="tf.contrib.rnn.static_bidirectional_rnn(cell_fw, cell_bw, inputs) "
            "(0.x: tf.nn.bidirectional_rnn)",
    tf_versions="0.x: tf.nn.bidirectional_rnn; 1.0-1.15: tf.contrib.rnn.static_bidirectional_rnn",
    keras=_bidirectional_side(
        "bidirectional_rnn/fw/... -> forward layer, .../bw/... -> backward layer"),
    configs=_pipelines(_any_cell(), runners=("static_bidirectional_rnn",)),
    limitations=(lim.BIDIRECTIONAL_LAST_OUTPUT,),
)
_pair(
    name="bidirectional_dynamic_rnn",
    legacy_names=("bidirectional_dynamic_rnn",),
    tf1_api="tf.nn.bidirectional_dynamic_rnn(cell_fw, cell_bw, x) -> ((out_fw, out_bw), states)",
    tf_versions="1.0-1.15",
    keras=_bidirectional_side("as static_bidirectional_rnn"),
    configs=_pipelines(_any_cell(), runners=("bidirectional_dynamic_rnn",)),
    limitations=(lim.BIDIRECTIONAL_LAST_OUTPUT,),
)
_pair(
    name="sequence_length",
    legacy_names=(),
    tf1_api="static_rnn/dynamic_rnn/...(..., sequence_length=lengths)",
    tf_versions="0.x-1.15",
    keras=KerasSide(
        layer="keras.layers.RNN", before="modern.layers.SequenceMask",
        settings=spec_table.MASK_SETTINGS,
        reasons={"zero_output_for_mask": "TF1's outputs are 0 past each length; the "
                                         "default False carries the last output"},
        weight_map_doc="unchanged",
        notes=("layer(x, mask=modern.layers.SequenceMask()(lengths, x))",
               "a mask from the lengths, not keras.layers.Masking(0.0)")),
    configs=_pipelines(_any_cell(), runners=_ALL_RUNNERS, masked=True),
    limitations=(lim.MASK_CARRIES_OUTPUT, lim.MASKING_SKIPS_ZERO_STEP),
)
_pair(
    name="readout outputs[-1] @ W + b",
    legacy_names=(),
    tf1_api="tf.matmul(outputs[-1], weights['out']) + biases['out']",
    tf_versions="all (the tutorials' classifier head)",
    keras=KerasSide(
        layer="keras.layers.Dense", before="modern.layers.LastTimeStep",
        weight_map=models.set_tf1_weights, weight_map_doc="W -> Dense.kernel, b -> Dense.bias",
        notes=("the tutorials initialised W, b with tf.random_normal (N(0, 1)), Dense "
               "defaults to glorot_uniform/zeros: load or set the initializer",)),
    configs=_pipelines(_any_cell(), runners=_ALL_RUNNERS, num_classes=3),
    exact=True,
)
_pair(
    name="DropoutWrapper",
    legacy_names=("DropoutWrapper",),
    tf1_api="tf.contrib.rnn.DropoutWrapper(cell, input_keep_prob, output_keep_prob, "
            "state_keep_prob, variational_recurrent)",
    tf_versions="0.x-1.15",
    keras=KerasSide(
        layer="keras.layers.Dropout",
        notes=("rate = 1 - keep_prob, on the input/output sequences",
               "identical at inference (keep_prob fed 1.0 / training=False)")),
    configs=None,
    limitations=(lim.DROPOUT_DRAWS, lim.DROPOUT_STATE_KEEP_PROB),
)
_pair(
    name="ResidualWrapper",
    legacy_names=("ResidualWrapper",),
    tf1_api="tf.nn.rnn_cell.ResidualWrapper(cell)",
    tf_versions="1.2-1.15",
    keras=KerasSide(layer="keras.layers.Add", weight_map_doc="the wrapped cell's map",
                    notes=("keras.layers.Add()([x, rnn_outputs])",)),
    configs=None,
    limitations=(lim.NOT_BUILT_BY_HARNESS,),
)
_pair(
    name="DeviceWrapper",
    legacy_names=("DeviceWrapper",),
    tf1_api="tf.nn.rnn_cell.DeviceWrapper(cell, device)",
    tf_versions="1.2-1.15",
    keras=KerasSide(layer="tf.device", weight_map_doc="the wrapped cell's map",
                    notes=("with tf.device(...) around the model (device placement is not a "
                           "layer)",)),
    configs=None,
    limitations=(lim.NOT_BUILT_BY_HARNESS,),
)
_pair(
    name="raw_rnn",
    legacy_names=("raw_rnn",),
    tf1_api="tf.nn.raw_rnn(cell, loop_fn)",
    tf_versions="1.0-1.15",
    keras=KerasSide(layer="keras.layers.RNN", weight_map_doc="the cell's map",
                    notes=("a custom keras.layers.RNN cell or a Python loop over keras.ops",)),
    configs=None,
    limitations=(lim.NOT_BUILT_BY_HARNESS,),
)
_pair(
    name="static_state_saving_rnn",
    legacy_names=("static_state_saving_rnn",),
    tf1_api="tf.contrib.rnn.static_state_saving_rnn(cell, inputs, state_saver, state_name)",
    tf_versions="1.0-1.15",
    keras=KerasSide(layer="keras.layers.RNN", settings={"stateful": True},
                    reasons={"stateful": "the state saver carried the state across batches; "
                                         "Keras needs a fixed batch size for it"},
                    weight_map_doc="the cell's map"),
    configs=None,
    limitations=(lim.NOT_BUILT_BY_HARNESS,),
)

# pairs outside the RNNSpec pipelines, one module per family (tools/proof/pairs/)
from tools.proof import pairs as _families  # noqa: E402

PAIRS = tuple(PAIRS) + _families.collect()


def selected_pairs():
    """The pairs to test: all, or those whose name contains ``KIT_ONE_CONTAINING``."""
    needle = os.environ.get("KIT_ONE_CONTAINING", "").lower()
    return tuple(p for p in PAIRS if needle in p.name.lower())


def pair_named(name):
    for pair in PAIRS:
        if pair.name == name:
            return pair
    raise KeyError(f"no migration pair named {name!r}; known: {[p.name for p in PAIRS]}")


def cell_pair(cell) -> MigrationPair:
    """The pair that proves one ``CellSpec``: it covers the TF1 cell class and its Keras side
    is the cell's Keras target (:data:`modern.spec.KERAS_TARGETS`)."""
    target = spec_table.KERAS_TARGETS[cell.keras_target]
    side = (target.layer, None if target.builtin else target.cell)
    for pair in PAIRS:
        if cell.cell_type in pair.legacy_names and (pair.keras.layer, pair.keras.cell) == side:
            return pair
    raise KeyError(f"no migration pair proves {cell.cell_type} -> {target.name}")
