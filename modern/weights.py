"""Exact weight maps between TF1 RNN cell variables and Keras 3 layer weights (pure numpy).

Every map is a fixed rearrangement of the same numbers (column blocks moved,
rows split or joined), so it is exact; the only arithmetic is
``keras.layers.LSTM``'s forget-gate bias, which absorbs TF1's run-time
``forget_bias`` (see "Exactness" below).

==========================  ===================================  ====================================
TF1 cell (``cell_type``)    Keras 3 (``target``)                 map
==========================  ===================================  ====================================
``BasicRNNCell``            ``keras.layers.SimpleRNN``           ``[K[:D], K[D:], b]``
``BasicLSTMCell``           ``keras.layers.LSTM`` (default)      columns i,j,f,o -> i,f,c,o; rows split;
                                                                 ``bias_f + forget_bias``
``BasicLSTMCell``           ``TF1LSTMCell``                      identity (forget_bias stays run time)
``LSTMCell`` (plain)        ``keras.layers.LSTM`` (default)      as BasicLSTMCell
``LSTMCell`` (peepholes,    ``modern.TF1LSTMCell`` (default)     identity
cell_clip, num_proj,
proj_clip)
``GRUCell``                 ``keras.layers.GRU(reset_after=      r|u gates -> z,r,h; rows split;
                            False)``                             ``reset_after=True`` has NO exact map
``LayerNormBasicLSTMCell``  ``modern.TF1LayerNormLSTMCell``      identity (``<part>/gamma`` ->
                                                                 ``<part>_gamma``)
==========================  ===================================  ====================================

TF1 variables are given as a dict keyed by the name relative to the cell's
variable scope (``kernel``, ``bias``, ``gates/kernel``, ``candidate/bias``,
``w_f_diag``, ``projection/kernel``, ``input/gamma``, ...); take them out of a
checkpoint's full names with :func:`scope_variables`. Keras weights are the list
``layer.get_weights()`` returns and ``layer.set_weights()`` takes (for the
built-in layers and for ``RNN(TF1LSTMCell(...))``).

Bidirectional layers (``bidirectional_*``: ``static_bidirectional_rnn`` /
``bidirectional_dynamic_rnn``'s ``fw/`` and ``bw/`` cells <->
``keras.layers.Bidirectional``) and stacks (``stack_*``: ``MultiRNNCell``'s
``cell_<i>/`` <-> stacked Keras layers or ``StackedRNNCells``) have helpers.

Exactness: a rearrangement copies bits, so both round trips
(``keras_to_tf1(tf1_to_keras(v)) == v`` and the reverse) are bitwise. The one
exception is ``target="LSTM"`` with ``forget_bias != 0``: the Keras forget bias
is ``fl(b_f + forget_bias)`` in the weights' dtype, a rounding, so the round trip
of that block is exact only when the addition is (e.g. ``forget_bias=0``, or
values on a coarse binary grid) and within one ulp of ``|b_f| + |forget_bias|``
otherwise; ``x -> fl(x + 1)`` is not injective in float32, so no float32 map can
do better. Where bitwise matters, map ``BasicLSTMCell``/``LSTMCell`` to
``TF1LSTMCell`` (``target="TF1LSTMCell"``), which keeps ``forget_bias`` at run time.

This module imports numpy only (no Keras, no TensorFlow).
"""
import numbers
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np

from modern import _checks
from modern import spec as _spec

__all__ = [
    "CELL_TYPES",
    "TF1_SCOPES",
    "KERAS_TARGETS",
    "default_target",
    "tf1_variable_shapes",
    "keras_weight_shapes",
    "tf1_to_keras",
    "keras_to_tf1",
    "bidirectional_tf1_to_keras",
    "bidirectional_keras_to_tf1",
    "stack_tf1_to_keras",
    "stack_keras_to_tf1",
    "scope_variables",
]

CELL_TYPES = _spec.CELL_TYPES

