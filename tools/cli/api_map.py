"""``rnn-migrate api-map``: generate (``-o``) or check (``--check``) ``docs/API_MAPPING.md``.

The text comes from :mod:`tools.docs.api_map` (the registry and the limitations only);
this module parses and prints. Exit codes: 0 written / printed / up to date, 1
``--check`` found a stale file.
"""
import sys

from tools.cli.output import error
from tools.docs import api_map

HELP = "generate the API-mapping reference from the registry"
DESCRIPTION = ("Generate the API-mapping reference (markdown) from tools/proof/registry.py "
               "and tools/proof/limitations.py only: per pair the TF1 API and its TF versions, "
               "the Keras 3 equivalent, the weight mapping, the settings that must "
               "change, the known non-equivalences and the tests that prove it.")


def add_arguments(parser):
    parser.add_argument("-o", "--output", default=None,
                        help="file to write (default: print to stdout); with --check, the "
                             f"file to check (default {api_map.DEFAULT_PATH})")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the file differs from what would be "
                             "generated")


def run(args) -> int:
    if args.check:
        problem = api_map.check(args.output or api_map.DEFAULT_PATH)
        if problem:
            error(problem)
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
