"""``TF1RNN``: the PyTorch module of an :class:`~modern.spec.RNNSpec` (a TF1 RNN pipeline).

It computes what the Keras model of :func:`modern.models.build_keras_model` computes,
with the same output names: ``forward(x[, sequence_length])`` -> ``{"outputs": [B, T, H]
(fw then bw concatenated when bidirectional), "<fw|bw>/cell_<i>/<c|h>": final states
(:func:`modern.spec.state_names`), "logits": outputs[:, -1] @ W + b (with a readout)}``.

Each TF1 cell becomes (:func:`torch_target`):

* ``torch.nn.LSTM`` for ``BasicLSTMCell`` / ``LSTMCell`` with tanh, no peepholes, no
  ``cell_clip``, and either no ``num_proj`` or a ``num_proj < units`` without
  ``proj_clip`` (``proj_size``). Its gate blocks are ``keras.layers.LSTM``'s (i, f, g, o),
  so the weights come from :mod:`modern.weights`' LSTM map (TF1's i, j, f, o moved,
  ``forget_bias`` folded into the f block): ``weight_ih = kernel[:D].T``, ``weight_hh =
  kernel[D:].T``, ``bias_ih`` = the Keras bias, ``bias_hh`` = 0 (frozen:
  ``requires_grad=False``, so training moves one bias as TF1 does), ``weight_hr =
  projection/kernel.T``;
* ``torch.nn.RNN`` for ``BasicRNNCell`` with tanh or relu (``nonlinearity``), weights from
  the ``SimpleRNN`` map;
* a cell of :mod:`modern.torch.cells` (TF1's layout, identity map) otherwise: GRUCell
  (``nn.GRU`` is not TF1's GRU), LSTMCell with peepholes / clipping, LayerNormBasicLSTMCell,
  other activations.

Consecutive cells of a stack that become ``nn.LSTM`` (``nn.RNN``) of the same sizes are
one multi-layer module (``num_layers``). A bidirectional single cell that becomes a
built-in is one ``bidirectional=True`` module; a bidirectional STACK is two stacks, one
per direction, because TF1 runs the whole stack per direction while a multi-layer
bidirectional ``nn.LSTM`` feeds both directions of layer i to layer i + 1. The backward
direction reads each sequence reversed within its length (TF1's ``reverse_sequence``).
``sequence_length``: outputs are 0 past each length and the final states are those at
step ``length - 1`` (0-length rows keep the zero state), as TF1's.
"""
import numpy as np
import torch
from torch import nn
from torch.nn.utils import rnn as rnn_utils

from modern import models as _models
from modern import spec as _spec
from modern import weights as _weights
from modern.torch import cells as _cells

__all__ = ["TF1RNN", "torch_target", "TORCH_CELLS", "BUILTINS"]

# Keras target (modern.spec.KERAS_TARGETS) -> (torch built-in or None, our cell)
TORCH_CELLS = {
    "SimpleRNN": ("nn.RNN", "TF1BasicRNNCell"),
    "LSTM": ("nn.LSTM", "TF1LSTMCell"),
    "TF1LSTMCell": ("nn.LSTM", "TF1LSTMCell"),
    "GRU": (None, "TF1GRUCell"),
    "TF1LayerNormLSTMCell": (None, "TF1LayerNormBasicLSTMCell"),
}
BUILTINS = {"nn.LSTM": nn.LSTM, "nn.RNN": nn.RNN}
_RNN_NONLINEARITIES = ("tanh", "relu")  # nn.RNN's nonlinearity options


def _builtin_is_exact(cell, builtin):
    if builtin == "nn.RNN":
        return cell.activation in _RNN_NONLINEARITIES
    if builtin == "nn.LSTM":
        # proj_clip only acts with num_proj (TF1 ignores it otherwise); nn.LSTM's
        # proj_size must be < hidden_size
        projection_ok = cell.num_proj is None or (cell.proj_clip is None
                                                  and cell.num_proj < cell.units)
        return (cell.activation == "tanh" and not cell.use_peepholes
                and cell.cell_clip is None and projection_ok)
    return False


