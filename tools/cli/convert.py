"""``rnn-migrate convert``: a TF1 checkpoint -> a verified ``.keras`` file (or, ``--to torch``, a
PyTorch ``state_dict``), or back (``--to-tf1``).

The conversion and its proof are :mod:`tools.convert`'s; this module parses the options
and prints the mapping table and the verification. :mod:`tools.convert` (TensorFlow,
Keras) is imported only when the subcommand runs or a per-layer option is parsed.
Exit codes: 0 written, 2 refused (nothing written).
"""
import argparse

from tools.cli.output import Printer, error

HELP = "convert a TF1 checkpoint to a verified .keras file or PyTorch state_dict (or back)"
DESCRIPTION = ("Convert a TF1 RNN checkpoint to a Keras 3 .keras file.\n\n"
               "The RNN is inferred from the checkpoint's names and shapes "
               "(modern.from_tf1_checkpoint). Before writing, it prints the mapping "
               "table (TF1 variable -> Keras weight, shapes, transformation), restores "
               "the same checkpoint into the TF1 graph (legacy_compat), runs both on "
               "random inputs and prints max |diff|; it refuses to write (exit 2) above "
               "1e-5 or on any conversion error, and never overwrites without --force.\n\n"
               "Options a checkpoint does not store take TF1's defaults; per-layer values "
               "are comma-separated (e.g. --forget-bias 1.0,0.0; 'none' = default).\n\n"
               "--to-tf1: CHECKPOINT is a .keras file written by this command and -o a "
               "TF1 checkpoint prefix; the RNNSpec is read from the .keras archive "
               "(member tf1_rnn_spec.json) or from --spec-from.\n\n"
               "--to torch: write a PyTorch state_dict (torch.save) of modern.torch.TF1RNN "
               "instead, verified the same way; it prints the constructor to rebuild the "
               "module for load_state_dict (needs the [torch] extra).")
FORMATTER_CLASS = argparse.RawDescriptionHelpFormatter


def _readout(text):
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise argparse.ArgumentTypeError("expected WEIGHTS_NAME,BIASES_NAME (two checkpoint "
                                         f"names separated by a comma), got {text!r}")
    return tuple(parts)


def _per_layer(kind):
    def parse(text):
        from tools.convert import parse_per_layer

        try:
            return parse_per_layer(text, kind)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__} or a comma-separated "
                                             f"list with one per layer, got {text!r}") from None

    parse.__name__ = kind.__name__
    return parse


def add_arguments(parser):
    parser.add_argument("checkpoint", metavar="CHECKPOINT",
                        help="TF1 checkpoint prefix or directory (with --to-tf1: a .keras file)")
    parser.add_argument("-o", "--output", required=True, metavar="MODEL.keras",
                        help="the .keras file to write (with --to-tf1: the checkpoint prefix; "
                             "with --to torch: the state_dict file, e.g. model.pt)")
    parser.add_argument("--to", choices=("keras", "torch"), default="keras",
                        help="the target framework (default keras; torch: a PyTorch "
                             "state_dict of modern.torch.TF1RNN)")
    parser.add_argument("--forget-bias", type=_per_layer(float), metavar="F",
                        help="TF1's forget_bias (LSTM cells; default 1.0)")
    parser.add_argument("--cell-clip", type=_per_layer(float), metavar="C",
                        help="LSTMCell's cell_clip (default none)")
    parser.add_argument("--proj-clip", type=_per_layer(float), metavar="P",
                        help="LSTMCell's proj_clip (default none)")
    parser.add_argument("--activation", type=_per_layer(str), metavar="A",
                        help="the cells' activation (default tanh)")
    parser.add_argument("--cell-type", type=_per_layer(str), metavar="TYPE",
                        help="the cell type when the scope names do not say it")
    parser.add_argument("--scope", help="the runner scope to read when several hold cells")
    parser.add_argument("--readout", type=_readout, metavar="W,b",
                        help="checkpoint names of the readout outputs[-1] @ W + b")
    parser.add_argument("--ignore", nargs="+", action="extend", default=[], metavar="NAME",
                        help="checkpoint names or fnmatch globs to skip")
    parser.add_argument("--masked", action="store_true",
                        help="the model takes sequence_length (TF1's sequence_length=)")
    parser.add_argument("--steps", type=int, metavar="T",
                        help="a fixed time dimension for the model (default: any)")
    parser.add_argument("--verify-steps", type=int, metavar="T",
                        help="time steps of the random verification inputs (default: --steps "
                             "or 7)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the verification inputs")
    parser.add_argument("--force", action="store_true", help="overwrite an existing output")
    parser.add_argument("--to-tf1", action="store_true",
                        help="the reverse: a .keras file of this command -> a TF1 checkpoint")
    parser.add_argument("--spec-from", metavar="PATH",
                        help="with --to-tf1: take the RNNSpec from a JSON file (the form of "
                             "tf1_rnn_spec.json), another .keras file or the original TF1 "
                             "checkpoint instead of the .keras file")


