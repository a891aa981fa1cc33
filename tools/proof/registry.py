"""The registry of migration pairs: the one source of truth of the kit.

A :class:`MigrationPair` says: this TF1 API (``legacy_names``, as exported by
``legacy_compat``) becomes that Keras 3 construct (``keras_api`` with
``keras_settings``), here is how to draw configurations of it (``configs``, a
hypothesis strategy of ``(RNNSpec, runner)``), the tolerances that the equivalence
tests use, and its known non-equivalences (:class:`tools.proof.limitations.Limitation`,
each with its reason and the function that demonstrates it). The generic tests
(``tests/proof/test_pairs.py``), the limitation tests and the API-mapping reference all
read :data:`PAIRS`; adding a mapping means adding one ``_pair(...)`` call below.

Builders are shared: the legacy side is :func:`tools.proof.pipelines.build_legacy_graph`
and the Keras side :func:`modern.models.build_keras_model`, both driven by the
pair's ``RNNSpec``; the weight map is :mod:`modern.weights` (through
:func:`modern.models.set_tf1_weights`).
"""
import dataclasses
import os
from typing import Callable, Optional, Tuple

from modern.models import CellSpec, RNNSpec
from tools.proof import limitations as lim
from tools.proof.tolerances import Tolerance
from tools.testing import strategies
from tools.proof.pipelines import BIDIRECTIONAL_RUNNERS, UNIDIRECTIONAL_RUNNERS


