"""Hidden tests: dequantize multiplies each channel by its scale, along the given axis, in float32."""

from __future__ import annotations

import numpy as np
import pytest
import torch


def codes(rng: torch.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return torch.randint(-127, 128, shape, generator=rng).numpy().astype(np.int8)


def scales(rng: torch.Generator, count: int) -> np.ndarray:
    return torch.exp(torch.randn(count, generator=rng, dtype=torch.float64) * 2).numpy().astype(np.float32)


@pytest.mark.group("dequantize")
@pytest.mark.parametrize(("shape", "axis"), [((7, 5), 0), ((7, 5), 1), ((6, 6), -1), ((3, 4, 5), 1),
                                             ((2, 3, 2, 4), 3), ((9,), 0)])
def test_dequantize_axes(sub, ref, check, rng, shape, axis):
    q = codes(rng, shape)
    scale = scales(rng, shape[axis])
    check(sub.dequantize(q, scale, axis), ref.dequantize(q, scale, axis), dtype=torch.float32,
          name=f"dequantize(q of shape {shape}, scale of shape ({shape[axis]},), axis={axis}): q * scale[c] "
               f"along axis {axis}, float32")


@pytest.mark.group("dequantize")
def test_dequantize_default_axis_is_0(sub, ref, check, rng):
    q = codes(rng, (4, 8))
    scale = scales(rng, 4)
    check(sub.dequantize(q, scale), ref.dequantize(q, scale, 0), dtype=torch.float32,
          name="dequantize(q of shape (4, 8), scale of shape (4,)) without axis: axis=0")