# The default variable scope of each TF1 cell (TF 1.2+ names).
TF1_SCOPES = {name: kind.scope for name, kind in _spec.CELL_KINDS.items()}

# The Keras 3 layers (or modern cells inside keras.layers.RNN) each cell maps to exactly.
KERAS_TARGETS = {name: kind.targets for name, kind in _spec.CELL_KINDS.items()}

_NORM_PARTS = ("input", "transform", "forget", "output", "state")

_GRU_RESET_AFTER_MESSAGE = (
    "keras.layers.GRU(reset_after=True) (Keras' default) has no exact mapping from TF1's "
    "GRUCell: it computes r * (h @ W_h + b_rec) where TF1 computes (r * h) @ W_h, an O(1) "
    "difference (1.385 measured), which no choice of weights removes. Build "
    "keras.layers.GRU(units, reset_after=False) and map with reset_after=False."
)


# --------------------------------------------------------------------------
# options
# --------------------------------------------------------------------------
class _Options:
    """The validated options of one cell; knows both layouts."""

    def __init__(self, cell_type, *, input_size, units, forget_bias=1.0, target=None,
                 use_peepholes=False, num_proj=None, cell_clip=None, proj_clip=None,
                 layer_norm=True, reset_after=False):
        if cell_type not in CELL_TYPES:
            raise ValueError(
                f"Unknown cell_type. Expected one of {', '.join(CELL_TYPES)}. "
                f"Received: cell_type={cell_type!r}"
            )
        owner = cell_type
        self.cell_type = cell_type
        self.input_size = _checks.positive_int("input_size", input_size, owner=owner)
        self.units = _checks.positive_int("units", units, owner=owner)
        self.forget_bias = _checks.real("forget_bias", forget_bias, owner=owner)
        self.use_peepholes = _checks.boolean("use_peepholes", use_peepholes, owner=owner)
        self.num_proj = _checks.optional_positive_int("num_proj", num_proj, owner=owner)
        self.cell_clip = _checks.optional_non_negative("cell_clip", cell_clip, owner=owner)
        self.proj_clip = _checks.optional_non_negative("proj_clip", proj_clip, owner=owner)
        self.layer_norm = _checks.boolean("layer_norm", layer_norm, owner=owner)
        self.reset_after = _checks.boolean("reset_after", reset_after, owner=owner)

        takes = _spec.CELL_KINDS[cell_type].options
        lstm_cell_options = {"use_peepholes": self.use_peepholes, "num_proj": self.num_proj,
                             "cell_clip": self.cell_clip, "proj_clip": self.proj_clip}
        if "use_peepholes" not in takes:
            given = {k: v for k, v in lstm_cell_options.items() if v is not None and v is not False}
            if given:
                raise ValueError(
                    f"{cell_type} has no option(s) {', '.join(sorted(given))} (only LSTMCell "
                    f"has peepholes, clipping and projection). Received: "
                    + ", ".join(f"{k}={v!r}" for k, v in sorted(given.items()))
                )
        if "layer_norm" not in takes and not self.layer_norm:
            raise ValueError(f"{cell_type} has no option layer_norm (only "
                             "LayerNormBasicLSTMCell has). Received: layer_norm=False")
        gru = "GRU" in _spec.CELL_KINDS[cell_type].targets
        if gru and self.reset_after:
            raise ValueError(f"GRUCell: {_GRU_RESET_AFTER_MESSAGE} Received: reset_after=True")
        if not gru and self.reset_after:
            raise ValueError(f"{cell_type} has no option reset_after (GRU only). "
                             "Received: reset_after=True")

        self.target = default_target(cell_type, use_peepholes=self.use_peepholes,
                                     num_proj=self.num_proj, cell_clip=self.cell_clip,
                                     proj_clip=self.proj_clip) if target is None else target
        if self.target not in KERAS_TARGETS[cell_type]:
            raise ValueError(
                f"{cell_type} maps exactly to {' or '.join(KERAS_TARGETS[cell_type])} only. "
                f"Received: target={target!r}"
            )
        if self.target == "LSTM":
            extras = {k: v for k, v in lstm_cell_options.items() if v is not None and v is not False}
            if extras:
                raise ValueError(
                    "keras.layers.LSTM has no peepholes, cell clipping or projection, so an "
                    "LSTMCell with " + ", ".join(f"{k}={v!r}" for k, v in sorted(extras.items()))
                    + " has no exact mapping to it. Use target='TF1LSTMCell' "
                    "(modern.TF1LSTMCell inside keras.layers.RNN). Received: target='LSTM'"
                )

    @property
    def output_size(self):
        return self.num_proj if self.num_proj is not None else self.units

    def describe(self):
        return f"input_size={self.input_size}, units={self.units}" + (
            f", num_proj={self.num_proj}" if self.num_proj is not None else "")

    # -- layouts: ordered (name, shape, meaning) ----------------------------------
    def tf1_layout(self):
        d, u, h = self.input_size, self.units, self.output_size
        t = self.cell_type
        if t == "BasicRNNCell":
            return [("kernel", (d + u, u), "[input_size + units, units]"),
                    ("bias", (u,), "[units]")]
        if t == "BasicLSTMCell":
            return [("kernel", (d + u, 4 * u), "[input_size + units, 4 * units]"),
                    ("bias", (4 * u,), "[4 * units]")]
        if t == "LSTMCell":
            layout = [("kernel", (d + h, 4 * u), "[input_size + (num_proj or units), 4 * units]"),
                      ("bias", (4 * u,), "[4 * units]")]
            if self.use_peepholes:
                layout += [(n, (u,), "[units]") for n in ("w_f_diag", "w_i_diag", "w_o_diag")]
            if self.num_proj is not None:
                layout.append(("projection/kernel", (u, self.num_proj), "[units, num_proj]"))
            return layout
        if t == "GRUCell":
            return [("gates/kernel", (d + u, 2 * u), "[input_size + units, 2 * units]"),
                    ("gates/bias", (2 * u,), "[2 * units]"),
                    ("candidate/kernel", (d + u, u), "[input_size + units, units]"),
                    ("candidate/bias", (u,), "[units]")]
        # LayerNormBasicLSTMCell
        layout = [("kernel", (d + u, 4 * u), "[input_size + units, 4 * units]")]
        if not self.layer_norm:
            layout.append(("bias", (4 * u,), "[4 * units]"))
        else:
            for part in _NORM_PARTS:
                layout += [(f"{part}/gamma", (u,), "[units]"), (f"{part}/beta", (u,), "[units]")]
        return layout

    def keras_layout(self):
        d, u = self.input_size, self.units
        target = self.target
        if target == "SimpleRNN":
            return [("kernel", (d, u), "[input_size, units]"),
                    ("recurrent_kernel", (u, u), "[units, units]"),
                    ("bias", (u,), "[units]")]
        if target == "LSTM":
            return [("kernel", (d, 4 * u), "[input_size, 4 * units]"),
                    ("recurrent_kernel", (u, 4 * u), "[units, 4 * units]"),
                    ("bias", (4 * u,), "[4 * units]")]
        if target == "GRU":
            return [("kernel", (d, 3 * u), "[input_size, 3 * units]"),
                    ("recurrent_kernel", (u, 3 * u), "[units, 3 * units]"),
                    ("bias", (3 * u,), "[3 * units] (reset_after=False)")]
        # identity layouts: TF1LSTMCell, TF1LayerNormLSTMCell
        return [(name.replace("/", "_"), shape, meaning)
                for name, shape, meaning in self.tf1_layout()]


