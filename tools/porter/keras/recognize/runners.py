"""The runner call: which TF1 runner unrolls which cells (:data:`modern.spec.RUNNERS`)."""
from typing import NamedTuple, Optional, Tuple

import libcst as cst

from modern.spec import RUNNER_SPELLINGS, RUNNERS, CellSpec

from .cells import cells_of
from .sequence_length import sequence_length_feed
from .syntax import argument, contains_call, is_method_call, last_part

__all__ = ["RunnerCall", "find_runner"]

_ENCODER_DECODER = ("an encoder-decoder: two runners, the second (the decoder) started "
                    "from the first's final state (`initial_state=encoder_state`)")


class RunnerCall(NamedTuple):
    """The program's one runner call and what it runs."""

    call: cst.Call
    line: int
    cells: Tuple[CellSpec, ...]
    bidirectional: bool
    masked: bool  # given a sequence_length
    runner: str  # the canonical runner (modern.spec.RUNNERS)


def find_runner(context) -> Optional[RunnerCall]:
    """The one runner call -> :class:`RunnerCall` (result: runner, dropouts, the
    sequence_length feed), or None (listed)."""
    result = context.result
    runners = context.calls_named(*RUNNER_SPELLINGS, rnn_only=True)
    if not runners:
        context.miss(1, "no TF1 RNN runner (static_rnn, rnn, dynamic_rnn, "
                        "static_bidirectional_rnn) found")
        return None
    runners = _one_per_alternative(context, runners)
    if len(runners) == 2 and _starts_from(context, runners[1], runners[0]):
        encoder = _runner_call(context, *runners[0], encoder=True)
        if encoder is None:
            return None
        context.encoder = encoder
    elif len(runners) > 1:
        context.miss(runners[1][1], "more than one RNN runner: only one RNN, a stack "
                                    "(MultiRNNCell), a bidirectional runner, or "
                                    f"{_ENCODER_DECODER}")
        return None
    return _runner_call(context, *runners[-1])


def _starts_from(context, decoder, encoder):
    """True when the runner ``decoder``'s ``initial_state`` is ``encoder``'s final state
    (the second value it returns), followed through names."""
    call, line, _ = decoder
    node = argument(call, None, "initial_state")
    for _ in range(8):
        if not isinstance(node, cst.Name):
            return False
        value, index, at = context.binding(node.value, line)
        if value is None:
            return False
        if index == 1 and context.is_runner(value, encoder[0]):
            return True
        if index is not None:
            return False
        node, line = value, at - 1
    return False


def _runner_call(context, call, line, name, encoder=False):
    """One runner call -> :class:`RunnerCall` (the decoder's, or the only runner's, also
    fills in result.runner, dropouts and the sequence_length feed), or None (listed)."""
    result = context.result
    runner = RUNNER_SPELLINGS[last_part(name)]
    if encoder:
        if RUNNERS[runner].bidirectional:
            context.miss(line, f"{_ENCODER_DECODER}: a bidirectional encoder is not ported "
                               "(its two final states do not start one decoder)")
            return None
        if argument(call, None, "sequence_length") is not None:
            context.miss(line, f"{_ENCODER_DECODER}: an encoder under sequence_length is "
                               "not ported")
            return None
        if not _options_ported(context, call, line):
            return None
        cells = _runner_cells(context, call, line, False)
        if cells is None:
            return None
        if any(d is not None for _, d in cells):
            context.miss(line, f"{_ENCODER_DECODER}: DropoutWrapper in the encoder is not "
                               "ported")
            return None
        return RunnerCall(call, line, tuple(c for c, _ in cells), False, False, runner)
    result.lines["runner"] = line
    result.runner = runner
    bidirectional = RUNNERS[result.runner].bidirectional
    if not _options_ported(context, call, line, decoder=context.encoder is not None):
        return None
    lengths = argument(call, None, "sequence_length")
    if lengths is not None:
        result.sequence_length_feed = sequence_length_feed(context, lengths, line)
    cells = _runner_cells(context, call, line, bidirectional)
    if cells is None:
        return None
    result.dropouts = tuple(d for _, d in cells)
    return RunnerCall(call, line, tuple(c for c, _ in cells), bidirectional,
                      lengths is not None, runner)


# runner keywords with no effect on the values (dtype: the float32 of the placeholder)
_NEUTRAL_OPTIONS = {"cell", "cell_fw", "cell_bw", "inputs", "sequence_length", "dtype",
                    "scope", "swap_memory", "parallel_iterations"}
_ZERO_STATE_OPTIONS = {"initial_state", "initial_state_fw", "initial_state_bw"}


def _options_ported(context, call, line, decoder=False):
    """The runner's keywords: ``time_major=False`` and a ``cell.zero_state(...)`` initial
    state are the defaults (a ``decoder``'s initial state is the encoder's: checked by
    :func:`_starts_from`); anything else is listed."""
    for a in call.args:
        if a.keyword is None:
            continue
        keyword = a.keyword.value
        if keyword in _NEUTRAL_OPTIONS:
            continue
        if keyword == "time_major" and context.constant(a.value, "time_major", line) is False:
            continue
        if decoder and keyword == "initial_state":
            continue
        value = context.resolve_name(a.value, line)
        if keyword in _ZERO_STATE_OPTIONS and is_method_call(value, "zero_state"):
            continue
        context.miss(line, f"runner option `{keyword}={context.code(a.value)}` is not ported "
                           "(time_major=True, a given initial state ...)")
        return False
    return True


def _one_per_alternative(context, runners):
    """The runner calls, a call repeated in another branch of a ``try``/``except`` (the
    tutorials' fallback for TF versions returning fewer values) counted once: its copies
    go to ``context.runner_ids``, the ids of the nodes that are the one runner."""
    code = {id(call): "".join(context.code(call).split()) for call, _, _ in runners}
    branches = {}  # id(call) -> (id of its Try, which branch)

    class _Branches(cst.CSTVisitor):
        def visit_Try(self, node):
            parts = [node.body] + list(node.handlers)
            for index, part in enumerate(parts):
                for call, _, _ in runners:
                    if contains_call(part, call):
                        branches.setdefault(id(call), (id(node), index))

    context.module.visit(_Branches())
    kept = []
    for call, line, name in runners:
        twin = next((k for k in kept if code[id(k[0])] == code[id(call)]
                     and id(call) in branches and id(k[0]) in branches
                     and branches[id(call)][0] == branches[id(k[0])][0]
                     and branches[id(call)][1] != branches[id(k[0])][1]), None)
        if twin is None:
            kept.append((call, line, name))
        context.runner_ids.setdefault(id((twin or (call,))[0]), set()).add(id(call))
    return kept


def _runner_cells(context, call, line, bidirectional):
    """The runner's cells as [(CellSpec, dropout)]; a bidirectional runner's forward and
    backward cells must be the same, without dropout. None (listed) otherwise."""
    if not bidirectional:
        return cells_of(context, argument(call, 0, "cell"), line)
    forward = cells_of(context, argument(call, 0, "cell_fw"), line)
    backward = cells_of(context, argument(call, 1, "cell_bw"), line)
    if forward is None or backward is None:
        return None
    if forward != backward:
        context.miss(line, "forward and backward cells differ: the Keras Bidirectional "
                           "layer runs one configuration in both directions")
        return None
    if any(d is not None for _, d in forward):
        context.miss(line, "DropoutWrapper in a bidirectional RNN is not ported")
        return None
    return forward
