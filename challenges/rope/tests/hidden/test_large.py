"""Hidden test: a (2, 1024, 8, 64) tensor within the time limit (vectorized)."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("large")
def test_large(sub, ref, check, draw):
    x = draw(2, 1024, 8, 64).float()
    positions = torch.arange(1024)
    check(sub.apply_rope(x, positions), ref.apply_rope(x.double(), positions), dtype=torch.float32,
          name="x of shape (2, 1024, 8, 64), float32, positions 0..1023")
