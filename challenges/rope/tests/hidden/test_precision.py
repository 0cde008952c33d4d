"""Hidden tests: positions up to 65535, where float32 angles are off by 1e-3 radians."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("precision")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_large_positions(sub, ref, check, draw, rng, dtype):
    positions = torch.randint(30000, 65536, (16,), generator=rng)
    x = draw(1, 16, 2, 64).to(dtype)
    check(sub.apply_rope(x, positions), ref.apply_rope(x.double(), positions), dtype=dtype,
          name=f"positions from 30000 to 65535, {str(dtype).removeprefix('torch.')} (compute the angles p * theta_i "
               f"and their cos/sin in float64: float32 angles are off by up to 4e-3 radians there)")
