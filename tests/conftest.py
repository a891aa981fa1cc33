"""Shared pytest configuration: hypothesis profiles, quiet TensorFlow, summary lines.

Profiles (select with ``HYPOTHESIS_PROFILE=thorough`` or ``--hypothesis-profile``):

* ``fast`` (default, CI): few examples per property so the whole suite stays
  within a few minutes on 2 cores, the same examples every run (``derandomize``). Some modules set their own, smaller counts for this
  profile (test_cells_oracle.py, test_pairs.py: ``_examples(..., fast=n)``).
* ``thorough``: many more examples, for on-demand runs.

``-m slow`` runs the long versions deselected by default (full-size accuracy profile,
the example programs' full 1000-step trainings).

The default run is parallel (pytest-xdist: ``-n 2 --dist loadgroup`` in pyproject.toml's
``addopts``; ``-n 0`` runs in one process). Tests that share an expensive module fixture
run on one worker (``pytest_collection_modifyitems`` below), long tests are handed out
first. The summary lines (oracle comparisons, migration pairs, porter fuzz, the modern
tables) are measured in the worker processes; each worker sends its numbers to the
controller when it finishes (``config.workeroutput``), and the controller merges them
and prints the same lines as a run in one process.
"""
import json
import os
import shutil
import sys
import tempfile

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from hypothesis import HealthCheck, settings  # noqa: E402

_COMMON = dict(
    deadline=None,  # graph construction time varies a lot; never time examples
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
    print_blob=True,
)
# fast draws the same examples every run (derandomize): the default run's time and
# outcome do not depend on the draw; thorough draws new ones each run
settings.register_profile("fast", max_examples=12, **dict(_COMMON, derandomize=True))
settings.register_profile("thorough", max_examples=200, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))

_WORKEROUTPUT_KEY = "tf1_rnn_kit_summary"


# ---------------------------------------------------------------------------------------
# the numbers behind the summary lines: this process's, and those sent by xdist workers
# ---------------------------------------------------------------------------------------
def _local_summary(config):
    """This process's numbers, as plain lists (execnet can send them)."""
    def module_global(module, name):
        return getattr(sys.modules.get(module), name, None) or {}

    measured = module_global("tests.support.oracle", "MEASURED")
    stats = module_global("tests.proof.test_pairs", "PAIR_STATS")
    fuzz = module_global("tests.porter.test_porter_fuzz", "TRIED")
    fuzz_examples = getattr(sys.modules.get("tests.porter.test_porter_fuzz"), "EXAMPLES", None)
    modern = module_global("tests.modern.test_modern_oracle", "MEASURED")
    checkpoint = module_global("tests.modern.test_checkpoint_conversion", "MEASURED")
    plugins = config.pluginmanager
    return {
        # printed by plugins the modern test modules register at run time (in a worker,
        # where they print nowhere): sent only when those modules ran
        "modern": ([[[str(k) for k in key], float(value)] for key, value in modern.items()]
                   if plugins.has_plugin("modern-measured-summary") else []),
        "checkpoint": (float(checkpoint["max |diff|"]) if plugins.has_plugin(
            "checkpoint-conversion-summary") else None),
        "measured": [[[str(k) for k in key], float(value)] for key, value in measured.items()],
        "pairs": [[[str(k) for k in key], {"examples": int(entry["examples"]),
                                            "max_diff": float(entry["max_diff"]),
                                            "seconds": float(entry["seconds"])}]
                  for key, entry in stats.items()],
        "fuzz": {k: int(v) for k, v in fuzz.items()} if fuzz.get("programs") else {},
        "fuzz_examples": fuzz_examples,
    }


def _merge(summaries):
    measured, stats, fuzz, fuzz_examples = {}, {}, {}, None
    modern, checkpoint = {}, None
    for summary in summaries:
        for key, value in summary.get("modern", ()):
            key = tuple(key)
            modern[key] = max(modern.get(key, value), value)
        if summary.get("checkpoint") is not None:
            checkpoint = max(checkpoint or 0.0, summary["checkpoint"])
        for key, value in summary.get("measured", ()):
            key = tuple(key)
            measured[key] = max(measured.get(key, value), value)
        for key, entry in summary.get("pairs", ()):
            total = stats.setdefault(tuple(key), {"examples": 0, "max_diff": 0.0, "seconds": 0.0})
            total["examples"] += entry["examples"]
            total["max_diff"] = max(total["max_diff"], entry["max_diff"])
            total["seconds"] += entry["seconds"]
        for key, value in summary.get("fuzz", {}).items():
            fuzz[key] = fuzz.get(key, 0) + value
        fuzz_examples = summary.get("fuzz_examples") or fuzz_examples
    return measured, stats, fuzz, fuzz_examples, modern, checkpoint


