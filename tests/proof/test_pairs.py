"""Generic equivalence tests over the registry of migration pairs (tools.proof.registry).

For every pair with builders, hypothesis draws configurations ``(RNNSpec, runner)``
from the pair's own strategy, and steps, batch and seeds, and asserts:

* the same output names and shapes on both sides;
* outputs, every final-state part and logits within ``pair.tolerance.outputs``;
* gradients w.r.t. the inputs and every weight within ``pair.tolerance.gradients``;
* training equivalence: from the same weights on the same batches, 50 steps of SGD
  and of Adam give loss trajectories within ``pair.tolerance.training``.

A pair's limitations may excuse checks (``Limitation.skips``); those are skipped
with the limitation's name as the reason. ``KIT_ONE_CONTAINING=gru`` narrows the run.
The summary line reports how many pairs and examples ran, and the largest |diff|.
"""
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.proof import harness, registry
from tools.proof.tolerances import TRAINING_LEARNING_RATES, TRAINING_STEPS

PAIRS_WITH_BUILDERS = [p for p in registry.selected_pairs() if p.configs is not None]
IDS = [p.name for p in PAIRS_WITH_BUILDERS]
# pairs outside the RNNSpec pipelines carry their own proof (MigrationPair.equivalence)
PAIRS_WITH_PROOFS = [p for p in registry.selected_pairs() if p.equivalence is not None]

# (pair, check) -> {"examples": n, "max_diff": d, "seconds": s}; printed by conftest.
PAIR_STATS = {}


def _examples(n_per_12, fast=None):
    """Examples per test: ``n_per_12`` scaled with the profile's max_examples (12 in the
    default ``fast`` profile; ``thorough`` has 200), or ``fast`` in the ``fast`` profile."""
    if fast is not None and settings.default.max_examples <= 12:
        return fast
    return max(1, int(round(n_per_12 * settings.default.max_examples / 12.0)))


def _record(pair, check, diff, started):
    entry = PAIR_STATS.setdefault((pair.name, check),
                                  {"examples": 0, "max_diff": 0.0, "seconds": 0.0})
    entry["examples"] += 1
    entry["max_diff"] = max(entry["max_diff"], diff)
    entry["seconds"] += time.perf_counter() - started


def _skip_if_excused(pair, check):
    for limitation in pair.limitations:
        if check in limitation.skips:
            pytest.skip(f"{pair.name}: {check} excused by limitation {limitation.name}")


@pytest.mark.parametrize("pair", PAIRS_WITH_BUILDERS, ids=IDS)
def test_outputs_and_states(pair):
    _skip_if_excused(pair, "outputs")

    @settings(max_examples=_examples(3, fast=2))
    @given(config=pair.configs(), steps=st.integers(1, 5), batch=st.integers(1, 4),
           seed=st.integers(0, 2**31 - 1))
    def check(config, steps, batch, seed):
        spec, runner = config
        started = time.perf_counter()
        result = harness.compare_forward(spec, runner, steps=steps, batch=batch, seed=seed)
        assert result.shapes_match, (result.legacy_shapes, result.keras_shapes)
        _record(pair, "outputs", result.max_diff, started)
        assert result.max_diff <= pair.tolerance.outputs, (
            f"{spec} with {runner}: {result.worst} differs by {result.max_diff:.3g}")

    check()


@pytest.mark.parametrize("pair", PAIRS_WITH_BUILDERS, ids=IDS)
def test_gradients(pair):
    _skip_if_excused(pair, "gradients")

    @settings(max_examples=_examples(2, fast=1))
    @given(config=pair.configs(), steps=st.integers(1, 4), batch=st.integers(1, 3),
           seed=st.integers(0, 2**31 - 1))
    def check(config, steps, batch, seed):
        spec, runner = config
        started = time.perf_counter()
        result = harness.compare_gradients(spec, runner, steps=steps, batch=batch, seed=seed)
        assert result.shapes_match, (result.legacy_shapes, result.keras_shapes)
        _record(pair, "gradients", result.max_diff, started)
        assert result.max_diff <= pair.tolerance.gradients, (
            f"{spec} with {runner}: d/d{result.worst} differs by {result.max_diff:.3g}")

    check()


def _training_cases():
    """(pair, optimizer, learning rate): every pair with every optimizer of
    TRAINING_LEARNING_RATES; in the ``fast`` profile every pair with one of them, taking
    turns down the registry, so each pair and each optimizer is still trained (half the
    trajectories; ``thorough`` runs them all)."""
    optimizers = list(TRAINING_LEARNING_RATES.items())
    cases = []
    for index, pair in enumerate(PAIRS_WITH_BUILDERS):
        chosen = optimizers if _examples(12, fast=0) else [optimizers[index % len(optimizers)]]
        cases += [pytest.param(pair, name, rate, id=f"{IDS[index]}-{name}-{rate}")
                  for name, rate in chosen]
    return cases


@pytest.mark.parametrize("pair, optimizer, learning_rate", _training_cases())
def test_training_trajectory(pair, optimizer, learning_rate):
    _skip_if_excused(pair, "training")

    @settings(max_examples=_examples(1))
    @given(config=pair.configs(), seed=st.integers(0, 2**31 - 1))
    def check(config, seed):
        spec, runner = config
        if spec.num_classes is None:  # training needs the readout
            spec = type(spec)(spec.cells, spec.input_size, spec.bidirectional, spec.masked, 3)
        started = time.perf_counter()
        curves = harness.compare_training(spec, runner, steps=3, batch=8, seed=seed,
                                          optimizer=optimizer, learning_rate=learning_rate,
                                          train_steps=TRAINING_STEPS)
        _record(pair, f"training/{optimizer}", curves.max_diff, started)
        assert len(curves.legacy) == len(curves.keras) == TRAINING_STEPS
        assert curves.max_diff <= pair.tolerance.training, (
            f"{spec} with {runner}, {optimizer}: loss trajectories differ by "
            f"{curves.max_diff:.3g}")

    check()


@pytest.mark.parametrize("pair", PAIRS_WITH_PROOFS, ids=[p.name for p in PAIRS_WITH_PROOFS])
def test_pair_equivalence(pair):
    """A pair's own proof: every check's report within the pair's tolerance for it, for
    a few seeds (the proof draws its configuration from the seed)."""
    for seed in range(_examples(2)):
        started = time.perf_counter()
        reports = pair.equivalence(seed)
        assert reports, f"{pair.name}: its proof compared nothing"
        for check, report in reports.items():
            kind = check.split("/")[0]
            _skip_if_excused(pair, kind)
            limit = getattr(pair.tolerance, kind)
            _record(pair, check, report.max_diff, started)
            assert report.max_diff <= limit, f"{pair.name} (seed {seed}), {check}:\n{report}"
