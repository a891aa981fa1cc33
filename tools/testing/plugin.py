"""pytest plugin ``rnn_migrate``: check your TF1 RNN -> Keras 3 port in a few lines.

Enable it with ``-p tools.testing.plugin`` (or nothing once the package is installed:
it is the ``pytest11`` entry point ``rnn_migrate``). It adds:

* the fixture ``rnn_equivalence`` (session-scoped, so ``@given`` tests can use it)
  with ``.assert_equivalent(legacy_graph_fn, keras_model, inputs, **options)`` and
  ``.assert_spec_equivalent(spec, runner, **options)`` (see :mod:`tools.testing`),
  ``.weights_from_spec(spec, runner)`` and ``.strategies`` (:mod:`tools.testing.strategies`);
* the marker ``@pytest.mark.rnn_equivalence(atol=..., rtol=..., tolerance=...)``:
  default tolerances of the fixture's assertions in that test. Tests that use the
  fixture carry the marker, so ``-m rnn_equivalence`` selects them;
* the option ``--rnn-backend tensorflow|jax|torch`` (and the marker's ``backend=``): the
  Keras backend on which the fixture's ``assert_equivalent`` runs the Keras side (in a
  subprocess when it is not this process'; see :mod:`tools.testing.backends`);
* the option ``--rnn-migrate-profile NAME``: load a hypothesis settings profile,
  ``rnn-migrate-fast`` (10 examples) or ``rnn-migrate-thorough`` (200 examples),
  both without a deadline (building a TF1 graph takes longer than hypothesis'
  200 ms), or any other registered profile. Left out, nothing is loaded; it cannot
  be combined with ``--hypothesis-profile``;
* a summary line: how many equivalence checks ran and the largest difference.

Example::

    @given(x=rnn_inputs(batch_size=4, steps=5, input_size=3))
    def test_port(rnn_equivalence, x):
        rnn_equivalence.assert_equivalent(my_tf1_graph, my_keras_model, {"x": x},
                                          weight_map=my_weight_map)
"""
import math
import sys

import pytest

try:  # hypothesis (the "test" extra) is needed for the profiles only
    from hypothesis import HealthCheck, settings
    from hypothesis.errors import InvalidArgument
except ImportError:  # pragma: no cover - the plugin must not break pytest without it
    settings = None

ENTRY_POINT_NAME = "rnn_migrate"
BACKENDS = ("tensorflow", "jax", "torch")  # Keras 3's (tools.testing.backends.BACKENDS)
MARKER = "rnn_equivalence"
MARKER_OPTIONS = ("atol", "rtol", "tolerance", "backend")
PROFILES = {"rnn-migrate-fast": 10, "rnn-migrate-thorough": 200}  # name -> max_examples

