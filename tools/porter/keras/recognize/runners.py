"""The runner call: which TF1 runner unrolls which cells (:data:`modern.spec.RUNNERS`)."""
from typing import NamedTuple, Optional, Tuple

import libcst as cst

from modern.spec import RUNNER_SPELLINGS, RUNNERS, CellSpec

from .cells import cells_of
from .sequence_length import sequence_length_feed
from .syntax import argument, last_part

__all__ = ["RunnerCall", "find_runner"]


class RunnerCall(NamedTuple):
    """The program's one runner call and what it runs."""

    call: cst.Call
    line: int
    cells: Tuple[CellSpec, ...]
    bidirectional: bool
    masked: bool  # given a sequence_length


def find_runner(context) -> Optional[RunnerCall]:
    """The one runner call -> :class:`RunnerCall` (result: runner, dropouts, the
    sequence_length feed), or None (listed)."""
    result = context.result
    runners = context.calls_named(*RUNNER_SPELLINGS, rnn_only=True)
    if not runners:
        context.miss(1, "no TF1 RNN runner (static_rnn, rnn, dynamic_rnn, "
                        "static_bidirectional_rnn) found")
        return None
    if len(runners) > 1:
        context.miss(runners[1][1], "more than one RNN runner: only one RNN per program")
        return None
    call, line, name = runners[0]
    result.lines["runner"] = line
    result.runner = RUNNER_SPELLINGS[last_part(name)]
    bidirectional = RUNNERS[result.runner].bidirectional
    lengths = argument(call, None, "sequence_length")
    if lengths is not None:
        result.sequence_length_feed = sequence_length_feed(context, lengths, line)
    cells = _runner_cells(context, call, line, bidirectional)
    if cells is None:
        return None
    result.dropouts = tuple(d for _, d in cells)
    return RunnerCall(call, line, tuple(c for c, _ in cells), bidirectional,
                      lengths is not None)


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