@dataclasses.dataclass(frozen=True)
class MigrationPair:
    name: str
    legacy_names: Tuple[str, ...]  # what legacy_compat exports that this pair covers
    tf1_api: str  # how TF1 programs spelled it
    tf_versions: str  # the TF versions that had it
    keras_api: str  # the Keras 3 equivalent
    keras_settings: Tuple[str, ...]  # settings that must be set (or changed) in Keras
    weight_map: str  # how the weights move (the functions of modern.weights)
    # () -> a hypothesis strategy of (RNNSpec, runner); None: no builders for this pair
    configs: Optional[Callable]
    limitations: Tuple[lim.Limitation, ...] = ()
    exact: bool = False  # True: equivalent in every check, no limitation
    tolerance: Tolerance = Tolerance()
    proof: str = "tests/proof/test_pairs.py"

    @property
    def skipped_checks(self):
        return {check for limitation in self.limitations for check in limitation.skips}


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
    keras_api="keras.layers.SimpleRNN",
    keras_settings=("activation: TF1's None means tanh (Keras' None means linear)",),
    weight_map="kernel[:D] -> kernel, kernel[D:] -> recurrent_kernel, bias -> bias "
               "(modern.weights.tf1_to_keras('BasicRNNCell', ...))",
    configs=_pipelines(_cell("BasicRNNCell")),
    exact=True,
)
_pair(
    name="BasicLSTMCell",
    legacy_names=("BasicLSTMCell", "LSTMStateTuple"),
    tf1_api="tf.contrib.rnn.BasicLSTMCell(num_units, forget_bias=1.0, state_is_tuple=True)",
    tf_versions=_CELL_VERSIONS,
    keras_api="keras.layers.LSTM",
    keras_settings=("unit_forget_bias=False (TF1's forget_bias is folded into the loaded "
                    "forget-gate bias)", "recurrent_activation='sigmoid'",
                    "return_state=True gives [output, h, c]; TF1's state is (c, h)"),
    weight_map="kernel columns i,j,f,o -> i,f,c,o; rows [:D] -> kernel, [D:] -> "
               "recurrent_kernel; bias reordered, + forget_bias on the f block",
    configs=_pipelines(_cell("BasicLSTMCell")),
    exact=True,
)
_pair(
    name="LSTMCell",
    legacy_names=("LSTMCell",),
    tf1_api="tf.nn.rnn_cell.LSTMCell(num_units, forget_bias=1.0)",
    tf_versions=_CELL_VERSIONS,
    keras_api="keras.layers.LSTM",
    keras_settings=("as BasicLSTMCell: unit_forget_bias=False, "
                    "recurrent_activation='sigmoid'",),
    weight_map="as BasicLSTMCell",
    configs=_pipelines(_cell("LSTMCell")),
    exact=True,
)
_pair(
    name="LSTMCell with peepholes, clipping, projection",
    legacy_names=("LSTMCell",),
    tf1_api="tf.nn.rnn_cell.LSTMCell(num_units, use_peepholes, cell_clip, num_proj, proj_clip)",
    tf_versions=_CELL_VERSIONS,
    keras_api="keras.layers.RNN(modern.TF1LSTMCell(...))",
    keras_settings=("Keras 3 has no peepholes, clipping or projection: use modern.TF1LSTMCell",
                    "state order [c, h] (TF1's), not keras.layers.LSTM's [h, c]"),
    weight_map="identity (TF1 layout kept): kernel, bias, w_f_diag, w_i_diag, w_o_diag, "
               "projection/kernel -> projection_kernel",
    configs=_pipelines(_cell("LSTMCell", lstm_options=True)),
    exact=True,
)
_pair(
    name="GRUCell",
    legacy_names=("GRUCell",),
    tf1_api="tf.contrib.rnn.GRUCell(num_units)",
    tf_versions=_CELL_VERSIONS,
    keras_api="keras.layers.GRU",
    keras_settings=("reset_after=False (Keras' default True is a different cell)",
                    "recurrent_activation='sigmoid'"),
    weight_map="gates/kernel r|u and candidate/kernel -> kernel/recurrent_kernel z,r,h; "
               "gates/bias u,r + candidate/bias -> bias [3U]",
    configs=_pipelines(_cell("GRUCell")),
    limitations=(lim.GRU_RESET_AFTER,),
)
_pair(
    name="LayerNormBasicLSTMCell",
    legacy_names=("LayerNormBasicLSTMCell",),
    tf1_api="tf.contrib.rnn.LayerNormBasicLSTMCell(num_units, forget_bias=1.0, layer_norm=True)",
    tf_versions="1.0-1.15 (tf.contrib.rnn)",
    keras_api="keras.layers.RNN(modern.TF1LayerNormLSTMCell(...))",
    keras_settings=("layer-norm epsilon 1e-12 (TF1's), not keras.layers.LayerNormalization's "
                    "1e-3",),
    weight_map="identity: kernel, <part>/gamma -> <part>_gamma, <part>/beta -> <part>_beta",
    configs=_pipelines(_cell("LayerNormBasicLSTMCell", lstm_options=True)),
    limitations=(lim.LAYER_NORM_EPSILON, lim.LAYER_NORM_RECURRENT_DROPOUT),
)
_pair(
    name="MultiRNNCell",
    legacy_names=("MultiRNNCell",),
    tf1_api="tf.contrib.rnn.MultiRNNCell([cell_0, cell_1, ...])",
    tf_versions=_CELL_VERSIONS,
    keras_api="stacked Keras RNN layers (return_sequences=True); inside Bidirectional: "
              "keras.layers.RNN(keras.layers.StackedRNNCells([...]))",
    keras_settings=("each layer return_sequences=True",
                    "bidirectional stacks: Bidirectional(RNN(StackedRNNCells)) (TF1 runs the "
                    "whole stack per direction), not a stack of Bidirectional layers"),
    weight_map="multi_rnn_cell/cell_<i>/<cell scope>/... -> layer i, each by its cell's map",
    configs=_pipelines(_any_cell(), runners=_ALL_RUNNERS, min_layers=2, max_layers=3),
    limitations=(lim.MULTI_RNN_CELL_SHARED_OBJECT,),
)
_pair(
    name="static_rnn",
    legacy_names=("static_rnn", "rnn"),
    tf1_api="tf.contrib.rnn.static_rnn(cell, tf.unstack(x, T, 1), dtype=tf.float32) "
            "(0.x: tf.nn.rnn)",
    tf_versions="0.x: tf.nn.rnn; 1.0-1.15: tf.contrib.rnn.static_rnn, tf.nn.static_rnn",
    keras_api="keras.layers.RNN/LSTM/GRU/SimpleRNN(..., return_sequences=True, return_state=True)",
    keras_settings=("return_sequences=True: TF1's output list stacked on axis 1",),
    weight_map="the cell's map; variables under rnn/",
    configs=_pipelines(_any_cell(), runners=("static_rnn",)),
    exact=True,
)
_pair(
    name="dynamic_rnn",
    legacy_names=("dynamic_rnn",),
    tf1_api="tf.nn.dynamic_rnn(cell, x, sequence_length=None, dtype=tf.float32)",
    tf_versions="0.8-1.15",
    keras_api="keras.layers.RNN/LSTM/GRU/SimpleRNN(..., return_sequences=True, return_state=True)",
    keras_settings=("return_sequences=True",),
    weight_map="the cell's map; variables under rnn/",
    configs=_pipelines(_any_cell(), runners=("dynamic_rnn",)),
    exact=True,
)
_pair(
    name="static_bidirectional_rnn",
    legacy_names=("static_bidirectional_rnn", "bidirectional_rnn"),
    tf1_api="tf.contrib.rnn.static_bidirectional_rnn(cell_fw, cell_bw, inputs) "
            "(0.x: tf.nn.bidirectional_rnn)",
    tf_versions="0.x: tf.nn.bidirectional_rnn; 1.0-1.15: tf.contrib.rnn.static_bidirectional_rnn",
    keras_api="keras.layers.Bidirectional(layer(return_sequences=True))",
    keras_settings=("return_sequences=True, then take [:, -1, :] for TF1's outputs[-1]",),
    weight_map="bidirectional_rnn/fw/... -> forward layer, .../bw/... -> backward layer",
    configs=_pipelines(_any_cell(), runners=("static_bidirectional_rnn",)),
    limitations=(lim.BIDIRECTIONAL_LAST_OUTPUT,),
)
_pair(
    name="bidirectional_dynamic_rnn",
    legacy_names=("bidirectional_dynamic_rnn",),
    tf1_api="tf.nn.bidirectional_dynamic_rnn(cell_fw, cell_bw, x) -> ((out_fw, out_bw), states)",
    tf_versions="1.0-1.15",
    keras_api="keras.layers.Bidirectional(layer(return_sequences=True))",
    keras_settings=("merge_mode='concat' equals tf.concat([out_fw, out_bw], -1)",),
    weight_map="as static_bidirectional_rnn",
    configs=_pipelines(_any_cell(), runners=("bidirectional_dynamic_rnn",)),
    limitations=(lim.BIDIRECTIONAL_LAST_OUTPUT,),
)
_pair(
    name="sequence_length",
    legacy_names=(),
    tf1_api="static_rnn/dynamic_rnn/...(..., sequence_length=lengths)",
    tf_versions="0.x-1.15",
    keras_api="layer(x, mask=modern.layers.SequenceMask()(lengths, x)) with "
              "zero_output_for_mask=True",
    keras_settings=("zero_output_for_mask=True (default False carries the last output)",
                    "a mask from the lengths, not keras.layers.Masking(0.0)"),
    weight_map="unchanged",
    configs=_pipelines(_any_cell(), runners=_ALL_RUNNERS, masked=True),
    limitations=(lim.MASK_CARRIES_OUTPUT, lim.MASKING_SKIPS_ZERO_STEP),
)
_pair(
    name="readout outputs[-1] @ W + b",
    legacy_names=(),
    tf1_api="tf.matmul(outputs[-1], weights['out']) + biases['out']",
    tf_versions="all (the tutorials' classifier head)",
    keras_api="modern.layers.LastTimeStep() then keras.layers.Dense(classes)",
    keras_settings=("the tutorials initialised W, b with tf.random_normal (N(0, 1)), "
                    "Dense defaults to glorot_uniform/zeros: load or set the initializer",),
    weight_map="W -> Dense.kernel, b -> Dense.bias",
    configs=_pipelines(_any_cell(), runners=_ALL_RUNNERS, num_classes=3),
    exact=True,
)
_pair(
    name="DropoutWrapper",
    legacy_names=("DropoutWrapper",),
    tf1_api="tf.contrib.rnn.DropoutWrapper(cell, input_keep_prob, output_keep_prob, "
            "state_keep_prob, variational_recurrent)",
    tf_versions="0.x-1.15",
    keras_api="keras.layers.Dropout(1 - keep_prob) on the input/output sequences",
    keras_settings=("identical at inference (keep_prob fed 1.0 / training=False)",),
    weight_map="none (no variables)",
    configs=None,
    limitations=(lim.DROPOUT_DRAWS, lim.DROPOUT_STATE_KEEP_PROB),
)
_pair(
    name="ResidualWrapper",
    legacy_names=("ResidualWrapper",),
    tf1_api="tf.nn.rnn_cell.ResidualWrapper(cell)",
    tf_versions="1.2-1.15",
    keras_api="keras.layers.Add()([x, rnn_outputs])",
    keras_settings=(),
    weight_map="the wrapped cell's map",
    configs=None,
    limitations=(lim.NOT_BUILT_BY_HARNESS,),
)
_pair(
    name="DeviceWrapper",
    legacy_names=("DeviceWrapper",),
    tf1_api="tf.nn.rnn_cell.DeviceWrapper(cell, device)",
    tf_versions="1.2-1.15",
    keras_api="with tf.device(...) around the model (device placement is not a layer)",
    keras_settings=(),
    weight_map="the wrapped cell's map",
    configs=None,
    limitations=(lim.NOT_BUILT_BY_HARNESS,),
)
_pair(
    name="raw_rnn",
    legacy_names=("raw_rnn",),
    tf1_api="tf.nn.raw_rnn(cell, loop_fn)",
    tf_versions="1.0-1.15",
    keras_api="a custom keras.layers.RNN cell or a Python loop over keras.ops",
    keras_settings=(),
    weight_map="the cell's map",
    configs=None,
    limitations=(lim.NOT_BUILT_BY_HARNESS,),
)
_pair(
    name="static_state_saving_rnn",
    legacy_names=("static_state_saving_rnn",),
    tf1_api="tf.contrib.rnn.static_state_saving_rnn(cell, inputs, state_saver, state_name)",
    tf_versions="1.0-1.15",
    keras_api="keras.layers.RNN(cell, stateful=True)",
    keras_settings=("stateful=True with a fixed batch size",),
    weight_map="the cell's map",
    configs=None,
    limitations=(lim.NOT_BUILT_BY_HARNESS,),
)

PAIRS = tuple(PAIRS)


def selected_pairs():
    """The pairs to test: all, or those whose name contains ``KIT_ONE_CONTAINING``."""
    needle = os.environ.get("KIT_ONE_CONTAINING", "").lower()
    return tuple(p for p in PAIRS if needle in p.name.lower())


def pair_named(name):
    for pair in PAIRS:
        if pair.name == name:
            return pair
    raise KeyError(f"no migration pair named {name!r}; known: {[p.name for p in PAIRS]}")
