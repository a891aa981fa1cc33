"""Small PyTorch cells for the TF1 cells ``torch.nn`` has no exact module for.

Each computes one TF1 step operation by operation, in TF1's order, with TF1's weight
layout (a parameter per TF1 variable, ``/`` written ``_``: ``gates/kernel`` ->
``gates_kernel``), so a TF1 checkpoint loads without rearranging (the same identity map
:mod:`modern.weights` uses for ``modern.TF1LSTMCell``). The equations are those of the
Keras cells in :mod:`modern.cells` and of ``legacy_compat``'s TF1 cells:

* :class:`TF1BasicRNNCell`: ``BasicRNNCell`` with an activation ``nn.RNN`` lacks;
* :class:`TF1LSTMCell`: ``LSTMCell`` with peepholes, ``cell_clip``, ``proj_clip`` or an
  activation other than tanh (``nn.LSTM`` has none of them);
* :class:`TF1GRUCell`: TF1's ``GRUCell``, which applies the reset gate to the state
  BEFORE the candidate matmul (``nn.GRU`` applies it after: another cell, see
  ``tools.proof.limitations.TORCH_NN_GRU``);
* :class:`TF1LayerNormBasicLSTMCell`: contrib's ``LayerNormBasicLSTMCell`` (epsilon
  1e-12; no recurrent dropout, as :class:`modern.TF1LayerNormLSTMCell`).

A cell's ``forward(x, state)`` takes one step ``x`` [batch, input] and the state as a
tuple in TF1's order (``(c, h)`` or ``(h,)``) and returns ``(output, new_state)``.
"""
import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["ACTIVATIONS", "activation", "TF1BasicRNNCell", "TF1LSTMCell", "TF1GRUCell",
           "TF1LayerNormBasicLSTMCell", "TF1_LAYER_NORM_EPSILON"]

# TF1's activation names (legacy_compat's table) -> the torch function computing the same.
ACTIVATIONS = {
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "relu6": F.relu6,
    "elu": F.elu, "selu": F.selu, "softsign": F.softsign, "softplus": F.softplus,
    "linear": lambda x: x,
}
# contrib's layer_norm: tf.nn.batch_normalization(..., variance_epsilon=1e-12)
TF1_LAYER_NORM_EPSILON = 1e-12


def activation(name, owner):
    """The torch function of a TF1 activation name (a clear error for others)."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"{owner}: unknown activation {name!r}. Expected one of "
                         f"{sorted(ACTIVATIONS)}.") from None


class _TF1Cell(nn.Module):
    """Parameters in TF1's layout: ``layout`` is ``{TF1 name: shape}`` (modern.weights)."""

    def __init__(self, layout, activation_name):
        super().__init__()
        for name, shape in layout.items():
            self.register_parameter(name.replace("/", "_"), nn.Parameter(torch.zeros(shape)))
        self.activation_name = activation_name
        self.activation = activation(activation_name, type(self).__name__)

    def extra_repr(self):
        return f"activation={self.activation_name!r}"


class TF1BasicRNNCell(_TF1Cell):
    """``h = activation([x, h] @ kernel + bias)``."""

    def forward(self, x, state):
        (h,) = state
        new_h = self.activation(torch.cat([x, h], 1) @ self.kernel + self.bias)
        return new_h, (new_h,)


class TF1GRUCell(_TF1Cell):
    """TF1's GRUCell: ``r, u = sigmoid([x, h] @ W_g + b_g)``; ``c = act([x, r * h] @ W_c + b_c)``;
    ``h = u * h + (1 - u) * c``."""

    def forward(self, x, state):
        (h,) = state
        value = torch.sigmoid(torch.cat([x, h], 1) @ self.gates_kernel + self.gates_bias)
        r, u = torch.chunk(value, 2, dim=1)
        candidate = torch.cat([x, r * h], 1) @ self.candidate_kernel + self.candidate_bias
        c = self.activation(candidate)
        new_h = u * h + (1 - u) * c
        return new_h, (new_h,)