def torch_target(cell: _spec.CellSpec) -> str:
    """``"nn.LSTM"``, ``"nn.RNN"`` or the :mod:`modern.torch.cells` class of one cell."""
    builtin, own = TORCH_CELLS[cell.keras_target]
    return builtin if builtin is not None and _builtin_is_exact(cell, builtin) else own


def _group_key(cell):
    target = torch_target(cell)
    if target not in BUILTINS:
        return None
    return target, cell.units, cell.num_proj, cell.activation


def _plan(spec):
    """Blocks of one direction: ``[(target, [cell indices])]``; consecutive built-in cells
    of the same sizes share one multi-layer module."""
    blocks = []
    for i, cell in enumerate(spec.cells):
        key = _group_key(cell)
        if key is not None and blocks and blocks[-1][0] == key:
            blocks[-1][1].append(i)
        else:
            blocks.append((key, [i]))
    return [(key[0] if key else torch_target(spec.cells[idx[0]]), idx) for key, idx in blocks]


def _builtin(target, cell, depth, num_layers, bidirectional=False):
    options = dict(input_size=depth, hidden_size=cell.units, num_layers=num_layers,
                   batch_first=True, bidirectional=bidirectional)
    if target == "nn.LSTM":
        module = nn.LSTM(proj_size=cell.num_proj or 0, **options)
    else:
        module = nn.RNN(nonlinearity=cell.activation, **options)
    for name, param in module.named_parameters():
        if name.startswith("bias_hh"):
            param.requires_grad_(False)  # TF1 has one bias: it lives in bias_ih
    return module


def _own_cell(target, cell, depth):
    opts = cell.map_options(depth)
    opts.pop("target")
    layout = _weights.tf1_variable_shapes(cell.cell_type, **opts)
    cls = getattr(_cells, target)
    if target == "TF1LSTMCell":
        return cls(layout, cell.activation, forget_bias=cell.forget_bias,
                   cell_clip=cell.cell_clip, proj_clip=cell.proj_clip)
    if target == "TF1LayerNormBasicLSTMCell":
        return cls(layout, cell.activation, forget_bias=cell.forget_bias)
    return cls(layout, cell.activation)


def _direction_modules(spec, plan):
    depths = spec.layer_input_sizes()
    modules = []
    for target, indices in plan:
        cell = spec.cells[indices[0]]
        if target in BUILTINS:
            modules.append(_builtin(target, cell, depths[indices[0]], len(indices)))
        else:
            modules.append(_own_cell(target, cell, depths[indices[0]]))
    return nn.ModuleList(modules)


# --------------------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------------------
def reverse_within_length(x, lengths):
    """TF1's ``reverse_sequence`` on axis 1 (all of it without ``lengths``)."""
    if lengths is None:
        return torch.flip(x, [1])
    steps = x.shape[1]
    t = torch.arange(steps, device=x.device)[None, :]
    n = lengths.to(x.device)[:, None]
    index = torch.where(t < n, n - 1 - t, t)
    return torch.gather(x, 1, index[:, :, None].expand(-1, -1, x.shape[2]))


def _valid(lengths, steps):
    return torch.arange(steps, device=lengths.device)[None, :] < lengths[:, None]


def _run_builtin(module, x, lengths):
    """``(outputs, h_n, c_n or None)`` of nn.LSTM / nn.RNN, masked like TF1."""
    if lengths is None:
        outputs, state = module(x)
    else:
        packed = rnn_utils.pack_padded_sequence(x, lengths.clamp(min=1).cpu(), batch_first=True,
                                                enforce_sorted=False)
        outputs, state = module(packed)
        outputs, _ = rnn_utils.pad_packed_sequence(outputs, batch_first=True,
                                                   total_length=x.shape[1])
    parts = state if isinstance(state, tuple) else (state,)  # LSTM: (h_n, c_n); RNN: h_n
    if lengths is not None:
        # pack_padded_sequence needs lengths >= 1: a 0-length row ran one step; TF1
        # outputs 0 there and keeps the zero state
        outputs = torch.where(_valid(lengths, x.shape[1])[:, :, None], outputs,
                              torch.zeros_like(outputs))
        empty = (lengths == 0)[None, :, None]
        parts = tuple(torch.where(empty, torch.zeros_like(p), p) for p in parts)
    return outputs, parts[0], parts[1] if len(parts) == 2 else None


