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
    """Print how many comparisons ran and the largest differences measured."""
    _report_pairs(terminalreporter)
    import sys

    oracle = sys.modules.get("tests.support.oracle")
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


def _report_pairs(terminalreporter):
    import sys

    module = sys.modules.get("tests.proof.test_pairs")
    stats = getattr(module, "PAIR_STATS", None)
    if not stats:
        return
    pairs = {pair for pair, _ in stats}
    examples = sum(entry["examples"] for entry in stats.values())
    seconds = sum(entry["seconds"] for entry in stats.values())
    terminalreporter.write_line(
        f"[migration pairs] {len(pairs)} pairs, {examples} examples in {seconds:.1f} s; "
        "largest |diff| per check: " + ", ".join(
            f"{check} {max(e['max_diff'] for (p, c), e in stats.items() if c == check):.3g}"
            for check in sorted({c for _, c in stats})))
    if terminalreporter.config.getoption("verbose") > 0:
        for (pair, check), entry in sorted(stats.items()):
            terminalreporter.write_line(
                f"    {pair} / {check}: {entry['examples']} examples, max |diff| "
                f"{entry['max_diff']:.3g}, {entry['seconds']:.1f} s")
