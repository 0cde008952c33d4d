"""Hidden tests: float16 and bfloat16 inputs are rotated in float32 and cast back."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("low_precision")
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision(sub, ref, check, draw, offset, dtype):
    x = (draw(2, 16, 4, 64) * 2).to(dtype)
    positions = offset(16, 0, 48)  # small: float32 angles would be as good as float64 here
    name = str(dtype).removeprefix("torch.")
    check(sub.apply_rope(x, positions), ref.apply_rope(x.double(), positions), dtype=dtype,
          name=f"x of shape (2, 16, 4, 64) in {name} (rotate in float32 and cast back to {name}: the output has x's "
               f"dtype)")
