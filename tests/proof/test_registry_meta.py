"""Nothing goes unreviewed: coverage of the registry of migration pairs."""
import pytest

import legacy_compat.rnn as runners
from legacy_compat import rnn_cell_impl
from tools.proof import registry
from tools.proof.limitations import CHECKS

# Exported names that are not migration units themselves: abstract bases and helpers.
NOT_UNITS = {"RNNCell", "LayerRNNCell"}


def _legacy_units():
    return sorted((set(rnn_cell_impl.__all__) | set(runners.__all__)) - NOT_UNITS)


@pytest.mark.parametrize("name", _legacy_units())
def test_every_legacy_cell_and_runner_has_a_pair(name):
    covering = [p.name for p in registry.PAIRS if name in p.legacy_names]
    assert covering, f"legacy_compat exports {name!r} but no migration pair covers it"


@pytest.mark.parametrize("pair", registry.PAIRS, ids=[p.name for p in registry.PAIRS])
def test_pair_is_reviewed(pair):
    """A pair either is exact (and declares no limitation) or declares its limitations."""
    if pair.exact:
        assert not pair.limitations, f"{pair.name} is listed as exact but has limitations"
        assert pair.configs is not None, f"{pair.name} is exact but has no builders to prove it"
    else:
        assert pair.limitations, f"{pair.name} declares no limitation and is not listed as exact"
    if pair.configs is None:
        excused = pair.skipped_checks
        assert excused == set(CHECKS), (
            f"{pair.name} has no builders, so its limitations must excuse every check; "
            f"they excuse only {sorted(excused)}")


def test_pair_names_are_unique():
    names = [p.name for p in registry.PAIRS]
    assert len(names) == len(set(names))


def test_every_runner_and_cell_pair_has_builders():
    """The four runners and the five mapped cells are proven by the generic tests."""
    proven = {name for p in registry.PAIRS if p.configs is not None for name in p.legacy_names}
    for name in ("static_rnn", "dynamic_rnn", "static_bidirectional_rnn",
                 "bidirectional_dynamic_rnn", "BasicRNNCell", "BasicLSTMCell", "LSTMCell",
                 "GRUCell", "MultiRNNCell", "LayerNormBasicLSTMCell"):
        assert name in proven, name
