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
        assert pair.configs is not None or pair.equivalence is not None, \
            f"{pair.name} is exact but has no builders or proof to prove it"
    else:
        assert pair.limitations, f"{pair.name} declares no limitation and is not listed as exact"
    if pair.configs is None and pair.equivalence is None:  # no builders and no own proof
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


# ------------------------------------------------------------------------------------
# the registry's Keras side is the data the proven models are built from
# ------------------------------------------------------------------------------------
_CELL_PAIRS = {  # pair -> a cell of it (modern.spec picks the Keras target)
    "BasicRNNCell": dict(cell_type="BasicRNNCell"),
    "BasicLSTMCell": dict(cell_type="BasicLSTMCell"),
    "LSTMCell": dict(cell_type="LSTMCell"),
    "LSTMCell with peepholes, clipping, projection": dict(cell_type="LSTMCell",
                                                          use_peepholes=True, num_proj=2),
    "GRUCell": dict(cell_type="GRUCell"),
    "LayerNormBasicLSTMCell": dict(cell_type="LayerNormBasicLSTMCell"),
}


@pytest.mark.parametrize("pair_name", sorted(_CELL_PAIRS))
def test_cell_pair_keras_side_is_the_built_layer(pair_name):
    """The pair's Keras class and every setting it names are those of the layer
    modern.models builds (and the proofs run on); the settings are data, not prose."""
    from modern.models import CellSpec, RNNSpec, build_keras_model
    from modern.spec import KERAS_TARGETS

    pair = registry.pair_named(pair_name)
    cell = CellSpec(units=3, **_CELL_PAIRS[pair_name])
    layer = build_keras_model(RNNSpec((cell,), input_size=2), steps=4).get_layer("rnn")
    target = KERAS_TARGETS[cell.keras_target]
    assert f"{type(layer).__module__.split('.')[0]}.layers.{type(layer).__name__}" == \
        pair.keras.layer == target.layer
    if pair.keras.cell is not None:
        assert type(layer.cell).__name__ == pair.keras.cell.rsplit(".", 1)[1]
    config = layer.get_config()
    assert set(pair.keras.settings) == set(target.settings)
    for name, value in pair.keras.settings.items():
        assert config[name] == value, (pair_name, name, config[name], value)
    assert pair.keras.weight_map is not None


@pytest.mark.parametrize("pair", registry.PAIRS, ids=[p.name for p in registry.PAIRS])
def test_every_setting_has_a_reason_and_renders(pair):
    for name in pair.keras.settings:
        assert pair.keras.reasons[name].strip(), (pair.name, name)
        assert f"{name}={pair.keras.settings[name]!r}" in pair.keras_api
