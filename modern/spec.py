"""One table of the TF1 cell kinds and runners, and of the Keras 3 layers they become.

Every fact about a kind of cell or a runner lives here once; the weight maps
(:mod:`modern.weights`), the Keras models (:mod:`modern.models`), checkpoint inference
(:mod:`modern.checkpoint`), the TF1 side of the proof, the hypothesis strategies, the
registry and the porter all read it.

* :data:`CELL_KINDS`: per TF1 cell class, its default variable scope, its kernels and
  their gate blocks, its state parts, its constructor options and the Keras targets it
  maps to exactly (the default first);
* :data:`KERAS_TARGETS`: per Keras target, the layer and cell classes and the constructor
  settings that make it compute TF1's cell (with the reason for each), which ``CellSpec``
  options it takes, and the order of its state list;
* :data:`RUNNERS`: per TF1 runner, its variable scope, whether it is bidirectional and
  whether it takes a Python list of steps (static), and how TF1 programs spelled it;
* :data:`SEQUENCE_LAYER_SETTINGS`, :data:`BIDIRECTIONAL_SETTINGS`: the settings of the
  sequence layer that gives TF1's runner outputs;
* :class:`CellSpec` and :class:`RNNSpec`: one cell and one pipeline, described with
  TF1's names and defaults (re-exported by :mod:`modern.models`).

This module imports neither Keras nor TensorFlow.
"""
import dataclasses
from types import MappingProxyType
from typing import List, Mapping, Optional, Tuple

__all__ = [
    "CellKind",
    "KerasTarget",
    "Runner",
    "CELL_KINDS",
    "CELL_TYPES",
    "KERAS_TARGETS",
    "RUNNERS",
    "UNIDIRECTIONAL_RUNNERS",
    "BIDIRECTIONAL_RUNNERS",
    "RUNNER_SCOPES",
    "RUNNER_SPELLINGS",
    "SEQUENCE_LAYER_SETTINGS",
    "BIDIRECTIONAL_SETTINGS",
    "MASK_SETTINGS",
    "cell_kind",
    "runner_named",
    "static_runner",
    "default_target",
    "CellSpec",
    "RNNSpec",
    "state_names",
]


# --------------------------------------------------------------------------------------
# Keras targets
# --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class KerasTarget:
    """A Keras 3 layer (or a modern cell inside ``keras.layers.RNN``) that computes a TF1
    cell exactly, given the settings below."""

    name: str  # the key modern.weights uses (``target=``)
    layer: str  # the sequence layer, qualified
    cell: str  # the cell class (inside RNN / StackedRNNCells), qualified
    settings: Mapping[str, object]  # constructor settings that make it exact
    reasons: Mapping[str, str]  # why each setting (for the docs)
    cell_options: Tuple[str, ...]  # CellSpec fields passed to the constructor as they are
    state_order: Tuple[str, ...]  # the order of the layer's state list

    @property
    def builtin(self):
        """True for Keras' own sequence layers (LSTM, GRU, SimpleRNN)."""
        return self.layer != "keras.layers.RNN"


def _target(name, layer, cell, settings=None, reasons=None, *, cell_options=("activation",),
            state_order=("h",)):
    settings = dict(settings or {})
    reasons = dict(reasons or {})
    missing = sorted(set(settings) - set(reasons))
    if missing:
        raise AssertionError(f"Keras target {name}: settings {missing} have no reason")
    return KerasTarget(name, layer, cell, MappingProxyType(settings), MappingProxyType(reasons),
                       tuple(cell_options), tuple(state_order))


_SIGMOID_REASON = ("TF1's gates use the logistic sigmoid; Keras 2 defaulted to "
                   "hard_sigmoid, so the setting is stated")

KERAS_TARGETS = MappingProxyType({t.name: t for t in (
    _target("SimpleRNN", "keras.layers.SimpleRNN", "keras.layers.SimpleRNNCell"),
    _target("LSTM", "keras.layers.LSTM", "keras.layers.LSTMCell",
            {"recurrent_activation": "sigmoid", "unit_forget_bias": False},
            {"recurrent_activation": _SIGMOID_REASON,
             "unit_forget_bias": "TF1's forget_bias is folded into the loaded forget-gate "
                                 "bias (Keras' default would add 1 at initialisation)"},
            state_order=("h", "c")),
    _target("GRU", "keras.layers.GRU", "keras.layers.GRUCell",
            {"recurrent_activation": "sigmoid", "reset_after": False},
            {"recurrent_activation": _SIGMOID_REASON,
             "reset_after": "TF1's GRUCell applies the reset gate before the recurrent "
                            "matmul; Keras' default True is a different cell"}),
    _target("TF1LSTMCell", "keras.layers.RNN", "modern.TF1LSTMCell",
            cell_options=("use_peepholes", "cell_clip", "num_proj", "proj_clip", "forget_bias",
                          "activation"),
            state_order=("c", "h")),
    _target("TF1LayerNormLSTMCell", "keras.layers.RNN", "modern.TF1LayerNormLSTMCell",
            cell_options=("forget_bias", "layer_norm", "activation"), state_order=("c", "h")),
)})


