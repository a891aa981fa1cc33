"""``rnn-migrate``: the kit's command line (console script ``tools.cli:main``).

Subcommands defined here:

* ``api-map``: generate (``-o``) or check (``--check``) the API-mapping reference
  ``docs/API_MAPPING.md`` from the registry (:mod:`tools.docs.api_map`);
* ``convert``: a TF1 checkpoint -> a verified ``.keras`` file, or with ``--to-tf1``
  the reverse (:mod:`tools.convert`; this module only parses and prints).

Other modules add their subcommands to the same parser: when the module
``tools.cli.port`` exists, its ``add_port_parser(subparsers)`` is called, and
``tools.demo``'s ``add_demo_parser(subparsers)`` likewise. Such a function adds one
parser with ``subparsers.add_parser(...)`` and sets ``func`` with
``parser.set_defaults(func=run)``, ``run(args) -> int`` (the exit code). Existence is
checked with ``importlib.util.find_spec``; an ImportError raised while importing an
existing module is a bug and propagates.

Output is plain text, or ``rich`` tables when stdout is a terminal (and rich is
installed). Exit codes: 0 success, 1 ``api-map --check`` found a stale file, 2 a usage
error or a refused conversion (nothing written).
"""
import argparse
import contextlib
import importlib
import importlib.util
import os
import sys

# (module, function) of subcommands defined in other modules; see the module docstring.
EXTERNAL_SUBCOMMANDS = (("tools.cli.port", "add_port_parser"),
                        ("tools.demo", "add_demo_parser"))


def _module_exists(name):
    parent = name.rpartition(".")[0]
    if parent and not _module_exists(parent):
        return False
    return importlib.util.find_spec(name) is not None


# --------------------------------------------------------------------------
# output: plain text, or rich when stdout is a terminal
# --------------------------------------------------------------------------
class Printer:
    def __init__(self, stream=None, rich=None):
        self.stream = stream or sys.stdout
        if rich is None:
            rich = (getattr(self.stream, "isatty", lambda: False)()
                    and importlib.util.find_spec("rich") is not None)
        self.rich = rich
        if rich:
            from rich.console import Console

            self.console = Console(file=self.stream)

    def line(self, text=""):
        if self.rich:
            self.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream)

    @contextlib.contextmanager
    def progress(self, tasks):
        """Progress bars for long work: yields ``advance(task, step)``.

        ``tasks`` is ``{task name: total steps}``. With rich (a terminal) the bars are
        drawn; in plain text (pipes, logs, tests) nothing is printed.
        """
        if not self.rich:
            yield lambda task, step: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(),
                      console=self.console, transient=False) as bars:
            ids = {name: bars.add_task(name, total=total) for name, total in tasks.items()}
            yield lambda task, step: bars.update(ids[task], completed=step)

    def table(self, title, headers, rows):
        rows = [[str(cell) for cell in row] for row in rows]
        if self.rich:
            from rich.table import Table

            table = Table(title=title, show_lines=False)
            for header in headers:
                table.add_column(header, overflow="fold")
            for row in rows:
                table.add_row(*row)
            self.console.print(table)
            return
        widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
        self.line(title)
        self.line("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
        self.line("  ".join("-" * w for w in widths))
        for row in rows:
            self.line("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def _error(message):
    print(f"rnn-migrate: error: {message}", file=sys.stderr)


# --------------------------------------------------------------------------
# api-map
# --------------------------------------------------------------------------
def add_api_map_parser(subparsers):
    from tools.docs import api_map

    parser = subparsers.add_parser(
        "api-map", help="generate the API-mapping reference from the registry",
        description="Generate the API-mapping reference (markdown) from tools/proof/registry.py "
                    "and tools/proof/limitations.py only: per pair the TF1 API and its TF versions, "
                    "the Keras 3 equivalent, the weight mapping, the settings that must "
                    "change, the known non-equivalences and the tests that prove it.")
    parser.add_argument("-o", "--output", default=None,
                        help="file to write (default: print to stdout); with --check, the "
                             f"file to check (default {api_map.DEFAULT_PATH})")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the file differs from what would be "
                             "generated")
    parser.set_defaults(func=_run_api_map)
    return parser


def _run_api_map(args):
    from tools.docs import api_map

    if args.check:
        problem = api_map.check(args.output or api_map.DEFAULT_PATH)
        if problem:
            _error(problem)
            return 1
        print(f"{args.output or api_map.DEFAULT_PATH} is up to date")
        return 0
    text = api_map.render()
    if args.output is None:
        sys.stdout.write(text)
        return 0
    api_map.write(args.output, text)
    print(f"wrote {args.output}")
    return 0


# --------------------------------------------------------------------------
# convert
# --------------------------------------------------------------------------
def _readout(text):
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise argparse.ArgumentTypeError("expected WEIGHTS_NAME,BIASES_NAME (two checkpoint "
                                         f"names separated by a comma), got {text!r}")
    return tuple(parts)


def _per_layer(kind):
    from tools.convert import parse_per_layer

    def parse(text):
        try:
            return parse_per_layer(text, kind)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__} or a comma-separated "
                                             f"list with one per layer, got {text!r}") from None

    parse.__name__ = kind.__name__
    return parse