if settings is not None:
    for _name, _examples in PROFILES.items():  # never replace someone else's profile
        try:
            settings.get_profile(_name)
        except InvalidArgument:
            settings.register_profile(
                _name, max_examples=_examples, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_HELPER = pytest.StashKey()


class RNNEquivalence:
    """The ``rnn_equivalence`` fixture: :mod:`tools.testing`'s assertions, recorded."""

    def __init__(self):
        self.reports = []  # (test id, EquivalenceReport) of every check, failed ones too
        self.backend = None  # --rnn-backend: the Keras backend of assert_equivalent
        self._defaults = {}
        self._test = None

    @property
    def strategies(self):
        from tools.testing import strategies

        return strategies

    @staticmethod
    def weights_from_spec(spec, runner, **options):
        from tools import testing

        return testing.weights_from_spec(spec, runner, **options)

    def _record(self, check, *args, **options):
        from tools import testing

        try:
            report = check(*args, **options)
        except testing.EquivalenceError as error:
            self.reports.append((self._test, error.report))
            raise
        for one in (report.values() if isinstance(report, dict) else [report]):
            self.reports.append((self._test, one))
        return report

    def assert_equivalent(self, legacy_graph_fn, keras_model, inputs, **options):
        """:func:`tools.testing.assert_equivalent`; ``atol``/``rtol``/``backend`` default
        to the test's ``rnn_equivalence`` marker, ``backend`` then to ``--rnn-backend``."""
        from tools import testing

        if self._defaults.get("backend", self.backend) is not None:
            options.setdefault("backend", self._defaults.get("backend", self.backend))
        for key in ("atol", "rtol"):
            if key in self._defaults:
                options.setdefault(key, self._defaults[key])
        return self._record(testing.assert_equivalent, legacy_graph_fn, keras_model, inputs,
                            **options)

    def assert_spec_equivalent(self, spec, runner, **options):
        """:func:`tools.testing.assert_spec_equivalent`; ``tolerance`` defaults to the
        test's ``rnn_equivalence`` marker."""
        from tools import testing

        if "tolerance" in self._defaults:
            options.setdefault("tolerance", self._defaults["tolerance"])
        return self._record(testing.assert_spec_equivalent, spec, runner, **options)


def pytest_addoption(parser):
    group = parser.getgroup("rnn_migrate", "TF1 RNN -> Keras 3 equivalence (tools.testing)")
    group.addoption("--rnn-migrate-profile", dest="rnn_migrate_profile", default=None,
                    metavar="NAME",
                    help="load this hypothesis settings profile: rnn-migrate-fast (10 "
                         "examples), rnn-migrate-thorough (200), or any registered one")
    group.addoption("--rnn-backend", dest="rnn_backend", default=None,
                    choices=("tensorflow", "jax", "torch"),
                    help="run the Keras side of rnn_equivalence.assert_equivalent on this "
                         "Keras backend (a subprocess when it is not this process'); a "
                         "test's @pytest.mark.rnn_equivalence(backend=...) overrides it")


def pytest_plugin_registered(plugin, plugin_name, manager):
    # Loaded by module name (-p tools.testing.plugin) while the package's entry point is
    # installed too: block the entry point, or pytest would register this module twice.
    if plugin is sys.modules[__name__] and plugin_name != ENTRY_POINT_NAME:
        if not manager.has_plugin(ENTRY_POINT_NAME):
            manager.set_blocked(ENTRY_POINT_NAME)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"{MARKER}(atol=None, rtol=None, tolerance=None, backend=None): a TF1 -> "
        "Keras 3 equivalence test; the options are the defaults of the rnn_equivalence "
        "fixture's assertions (tolerances; backend: the Keras backend of assert_equivalent, "
        "'tensorflow', 'jax' or 'torch') (added to every test that uses the fixture)")
    helper = config.stash[_HELPER] = RNNEquivalence()
    helper.backend = config.getoption("rnn_backend", default=None)
    profile = config.getoption("rnn_migrate_profile")
    if profile is None:
        return
    if settings is None:
        raise pytest.UsageError("--rnn-migrate-profile needs hypothesis: pip install "
                                "hypothesis")
    if config.getoption("hypothesis_profile", default=None):
        raise pytest.UsageError("--rnn-migrate-profile and --hypothesis-profile both select "
                                "a hypothesis profile; pass only one of them")
    try:
        settings.get_profile(profile)
    except InvalidArgument:
        raise pytest.UsageError(f"--rnn-migrate-profile={profile!r} is not a registered "
                                f"hypothesis profile; use one of {sorted(PROFILES)}") from None
    settings.load_profile(profile)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if MARKER in getattr(item, "fixturenames", ()) and not item.get_closest_marker(MARKER):
            item.add_marker(MARKER)
        marker = item.get_closest_marker(MARKER)
        if marker is None:
            continue
        unknown = sorted(set(marker.kwargs) - set(MARKER_OPTIONS))
        if marker.args or unknown:
            raise pytest.UsageError(
                f"{item.nodeid}: @pytest.mark.{MARKER} takes keyword options "
                f"{MARKER_OPTIONS} only; got args {marker.args} and unknown options {unknown}")
        backend = marker.kwargs.get("backend")
        if backend is not None and backend not in BACKENDS:
            raise pytest.UsageError(
                f"{item.nodeid}: @pytest.mark.{MARKER}(backend={backend!r}): backend must be "
                f"one of {BACKENDS} or None")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    helper = item.config.stash.get(_HELPER, None)
    marker = item.get_closest_marker(MARKER)
    if helper is not None:
        helper._defaults = {k: v for k, v in (marker.kwargs if marker else {}).items()
                            if v is not None}
        helper._test = item.nodeid
    yield
    if helper is not None:
        helper._defaults, helper._test = {}, None


@pytest.fixture(scope="session")
def rnn_equivalence(pytestconfig):
    """Assert that a Keras 3 port computes what the TF1 code did (see tools.testing)."""
    return pytestconfig.stash[_HELPER]


def pytest_terminal_summary(terminalreporter, config):
    helper = config.stash.get(_HELPER, None)
    if helper is None or not helper.reports:
        return
    failed = sum(not report.ok for _, report in helper.reports)
    finite = [(report.max_diff, report.worst, test) for test, report in helper.reports
              if math.isfinite(report.max_diff)]
    line = f"[rnn_migrate] {len(helper.reports)} equivalence checks, {failed} failed"
    if finite:
        diff, worst, test = max(finite, key=lambda entry: entry[0])
        line += f"; largest max |Δ| {diff:.3g} ({worst}, in {test})"
    terminalreporter.write_line(line)
