"""The ``port`` subcommand of ``rnn-migrate`` (``add_port_parser``) and ``python -m tools.porter``."""
import argparse
import importlib.util
import sys

EXIT_ERROR = 2


def add_port_parser(subparsers):
    """Register ``port PATH --to {compat,keras} [-o OUT | --in-place] [--report FILE.json]``."""
    parser = subparsers.add_parser(
        "port",
        help="port TF1 / TF 0.x RNN code (--to compat: onto legacy_compat; --to keras: Keras 3)",
        description=(
            "Port a .py/.ipynb file or a directory. Exit code 0: nothing left to do by hand; "
            "1: constructs left for manual work (marked '# rnn-migrate:'); 2: errors. "
            "Without -o or --in-place, prints the diff and writes nothing."
        ),
    )
    _add_arguments(parser)
    parser.set_defaults(func=run_port)
    return parser


def _add_arguments(parser):
    parser.add_argument("path", help="a .py or .ipynb file, or a directory (recursive)")
    parser.add_argument("--to", choices=("compat", "keras"), default="compat", dest="target",
                        help="compat: minimal edits to run on legacy_compat (default)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("-o", "--out", help="write the port here (a file, or a mirrored tree)")
    where.add_argument("--in-place", action="store_true",
                       help="rewrite the input, keeping FILE.bak (refused if it exists)")
    parser.add_argument("--force", action="store_true", help="let -o overwrite existing files")
    parser.add_argument("--report", help="also write the report as JSON to this file")


def run_port(args):
    """Run the subcommand; ``--to keras`` goes through ``tools.porter.keras.writer.port_to_keras``."""
    if args.target == "keras" and importlib.util.find_spec("tools.porter.keras.writer") is None:
        print("rnn-migrate port: error: --to keras needs tools.porter.keras.writer, which is "
              "not installed in this checkout; use --to compat.", file=sys.stderr)
        return EXIT_ERROR
    from tools.porter.engine import port_path

    return port_path(args.path, out=args.out, in_place=args.in_place, report=args.report,
                     force=args.force, target=args.target)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="rnn-migrate")
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_port_parser(subparsers)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # argparse: 2 on bad arguments, 0 on --help
        return exit.code if isinstance(exit.code, int) else EXIT_ERROR
    return args.func(args)