def _builtin_states(spec, indices, h_n, c_n, directions=1, direction=0):
    """nn.LSTM / nn.RNN final states -> per cell, TF1's (c, h) or (h,)."""
    states = []
    for layer, i in enumerate(indices):
        row = layer * directions + direction
        parts = {"h": h_n[row], "c": None if c_n is None else c_n[row]}
        states.append(tuple(parts[p] for p in spec.cells[i].state_parts))
    return states


def _run_cell(cell_module, cell, x, lengths):
    batch, steps = x.shape[0], x.shape[1]
    sizes = {"c": cell.units, "h": cell.output_size}
    state = tuple(x.new_zeros(batch, sizes[p]) for p in cell.state_parts)
    valid = None if lengths is None else _valid(lengths, steps)
    outputs = []
    for t in range(steps):
        out, new = cell_module(x[:, t], state)
        if valid is not None:
            keep = valid[:, t, None]
            new = tuple(torch.where(keep, n, s) for n, s in zip(new, state))
            out = torch.where(keep, out, torch.zeros_like(out))
        state = new
        outputs.append(out)
    if not outputs:
        return x.new_zeros(batch, 0, cell.output_size), state
    return torch.stack(outputs, 1), state


def _run_direction(spec, plan, modules, x, lengths):
    states = []
    for (target, indices), module in zip(plan, modules):
        if target in BUILTINS:
            x, h_n, c_n = _run_builtin(module, x, lengths)
            states.extend(_builtin_states(spec, indices, h_n, c_n))
        else:
            x, state = _run_cell(module, spec.cells[indices[0]], x, lengths)
            states.append(state)
    return x, states


