"""``python -m tools.porter port PATH ...`` (same as ``rnn-migrate port``)."""
import sys

from tools.cli.port import main

sys.exit(main())
