"""Tolerances per dtype (no torch import: the judge reads them before torch is loaded)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float


#: Used when a challenge does not set a tolerance for a dtype.
DEFAULT_TOLERANCES: dict[str, Tolerance] = {
    "float64": Tolerance(1e-7, 1e-9),
    "float32": Tolerance(1e-5, 1e-6),
    "float16": Tolerance(1e-2, 1e-3),
    "bfloat16": Tolerance(2e-2, 1e-2),
}
EXACT = Tolerance(0.0, 0.0)