default_target = _spec.default_target


# --------------------------------------------------------------------------
# validation of the arrays
# --------------------------------------------------------------------------
def _as_float_array(value, what):
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"{what} must be a floating-point array. Received dtype: {array.dtype}")
    return array


_KEY_HINTS = {
    "w_f_diag": "use_peepholes=True", "w_i_diag": "use_peepholes=True",
    "w_o_diag": "use_peepholes=True", "projection/kernel": "num_proj=<its columns>",
}


def _checked_tf1_vars(opts, tf1_vars):
    if not isinstance(tf1_vars, Mapping):
        raise TypeError(
            f"{opts.cell_type}: tf1_vars must be a dict {{variable name relative to the cell "
            f"scope: array}}. Received: {type(tf1_vars).__name__}"
        )
    layout = opts.tf1_layout()
    expected = [name for name, _, _ in layout]
    missing = [n for n in expected if n not in tf1_vars]
    unexpected = [k for k in tf1_vars if k not in expected]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if unexpected:
            hints = sorted({_KEY_HINTS[k] for k in unexpected if k in _KEY_HINTS})
            if opts.cell_type == "LayerNormBasicLSTMCell":
                if "bias" in unexpected:
                    hints.append("layer_norm=False")
                if any(k.endswith("/gamma") for k in unexpected):
                    hints.append("layer_norm=True")
            if any("/" in k and k.rsplit("/", 1)[-1] in {n.rsplit("/", 1)[-1] for n in expected}
                   and k not in _KEY_HINTS for k in unexpected):
                hints.append("keys relative to the cell scope (see scope_variables())")
            parts.append(f"unexpected {unexpected}" + (f" (did you mean {', '.join(hints)}?)"
                                                        if hints else ""))
        raise ValueError(
            f"{opts.cell_type} ({opts.describe()}): the variables do not match the cell: "
            f"{'; '.join(parts)}. Expected exactly: {expected}."
        )
    arrays = {}
    for name, shape, meaning in layout:
        array = _as_float_array(tf1_vars[name], f"{opts.cell_type} variable {name!r}")
        if array.shape != shape:
            raise ValueError(
                f"{opts.cell_type} variable {name!r} has shape {array.shape}; expected "
                f"{shape} = {meaning} for {opts.describe()}."
            )
        arrays[name] = array
    return arrays


