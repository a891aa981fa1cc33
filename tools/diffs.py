"""The per-output differences both sides of a comparison report (no TF import)."""
import dataclasses
from typing import Dict


@dataclasses.dataclass
class Diffs:
    """Per-output max |difference| between the TF1 side and the Keras side."""

    diffs: Dict[str, float]

    @property
    def max_diff(self):
        return max(self.diffs.values()) if self.diffs else 0.0

    @property
    def worst(self):
        return max(self.diffs, key=self.diffs.get) if self.diffs else None
