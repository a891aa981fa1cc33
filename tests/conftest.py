"""Shared pytest configuration: hypothesis profiles and quiet TensorFlow.

Profiles (select with ``HYPOTHESIS_PROFILE=thorough`` or ``--hypothesis-profile``):

* ``fast`` (default, CI): few examples per property so the whole suite stays
  within a few minutes on 2 cores.
* ``thorough``: many more examples, for on-demand runs.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from hypothesis import HealthCheck, settings  # noqa: E402

_COMMON = dict(
    deadline=None,  # graph construction time varies a lot; never time examples
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
    print_blob=True,
)
settings.register_profile("fast", max_examples=12, **_COMMON)
settings.register_profile("thorough", max_examples=200, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


def pytest_terminal_summary(terminalreporter):
    """Print how many oracle comparisons ran and the largest difference measured."""
    import sys

    oracle = sys.modules.get("tests.oracle")
    measured = getattr(oracle, "MEASURED", None)
    if not measured:
        return
    worst_key = max(measured, key=measured.get)
    terminalreporter.write_line(
        f"[legacy_compat vs TF1 oracle] {len(measured)} cases compared; "
        f"largest |diff| = {measured[worst_key]:.3g} ({' / '.join(worst_key)})"
    )
    if terminalreporter.config.getoption("verbose") > 0:
        for key in sorted(measured):
            terminalreporter.write_line(f"    {' / '.join(key)}: {measured[key]:.3g}")
