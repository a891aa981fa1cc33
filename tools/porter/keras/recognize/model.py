"""The model: runner, cells, input shape and readout -> the :class:`modern.spec.RNNSpec`."""
from modern.spec import RNNSpec

from .inputs import find_rnn_input
from .readout import find_readout
from .result import RecognizedPipeline
from .runners import find_runner
from .shapes import find_input_shape, placeholders_reaching
from .syntax import argument

__all__ = ["find_model"]


def find_model(context):
    """result.spec (with runner, steps, input_size, readout and dropouts), or the reasons;
    an encoder-decoder's encoder as result.encoder."""
    result = context.result
    runner = find_runner(context)
    if runner is None:
        return
    if context.encoder is not None and not _find_encoder(context, context.encoder,
                                                         runner.cells):
        return
    find_input_shape(context, runner.line, _reaching(context, runner))
    if context.encoder is not None and context.input_placeholder is \
            context.encoder_placeholder:
        context.miss(runner.line, "the encoder and the decoder read the same placeholder")
        return
    result.runner_cells = runner.cells
    if result.input_size is not None or result.token_input is not None:
        find_rnn_input(context, runner.call, runner.line)
    if result.encoder is not None:  # both sides look ids up in one variable
        variables = context.embedding_variables
        result.encoder["shared_embedding"] = len(variables) == 2 and \
            variables[0] == variables[1]
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


def _reaching(context, runner):
    """The placeholders that reach the runner's inputs."""
    node = argument(runner.call, 2 if runner.bidirectional else 1, "inputs")
    return placeholders_reaching(context, node, runner.line) if node is not None else []


def _find_encoder(context, encoder, decoder_cells):
    """An encoder-decoder's encoder: its input (placeholder, embedding or one-hot, input
    projection) as the model's input is found, in a result of its own -> result.encoder
    and context.encoder_placeholder; False (listed) when not ported."""
    main, main_placeholder = context.result, context.input_placeholder
    sub = RecognizedPipeline(runner=encoder.runner, runner_cells=encoder.cells)
    context.result, context.input_placeholder = sub, None
    try:
        find_input_shape(context, encoder.line, _reaching(context, encoder))
        found = (sub.input_size is not None or sub.token_input is not None) and \
            find_rnn_input(context, encoder.call, encoder.line)
        placeholder = context.input_placeholder
    finally:
        context.result, context.input_placeholder = main, main_placeholder
    main.unrecognized += sub.unrecognized
    if not found or sub.unrecognized:
        return False
    # the decoder starts from the encoder's final state: layer by layer, the same state
    def states(cells):
        return [(c.keras_target, c.units, c.output_size, c.state_parts) for c in cells]

    if states(encoder.cells) != states(decoder_cells):
        context.miss(encoder.line, "encoder-decoder: the encoder's cells "
                                   f"{[c.cell_type for c in encoder.cells]} and the decoder's "
                                   f"{[c.cell_type for c in decoder_cells]} differ in their "
                                   "states (each decoder layer starts from the state of the "
                                   "encoder's layer of the same depth)")
        return False
    projection = sub.input_projection
    main.encoder = {
        "runner": encoder.runner,
        "spec": RNNSpec(cells=encoder.cells, input_size=projection["units"] if projection
                        else sub.input_size),
        "steps": sub.steps, "input_size": sub.input_size, "token_input": sub.token_input,
        "input_projection": projection, "shared_embedding": False}
    main.lines["encoder"] = encoder.line
    context.encoder_placeholder = placeholder
    return True