def _checked_keras_weights(opts, keras_weights):
    if isinstance(keras_weights, (np.ndarray, Mapping)) or not isinstance(keras_weights,
                                                                          Sequence):
        raise TypeError(
            f"keras_weights must be the list that layer.get_weights() returns. "
            f"Received: {type(keras_weights).__name__}"
        )
    layout = opts.keras_layout()
    names = [name for name, _, _ in layout]
    if len(keras_weights) != len(layout):
        raise ValueError(
            f"{opts.target} (from {opts.cell_type}, {opts.describe()}) has {len(layout)} weights "
            f"{names}; received {len(keras_weights)} arrays."
        )
    arrays = []
    for index, ((name, shape, meaning), value) in enumerate(zip(layout, keras_weights)):
        array = _as_float_array(value, f"{opts.target} weight {index} ({name!r})")
        if opts.target == "GRU" and name == "bias" and array.shape == (2, 3 * opts.units):
            raise ValueError(
                f"{opts.target} weight {index} ('bias') has shape {array.shape}, the shape "
                f"of reset_after=True. {_GRU_RESET_AFTER_MESSAGE}"
            )
        if array.shape != shape:
            raise ValueError(
                f"{opts.target} weight {index} ({name!r}) has shape {array.shape}; expected "
                f"{shape} = {meaning} for {opts.describe()}."
            )
        arrays.append(array)
    return arrays


# --------------------------------------------------------------------------
# the maps
# --------------------------------------------------------------------------
def _forget_bias(array, forget_bias):
    return np.asarray(forget_bias, dtype=array.dtype)


def _shift_forget_block(block, forget_bias, sign):
    """``block + sign * forget_bias``; with ``forget_bias == 0`` the block itself, so the map
    stays a bitwise copy (``x + 0.0`` would turn -0.0 into +0.0 and quiet signalling NaNs)."""
    if forget_bias == 0:
        return block
    shift = _forget_bias(block, forget_bias)
    return block + shift if sign > 0 else block - shift


