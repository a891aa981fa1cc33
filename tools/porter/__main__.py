"""``python -m tools.porter port PATH ...`` (same as ``rnn-migrate port``)."""
import sys

from tools.porter.cli_port import main

sys.exit(main())
