"""The model: runner, cells, input shape and readout -> the :class:`modern.spec.RNNSpec`."""
from modern.spec import RNNSpec

from .inputs import find_rnn_input
from .readout import find_readout
from .runners import find_runner
from .shapes import find_input_shape

__all__ = ["find_model"]


def find_model(context):
    """result.spec (with runner, steps, input_size, readout and dropouts), or the reasons."""
    result = context.result
    runner = find_runner(context)
    if runner is None:
        return
    find_input_shape(context, runner.line)
    result.runner_cells = runner.cells
    if result.input_size is not None or result.token_input is not None:
        find_rnn_input(context, runner.call, runner.line)
    if runner.masked:
        result.lines["sequence_length"] = runner.line
    readout = find_readout(context, runner.call, runner.line)
    if result.input_size is not None:
        result.spec = _spec(context, runner, readout)


def _spec(context, runner, readout):
    """The RNNSpec of the runner's cells and the readout, or None (listed)."""
    num_classes = None
    if readout is not None:
        num_classes, w_rows = readout
        expected = runner.cells[-1].output_size * (2 if runner.bidirectional else 1)
        if w_rows != expected:
            context.miss(context.result.lines.get("readout"),
                         f"readout W has {w_rows} rows; the RNN outputs {expected}")
    try:
        projection = context.result.input_projection
        return RNNSpec(cells=runner.cells, input_size=projection["units"] if projection
                       else context.result.input_size,
                       bidirectional=runner.bidirectional, masked=runner.masked,
                       num_classes=num_classes)
    except ValueError as e:
        context.miss(runner.line, str(e))
        return None
