"""The proof on every Keras backend: TF1 references once, Keras on TF, torch and JAX.

TF1's side (legacy_compat graphs: outputs, gradients of the tutorials' cross-entropy
w.r.t. the inputs and every variable, 3 steps of TF1's ``GradientDescentOptimizer``, and
each case's TF1 checkpoint converted by ``modern.from_tf1_checkpoint`` and saved as
``.keras`` by Keras on TensorFlow) is computed once per module
(:func:`tools.proof.backends.write_references`), for one configuration of every RNN
pipeline pair of the registry. Each backend then checks the whole matrix in ONE process
(a subprocess unless it is this process' backend) and returns every check's max |diff|,
judged here against :data:`tools.proof.tolerances.BACKEND_MATRIX`.

The default run checks torch on the cases of ``DEFAULT_PAIRS``: the fewest cases that
together exercise every Keras target, both directions, a stack and a mask (what can
differ between backends; the other cases differ in TF1 runner or wrapper, which
tests/proof/test_pairs.py proves on TensorFlow). ``-m slow`` checks every case on
torch, TensorFlow and JAX: JAX's matrix measures ~60 CPU-s (its XLA compiles), more than
the default run's budget.
"""
import json
import shutil

import numpy as np
import pytest

from tools.proof import backends as matrix
from tools.proof import registry
from tools.proof.tolerances import BACKEND_MATRIX
from tools.testing import backends

pytestmark = pytest.mark.xdist_group("backends")

# backend -> {case / check: max |diff|}; printed with -v by the assertion messages
MEASURED = {}


def _features(spec):
    """What a case exercises on a backend: its Keras targets, direction, stack, mask."""
    return ({("target", cell.keras_target) for cell in spec.cells}
            | {("bidirectional", spec.bidirectional), ("stacked", spec.stacked),
               ("masked", spec.masked)})


def _covering(cases):
    """The pairs of a small subset of ``cases`` that together exercise every feature
    the whole matrix does (greedy set cover, in registry order on ties)."""
    wanted = set().union(*(_features(c.spec) for c in cases))
    chosen = []
    while wanted:
        best = max(cases, key=lambda c: len(_features(c.spec) & wanted))
        chosen.append(best.pair)
        wanted -= _features(best.spec)
    return chosen


CASES = matrix.matrix_cases()
# the default run checks torch on these cases (every Keras target, both directions, a
# stack, a mask: what can differ between backends); every case with -m slow
DEFAULT_PAIRS = _covering(CASES)


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """The TF1 references of every case of the matrix."""
    return matrix.write_references(tmp_path_factory.mktemp("backend-references"))


@pytest.fixture(scope="module")
def default_references(tmp_path_factory):
    """The TF1 references of the cases of DEFAULT_PAIRS."""
    return matrix.write_references(tmp_path_factory.mktemp("backend-default-references"),
                                   pairs=DEFAULT_PAIRS)


def _manifest(references):
    return json.loads((references / "cases.json").read_text())


def test_matrix_covers_every_pipeline_pair_and_keras_target():
    """Every registry pair with builders has a case that exercises it; together the cases
    use every Keras target of modern.spec (the modern cells included), both directions,
    stacks and masks; so do the cases of the default run."""
    from modern.spec import KERAS_TARGETS

    expected = [p.name for p in registry.PAIRS if p.configs is not None and p.equivalence is None]
    assert [c.pair for c in CASES] == expected
    for specs in ([c.spec for c in CASES], [c.spec for c in CASES if c.pair in DEFAULT_PAIRS]):
        targets = {cell.keras_target for spec in specs for cell in spec.cells}
        assert targets == set(KERAS_TARGETS), f"not covered: {set(KERAS_TARGETS) - targets}"
        assert {s.bidirectional for s in specs} == {True, False}
        assert any(s.masked for s in specs) and any(s.stacked for s in specs)
    for case in CASES:
        assert matrix._exercises(registry.pair_named(case.pair), case.spec, registry), case
    assert len(DEFAULT_PAIRS) < len(CASES)


def _judge(report, backend):
    lines, failed = [], 0
    for case, checks in report["cases"].items():
        assert set(checks) == set(matrix.CHECKS), (case, sorted(checks))
        for check, result in checks.items():
            limit = BACKEND_MATRIX[check]
            ok = result["shapes_match"] and result["max_diff"] <= limit
            failed += not ok
            MEASURED.setdefault(backend, {})[f"{case} / {check}"] = result["max_diff"]
            lines.append(f"  {'ok  ' if ok else 'FAIL'} {case} / {check}: max |diff| "
                         f"{result['max_diff']:.3g} ({result['worst']}), tolerance {limit:g}")
    return failed, lines


# The default run checks torch. TensorFlow runs with -m slow: TF1 <-> Keras on TensorFlow
# is what tests/proof/test_pairs.py proves for every pair (more draws, more checks), and
# the negative control below runs this matrix's own checks in-process on TensorFlow.
# JAX runs with -m slow too: its XLA compiles cost ~60 CPU-s.
@pytest.mark.parametrize("backend, cases", [
    pytest.param("tensorflow", "references", marks=pytest.mark.slow, id="tensorflow"),
    pytest.param("torch", "default_references", id="torch"),
    pytest.param("torch", "references", marks=pytest.mark.slow, id="torch-every-case"),
    pytest.param("jax", "references", marks=pytest.mark.slow, id="jax")])
def test_every_pair_on_the_backend(request, backend, cases):
    """The cases on the backend: by default torch on the cases of DEFAULT_PAIRS; with
    ``-m slow`` every case on every backend."""
    references = request.getfixturevalue(cases)
    if not backends.backend_available(backend):
        pytest.skip(f"Keras backend {backend!r}: the package {backend!r} is not installed "
                    f"(pip install 'tf1-rnn-migration-kit[backends]')")
    report = matrix.check_backend(references, backend)
    assert report["backend"] == backend
    assert len(report["cases"]) == len(_manifest(references)["cases"])
    failed, lines = _judge(report, backend)
    worst = max(MEASURED[backend].items(), key=lambda item: item[1])
    assert not failed, (f"Keras on {backend}: {failed} checks exceed their tolerance "
                        f"(largest {worst[1]:.3g}, {worst[0]}):\n" + "\n".join(lines))


def test_a_wrong_weight_fails_every_check_but_the_keras_file(default_references, tmp_path):
    """The checks can fail: one TF1 weight off by 1e-3 in what the Keras model is given
    (not in the TF1 references nor in the .keras file converted from TF1's checkpoint)."""
    broken = tmp_path / "broken"
    shutil.copytree(default_references, broken)
    with np.load(broken / "references.npz") as arrays:
        arrays = dict(arrays)
    case = next(c for c in _manifest(default_references)["cases"]
                if c["spec"]["cells"][0]["cell_type"] in ("BasicLSTMCell", "LSTMCell"))
    key = f"{case['name']}|rnn|{case['rnn'][-1]}"  # its kernel
    arrays[key] = arrays[key] + np.float32(1e-3) * (np.arange(arrays[key].size) % 7 == 0
                                                    ).reshape(arrays[key].shape)
    np.savez(broken / "references.npz", **arrays)
    report = matrix.run_checks(broken, pairs=[case["pair"]])
    (checks,) = report["cases"].values()
    for check in ("outputs", "gradients", "training/sgd"):
        assert checks[check]["max_diff"] > 10 * BACKEND_MATRIX[check], (check, checks)
    assert checks["keras_file"]["max_diff"] <= BACKEND_MATRIX["keras_file"], checks
