"""Hidden tests: a given scale is used as it is; codes beyond +-127 saturate there, never at -128."""

from __future__ import annotations

import numpy as np
import pytest
import torch


@pytest.mark.group("given_scale")
@pytest.mark.parametrize("axis", [0, -1])
def test_given_scale_saturates(qc, sub, ref, check, rng, axis):
    C, width = 6, 40
    scale = torch.exp(torch.rand(C, generator=rng, dtype=torch.float64) * 4 - 7).numpy().astype(np.float32)
    s = scale.astype(np.float64)[:, None]
    # quotients from -260 to 260: about half saturate; -200 and +300 are always there
    w = (torch.rand(C, width, generator=rng, dtype=torch.float64).numpy() * 520 - 260) * s
    w[:, 0], w[:, 1] = -200.0 * s[:, 0], 300.0 * s[:, 0]
    w = qc.away_from_ties_given(w, s).astype(np.float32)
    if axis == -1:
        w = np.ascontiguousarray(w.T)
    qc.compare(check, sub.quantize(w, axis, scale=scale.copy()), ref.quantize(w, axis, scale=scale),
               f"a given scale (shape ({C},), axis={axis}) with quotients w/scale from -260 to 260: use the given "
               f"scale as it is; beyond +-127 the codes saturate at +-127 (clip before the cast to int8; -128 "
               f"never appears)")


@pytest.mark.group("given_scale")
def test_given_scale_equal_to_computed(qc, sub, ref, check, rng):
    w = qc.weights(ref, rng, (12, 15), 0)
    _, scale = ref.quantize(w, 0)
    qc.compare(check, sub.quantize(w, 0, scale=scale.copy()), ref.quantize(w, 0),
               "the scale given is the one quantize(w) computes: the same codes")


@pytest.mark.group("given_scale")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturation_boundary(qc, sub, ref, check, dtype):
    """Quotients on each side of +-127 and of the ties +-127.5, exact on the power-of-two scales 1 and 1/2."""
    r = np.array([126.5, 127.0, 127.4, 127.5, 128.0, 200.0, -126.5, -127.0, -127.4, -127.5, -128.0, -200.0])
    scale = np.array([1.0, 0.5], dtype=np.float32)
    w = np.stack([r * 1.0, r * 0.5]).astype(dtype)
    qc.compare(check, sub.quantize(w, 0, scale=scale.copy()), ref.quantize(w, 0, scale=scale),
               "quotients 126.5, 127, 127.4, 127.5, 128, 200 and their negatives on given scales 1 and 1/2: "
               "126.5 -> 126 (ties to even), 127.5 -> 128 -> 127, -127.5 -> -128 -> -127 (-128 never appears; "
               "clip before the cast to int8)")