def _lstm_to_keras(opts, v):
    d = opts.input_size
    kernel, bias = v["kernel"], v["bias"]
    i, j, f, o = np.split(kernel, 4, axis=1)
    reordered = np.concatenate([i, f, j, o], axis=1)
    bi, bj, bf, bo = np.split(bias, 4)
    keras_bias = np.concatenate([bi, _shift_forget_block(bf, opts.forget_bias, +1), bj, bo])
    return [np.array(reordered[:d]), np.array(reordered[d:]), keras_bias]


def _lstm_to_tf1(opts, w):
    kernel, recurrent_kernel, bias = w
    full = np.concatenate([kernel, recurrent_kernel], axis=0)
    i, f, c, o = np.split(full, 4, axis=1)
    bi, bf, bc, bo = np.split(bias, 4)
    return {"kernel": np.concatenate([i, c, f, o], axis=1),
            "bias": np.concatenate([bi, bc, _shift_forget_block(bf, opts.forget_bias, -1),
                                     bo])}


def _gru_to_keras(opts, v):
    d, u = opts.input_size, opts.units
    gates_kernel, gates_bias = v["gates/kernel"], v["gates/bias"]
    candidate_kernel, candidate_bias = v["candidate/kernel"], v["candidate/bias"]
    r_kernel, u_kernel = gates_kernel[:, :u], gates_kernel[:, u:]
    kernel = np.concatenate([u_kernel[:d], r_kernel[:d], candidate_kernel[:d]], axis=1)
    recurrent = np.concatenate([u_kernel[d:], r_kernel[d:], candidate_kernel[d:]], axis=1)
    bias = np.concatenate([gates_bias[u:], gates_bias[:u], candidate_bias])
    return [kernel, recurrent, bias]


def _gru_to_tf1(opts, w):
    u = opts.units
    kernel, recurrent_kernel, bias = w
    full = np.concatenate([kernel, recurrent_kernel], axis=0)
    z_kernel, r_kernel, h_kernel = full[:, :u], full[:, u:2 * u], full[:, 2 * u:]
    return {"gates/kernel": np.concatenate([r_kernel, z_kernel], axis=1),
            "gates/bias": np.concatenate([bias[u:2 * u], bias[:u]]),
            "candidate/kernel": np.array(h_kernel),
            "candidate/bias": np.array(bias[2 * u:])}


def _rnn_to_keras(opts, v):
    d = opts.input_size
    return [np.array(v["kernel"][:d]), np.array(v["kernel"][d:]), np.array(v["bias"])]


def _rnn_to_tf1(opts, w):
    return {"kernel": np.concatenate([w[0], w[1]], axis=0), "bias": np.array(w[2])}


def tf1_variable_shapes(cell_type, *, input_size, units, **options) -> Dict[str, Tuple[int, ...]]:
    """``{name relative to the cell scope: shape}`` of a TF1 cell's variables, in TF1's creation order."""
    opts = _Options(cell_type, input_size=input_size, units=units, **options)
    return {name: shape for name, shape, _ in opts.tf1_layout()}


def keras_weight_shapes(cell_type, *, input_size, units, **options) -> List[Tuple[int, ...]]:
    """Shapes of the Keras target's ``get_weights()`` list for this TF1 cell, in order."""
    opts = _Options(cell_type, input_size=input_size, units=units, **options)
    return [shape for _, shape, _ in opts.keras_layout()]


