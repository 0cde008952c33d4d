"""Hidden tests: rms_norm's values against the float64 reference."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64


@pytest.mark.group("rms_norm")
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape,normalized", [((4, 7, 16), (16,)), ((3, 4, 5), (4, 5)), ((2, 3, 2, 5), [3, 2, 5])])
def test_values(sub, ref, check, rng, randn, dtype, shape, normalized):
    x = randn(rng, *shape, dtype=dtype, scale=1.5, offset=0.8)
    # eps given: the default's own test is test_default_eps
    check(sub.rms_norm(x, normalized, eps=1e-6), ref.rms_norm(x.to(F64), normalized, eps=1e-6), dtype=dtype,
          name=f"rms_norm(x of shape {shape}, normalized_shape={normalized!r}, eps=1e-6) in {str(dtype)[6:]}: "
               f"x / sqrt(mean(x^2) + eps), no mean subtracted, the mean square over {len(normalized)} dimension(s)")


@pytest.mark.group("rms_norm")
def test_weight(sub, ref, check, rng, randn):
    x = randn(rng, 5, 2, 9, dtype=F32)
    weight = randn(rng, 2, 9, dtype=F32, offset=1.0)
    # eps given: a row drawn with a small mean square would make this test the default eps's too
    check(sub.rms_norm(x, (2, 9), weight, eps=1e-6), ref.rms_norm(x.to(F64), (2, 9), weight.to(F64), eps=1e-6),
          dtype=F32, name="rms_norm(x of shape (5, 2, 9), (2, 9), weight, eps=1e-6)")


@pytest.mark.group("rms_norm")
def test_default_eps(sub, ref, check, rng, randn):
    # root mean squares from 1e-4 to 1e-2: there the default eps (1e-6) is a large part of the mean square
    size = torch.logspace(-4, -2, 10, dtype=F64)[:, None]
    x = randn(rng, 10, 20, dtype=F64) * size
    check(sub.rms_norm(x, (20,)), ref.rms_norm(x, (20,)), dtype=F64,
          name="rms_norm of small rows (root mean square 1e-4 to 1e-2) with the default eps, 1e-6")
