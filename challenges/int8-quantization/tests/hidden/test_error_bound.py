"""Hidden tests: the round trip is within half a step of every weight, with per-channel steps.

The bound is computed here from what came back: the submission's own dequantize of its own codes,
against the per-channel scales of the statement's rule (the reference's), not the submission's.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.group("error_bound")
@pytest.mark.parametrize(("shape", "axis", "dtype"), [((64, 48), 0, np.float32), ((64, 48), 1, np.float64),
                                                      ((8, 4, 3, 3), 0, np.float32)])
def test_round_trip_within_half_a_step(qc, sub, ref, rng, shape, axis, dtype):
    # channel magnitudes from 1e-3 to 1e3: one scale for the whole tensor is far too coarse for the small ones
    w = qc.weights(ref, rng, shape, axis, dtype, low=1e-3, high=1e3)
    q, scale = sub.quantize(w, axis)
    C = shape[axis]
    assert scale.shape == (C,), (
        f"quantize(w of shape {shape}, axis={axis}) returned a scale of shape {scale.shape}, expected ({C},): one "
        f"per index along axis {axis}, the max over every other axis")
    back = sub.dequantize(q, scale, axis)
    assert isinstance(back, np.ndarray) and back.shape == w.shape, (
        f"dequantize(*quantize(w)) of shape {shape}: got {type(back).__name__} {getattr(back, 'shape', '')}")
    _, step = ref.quantize(w, axis)
    s = ref.channel_view(step.astype(np.float64), w.ndim, axis % w.ndim)
    err = np.abs(w.astype(np.float64) - back.astype(np.float64))
    bound = s / 2 + 127 * s * 2.0**-24
    bad = err > bound
    if bad.any():
        where = np.unravel_index(int(np.argmax(err / bound)), w.shape)
        raise AssertionError(
            f"|w - dequantize(quantize(w))| exceeds scale_c/2 at {int(bad.sum())} of {w.size} elements "
            f"(w of shape {shape}, axis={axis}, channels of magnitudes 1e-3 to 1e3); worst at {where}: w = "
            f"{w[where]:.6g}, dequantized {back[where]:.6g}, error {err[where]:.3g} > scale_c/2 = "
            f"{s.reshape(-1)[where[axis % w.ndim]] / 2:.3g} (round to nearest, with one scale per channel)")
