"""``import legacy_compat.v1 as tf``: the TF1 namespace drop-in and its old spellings.

Importing ``legacy_compat.v1`` turns eager execution off for the whole process (see
tests/support/helpers.py), so everything that needs it runs in ONE subprocess,
tests/support/v1_checks.py, which prints a JSON dict of named check results. A module-scoped
fixture runs it once; each test below asserts one entry, so failures are reported per
spelling. Two tests iterate :data:`legacy_compat.spellings.SPELLINGS`: every entry must
resolve and must have a numeric old-vs-new check. Only the table sanity tests and the
"importing the package keeps eager mode" test run in this process.
"""
import json
import sys

import pytest

from legacy_compat import spellings
from legacy_compat.spellings import SPELLINGS
from tests.support.helpers import REPO_ROOT, run_python

NAMESPACE_CHECKS = (
    "graph_mode",
    "v1_tensor_shape",
    "fall_through",
    "nn_overrides",
    "contrib_rnn",
    "contrib_error",
    "unknown_attribute",
    "dir",
    "tf2_compat_xent_positional",
    "program_0x",
)


def spelling_id(spelling):
    return spelling.old_path


@pytest.fixture(scope="module")
def results():
    proc = run_python([str(REPO_ROOT / "tests" / "support" / "v1_checks.py")], preloaded=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# the tests reading `results` run on one xdist worker, so v1_checks.py runs once
V1_CHECKS = pytest.mark.xdist_group("v1_checks")


def assert_check(results, name):
    assert name in results, f"check {name!r} is missing from tests/support/v1_checks.py"
    assert results[name]["ok"], f"{name} failed:\n{results[name]['detail']}"


@V1_CHECKS
@pytest.mark.parametrize("name", NAMESPACE_CHECKS)
def test_namespace(results, name):
    assert_check(results, name)


@V1_CHECKS
@pytest.mark.parametrize("spelling", SPELLINGS, ids=spelling_id)
def test_spelling_resolves(results, spelling):
    assert_check(results, f"resolve:{spelling.old_path}")


@V1_CHECKS
@pytest.mark.parametrize("spelling", SPELLINGS, ids=spelling_id)
def test_spelling_matches_new_form_numerically(results, spelling):
    assert_check(results, f"spelling:{spelling.old_path}")


@V1_CHECKS
def test_every_check_is_asserted(results):
    expected = set(NAMESPACE_CHECKS)
    for spelling in SPELLINGS:
        expected |= {f"resolve:{spelling.old_path}", f"spelling:{spelling.old_path}"}
    assert set(results) == expected


def test_importing_the_package_keeps_eager_execution():
    import tensorflow as tf

    import legacy_compat  # noqa: F401

    assert tf.executing_eagerly()


def test_spellings_table_imports_no_tensorflow():
    proc = run_python(
        ["-c", "import sys, legacy_compat.spellings; print('tensorflow' in sys.modules)"]
    )
    assert proc.stdout.strip() == "False"


def test_spellings_table_is_well_formed():
    keys = [(s.namespace, s.old) for s in SPELLINGS]
    assert len(keys) == len(set(keys)), "duplicate old spellings"
    for s in SPELLINGS:
        assert s.namespace in ("tf", "tf.nn", "tf.train"), s
        assert s.new.startswith("tf.") and s.versions and s.note and "\n" not in s.note, s
        assert s.kind in spellings.KINDS and s.detect in spellings.DETECT_RULES, s
        if s.kind == spellings.RENAME:
            assert (s.old_args, s.renames, s.detect, s.detect_args) == ((), (), "always", ()), s
            continue
        old_names = {old for old, _ in s.renames}
        assert old_names <= set(s.old_args) and set(s.detect_args) <= set(s.old_args), s
        assert s.detect_rule().count("{") == 0, s
        if s.new.rpartition(".")[2] == s.old and s.new.rpartition(".")[0] == s.namespace:
            assert s.detect != spellings.ALWAYS, f"{s.old_path} keeps its name: needs a rule"


def test_v1_is_not_imported_in_the_pytest_process():
    assert "legacy_compat.v1" not in sys.modules