def tf1_to_keras(cell_type, tf1_vars, *, input_size, units, forget_bias=1.0, target=None,
                 use_peepholes=False, num_proj=None, cell_clip=None, proj_clip=None,
                 layer_norm=True, reset_after=False) -> List[np.ndarray]:
    """Map one TF1 cell's variables to the weight list of its exact Keras 3 equivalent.

    Args:
        cell_type: the TF1 class name, one of ``CELL_TYPES``.
        tf1_vars: ``{name relative to the cell scope: array}`` (``kernel``, ``bias``,
            ``gates/kernel``, ``w_f_diag``, ``projection/kernel``, ``input/gamma``, ...).
            Exactly the cell's variables: missing or extra names raise ValueError.
        input_size, units: the cell's input depth D and ``num_units``.
        forget_bias: TF1's run-time forget bias (LSTM cells; default 1.0 as in TF1).
            Folded into the forget-gate bias for ``target="LSTM"``; the modern cells take
            it as their own ``forget_bias`` argument instead. Ignored by
            BasicRNNCell/GRUCell.
        target: ``"SimpleRNN"``, ``"LSTM"``, ``"GRU"``, ``"TF1LSTMCell"`` or
            ``"TF1LayerNormLSTMCell"``; None picks :func:`default_target`.
        use_peepholes, num_proj, cell_clip, proj_clip: LSTMCell's options (the clips
            only decide whether ``keras.layers.LSTM`` is an exact target: it is not).
        layer_norm: LayerNormBasicLSTMCell's option.
        reset_after: must be False for GRUCell: ``GRU(reset_after=True)`` has no exact
            mapping (ValueError).

    Returns:
        The list for ``layer.set_weights`` (new arrays, the input dtype kept).
    """
    opts = _Options(cell_type, input_size=input_size, units=units, forget_bias=forget_bias,
                    target=target, use_peepholes=use_peepholes, num_proj=num_proj,
                    cell_clip=cell_clip, proj_clip=proj_clip, layer_norm=layer_norm,
                    reset_after=reset_after)
    variables = _checked_tf1_vars(opts, tf1_vars)
    if opts.target == "SimpleRNN":
        return _rnn_to_keras(opts, variables)
    if opts.target == "LSTM":
        return _lstm_to_keras(opts, variables)
    if opts.target == "GRU":
        return _gru_to_keras(opts, variables)
    return [np.array(variables[name]) for name, _, _ in opts.tf1_layout()]


def keras_to_tf1(cell_type, keras_weights, *, input_size, units, forget_bias=1.0, target=None,
                 use_peepholes=False, num_proj=None, cell_clip=None, proj_clip=None,
                 layer_norm=True, reset_after=False) -> Dict[str, np.ndarray]:
    """The inverse of :func:`tf1_to_keras`: Keras weights -> ``{TF1 name: array}``.

    Same options as :func:`tf1_to_keras`. For ``target="LSTM"`` the returned TF1
    ``bias`` is the Keras bias minus ``forget_bias`` on the forget block (the TF1
    cell adds it back at run time). Names are relative to the cell scope; prefix
    them with the scope (``rnn/basic_lstm_cell/``) to write a checkpoint.
    """
    opts = _Options(cell_type, input_size=input_size, units=units, forget_bias=forget_bias,
                    target=target, use_peepholes=use_peepholes, num_proj=num_proj,
                    cell_clip=cell_clip, proj_clip=proj_clip, layer_norm=layer_norm,
                    reset_after=reset_after)
    weights = _checked_keras_weights(opts, keras_weights)
    if opts.target == "SimpleRNN":
        return _rnn_to_tf1(opts, weights)
    if opts.target == "LSTM":
        return _lstm_to_tf1(opts, weights)
    if opts.target == "GRU":
        return _gru_to_tf1(opts, weights)
    return {name: np.array(w) for (name, _, _), w in zip(opts.tf1_layout(), weights)}


# --------------------------------------------------------------------------
# bidirectional and stacks
# --------------------------------------------------------------------------
def bidirectional_tf1_to_keras(cell_type, fw_vars, bw_vars, **options) -> List[np.ndarray]:
    """Forward and backward TF1 cells -> the list for ``keras.layers.Bidirectional.set_weights``.

    ``fw_vars``/``bw_vars`` are relative to each cell's scope
    (``bidirectional_rnn/fw/basic_lstm_cell``, ``.../bw/...``). Options as in
    :func:`tf1_to_keras` (both directions share them). The result is
    ``forward_weights + backward_weights``, Keras' order. Use Keras'
    ``Bidirectional(layer(return_sequences=True))`` to get TF1's outputs; with
    ``return_sequences=False`` Keras returns ``concat(fw[-1], bw[0])``, not TF1's
    ``outputs[-1]``.
    """
    return (tf1_to_keras(cell_type, fw_vars, **options)
            + tf1_to_keras(cell_type, bw_vars, **options))