# --------------------------------------------------------------------------------------
# the module
# --------------------------------------------------------------------------------------
class TF1RNN(nn.Module):
    """The PyTorch module of a TF1 RNN pipeline (see the module docstring).

    ``TF1RNN(spec)`` builds it with zero weights; :meth:`load_tf1_weights` loads TF1
    variables (names relative to the runner scope, :func:`modern.models.rnn_variable_names`)
    and :meth:`tf1_weights` gives them back. ``state_dict()`` / ``load_state_dict`` work as
    for any module: rebuild with ``TF1RNN(spec)`` (``repr(module.spec)`` is the spec as a
    Python expression of ``modern.spec``'s classes).
    """

    def __init__(self, spec: _spec.RNNSpec):
        super().__init__()
        if not isinstance(spec, _spec.RNNSpec):
            raise TypeError(f"TF1RNN takes a modern.spec.RNNSpec. Received: {type(spec).__name__}")
        self.spec = spec
        self.plan = _plan(spec)
        # one bidirectional built-in where TF1's fw/bw pair of one cell is exactly that
        self.fused_bidirectional = (spec.bidirectional and not spec.stacked
                                    and self.plan[0][0] in BUILTINS)
        if self.fused_bidirectional:
            target = self.plan[0][0]
            self.layers = nn.ModuleList([_builtin(target, spec.cells[0], spec.input_size, 1,
                                                  bidirectional=True)])
        else:
            self.layers = _direction_modules(spec, self.plan)
            if spec.bidirectional:
                self.backward_layers = _direction_modules(spec, self.plan)
        self.readout = (nn.Linear(spec.output_size, spec.num_classes)
                        if spec.num_classes is not None else None)

    def extra_repr(self):
        return f"spec={self.spec!r}"

    def forward(self, x, sequence_length=None):
        spec = self.spec
        x = torch.as_tensor(x)
        if not x.is_floating_point():
            raise TypeError(f"TF1RNN expects floating-point x. Received dtype: {x.dtype}")
        x = x.to(next(self.parameters()).dtype)  # as the Keras model casts its input
        if x.dim() != 3 or x.shape[2] != spec.input_size:
            raise ValueError(f"TF1RNN expects x of shape [batch, time, {spec.input_size}]. "
                             f"Received: shape {list(x.shape)}")
        lengths = None
        if spec.masked:
            if sequence_length is None:
                raise ValueError("this RNN was built with masked=True (TF1's sequence_length=): "
                                 "pass sequence_length [batch]")
            lengths = torch.as_tensor(sequence_length, dtype=torch.int64, device=x.device)
        elif sequence_length is not None:
            raise ValueError("sequence_length was given but the spec has masked=False")
        names = iter(_spec.state_names(spec))
        result = {}
        if self.fused_bidirectional:
            outputs, h_n, c_n = _run_builtin(self.layers[0], x, lengths)
            per_direction = [_builtin_states(spec, [0], h_n, c_n, 2, d) for d in (0, 1)]
        else:
            outputs, fw_states = _run_direction(spec, self.plan, self.layers, x, lengths)
            per_direction = [fw_states]
            if spec.bidirectional:
                reversed_out, bw_states = _run_direction(
                    spec, self.plan, self.backward_layers, reverse_within_length(x, lengths),
                    lengths)
                outputs = torch.cat([outputs, reverse_within_length(reversed_out, lengths)], -1)
                per_direction.append(bw_states)
        result["outputs"] = outputs
        for states in per_direction:
            for cell_states in states:
                for tensor in cell_states:
                    result[next(names)] = tensor
        if self.readout is not None:
            result["logits"] = self.readout(outputs[:, -1, :])
        return result

    # -- TF1 variables <-> parameters ---------------------------------------------------
    def _slots(self):
        """Per TF1 cell: ``(TF1 prefix, cell, depth, module, builtin target or None,
        parameter suffix)``."""
        spec = self.spec
        depths = spec.layer_input_sizes()
        for d, direction in enumerate(spec.directions):
            prefixes = _models._cell_prefixes(spec, direction)
            if self.fused_bidirectional:
                yield (prefixes[0], spec.cells[0], depths[0], self.layers[0], self.plan[0][0],
                       "_l0" + ("_reverse" if d else ""))
                continue
            modules = self.backward_layers if d else self.layers
            for (target, indices), module in zip(self.plan, modules):
                for layer, i in enumerate(indices):
                    builtin = target if target in BUILTINS else None
                    yield (prefixes[i], spec.cells[i], depths[i], module, builtin,
                           f"_l{layer}" if builtin else "")

    def load_tf1_weights(self, tf1_vars, readout=None):
        """Load TF1 variables (names relative to the runner scope) and a readout ``(W, b)``.

        Names and shapes are checked by :mod:`modern.weights` (a clear error names a
        missing, unexpected or misshapen variable).
        """
        _check_names(self.spec, tf1_vars)
        values = {}
        for prefix, cell, depth, module, builtin, suffix in self._slots():
            cell_vars = {k[len(prefix):]: np.asarray(v) for k, v in tf1_vars.items()
                         if k.startswith(prefix)}
            mapped = _weights.tf1_to_keras(cell.cell_type, cell_vars, **cell.map_options(depth))
            for name, value in _to_torch(cell, depth, builtin, cell_vars, mapped).items():
                values[(module, name + suffix)] = value
        if readout is not None:
            if self.readout is None:
                raise ValueError("readout weights were given but the spec has no readout "
                                 "(num_classes=None).")
            w, b = readout
            values[(self.readout, "weight")] = np.asarray(w).T
            values[(self.readout, "bias")] = np.asarray(b)
        with torch.no_grad():
            for (module, name), value in values.items():
                param = getattr(module, name)
                if tuple(param.shape) != np.shape(value):
                    raise ValueError(f"{type(module).__name__}.{name}: shape {list(param.shape)}"
                                     f", the TF1 value's {list(np.shape(value))}")
                param.copy_(torch.as_tensor(np.ascontiguousarray(value), dtype=param.dtype))
        return self

    def tf1_weights(self, arrays=None, *, fold_forget_bias=True):
        """The inverse of :meth:`load_tf1_weights`: ``(tf1_vars, readout or None)``.

        ``arrays`` optionally replaces the parameters' values (``{parameter name: array}``,
        names as in ``named_parameters()``; missing ones count as 0), e.g. gradients: with
        ``fold_forget_bias=False`` they map like weights (the fold is an additive constant).
        """
        params = dict(self.named_parameters())
        ids = {id(p): n for n, p in params.items()}

        def value(module, name):
            param = getattr(module, name)
            if arrays is None:
                return param.detach().cpu().numpy()
            got = arrays.get(ids[id(param)])
            return np.zeros(tuple(param.shape), np.float32) if got is None else np.asarray(got)

        tf1_vars = {}
        for prefix, cell, depth, module, builtin, suffix in self._slots():
            names = _torch_names(cell, depth, builtin)
            local = {n: value(module, n + suffix) for n in names}
            mapped = _from_torch(cell, depth, builtin, local, fold_forget_bias)
            tf1_vars.update({prefix + k: v for k, v in mapped.items()})
        readout = None
        if self.readout is not None:
            readout = (value(self.readout, "weight").T, value(self.readout, "bias"))
        return tf1_vars, readout


