"""The three naming generations of TF1 RNN variables (TF 0.x, 1.0-1.1, 1.2+).

:data:`NAME_RENAMES` is the one table of renames; :func:`normalize_name` applies it,
:func:`tf1_name` applies it backwards (for the writer, per :data:`NAMINGS`). Also the
TF 0.x shard patterns (:data:`SHARDED_VARIABLES`) and what TF1 optimizers add
(:data:`OPTIMIZER_SLOT_PATTERNS`). See :mod:`modern.checkpoint`.
"""
import re

from modern import spec as _spec

# (generation, old spelling, TF 1.2+ spelling). Placeholders: {i} a number,
# {scope} one path segment. A spelling ending in "/" is a scope, renamed wherever it
# starts a path segment; any other spelling ends the variable's name.
NAME_RENAMES = (
    # TF 0.x (tensorflow/python/ops/rnn.py, rnn_cell.py): runners and MultiRNNCell.
    ("0.x", "{scope}_FW/", "{scope}/fw/"),  # bidirectional_rnn: scope or "BiRNN", + "_FW"
    ("0.x", "{scope}_BW/", "{scope}/bw/"),
    ("0.x", "MultiRNNCell/Cell{i}/", "multi_rnn_cell/cell_{i}/"),
    # TF 0.x cells: linear() makes Linear/Matrix and Linear/Bias.
    ("0.x", "BasicRNNCell/Linear/Matrix", "basic_rnn_cell/kernel"),
    ("0.x", "BasicRNNCell/Linear/Bias", "basic_rnn_cell/bias"),
    ("0.x", "BasicLSTMCell/Linear/Matrix", "basic_lstm_cell/kernel"),
    ("0.x", "BasicLSTMCell/Linear/Bias", "basic_lstm_cell/bias"),
    ("0.x", "GRUCell/Gates/Linear/Matrix", "gru_cell/gates/kernel"),
    ("0.x", "GRUCell/Gates/Linear/Bias", "gru_cell/gates/bias"),
    ("0.x", "GRUCell/Candidate/Linear/Matrix", "gru_cell/candidate/kernel"),
    ("0.x", "GRUCell/Candidate/Linear/Bias", "gru_cell/candidate/bias"),
    # TF 0.x LSTMCell: _get_concat_variable("W"/"W_P") shards W_0, W_1...; "B"; peepholes.
    ("0.x", "LSTMCell/W_0", "lstm_cell/kernel"),
    ("0.x", "LSTMCell/B", "lstm_cell/bias"),
    ("0.x", "LSTMCell/W_F_diag", "lstm_cell/w_f_diag"),
    ("0.x", "LSTMCell/W_I_diag", "lstm_cell/w_i_diag"),
    ("0.x", "LSTMCell/W_O_diag", "lstm_cell/w_o_diag"),
    ("0.x", "LSTMCell/W_P_0", "lstm_cell/projection/kernel"),
    # TF 1.0-1.1 (checkpoint_convert.py's RNN_NAME_REPLACEMENTS): weights/biases.
    ("1.0", "basic_rnn_cell/weights", "basic_rnn_cell/kernel"),
    ("1.0", "basic_rnn_cell/biases", "basic_rnn_cell/bias"),
    ("1.0", "basic_lstm_cell/weights", "basic_lstm_cell/kernel"),
    ("1.0", "basic_lstm_cell/biases", "basic_lstm_cell/bias"),
    ("1.0", "lstm_cell/weights", "lstm_cell/kernel"),
    ("1.0", "lstm_cell/biases", "lstm_cell/bias"),
    ("1.0", "lstm_cell/projection/weights", "lstm_cell/projection/kernel"),
    ("1.0", "gru_cell/gates/weights", "gru_cell/gates/kernel"),
    ("1.0", "gru_cell/gates/biases", "gru_cell/gates/bias"),
    ("1.0", "gru_cell/candidate/weights", "gru_cell/candidate/kernel"),
    ("1.0", "gru_cell/candidate/biases", "gru_cell/candidate/bias"),
    ("1.0", "layer_norm_basic_lstm_cell/weights", "layer_norm_basic_lstm_cell/kernel"),
    ("1.0", "layer_norm_basic_lstm_cell/biases", "layer_norm_basic_lstm_cell/bias"),
)