# --------------------------------------------------------------------------------------
# TF1 cell kinds
# --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class CellKind:
    """One TF1 RNN cell class."""

    name: str  # the TF1 class name
    scope: str  # its default variable scope (TF 1.2+ names)
    kernels: Mapping[str, int]  # TF1 kernel variable -> column blocks; the first gives units
    state_parts: Tuple[str, ...]  # TF1's state: ("c", "h") (LSTMStateTuple) or ("h",)
    options: Tuple[str, ...]  # CellSpec fields its TF1 constructor takes (units aside)
    targets: Tuple[str, ...]  # KERAS_TARGETS it maps to exactly; the default first
    # TF1 took ``activation`` as a function (contrib's LayerNormBasicLSTMCell), not a name
    activation_is_function: bool = False

    @property
    def lstm_like(self):
        """An LSTM: its state is an ``LSTMStateTuple(c, h)``."""
        return self.state_parts == ("c", "h")

    @property
    def gate_blocks(self):
        """Column blocks of the kernel whose columns give ``units`` (4 for an LSTM)."""
        return next(iter(self.kernels.values()))

    @property
    def units_kernel(self):
        """The kernel variable whose columns are ``gate_blocks * units``."""
        return next(iter(self.kernels))


def _kind(name, scope, kernels, state_parts, options, targets, **more):
    return CellKind(name, scope, MappingProxyType(dict(kernels)), tuple(state_parts),
                    tuple(options), tuple(targets), **more)


_LSTM_STATE = ("c", "h")
CELL_KINDS = MappingProxyType({k.name: k for k in (
    _kind("BasicRNNCell", "basic_rnn_cell", {"kernel": 1}, ("h",), ("activation",),
          ("SimpleRNN",)),
    _kind("BasicLSTMCell", "basic_lstm_cell", {"kernel": 4}, _LSTM_STATE,
          ("forget_bias", "activation"), ("LSTM", "TF1LSTMCell")),
    _kind("LSTMCell", "lstm_cell", {"kernel": 4}, _LSTM_STATE,
          ("use_peepholes", "cell_clip", "num_proj", "proj_clip", "forget_bias", "activation"),
          ("LSTM", "TF1LSTMCell")),
    _kind("GRUCell", "gru_cell", {"candidate/kernel": 1, "gates/kernel": 2}, ("h",),
          ("activation",), ("GRU",)),
    _kind("LayerNormBasicLSTMCell", "layer_norm_basic_lstm_cell", {"kernel": 4}, _LSTM_STATE,
          ("forget_bias", "layer_norm", "activation"), ("TF1LayerNormLSTMCell",),
          activation_is_function=True),
)})
CELL_TYPES = tuple(CELL_KINDS)

# LSTMCell's options that keras.layers.LSTM does not have (they need modern.TF1LSTMCell)
_TF1_LSTM_ONLY = ("use_peepholes", "cell_clip", "num_proj", "proj_clip")


def cell_kind(cell_type) -> CellKind:
    """The :class:`CellKind` of a TF1 cell class name (a clear error for others)."""
    try:
        return CELL_KINDS[cell_type]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown cell_type. Expected one of {', '.join(CELL_TYPES)}. "
                         f"Received: cell_type={cell_type!r}") from None


def default_target(cell_type, *, use_peepholes=False, num_proj=None, cell_clip=None,
                   proj_clip=None):
    """The Keras 3 target a TF1 cell maps to by default (a name in :data:`KERAS_TARGETS`).

    LSTM cells go to ``keras.layers.LSTM`` unless an ``LSTMCell`` uses peepholes,
    clipping or a projection (then ``TF1LSTMCell``).
    """
    kind = cell_kind(cell_type)
    given = dict(use_peepholes=use_peepholes, num_proj=num_proj, cell_clip=cell_clip,
                 proj_clip=proj_clip)
    if any(given[o] not in (None, False) for o in _TF1_LSTM_ONLY if o in kind.options):
        return "TF1LSTMCell"
    return kind.targets[0]


# --------------------------------------------------------------------------------------
# runners
# --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Runner:
    """One TF1 RNN runner (the function that unrolls a cell)."""

    name: str  # canonical name (TF 1.x)
    scope: str  # its default variable scope
    bidirectional: bool
    static: bool  # takes and returns a Python list of time steps
    spellings: Tuple[str, ...]  # every name TF1 / TF 0.x programs called it by