def _no_grappler():
    """Keras' compiled functions in the test processes run without grappler (TF's graph
    optimiser), as the TF1 sessions of the proof do (tools.proof.pipelines.new_session):
    each test traces small functions and runs them a few times, so optimising them cost
    more than running them; the operations are the same. Programs the tests run in
    subprocesses (the demo, the CLI, generated ports) keep TensorFlow's defaults."""
    import tensorflow as tf

    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})


def pytest_configure(config):
    config._kit_worker_summaries = []
    if hasattr(config, "workerinput") or not (config.pluginmanager.hasplugin("xdist")
                                              and config.getvalue("numprocesses")):
        _no_grappler()  # a process that runs tests (not an xdist controller)
    if not config.pluginmanager.hasplugin("xdist"):
        return
    config.pluginmanager.register(_XdistSummary(config), "tf1_rnn_kit_xdist_summary")
    if (not hasattr(config, "workerinput") and config.getvalue("dist") == "loadgroup"
            and config.getvalue("numprocesses")):
        # the controller of a distributed run: its workers write their groups here
        config._kit_groups_dir = tempfile.mkdtemp(prefix="tf1-rnn-kit-xdist-groups-")
        os.environ[_GROUPS_ENV] = config._kit_groups_dir  # inherited by the workers


def pytest_unconfigure(config):
    groups_dir = getattr(config, "_kit_groups_dir", None)
    if groups_dir:
        shutil.rmtree(groups_dir, ignore_errors=True)
        os.environ.pop(_GROUPS_ENV, None)


class _XdistSummary:
    """Registered only when pytest-xdist is installed (its hooks exist only then)."""

    def __init__(self, config):
        self.config = config

    def pytest_testnodedown(self, node, error):
        summary = getattr(node, "workeroutput", {}).get(_WORKEROUTPUT_KEY)
        if summary:
            self.config._kit_worker_summaries.append(summary)


# ---------------------------------------------------------------------------------------
# xdist: groups (module fixtures built once), long tests first
# ---------------------------------------------------------------------------------------
# pyproject.toml asks for ``--dist loadgroup``: the tests of one group run on one worker,
# one after the other, so a module-scoped fixture (a subprocess, a training, a graph) is
# built once. xdist's own loadgroup cannot do this on pytest >= 9.2: it marks the group by
# appending "@group" to ``item._nodeid``, which no longer changes the node id
# (pytest-dev/pytest-xdist#1386), so the tests silently spread over the workers and each
# worker builds the fixture again. Hence this conftest schedules the groups itself:
#
# * in each worker, pytest_collection_modifyitems gives every test its group: the name of
#   its ``xdist_group`` mark, else its module's path when it uses a module- or
#   class-scoped fixture defined in its module (autouse ones excepted), else none; and
#   writes {node id: group} to a directory the controller named in _GROUPS_ENV;
# * the controller's scheduler (pytest_xdist_make_scheduler) is xdist's LoadScope
#   scheduling with those groups as its work units, every other test a unit of its own.
_GROUPS_ENV = "TF1_RNN_KIT_XDIST_GROUPS"

# Tests that take tens of seconds (trainings, subprocesses), longest first. Under xdist
# they are handed out first (after the groups), so that no worker starts one of them when
# the others have run out of work; they are not grouped by module fixture, so they
# spread over the workers. Only the order changes: a test missing here is scheduled in
# collection order.
LONG_TESTS = (
    "tests/legacy_compat/test_legacy_programs.py::test_ported_program_trains",
    "tests/backends/test_backends.py::test_every_pair_on_the_backend",
    "tests/proof/test_accuracy.py::test_ci_profile_both_sides_reach_threshold",
    "tests/porter/test_porter_keras.py::test_generated_programs_run",
    "tests/porter/test_porter_keras.py::test_generated_masked_and_dropout_programs_run",
    "tests/testing/test_testing_api.py::test_user_example_runs_with_the_plugin",
    "tests/testing/test_testing_api.py::test_plugin_fixture_marker_profile_and_summary",
    "tests/cli/test_demo.py::test_demo_small_run",
    "tests/porter/test_porter_fuzz.py::",
    "tests/porter/test_porter_compat.py::test_python2_tutorial_ports_and_runs",
    "tests/proof/test_accuracy.py::test_keras_side_is_independent",
    "tests/porter/test_porter_keras.py::test_generated_training_follows_tf1_training",
    "tests/cli/test_packaging.py::",
    "tests/cli/test_cli_convert.py::test_loads_in_a_fresh_process",
    "tests/modern/test_modern_cells.py::test_import_modern_registers",
    "tests/modern/test_checkpoint_conversion.py::test_random_pipelines",
    "tests/legacy_compat/test_layers.py::test_layers_through_legacy_compat_v1",
)


def _long_rank(item):
    for rank, prefix in enumerate(LONG_TESTS):
        if item.nodeid.startswith(prefix):
            return rank
    return None


