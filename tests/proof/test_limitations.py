"""Every known non-equivalence is demonstrated, not just declared.

Each limitation of the registry carries a ``demonstrate()`` function that builds
both sides and measures the difference; the test asserts the difference is there.
If a Keras release ever closed a gap, its test fails and the limitation (and the
pair's excused checks) must be revisited.
"""
import pytest

from tools.proof import limitations, registry

USED = sorted({lim for pair in registry.PAIRS for lim in pair.limitations}, key=lambda l: l.name)


@pytest.mark.parametrize("limitation", USED, ids=[l.name for l in USED])
def test_limitation_is_demonstrated(limitation):
    demo = limitation.demonstrate()
    assert demo.holds, f"{limitation.name}: not observed any more: {demo.detail}"
    print(f"{limitation.name}: {demo.detail}")


def test_every_defined_limitation_is_used_by_a_pair():
    assert set(limitations.ALL) == set(USED)
