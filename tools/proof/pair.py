"""The types of the registry: a migration pair and its Keras side, as data.

Defined apart from :mod:`tools.proof.registry` so that the families of pairs in
:mod:`tools.proof.pairs` can build pairs without importing the registry.
"""
import dataclasses
from typing import Callable, Dict, Mapping, Optional, Tuple

from tools.proof import limitations as lim
from tools.proof.report import EquivalenceReport
from tools.proof.tolerances import Tolerance

__all__ = ["KerasSide", "MigrationPair"]


@dataclasses.dataclass(frozen=True)
class KerasSide:
    """What a TF1 construct becomes in Keras 3, as data."""

    layer: str  # the Keras class (qualified), e.g. "keras.layers.LSTM"
    settings: Mapping[str, object] = dataclasses.field(default_factory=dict)  # must be set
    reasons: Mapping[str, str] = dataclasses.field(default_factory=dict)  # why, per setting
    # the function that moves the weights (modern.weights / modern.models); None: none move
    weight_map: Optional[Callable] = None
    weight_map_doc: str = "none (no variables)"  # how the weights move, in words
    cell: Optional[str] = None  # the cell inside ``layer`` (keras.layers.RNN, Bidirectional)
    before: Optional[str] = None  # a layer applied to the input of ``layer`` first
    notes: Tuple[str, ...] = ()  # what else must change that is not a constructor setting

    def __post_init__(self):
        missing = sorted(set(self.settings) - set(self.reasons))
        if missing:
            raise ValueError(f"KerasSide({self.layer}): settings {missing} have no reason")

    @property
    def api(self):
        """The Keras construct in one line, with its settings."""
        args = [f"{self.cell}(...)" if self.cell else "..."]
        args += [f"{name}={value!r}" for name, value in self.settings.items()]
        main = f"{self.layer}({', '.join(args)})"
        return f"{self.before}() then {main}" if self.before else main

    def setting_lines(self):
        """Each setting as ``name=value: reason``, then the notes."""
        return tuple(f"{name}={value!r}: {self.reasons[name]}"
                     for name, value in self.settings.items()) + tuple(self.notes)



@dataclasses.dataclass(frozen=True)
class MigrationPair:
    name: str
    legacy_names: Tuple[str, ...]  # what legacy_compat exports that this pair covers
    tf1_api: str  # how TF1 programs spelled it
    tf_versions: str  # the TF versions that had it
    keras: KerasSide  # the Keras 3 equivalent, as data
    # () -> a hypothesis strategy of (RNNSpec, runner); None: no builders for this pair
    configs: Optional[Callable]
    limitations: Tuple[lim.Limitation, ...] = ()
    exact: bool = False  # True: equivalent in every check, no limitation
    tolerance: Tolerance = Tolerance()
    proof: str = "tests/proof/test_pairs.py"
    # pairs outside the RNNSpec pipelines (layers, losses, decoders): their own proof,
    # ``(seed) -> {check name: EquivalenceReport}`` (each report judged at the pair's
    # tolerance for that check); ``tests/proof/test_pairs.py`` runs it for a few seeds
    equivalence: Optional[Callable[[int], Dict[str, EquivalenceReport]]] = None

    @property
    def keras_api(self):
        """The Keras 3 equivalent in one line (rendered from :attr:`keras`)."""
        return self.keras.api

    @property
    def keras_settings(self):
        """The settings that must be set, and the notes, as lines (from :attr:`keras`)."""
        return self.keras.setting_lines()

    @property
    def skipped_checks(self):
        return {check for limitation in self.limitations for check in limitation.skips}
