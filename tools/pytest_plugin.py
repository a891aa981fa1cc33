"""``-p tools.pytest_plugin``: the public name of :mod:`tools.testing.plugin` (same module,
so it registers once even beside the installed ``rnn_migrate`` entry point)."""
import sys

from tools.testing import plugin as _plugin

sys.modules[__name__] = _plugin
