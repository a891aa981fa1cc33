"""``tools.strategies``: the public name of :mod:`tools.testing.strategies` (same module)."""
import sys

from tools.testing import strategies as _strategies

sys.modules[__name__] = _strategies
