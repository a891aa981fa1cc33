"""The proof on every Keras backend: TF1 references once, Keras on TF, torch and JAX.

TF1's side (legacy_compat graphs: outputs, gradients of the tutorials' cross-entropy
w.r.t. the inputs and every variable, 3 steps of TF1's ``GradientDescentOptimizer``, and
each case's TF1 checkpoint converted by ``modern.from_tf1_checkpoint`` and saved as
``.keras`` by Keras on TensorFlow) is computed once per module
(:func:`tools.proof.backends.write_references`), for one configuration of every RNN
pipeline pair of the registry. Each backend then checks the whole matrix in ONE process
(a subprocess unless it is this process' backend) and returns every check's max |diff|,
judged here against :data:`tools.proof.tolerances.BACKEND_MATRIX`.

JAX's matrix runs with ``-m slow``: building and compiling 13 small models on JAX
measures ~60 CPU-s (its XLA compiles), more than the default run's budget.
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


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    return matrix.write_references(tmp_path_factory.mktemp("backend-references"))


def _manifest(references):
    return json.loads((references / "cases.json").read_text())


def test_matrix_covers_every_pipeline_pair_and_keras_target(references):
    """Every registry pair with builders has a case that exercises it; together the cases
    use every Keras target of modern.spec (the modern cells included), both directions,
    stacks and masks."""
    from modern.spec import KERAS_TARGETS

    cases = _manifest(references)["cases"]
    expected = [p.name for p in registry.PAIRS if p.configs is not None and p.equivalence is None]
    assert [c["pair"] for c in cases] == expected
    specs = [matrix._spec_from_json(c["spec"]) for c in cases]
    targets = {cell.keras_target for spec in specs for cell in spec.cells}
    assert targets == set(KERAS_TARGETS), f"not covered: {set(KERAS_TARGETS) - targets}"
    assert {s.bidirectional for s in specs} == {True, False}
    assert any(s.masked for s in specs) and any(s.stacked for s in specs)
    for pair, spec in zip(expected, specs):
        assert matrix._exercises(registry.pair_named(pair), spec, registry), pair


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
@pytest.mark.parametrize("backend", [
    pytest.param("tensorflow", marks=pytest.mark.slow), "torch",
    pytest.param("jax", marks=pytest.mark.slow)])
def test_every_pair_on_the_backend(references, backend):
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


def test_a_wrong_weight_fails_every_check_but_the_keras_file(references, tmp_path):
    """The checks can fail: one TF1 weight off by 1e-3 in what the Keras model is given
    (not in the TF1 references nor in the .keras file converted from TF1's checkpoint)."""
    broken = tmp_path / "broken"
    shutil.copytree(references, broken)
    with np.load(broken / "references.npz") as arrays:
        arrays = dict(arrays)
    case = _manifest(references)["cases"][1]  # BasicLSTMCell
    key = f"{case['name']}|rnn|{case['rnn'][-1]}"  # its kernel
    arrays[key] = arrays[key] + np.float32(1e-3) * (np.arange(arrays[key].size) % 7 == 0
                                                    ).reshape(arrays[key].shape)
    np.savez(broken / "references.npz", **arrays)
    report = matrix.run_checks(broken, pairs=[case["pair"]])
    (checks,) = report["cases"].values()
    for check in ("outputs", "gradients", "training/sgd"):
        assert checks[check]["max_diff"] > 10 * BACKEND_MATRIX[check], (check, checks)
    assert checks["keras_file"]["max_diff"] <= BACKEND_MATRIX["keras_file"], checks