def bidirectional_keras_to_tf1(cell_type, keras_weights, **options):
    """``Bidirectional.get_weights()`` -> ``(fw_vars, bw_vars)`` (the inverse of the above)."""
    keras_weights = list(keras_weights)
    if len(keras_weights) % 2:
        raise ValueError(
            "Bidirectional weights are forward + backward lists of equal length; received "
            f"{len(keras_weights)} arrays."
        )
    half = len(keras_weights) // 2
    return (keras_to_tf1(cell_type, keras_weights[:half], **options),
            keras_to_tf1(cell_type, keras_weights[half:], **options))


def _stack_plan(cell_types, units, num_layers, input_size, options):
    """Per-layer (cell_type, input_size, units) for a MultiRNNCell stack."""
    seqs = [len(x) for x in (cell_types, units) if not isinstance(x, (str, numbers.Integral))]
    if num_layers is None:
        if not seqs:
            raise ValueError(
                "The number of layers is unknown: give cell_types or units as a sequence "
                "(one entry per layer)."
            )
        num_layers = seqs[0]
    if any(n != num_layers for n in seqs):
        raise ValueError(
            f"cell_types and units must have one entry per layer ({num_layers} layers). "
            f"Received: cell_types={cell_types!r}, units={units!r}"
        )
    if num_layers == 0:
        raise ValueError("A stack needs at least one layer. Received: 0 layers")
    types = [cell_types] * num_layers if isinstance(cell_types, str) else list(cell_types)
    sizes = [units] * num_layers if isinstance(units, numbers.Integral) else list(units)
    plan, depth = [], input_size
    for cell_type, size in zip(types, sizes):
        opts = _Options(cell_type, input_size=depth, units=size, **options)
        plan.append((cell_type, depth, size))
        depth = opts.output_size
    return plan


def stack_tf1_to_keras(cell_types, tf1_vars, *, input_size, units, cell_scopes=None,
                       **options) -> List[List[np.ndarray]]:
    """``MultiRNNCell`` variables -> one weight list per stacked Keras layer.

    Args:
        cell_types: one TF1 class name for every layer, or one per layer.
        tf1_vars: names relative to the ``multi_rnn_cell`` scope:
            ``cell_0/basic_lstm_cell/kernel``, ``cell_1/basic_lstm_cell/kernel``, ...
        input_size: the depth of the stack's inputs; layer i > 0 gets the output
            size of layer i - 1.
        units: one int for every layer, or one per layer.
        cell_scopes: the cells' scope names, if not TF1's defaults (``TF1_SCOPES``).
        options: as in :func:`tf1_to_keras`, the same for every layer.

    Returns:
        ``[layer_0_weights, layer_1_weights, ...]``: ``set_weights`` each stacked
        layer (``LSTM(u0, return_sequences=True)``, then ``LSTM(u1)``...), or
        ``RNN(StackedRNNCells(...)).set_weights(sum(result, []))``.
    """
    if not isinstance(tf1_vars, Mapping):
        raise TypeError(f"tf1_vars must be a dict. Received: {type(tf1_vars).__name__}")
    num_layers = None
    if isinstance(cell_types, str) and isinstance(units, numbers.Integral):
        indices = {int(k.split("/", 1)[0][len("cell_"):]) for k in tf1_vars
                   if k.startswith("cell_") and k.split("/", 1)[0][len("cell_"):].isdigit()}
        num_layers = len(indices)
    plan = _stack_plan(cell_types, units, num_layers, input_size, options)
    scopes = _stack_scopes(plan, cell_scopes)
    known = [f"cell_{i}/{scope}/" for i, scope in enumerate(scopes)]
    strays = [k for k in tf1_vars if not any(k.startswith(p) for p in known)]
    if strays:
        raise ValueError(
            f"Variables outside the expected cell scopes {known}: {strays}. Names must be "
            "relative to the multi_rnn_cell scope (see scope_variables())."
        )
    result = []
    for i, ((cell_type, depth, size), prefix) in enumerate(zip(plan, known)):
        layer_vars = {k[len(prefix):]: v for k, v in tf1_vars.items() if k.startswith(prefix)}
        if not layer_vars:
            raise ValueError(
                f"No variables under {prefix!r} (layer {i}). Note: MultiRNNCell([cell] * n) "
                "(one cell object) shares a single variable set under cell_0 in TF >= 1.2; "
                "map it once and load it into every layer."
            )
        result.append(tf1_to_keras(cell_type, layer_vars, input_size=depth, units=size,
                                   **options))
    return result


