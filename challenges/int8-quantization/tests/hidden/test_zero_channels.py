"""Hidden tests: all-zero channels get scale 1 and codes 0; nothing is NaN."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.group("zero_channels")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tiny_channels_are_not_zero(qc, sub, ref, check, rng, dtype):
    """Only a channel that is exactly zero gets scale 1: max |w| of 1e-30 still gets max / 127."""
    tiny = np.array([1e-30, 3e-25, 1e-20, 2e-15, 1e-10, 1e-6, 1e-3, 1.0])
    w = qc.weights(ref, rng, (8, 10), 0, dtype, low=1.0, high=2.0)
    w = qc.away_from_ties(ref, (w / np.abs(w).max(axis=1, keepdims=True) * tiny[:, None]).astype(dtype), 0)
    qc.compare(check, sub.quantize(w, 0), ref.quantize(w, 0),
               "channels whose max |w| is 1e-30, 3e-25, 1e-20, 2e-15, 1e-10, 1e-6, 1e-3 and 1: only an all-zero "
               "channel gets scale 1; every other one max|w| / 127, however small (no epsilon clamp)")


@pytest.mark.group("zero_channels")
@pytest.mark.parametrize("axis", [0, 1])
def test_zero_channels(qc, sub, ref, check, rng, axis):
    w = qc.weights(ref, rng, (10, 7) if axis == 0 else (7, 10), axis)
    zero = [0, 3, 9]
    index = (zero, slice(None)) if axis == 0 else (slice(None), zero)
    w[index] = 0.0
    if axis == 0:
        w[3, ::2] = -0.0
    else:
        w[::2, 3] = -0.0
    q, scale = qc.compare(check, sub.quantize(w, axis), ref.quantize(w, axis),
                          f"channels {zero} of axis {axis} all zero (-0.0 in channel 3): their scale is 1.0, "
                          f"their codes 0")
    check(sub.dequantize(q, scale, axis), ref.dequantize(*ref.quantize(w, axis), axis), allow_constant=True,
          name=f"dequantize of a weight with all-zero channels {zero}: exactly 0 there")


@pytest.mark.group("zero_channels")
def test_all_zero(qc, sub, ref, check):
    w = np.zeros((5, 4), dtype=np.float32)
    qc.compare(check, sub.quantize(w), ref.quantize(w), "an all-zero (5, 4) weight: every scale 1.0, every code 0")
