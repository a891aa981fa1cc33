"""TF calls by kind: the TF1-graph markers of a program, and the calls left unrecognised."""
from typing import List, Tuple

from modern.spec import CELL_TYPES, RUNNER_SPELLINGS

from .context import Context
from .imports import is_rnn_module
from .syntax import last_part

__all__ = ["tf1_markers", "list_leftovers"]

_MARKERS = ("placeholder", "Session", "Variable", "MultiRNNCell", "DropoutWrapper")
# TF calls that belong to the recognised program and carry no model semantics of their
# own (the graph plumbing, metrics, initialisers); anything else under tensorflow.* is
# listed as unrecognised.
_HARMLESS = {
    "placeholder", "argmax", "equal", "reduce_mean", "cast", "Session",
    "InteractiveSession", "global_variables_initializer", "initialize_all_variables",
    "softmax", "transpose", "reshape", "split", "unstack", "unpack", "matmul", "Variable",
    "random_normal", "set_random_seed", "set_seed", "variable_scope", "name_scope",
    "read_data_sets", "float32", "ConfigProto", "stack", "pack", "log_softmax",
    "not_equal",
}
# graph and TensorBoard plumbing with no model meaning: dropped from the Keras program
# and named in its report (canonical prefixes, and last name parts of TF 0.x's spellings)
_PLUMBING_PREFIXES = ("tensorflow.summary.", "tensorflow.train.SummaryWriter",
                      "tensorflow.train.summary_iterator")
_PLUMBING = {"get_default_graph", "reset_default_graph", "scalar_summary",
             "histogram_summary", "image_summary", "audio_summary", "merge_summary",
             "merge_all_summaries", "device", "as_default"}
# recognised by name (the passes list what they do not port)
_KNOWN = set(CELL_TYPES) | set(RUNNER_SPELLINGS) | {
    "MultiRNNCell", "DropoutWrapper", "softmax_cross_entropy_with_logits",
    "softmax_cross_entropy_with_logits_v2", "set_random_seed", "set_seed"}


def tf1_markers(source: str) -> List[Tuple[int, str]]:
    """``(line, canonical name)`` of the TF1-graph calls of ``source`` (placeholders,
    sessions, TF1 cells and runners, ``tf.Variable``, ``tf.train`` optimizers)."""
    out = []
    for _, line, name in Context(source).calls:
        if name is None or not name.startswith("tensorflow."):
            continue
        last = last_part(name)
        if (last in _MARKERS or last in CELL_TYPES
                or (last in RUNNER_SPELLINGS and is_rnn_module(name))
                or (name.startswith("tensorflow.train.") and last.endswith("Optimizer"))):
            out.append((line, name))
    return out


def list_leftovers(context):
    """List the TF calls that are neither a recognised part nor harmless plumbing."""
    for call, line, name in context.calls:
        if not name or not name.startswith("tensorflow."):
            continue
        last = last_part(name)
        if name.startswith(_PLUMBING_PREFIXES) or last in _PLUMBING:
            context.result.dropped.append(
                (line, f"`{name}`: graph/TensorBoard plumbing with no model meaning, "
                       "dropped (keras.callbacks.TensorBoard logs a Keras run)"))
            continue
        if last in _HARMLESS or last in _KNOWN or name.startswith("tensorflow.train.") \
                or id(call) in context.consumed:
            continue
        if any(line == listed_line and name in reason
               for listed_line, reason in context.result.unrecognized):
            continue
        context.miss(line, f"`{name}` is not part of the recognised pipeline (no Keras port "
                           "for it here)", col=context.column_of(call))