# TF 0.x LSTMCell shards (num_unit_shards / num_proj_shards > 1): row blocks of one
# matrix, concatenated along axis 0 into shard 0's name before NAME_RENAMES applies.
SHARDED_VARIABLES = ("LSTMCell/W_{i}", "LSTMCell/W_P_{i}")

# What TF1 optimizers add to a checkpoint (skipped when ignore_optimizer_slots=True):
# regular expressions on a whole name.
OPTIMIZER_SLOT_PATTERNS = (
    r"(^|.*/)(Adam|Momentum|RMSProp|Adagrad|Adadelta|Ftrl)(_\d+)?(/.*|$)",
    r"(^|.*/)(beta1_power|beta2_power|global_step)(_\d+)?$",
)

# Always skipped: object-based checkpoint metadata, not a variable.
_METADATA_KEYS = ("_CHECKPOINTABLE_OBJECT_GRAPH",)

# The runner scopes TF 1.x gave (unidirectional, bidirectional): modern.spec's RUNNERS.
_TF1_RUNNER_SCOPES = tuple(_spec.RUNNERS[names[0]].scope for names in (
    _spec.UNIDIRECTIONAL_RUNNERS, _spec.BIDIRECTIONAL_RUNNERS))

# The writer's namings: the runner scopes TF1 gave (unidirectional, bidirectional)
# and the generations of NAME_RENAMES to apply backwards. TF 0.x's runners used
# "RNN" and "BiRNN" (+ "_FW"/"_BW", renamed by NAME_RENAMES).
NAMINGS = {
    "1.2": {"scopes": _TF1_RUNNER_SCOPES, "generations": ()},
    "1.0": {"scopes": _TF1_RUNNER_SCOPES, "generations": ("1.0",)},
    "0.x": {"scopes": ("RNN", "BiRNN"), "generations": ("0.x", "1.0")},
}
_NAMING_ALIASES = {"1.2+": "1.2", "1.1": "1.0", "1.0-1.1": "1.0", "0": "0.x"}

_PLACEHOLDERS = {"i": r"\d+", "scope": r"[^/]+"}


def _compile(template):
    """A spelling of NAME_RENAMES -> a regex matching it at a path-segment start."""
    pieces = []
    for piece in re.split(r"(\{\w+\})", template):
        found = re.fullmatch(r"\{(\w+)\}", piece)
        pieces.append(f"(?P<{found.group(1)}>{_PLACEHOLDERS[found.group(1)]})" if found
                      else re.escape(piece))
    return re.compile(r"(?<![^/])" + "".join(pieces) + ("" if template.endswith("/") else "$"))


_FORWARD = [(gen, _compile(old), new) for gen, old, new in NAME_RENAMES]
_BACKWARD = {gen: [(gen, _compile(new), old) for g, old, new in reversed(NAME_RENAMES) if g == gen]
             for gen in {row[0] for row in NAME_RENAMES}}
_SHARDS = [_compile(t) for t in SHARDED_VARIABLES]


def _apply(rules, name):
    fired = []
    for gen, pattern, replacement in rules:
        new = pattern.sub(lambda m: replacement.format(**m.groupdict()), name)
        if new != name:
            fired.append(gen)
            name = new
    return name, fired


def normalize_name(name: str) -> str:
    """A TF 0.x / 1.0-1.1 / 1.2+ variable name -> its TF 1.2+ spelling (NAME_RENAMES)."""
    return _apply(_FORWARD, name)[0]


def tf1_name(name: str, naming: str = "1.2") -> str:
    """A TF 1.2+ name -> its spelling in ``naming`` ("1.2", "1.0" or "0.x").

    The runner scope is left as it is (:func:`to_tf1_checkpoint` picks it per naming).
    """
    naming = _check_naming(naming)
    for generation in NAMINGS[naming]["generations"]:  # the oldest spelling first
        name = _apply(_BACKWARD[generation], name)[0]
    return name


def _check_naming(naming):
    naming = _NAMING_ALIASES.get(naming, naming)
    if naming not in NAMINGS:
        raise ValueError(f"Unknown naming {naming!r}. Expected one of {sorted(NAMINGS)} "
                         f"(aliases {sorted(_NAMING_ALIASES)}).")
    return naming


def _is_slot(name):
    return any(re.fullmatch(p, name) for p in OPTIMIZER_SLOT_PATTERNS)