def _group(item, long):
    """The item's xdist group (see above), or None."""
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    info = getattr(item, "_fixtureinfo", None)
    if long or info is None:
        return None
    module = item.nodeid.split("::")[0]
    for name in info.names_closure:
        for fixturedef in info.name2fixturedefs.get(name, ()):
            baseid = fixturedef.baseid or ""
            if (fixturedef.scope in ("module", "class")
                    and (baseid == module or baseid.startswith(module + "::"))
                    and not getattr(fixturedef, "_autouse", False)):
                return module
    return None


@pytest.hookimpl(trylast=True)  # the final node ids and order
def pytest_collection_modifyitems(config, items):
    workerinput = getattr(config, "workerinput", None)  # set in xdist workers only
    groups_dir = os.environ.get(_GROUPS_ENV)
    if workerinput is None or not groups_dir:
        return  # a run in one process keeps the collection order
    worker = workerinput["workerid"]
    ranks = {item: _long_rank(item) for item in items}
    items.sort(key=lambda item: len(LONG_TESTS) if ranks[item] is None else ranks[item])
    groups = {item.nodeid: _group(item, ranks[item] is not None) for item in items}
    path = os.path.join(groups_dir, f"{worker}.json")
    with open(path + ".tmp", "w") as handle:
        json.dump({nodeid: group for nodeid, group in groups.items() if group}, handle)
    os.replace(path + ".tmp", path)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown without xdist
def pytest_xdist_make_scheduler(config, log):
    groups_dir = getattr(config, "_kit_groups_dir", None)
    if groups_dir is None:
        return None  # not --dist loadgroup: xdist's own scheduler
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """LoadScope scheduling whose scopes are the groups the workers wrote."""

        groups = None

        def _split_scope(self, nodeid):
            if nodeid.rfind("@") > nodeid.rfind("]"):  # xdist's own suffix, if it works
                return nodeid.split("@")[-1]
            if self.groups is None:  # every worker has collected: their files are there
                self.groups = {}
                for name in sorted(os.listdir(groups_dir)):
                    if name.endswith(".json"):
                        with open(os.path.join(groups_dir, name)) as handle:
                            self.groups.update(json.load(handle))
            group = self.groups.get(nodeid)
            return f"group:{group}" if group else nodeid

    return GroupScheduling(config, log)


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: send the numbers to the controller
        workeroutput[_WORKEROUTPUT_KEY] = _local_summary(session.config)


# ---------------------------------------------------------------------------------------
# the summary lines
# ---------------------------------------------------------------------------------------
def pytest_terminal_summary(terminalreporter):
    """Print how many comparisons ran and the largest differences measured."""
    config = terminalreporter.config
    workers = getattr(config, "_kit_worker_summaries", [])
    measured, stats, fuzz, fuzz_examples, modern, checkpoint = _merge(
        [_local_summary(config)] + workers)
    verbose = config.getoption("verbose") > 0
    _report_pairs(terminalreporter, stats, verbose)
    if workers:  # lines a run in one process prints from the test modules themselves
        _report_worker_only_lines(terminalreporter, fuzz, fuzz_examples, modern, checkpoint)
    if not measured:
        return
    worst_key = max(measured, key=measured.get)
    terminalreporter.write_line(
        f"[legacy_compat vs TF1 oracle] {len(measured)} cases compared; "
        f"largest |diff| = {measured[worst_key]:.3g} ({' / '.join(worst_key)})"
    )
    if verbose:
        for key in sorted(measured):
            terminalreporter.write_line(f"    {' / '.join(key)}: {measured[key]:.3g}")


def _report_pairs(terminalreporter, stats, verbose):
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
    if verbose:
        for (pair, check), entry in sorted(stats.items()):
            terminalreporter.write_line(
                f"    {pair} / {check}: {entry['examples']} examples, max |diff| "
                f"{entry['max_diff']:.3g}, {entry['seconds']:.1f} s")


def _report_worker_only_lines(terminalreporter, fuzz, fuzz_examples, modern, checkpoint):
    """What tests/porter/test_porter_fuzz.py (at the end of the module) and the plugins of
    tests/modern/ (terminal summary) print in a run in one process, here with the numbers
    of all workers."""
    if fuzz:
        terminalreporter.write_line(
            f"[porter fuzz] {fuzz['programs']} programs tried: {fuzz['ported']} ported, "
            f"{fuzz['parse_errors']} reported as parse errors (max_examples={fuzz_examples} "
            "per property)")
    for module in sorted({mod for mod, _ in modern}):
        terminalreporter.write_line(f"[{module}] largest |diff| per pair (float32):")
        for (mod, pair), diff in sorted(modern.items()):
            if mod == module:
                terminalreporter.write_line(f"    {pair}: {diff:.3g}")
    if checkpoint is not None:
        terminalreporter.write_line(f"[test_checkpoint_conversion] largest |TF1 - Keras| "
                                    f"(float32): {checkpoint:.3g}")