class TF1LSTMCell(_TF1Cell):
    """TF1's LSTMCell (columns i, j, f, o; peepholes, cell_clip, num_proj, proj_clip)."""

    def __init__(self, layout, activation_name, *, forget_bias, cell_clip=None,
                 proj_clip=None):
        super().__init__(layout, activation_name)
        self.forget_bias = float(forget_bias)
        self.use_peepholes = "w_f_diag" in layout
        self.cell_clip = cell_clip
        self.num_proj = layout["projection/kernel"][1] if "projection/kernel" in layout else None
        self.proj_clip = proj_clip

    def forward(self, x, state):
        c_prev, m_prev = state
        lstm_matrix = torch.cat([x, m_prev], 1) @ self.kernel + self.bias
        i, j, f, o = torch.chunk(lstm_matrix, 4, dim=1)
        if self.use_peepholes:
            c = (torch.sigmoid(f + self.forget_bias + self.w_f_diag * c_prev) * c_prev
                 + torch.sigmoid(i + self.w_i_diag * c_prev) * self.activation(j))
        else:
            c = (torch.sigmoid(f + self.forget_bias) * c_prev
                 + torch.sigmoid(i) * self.activation(j))
        if self.cell_clip is not None:
            c = torch.clamp(c, -self.cell_clip, self.cell_clip)
        if self.use_peepholes:
            m = torch.sigmoid(o + self.w_o_diag * c) * self.activation(c)
        else:
            m = torch.sigmoid(o) * self.activation(c)
        if self.num_proj is not None:
            m = m @ self.projection_kernel
            if self.proj_clip is not None:
                m = torch.clamp(m, -self.proj_clip, self.proj_clip)
        return m, (c, m)

    def extra_repr(self):
        return (f"forget_bias={self.forget_bias}, use_peepholes={self.use_peepholes}, "
                f"cell_clip={self.cell_clip}, num_proj={self.num_proj}, "
                f"proj_clip={self.proj_clip}, activation={self.activation_name!r}")


class TF1LayerNormBasicLSTMCell(_TF1Cell):
    """contrib's LayerNormBasicLSTMCell: layer norm of i, j, f, o and of the new c."""

    def __init__(self, layout, activation_name, *, forget_bias):
        super().__init__(layout, activation_name)
        self.forget_bias = float(forget_bias)
        self.layer_norm = "bias" not in layout

    def _norm(self, x, part):
        # tf.nn.moments (mean, then the variance around the stopped mean) and
        # tf.nn.batch_normalization, operation for operation.
        gamma, beta = getattr(self, f"{part}_gamma"), getattr(self, f"{part}_beta")
        mean = x.mean(dim=-1, keepdim=True)
        variance = torch.square(x - mean.detach()).mean(dim=-1, keepdim=True)
        inv = torch.rsqrt(variance + TF1_LAYER_NORM_EPSILON) * gamma
        return x * inv + (beta - mean * inv)

    def forward(self, x, state):
        c, h = state
        concat = torch.cat([x, h], 1) @ self.kernel
        if not self.layer_norm:
            concat = concat + self.bias
        i, j, f, o = torch.chunk(concat, 4, dim=1)
        if self.layer_norm:
            i, j = self._norm(i, "input"), self._norm(j, "transform")
            f, o = self._norm(f, "forget"), self._norm(o, "output")
        g = self.activation(j)
        new_c = c * torch.sigmoid(f + self.forget_bias) + torch.sigmoid(i) * g
        if self.layer_norm:
            new_c = self._norm(new_c, "state")
        new_h = self.activation(new_c) * torch.sigmoid(o)
        return new_h, (new_c, new_h)

    def extra_repr(self):
        return (f"forget_bias={self.forget_bias}, layer_norm={self.layer_norm}, "
                f"activation={self.activation_name!r}")