def stack_keras_to_tf1(cell_types, keras_weights, *, input_size, units, cell_scopes=None,
                       **options) -> Dict[str, np.ndarray]:
    """The inverse of :func:`stack_tf1_to_keras`: per-layer weight lists -> ``cell_<i>/<scope>/<name>``.

    ``keras_weights`` is a list of per-layer lists, or the flat list of
    ``RNN(StackedRNNCells(...)).get_weights()`` (then give cell_types or units as a
    sequence so the number of layers is known).
    """
    keras_weights = list(keras_weights)
    nested = bool(keras_weights) and all(
        isinstance(w, (list, tuple)) for w in keras_weights)
    plan = _stack_plan(cell_types, units, len(keras_weights) if nested else None,
                       input_size, options)
    if not nested:
        per_layer, start = [], 0
        for cell_type, depth, size in plan:
            count = len(keras_weight_shapes(cell_type, input_size=depth, units=size, **options))
            per_layer.append(keras_weights[start:start + count])
            start += count
        if start != len(keras_weights):
            raise ValueError(
                f"The stack's layers have {start} weights in all; received "
                f"{len(keras_weights)} arrays."
            )
        keras_weights = per_layer
    scopes = _stack_scopes(plan, cell_scopes)
    result = {}
    for i, ((cell_type, depth, size), scope, weights) in enumerate(
            zip(plan, scopes, keras_weights)):
        for name, value in keras_to_tf1(cell_type, weights, input_size=depth, units=size,
                                        **options).items():
            result[f"cell_{i}/{scope}/{name}"] = value
    return result


def _stack_scopes(plan, cell_scopes):
    if cell_scopes is None:
        return [TF1_SCOPES[cell_type] for cell_type, _, _ in plan]
    if isinstance(cell_scopes, str):
        return [cell_scopes] * len(plan)
    cell_scopes = list(cell_scopes)
    if len(cell_scopes) != len(plan):
        raise ValueError(f"cell_scopes needs one entry per layer ({len(plan)}). "
                         f"Received: cell_scopes={cell_scopes!r}")
    return cell_scopes


def scope_variables(variables, scope) -> Dict[str, np.ndarray]:
    """The entries of ``variables`` under ``scope``, keyed by the name relative to it.

    ``variables`` maps full names (a checkpoint's keys, e.g. from
    ``tf.train.list_variables`` + ``load_variable``; a trailing ``:0`` is dropped)
    to arrays. ``scope_variables(v, "rnn/basic_lstm_cell")`` gives ``{"kernel": ...,
    "bias": ...}``.
    """
    prefix = scope.rstrip("/") + "/"
    found = {}
    for name, value in variables.items():
        name = name[:-2] if name.endswith(":0") else name
        if name.startswith(prefix):
            found[name[len(prefix):]] = value
    if not found:
        scopes = sorted({n.rsplit("/", 1)[0] for n in variables if "/" in n})
        raise ValueError(
            f"No variables under scope {scope!r}. Scopes present: {scopes[:20]}"
            + (" ..." if len(scopes) > 20 else "")
        )
    return found
