"""``rnn-migrate port`` (and ``python -m tools.porter port``): TF1 / TF 0.x code -> legacy_compat or Keras 3.

The port is :func:`tools.porter.engine.port_path`'s; this module parses the options.
Exit codes: 0 nothing left to do by hand, 1 constructs left for manual work, 2 errors.
"""
import argparse
import importlib.util

from tools import cli
from tools.cli.output import error

EXIT_ERROR = 2

HELP = "port TF1 / TF 0.x RNN code (--to compat: onto legacy_compat; --to keras: Keras 3)"
DESCRIPTION = ("Port a .py/.ipynb file or a directory. Exit code 0: nothing left to do by hand; "
               "1: constructs left for manual work (marked '# rnn-migrate:'); 2: errors. "
               "Without -o or --in-place, prints the diff and writes nothing.")


def add_arguments(parser):
    """``PATH... --to {compat,keras} [-o OUT | --in-place] [--force] [--report FILE.json] [--py2]``."""
    parser.add_argument("path", nargs="+",
                        help="a .py or .ipynb file, or a directory (recursive); several are "
                             "ported together (with -o: each under OUT by its name)")
    parser.add_argument("--to", choices=("compat", "keras"), default="compat", dest="target",
                        help="compat: minimal edits to run on legacy_compat (default)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("-o", "--out", help="write the port here (a file, or a mirrored tree)")
    where.add_argument("--in-place", action="store_true",
                       help="rewrite the input, keeping FILE.bak (refused if it exists)")
    parser.add_argument("--force", action="store_true", help="let -o overwrite existing files")
    parser.add_argument("--report", help="also write the report as JSON to this file")
    parser.add_argument("--py2", action="store_true",
                        help="the input is Python 2 even where it parses as Python 3 (fissix's "
                             "whole fixer set: map/zip/filter/keys() lists, print(a, b) a tuple)")


def run(args) -> int:
    """Run the subcommand; ``--to keras`` goes through ``tools.porter.keras.writer.port_to_keras``."""
    if args.target == "keras" and importlib.util.find_spec("tools.porter.keras.writer") is None:
        error("--to keras needs tools.porter.keras.writer, which is not installed in this "
              "checkout; use --to compat.", "port")
        return EXIT_ERROR
    from tools.porter.engine import port_path

    return port_path(args.path[0] if len(args.path) == 1 else args.path, out=args.out, in_place=args.in_place, report=args.report,
                     force=args.force, target=args.target, python2=args.py2)


def main(argv=None) -> int:
    """``python -m tools.porter``: an ``rnn-migrate`` parser with the ``port`` subcommand only."""
    parser = argparse.ArgumentParser(prog="rnn-migrate")
    cli.add_verbose(parser)
    subparsers = parser.add_subparsers(dest="command", required=True)
    cli.add_subcommand(subparsers, "port", __name__)
    return cli.run_quietly(parser, argv)
