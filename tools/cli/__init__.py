"""``rnn-migrate``: the kit's command line (console script ``tools.cli:main``).

One module per subcommand, listed in :data:`SUBCOMMANDS` (``{command: module}``, in the
order of ``--help``):

* ``api-map`` (:mod:`tools.cli.api_map`): generate (``-o``) or check (``--check``) the
  API-mapping reference ``docs/API_MAPPING.md`` from the registry (:mod:`tools.docs.api_map`);
* ``convert`` (:mod:`tools.cli.convert`): a TF1 checkpoint -> a verified ``.keras`` file,
  or with ``--to-tf1`` the reverse (:mod:`tools.convert`);
* ``port`` (:mod:`tools.cli.port`): TF1 / TF 0.x code -> legacy_compat or Keras 3
  (:mod:`tools.porter`); also ``python -m tools.porter port``;
* ``demo`` (:mod:`tools.cli.demo`): the bundled TF1 tutorial ported and both sides
  trained (:mod:`tools.demo`).

A subcommand module defines, as LibCST's codemod commands do, ``DESCRIPTION`` (the
``--help`` text), ``HELP`` (its line in ``rnn-migrate --help``), optionally
``FORMATTER_CLASS``, ``add_arguments(parser)`` and ``run(args) -> int`` (the exit
code); the library logic stays in the modules it names. Importing a subcommand module
is light: TensorFlow and Keras are imported when the subcommand runs. A module of the
table that does not exist is skipped (checked with ``importlib.util.find_spec``); an
ImportError raised while importing an existing one is a bug and propagates.

Output (:mod:`tools.cli.output`) is plain text, or ``rich`` tables when stdout is a
terminal. TensorFlow's start-up logging (oneDNN, CUDA, cpu_feature_guard, absl's pre-init
lines) is kept off unless ``rnn-migrate --verbose`` (:func:`tools.cli.output.quiet_tensorflow`). Exit codes: 0 success, 1 ``api-map --check`` found a stale file (``port``,
``demo``: see theirs), 2 a usage error or a refused conversion (nothing written).
"""
import argparse
import importlib
import importlib.util
import sys

SUBCOMMANDS = {
    "api-map": "tools.cli.api_map",
    "convert": "tools.cli.convert",
    "port": "tools.cli.port",
    "demo": "tools.cli.demo",
}


def _module_exists(name):
    parent = name.rpartition(".")[0]
    if parent and not _module_exists(parent):
        return False
    return importlib.util.find_spec(name) is not None


def add_subcommand(subparsers, name, module_name):
    """Add the subcommand ``name`` defined by the module ``module_name``; returns its parser."""
    module = importlib.import_module(module_name)
    parser = subparsers.add_parser(
        name, help=module.HELP, description=module.DESCRIPTION,
        formatter_class=getattr(module, "FORMATTER_CLASS", argparse.HelpFormatter))
    module.add_arguments(parser)
    parser.set_defaults(func=module.run)
    return parser


def build_parser():
    parser = argparse.ArgumentParser(
        prog="rnn-migrate",
        description="Move TensorFlow-1 RNN code to Keras 3 and prove the move changed nothing.")
    add_verbose(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name, module_name in SUBCOMMANDS.items():
        if _module_exists(module_name):
            add_subcommand(subparsers, name, module_name)
    return parser


def add_verbose(parser):
    """The global ``--verbose`` option (read before parsing by :func:`run_quietly`)."""
    parser.add_argument("--verbose", action="store_true",
                        help="show TensorFlow's start-up logging (off by default)")


def run_quietly(parser, argv=None) -> int:
    """:func:`parse_and_run`, with TensorFlow's start-up logging off unless ``--verbose``
    comes before the subcommand (decided before parsing: parsing an option may import TF)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    verbose = "--verbose" in argv[:next((k for k, a in enumerate(argv) if a in SUBCOMMANDS),
                                        len(argv))]
    if verbose:
        return parse_and_run(parser, argv)
    from tools.cli.output import quiet_tensorflow

    with quiet_tensorflow():
        return parse_and_run(parser, argv)


def parse_and_run(parser, argv=None) -> int:
    """Parse ``argv`` and run the chosen subcommand; returns the exit code."""
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a usage error (2)
        return exit_.code if isinstance(exit_.code, int) else 2
    return int(args.func(args) or 0)


def main(argv=None) -> int:
    return run_quietly(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