# --------------------------------------------------------------------------------------
# the per-cell maps (modern.weights' maps, then torch's transposed layout)
# --------------------------------------------------------------------------------------
class _LSTMMapOptions:
    """What modern.weights' LSTM block map reads: the row split and forget_bias."""

    def __init__(self, input_size, forget_bias):
        self.input_size, self.forget_bias = input_size, forget_bias


def _check_names(spec, tf1_vars):
    """Names outside the RNN's variables (missing ones: modern.weights names them per cell)."""
    unknown = sorted(set(tf1_vars) - set(_models.rnn_variable_names(spec)))
    if unknown:
        raise ValueError(f"The TF1 variables do not match the RNN: unexpected {unknown}; "
                         f"expected {sorted(_models.rnn_variable_names(spec))}")


def _torch_names(cell, depth, builtin):
    if builtin == "nn.LSTM":
        return ["weight_ih", "weight_hh", "bias_ih", "bias_hh"] + (
            ["weight_hr"] if cell.num_proj is not None else [])
    if builtin == "nn.RNN":
        return ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    opts = cell.map_options(depth)
    opts.pop("target")
    return [n.replace("/", "_") for n in _weights.tf1_variable_shapes(cell.cell_type, **opts)]


def _to_torch(cell, depth, builtin, cell_vars, keras_weights):
    if builtin == "nn.LSTM":
        # keras.layers.LSTM's blocks (i, f, c, o) are nn.LSTM's (i, f, g, o); the map also
        # takes LSTMCell's num_proj rows (the kernel's recurrent rows are then H = num_proj)
        kernel, recurrent, bias = _weights._lstm_to_keras(
            _LSTMMapOptions(depth, cell.forget_bias), cell_vars)
        out = {"weight_ih": kernel.T, "weight_hh": recurrent.T, "bias_ih": bias,
               "bias_hh": np.zeros_like(bias)}
        if cell.num_proj is not None:
            out["weight_hr"] = cell_vars["projection/kernel"].T
        return out
    if builtin == "nn.RNN":
        kernel, recurrent, bias = keras_weights  # the SimpleRNN map
        return {"weight_ih": kernel.T, "weight_hh": recurrent.T, "bias_ih": bias,
                "bias_hh": np.zeros_like(bias)}
    return {name.replace("/", "_"): value for name, value in cell_vars.items()}


def _from_torch(cell, depth, builtin, local, fold_forget_bias):
    if builtin in BUILTINS:
        bias = local["bias_ih"]
        if np.any(local["bias_hh"]):  # 0 unless set by hand: keep the copy bitwise
            bias = bias + local["bias_hh"]
        keras_weights = [local["weight_ih"].T, local["weight_hh"].T, bias]
        if builtin == "nn.LSTM":
            forget_bias = cell.forget_bias if fold_forget_bias else 0.0
            out = _weights._lstm_to_tf1(_LSTMMapOptions(depth, forget_bias), keras_weights)
            if cell.num_proj is not None:
                out["projection/kernel"] = local["weight_hr"].T
            return out
        return _weights.keras_to_tf1(cell.cell_type, keras_weights, input_size=depth,
                                     units=cell.units, target="SimpleRNN")
    opts = cell.map_options(depth)
    opts.pop("target")
    return {name: np.array(local[name.replace("/", "_")])
            for name in _weights.tf1_variable_shapes(cell.cell_type, **opts)}
