"""Shared helpers of the int8-quantization hidden tests (trusted side): weights and comparisons.

Every weight is drawn so that no quotient w / scale lies within ``TIE_MARGIN`` of a half-integer (the
statement promises it): a solution that divides in float32 instead of float64 then rounds every
element the same way as the reference, and only the exact ties the rounding tests build are ties.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

Check = Callable[..., Any]  # the `check` fixture
TIE_MARGIN = 1e-3


def _to_numpy(values: torch.Tensor, dtype: Any) -> np.ndarray:
    return values.numpy().astype(dtype)


def channel_factors(rng: torch.Generator, count: int, low: float = 1e-2, high: float = 1e2) -> torch.Tensor:
    """Log-uniform magnitudes in [low, high), one per channel, sorted into a random order."""
    u = torch.rand(count, generator=rng, dtype=torch.float64)
    return torch.exp(np.log(low) + u * (np.log(high) - np.log(low)))


def weights(ref: Any, rng: torch.Generator, shape: tuple[int, ...], axis: int, dtype: Any = np.float32,
            low: float = 1e-2, high: float = 1e2) -> np.ndarray:
    """A weight whose channels along ``axis`` have magnitudes spread over [low, high), away from ties."""
    ax = axis % len(shape)
    base = torch.randn(*shape, generator=rng, dtype=torch.float64)
    view = [1] * len(shape)
    view[ax] = shape[ax]
    w = _to_numpy(base * channel_factors(rng, shape[ax], low, high).reshape(view), dtype)
    return away_from_ties(ref, w, ax)


def away_from_ties(ref: Any, w: np.ndarray, axis: int) -> np.ndarray:
    """``w`` with every element whose quotient (by the scale quantize computes) is near a half-integer
    moved 0.01 steps toward zero.

    Moving toward zero never changes a channel's max |w| (the max's own quotient is 127 up to float32
    rounding, far from a half-integer), so the scales, and the margins of the other elements, stay.
    """
    _, scale = ref.quantize(w, axis)
    return away_from_ties_given(w, ref.channel_view(scale.astype(np.float64), w.ndim, axis % w.ndim))


def away_from_ties_given(w: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``w`` with every element whose quotient by ``s`` (broadcast) is near a half-integer moved 0.01 steps
    toward zero, in w's dtype."""
    r = w.astype(np.float64) / s
    near = np.abs(np.abs(r) % 1.0 - 0.5) < 2 * TIE_MARGIN
    moved = np.where(near, w.astype(np.float64) - np.sign(r) * 0.01 * s, w).astype(w.dtype)
    r = moved.astype(np.float64) / s
    assert not (np.abs(np.abs(r) % 1.0 - 0.5) < TIE_MARGIN).any(), "the tie margin could not be established"
    return moved


def compare(check: Check, result: Any, want: tuple[np.ndarray, np.ndarray], case: str) -> tuple[Any, Any]:
    """Check quantize's (q, scale) against the reference's: codes exactly, scales to float32 rounding."""
    q, scale = result
    want_q, want_scale = want
    check(scale, want_scale, dtype=torch.float32, allow_constant=True,
          name=f"scale ({case}; scale_c = max|w| over channel c / 127, in float64, rounded to float32; an "
               f"all-zero channel gets 1)")
    check(q, want_q, dtype=torch.int8, allow_constant=True,
          name=f"q ({case}; q = clip(round_half_even(w / scale_c), -127, 127) as int8)")
    return q, scale