def _shape(shape):
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _reporter(printer, side="Keras model"):
    from tools.convert import TOLERANCE

    def report(kind, payload):
        if kind == "mapping":
            printer.table("Mapping (TF1 variable -> Keras weight)",
                          ["TF1 variable", "TF1 shape", "Keras weight", "Keras shape",
                           "transformation"],
                          [[row.tf1_name, _shape(row.tf1_shape), " + ".join(row.keras_names),
                            " + ".join(_shape(s) for s in row.keras_shapes), row.transformation]
                           for row in payload])
        elif kind == "verification":
            context = payload.context
            lengths = (f", sequence_length {context['sequence_length']}"
                       if context["sequence_length"] is not None else "")
            printer.table(f"Equivalence: TF1 graph ({context['runner']}, checkpoint restored by "
                          f"a Saver) vs {side}, random inputs batch {context['batch']}, "
                          f"{context['steps']} steps{lengths}",
                          ["output", "max |diff|"],
                          [[name, f"{diff:.3g}"] for name, diff in payload.diffs.items()])
            verdict = "OK" if payload.ok else "MISMATCH"
            printer.line(f"max |diff| = {payload.max_diff:.3g} (tolerance {TOLERANCE:g}): "
                         f"{verdict}")

    return report


def run(args) -> int:
    from tools import convert

    if args.spec_from and not args.to_tf1:
        error("--spec-from is only used with --to-tf1")
        return 2
    if args.to == "torch" and args.to_tf1:
        error("--to torch converts a TF1 checkpoint; it does not combine with --to-tf1")
        return 2
    printer = Printer()
    options = convert.runtime_options(
        forget_bias=args.forget_bias, cell_clip=args.cell_clip, proj_clip=args.proj_clip,
        activation=args.activation, readout=args.readout, ignore=args.ignore,
        masked=args.masked, steps=args.steps, scope=args.scope, cell_type=args.cell_type)
    try:
        if args.to == "torch":
            from tools.convert import pytorch

            result = pytorch.convert_to_torch(args.checkpoint, args.output, force=args.force,
                                              verify_steps=args.verify_steps, seed=args.seed,
                                              report=_reporter(printer, "torch module"),
                                              **options)
        elif args.to_tf1:
            spec_options = {k: v for k, v in options.items() if k != "steps"}
            result = convert.convert_to_tf1(args.checkpoint, args.output, spec_from=args.spec_from,
                                            force=args.force, verify_steps=args.verify_steps,
                                            seed=args.seed, report=_reporter(printer),
                                            **spec_options)
        else:
            result = convert.convert_checkpoint(args.checkpoint, args.output, force=args.force,
                                                verify_steps=args.verify_steps, seed=args.seed,
                                                report=_reporter(printer), **options)
    except convert.ConversionError as problem:
        error(f"{problem}")
        error(f"refused: nothing written to {args.output}")
        return 2
    spec = result.found.spec
    printer.line(f"spec: {spec}")
    if args.to == "torch":
        import modern.torch

        printer.line(f"wrote {result.written} (a state_dict, reloaded into a fresh module: max "
                     f"|diff| {result.reload_diff:.3g}). Rebuild the module with:")
        printer.line("    import torch, modern.torch")
        printer.line("    from modern.spec import CellSpec, RNNSpec")
        printer.line(f"    module = {modern.torch.constructor(spec)}")
        printer.line(f"    module.load_state_dict(torch.load({result.written!r}))")
    elif args.to_tf1:
        printer.line(f"wrote TF1 checkpoint {result.written} (restore with "
                     "tf.compat.v1.train.Saver under these names)")
    else:
        printer.line(f"wrote {result.written} (reloaded with keras.saving.load_model: max |diff| "
                     f"{result.reload_diff:.3g}; `import modern` before loading)")
    return 0