def add_convert_parser(subparsers):
    parser = subparsers.add_parser(
        "convert", help="convert a TF1 checkpoint to a verified .keras file (or back)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Convert a TF1 RNN checkpoint to a Keras 3 .keras file.\n\n"
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
                    "(member tf1_rnn_spec.json) or from --spec-from.")
    parser.add_argument("checkpoint", metavar="CHECKPOINT",
                        help="TF1 checkpoint prefix or directory (with --to-tf1: a .keras file)")
    parser.add_argument("-o", "--output", required=True, metavar="MODEL.keras",
                        help="the .keras file to write (with --to-tf1: the checkpoint prefix)")
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
    parser.set_defaults(func=_run_convert)
    return parser


def _shape(shape):
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _reporter(printer):
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
                          f"a Saver) vs Keras model, random inputs batch {context['batch']}, "
                          f"{context['steps']} steps{lengths}",
                          ["output", "max |diff|"],
                          [[name, f"{diff:.3g}"] for name, diff in payload.diffs.items()])
            verdict = "OK" if payload.ok else "MISMATCH"
            printer.line(f"max |diff| = {payload.max_diff:.3g} (tolerance {TOLERANCE:g}): "
                         f"{verdict}")

    return report


def _run_convert(args):
    from tools import convert

    if args.spec_from and not args.to_tf1:
        _error("--spec-from is only used with --to-tf1")
        return 2
    printer = Printer()
    options = convert.runtime_options(
        forget_bias=args.forget_bias, cell_clip=args.cell_clip, proj_clip=args.proj_clip,
        activation=args.activation, readout=args.readout, ignore=args.ignore,
        masked=args.masked, steps=args.steps, scope=args.scope, cell_type=args.cell_type)
    try:
        if args.to_tf1:
            spec_options = {k: v for k, v in options.items() if k != "steps"}
            result = convert.convert_to_tf1(args.checkpoint, args.output, spec_from=args.spec_from,
                                            force=args.force, verify_steps=args.verify_steps,
                                            seed=args.seed, report=_reporter(printer),
                                            **spec_options)
        else:
            result = convert.convert_checkpoint(args.checkpoint, args.output, force=args.force,
                                                verify_steps=args.verify_steps, seed=args.seed,
                                                report=_reporter(printer), **options)
    except convert.ConversionError as error:
        _error(f"{error}")
        _error(f"refused: nothing written to {args.output}")
        return 2
    spec = result.found.spec
    printer.line(f"spec: {spec}")
    if args.to_tf1:
        printer.line(f"wrote TF1 checkpoint {result.written} (restore with "
                     "tf.compat.v1.train.Saver under these names)")
    else:
        printer.line(f"wrote {result.written} (reloaded with keras.saving.load_model: max |diff| "
                     f"{result.reload_diff:.3g}; `import modern` before loading)")
    return 0


# --------------------------------------------------------------------------
# the parser
# --------------------------------------------------------------------------
def build_parser():
    parser = argparse.ArgumentParser(
        prog="rnn-migrate",
        description="Move TensorFlow-1 RNN code to Keras 3 and prove the move changed nothing.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    add_api_map_parser(subparsers)
    add_convert_parser(subparsers)
    for module_name, function in EXTERNAL_SUBCOMMANDS:
        if _module_exists(module_name):
            getattr(importlib.import_module(module_name), function)(subparsers)
    return parser


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a usage error (2)
        return exit_.code if isinstance(exit_.code, int) else 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
