"""The one report of a comparison: per output, how the Keras side differs from the TF1 side.

:class:`EquivalenceReport` (a tuple of :class:`OutputDiff`) is what the harness
(:mod:`tools.proof.harness`), the converter's verification (:mod:`tools.convert`) and the
public assertions (:mod:`tools.testing`) return. Build one with :func:`compare` from two
dicts of arrays, or per output with :func:`compare_output`. ``str(report)`` is the diff
report. No TensorFlow import.
"""
import dataclasses
import math
from typing import Dict, Mapping, Optional, Tuple

import numpy as np

__all__ = ["OutputDiff", "EquivalenceReport", "compare_output", "compare"]


def _fmt(value):
    return "n/a" if value is None else f"{value:.9g}"


@dataclasses.dataclass(frozen=True)
class OutputDiff:
    """How one output of the Keras model differs from the TF1 graph's."""

    name: str
    legacy_shape: Optional[Tuple[int, ...]]  # None: the TF1 graph has no such output
    keras_shape: Optional[Tuple[int, ...]]  # None: the Keras model has no such output
    max_abs_diff: float  # inf when the shapes differ or a side is missing
    ok: bool
    index: Optional[Tuple[int, ...]] = None  # where max |diff| occurs
    legacy_value: Optional[float] = None  # the two values there
    keras_value: Optional[float] = None
    limit: Optional[float] = None  # atol + rtol * |TF1 value| there
    n_exceeding: int = 0  # elements with |diff| > atol + rtol * |TF1|
    size: int = 0

    def describe(self):
        """One line: name, shapes, max |Δ|, where, both values, what exceeded."""
        if self.legacy_shape is None or self.keras_shape is None:
            side = "TF1 graph" if self.legacy_shape is None else "Keras model"
            return f"{self.name}: missing from the {side}'s outputs"
        if self.legacy_shape != self.keras_shape:
            return (f"{self.name}: shape mismatch: TF1 {self.legacy_shape}, "
                    f"Keras {self.keras_shape}")
        line = f"{self.name}: shape {self.legacy_shape}, max |Δ| = {self.max_abs_diff:.3g}"
        if self.index is not None:
            line += (f" at index {self.index} (TF1 {_fmt(self.legacy_value)}, "
                     f"Keras {_fmt(self.keras_value)})")
        if self.ok:
            return line
        if self.index is None:
            return line + f" > tolerance {_fmt(self.limit)}"
        return (line + f"; {self.n_exceeding} of {self.size} elements exceed atol + "
                f"rtol*|TF1| (= {_fmt(self.limit)} at that index)")


@dataclasses.dataclass(frozen=True)
class EquivalenceReport:
    """Per-output differences of one comparison; ``str()`` is the diff report."""

    outputs: Tuple[OutputDiff, ...]
    atol: float
    rtol: float
    title: str = "Keras model vs TF1 graph"
    criterion: Optional[str] = None  # how the tolerance is stated; default atol/rtol
    # what was compared, for the reader (e.g. runner, batch, steps, sequence_length)
    context: Mapping[str, object] = dataclasses.field(default_factory=dict)


    @property
    def ok(self):
        return all(o.ok for o in self.outputs)

    @property
    def diffs(self) -> Dict[str, float]:
        """``{output name: max |difference|}``."""
        return {o.name: o.max_abs_diff for o in self.outputs}

    @property
    def max_diff(self):
        return max(self.diffs.values(), default=0.0)

    @property
    def worst(self):
        return max(self.outputs, key=lambda o: o.max_abs_diff).name if self.outputs else None

    @property
    def legacy_shapes(self) -> Dict[str, Optional[Tuple[int, ...]]]:
        """``{output name: shape on the TF1 side}`` (outputs the TF1 side has)."""
        return {o.name: o.legacy_shape for o in self.outputs if o.legacy_shape is not None}

    @property
    def keras_shapes(self) -> Dict[str, Optional[Tuple[int, ...]]]:
        """``{output name: shape on the Keras side}`` (outputs the Keras side has)."""
        return {o.name: o.keras_shape for o in self.outputs if o.keras_shape is not None}

    @property
    def shapes_match(self):
        return self.legacy_shapes == self.keras_shapes

    @property
    def failures(self):
        return tuple(o for o in self.outputs if not o.ok)

    def __str__(self):
        failing = len(self.failures)
        criterion = self.criterion or f"atol={self.atol:g}, rtol={self.rtol:g}"
        head = (f"{self.title}: {failing} of {len(self.outputs)} outputs differ ({criterion})"
                if failing else f"{self.title}: {len(self.outputs)} outputs equivalent, "
                f"max |Δ| = {self.max_diff:.3g} ({criterion})")
        ordered = list(self.failures) + [o for o in self.outputs if o.ok]
        return "\n".join([head] + [("  FAIL " if not o.ok else "  ok   ") + o.describe()
                                   for o in ordered])




def compare_output(name, legacy, keras_value, atol, rtol=0.0) -> OutputDiff:
    """One output: max |Δ| (inf for a missing side or another shape), where, both values."""
    if legacy is None or keras_value is None:
        return OutputDiff(name, None if legacy is None else tuple(np.shape(legacy)),
                          None if keras_value is None else tuple(np.shape(keras_value)),
                          math.inf, False)
    ref = np.asarray(legacy, np.float64)
    got = np.asarray(keras_value, np.float64)
    if ref.shape != got.shape:
        return OutputDiff(name, ref.shape, got.shape, math.inf, False)
    if ref.size == 0:
        return OutputDiff(name, ref.shape, got.shape, 0.0, True)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(ref - got)
        same = (ref == got) | (np.isnan(ref) & np.isnan(got))  # equal infs and NaNs pass
        diff = np.where(same, 0.0, np.where(np.isnan(diff), math.inf, diff))
        limit = atol + rtol * np.where(np.isfinite(ref), np.abs(ref), 0.0)
        exceeding = diff > limit
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
    return OutputDiff(name, ref.shape, got.shape, float(diff[index]), not exceeding.any(),
                      index=index, legacy_value=float(ref[index]),
                      keras_value=float(got[index]), limit=float(limit[index]),
                      n_exceeding=int(exceeding.sum()), size=int(ref.size))


def compare(legacy: Mapping[str, object], keras: Mapping[str, object], *, atol: float,
            rtol: float = 0.0, title: str = "Keras model vs TF1 graph",
            criterion: Optional[str] = None, context=None) -> EquivalenceReport:
    """Every output of either side compared (TF1's order first; a side's missing output
    is reported, with max |Δ| = inf)."""
    names = list(legacy) + [k for k in keras if k not in legacy]
    return EquivalenceReport(
        tuple(compare_output(n, legacy.get(n), keras.get(n), atol, rtol) for n in names),
        atol, rtol, title, criterion, dict(context or {}))