RUNNERS = MappingProxyType({r.name: r for r in (
    Runner("static_rnn", "rnn", False, True, ("static_rnn", "rnn")),
    Runner("dynamic_rnn", "rnn", False, False, ("dynamic_rnn",)),
    Runner("static_bidirectional_rnn", "bidirectional_rnn", True, True,
           ("static_bidirectional_rnn", "bidirectional_rnn")),
    Runner("bidirectional_dynamic_rnn", "bidirectional_rnn", True, False,
           ("bidirectional_dynamic_rnn",)),
)})
UNIDIRECTIONAL_RUNNERS = tuple(n for n, r in RUNNERS.items() if not r.bidirectional)
BIDIRECTIONAL_RUNNERS = tuple(n for n, r in RUNNERS.items() if r.bidirectional)
RUNNER_SCOPES = MappingProxyType({n: r.scope for n, r in RUNNERS.items()})
# every TF1 spelling -> the canonical runner
RUNNER_SPELLINGS = MappingProxyType({s: r.name for r in RUNNERS.values() for s in r.spellings})


def static_runner(*, bidirectional) -> str:
    """The static runner of a direction (``static_rnn`` / ``static_bidirectional_rnn``)."""
    return next(n for n, r in RUNNERS.items() if r.static and r.bidirectional == bidirectional)


def runner_named(name) -> Runner:
    """The :class:`Runner` of a canonical runner name (a clear error for others)."""
    try:
        return RUNNERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown runner {name!r}; expected one of {tuple(RUNNERS)}") from None


# The sequence layer that gives TF1's runner outputs: every step's output (TF1's output
# list stacked on axis 1) and the final states.
SEQUENCE_LAYER_SETTINGS = MappingProxyType({"return_sequences": True, "return_state": True})
# sequence_length -> a mask from the lengths; outputs past a sequence's length are 0, as
# TF1's are (Keras' default carries the last output forward). Harmless without a mask.
MASK_SETTINGS = MappingProxyType({"zero_output_for_mask": True})
# TF1's bidirectional runners concatenate the forward and backward outputs.
BIDIRECTIONAL_SETTINGS = MappingProxyType({"merge_mode": "concat"})


# --------------------------------------------------------------------------------------
# specs
# --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class CellSpec:
    """One TF1 cell and its options (TF1's names and defaults)."""

    cell_type: str
    units: int
    forget_bias: float = 1.0
    use_peepholes: bool = False
    cell_clip: Optional[float] = None
    num_proj: Optional[int] = None
    proj_clip: Optional[float] = None
    layer_norm: bool = True
    activation: str = "tanh"
    target: Optional[str] = None  # a Keras target of KERAS_TARGETS

    def __post_init__(self):
        if self.cell_type not in CELL_KINDS:
            raise ValueError(f"Unknown cell_type. Expected one of {CELL_TYPES}. "
                             f"Received: cell_type={self.cell_type!r}")

    @property
    def kind(self) -> CellKind:
        return CELL_KINDS[self.cell_type]

    @property
    def output_size(self):
        return self.num_proj if self.num_proj is not None else self.units

    @property
    def lstm_like(self):
        return self.kind.lstm_like

    @property
    def state_parts(self):
        return self.kind.state_parts

    @property
    def keras_target(self):
        return self.target or default_target(
            self.cell_type, use_peepholes=self.use_peepholes, num_proj=self.num_proj,
            cell_clip=self.cell_clip, proj_clip=self.proj_clip)

    def tf1_options(self):
        """The TF1 constructor's keyword arguments (units aside), with this spec's values."""
        return {option: getattr(self, option) for option in self.kind.options}

    def map_options(self, input_size):
        """Keyword arguments of :func:`modern.weights.tf1_to_keras` for this cell."""
        options = dict(input_size=input_size, units=self.units, target=self.keras_target)
        options.update({k: v for k, v in self.tf1_options().items() if k != "activation"})
        return options

    @property
    def tf1_scope(self):
        return self.kind.scope


@dataclasses.dataclass(frozen=True)
class RNNSpec:
    """A TF1 RNN pipeline: cells (more than one = MultiRNNCell), direction, length, readout."""

    cells: Tuple[CellSpec, ...]
    input_size: int
    bidirectional: bool = False
    masked: bool = False
    num_classes: Optional[int] = None

    def __post_init__(self):
        if not self.cells:
            raise ValueError("RNNSpec needs at least one cell. Received: cells=()")
        if int(self.input_size) < 1:
            raise ValueError(f"input_size must be a positive int. Received: {self.input_size!r}")

    @property
    def stacked(self):
        return len(self.cells) > 1

    @property
    def output_size(self):
        size = self.cells[-1].output_size
        return 2 * size if self.bidirectional else size

    def layer_input_sizes(self):
        sizes, depth = [], self.input_size
        for cell in self.cells:
            sizes.append(depth)
            depth = cell.output_size
        return sizes

    @property
    def directions(self):
        return ("fw", "bw") if self.bidirectional else ("fw",)


def state_names(spec: RNNSpec) -> List[str]:
    """Names of the final-state outputs, in TF1's order (c before h for LSTM cells)."""
    return [f"{direction}/cell_{i}/{part}" for direction in spec.directions
            for i, cell in enumerate(spec.cells) for part in cell.state_parts]
