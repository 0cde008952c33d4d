"""Hidden tests: exact ties, built on power-of-two scales, are rounded half to even."""

from __future__ import annotations

import numpy as np
import pytest
import torch


def tie_weight(rng: torch.Generator, channels: int, width: int) -> np.ndarray:
    """Channel c has scale 2**(c - 4) exactly: its max is 127 * 2**(c - 4), every other value an exact
    half-integer multiple (k + 0.5) * 2**(c - 4), k in [-127, 126], with +-0.5, +-1.5 and +-2.5 always there."""
    rows = []
    for c in range(channels):
        step = 2.0 ** (c - 4)
        k = torch.randint(-127, 127, (width - 7,), generator=rng).double() + 0.5
        ties = torch.cat([torch.tensor([0.5, -0.5, 1.5, -1.5, 2.5, -2.5]), k])
        sign = 1.0 if bool(torch.rand(1, generator=rng) < 0.5) else -1.0
        row = torch.cat([torch.tensor([sign * 127.0]), ties])[torch.randperm(width, generator=rng)] * step
        rows.append(row)
    return torch.stack(rows).numpy()


@pytest.mark.group("rounding")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("axis", [0, 1])
def test_ties_to_even(qc, sub, ref, check, rng, dtype, axis):
    w = tie_weight(rng, 8, 40).astype(dtype)
    if axis == 1:
        w = np.ascontiguousarray(w.T)
    qc.compare(check, sub.quantize(w, axis), ref.quantize(w, axis),
               f"exact ties: channel c has scale 2**(c-4) and values (k + 0.5) * scale, {np.dtype(dtype).name}, "
               f"axis={axis}; round half to EVEN (2.5 -> 2, -3.5 -> -4, 0.5 -> 0), not away from zero")
