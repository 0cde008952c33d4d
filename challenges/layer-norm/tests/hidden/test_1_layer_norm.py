"""Hidden tests: layer_norm's values against the float64 reference (trailing dimensions, affine, eps)."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64

#: (x's shape, normalized_shape): one, two and three trailing dimensions, tuples and lists
SHAPES = [((4, 7, 16), (16,)), ((3, 4, 5), (4, 5)), ((2, 3, 4, 5), [3, 4, 5]), ((6, 2, 8), [2, 8])]


def name_of(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


@pytest.mark.group("layer_norm_values")
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape,normalized", SHAPES)
def test_values(sub, ref, check, rng, randn, dtype, shape, normalized):
    x = randn(rng, *shape, dtype=dtype, scale=2.0, offset=0.5)
    check(sub.layer_norm(x, normalized), ref.layer_norm(x.to(F64), normalized), dtype=dtype,
          name=f"layer_norm(x of shape {shape}, normalized_shape={normalized!r}) in {name_of(dtype)}: the "
               f"statistics of each row are over the last {len(normalized)} dimension(s) together, variance / n")


@pytest.mark.group("layer_norm_values")
def test_int_normalized_shape(sub, ref, check, rng, randn):
    x = randn(rng, 5, 3, 12, dtype=F64)
    check(sub.layer_norm(x, 12), ref.layer_norm(x, (12,)), dtype=F64,
          name="layer_norm(x of shape (5, 3, 12), normalized_shape=12): an int D means (D,)")
    check(sub.rms_norm(x, 12), ref.rms_norm(x, (12,)), dtype=F64,
          name="rms_norm(x of shape (5, 3, 12), normalized_shape=12): an int D means (D,)")


@pytest.mark.group("layer_norm_values")
def test_rows_far_from_zero(sub, ref, check, rng, randn):
    # 30 +- 1 in float32: mean(x^2) - mean^2 loses about 1e-4 of a variance of 1, the centred form does not
    x = randn(rng, 64, 256, dtype=F32, offset=30.0)
    check(sub.layer_norm(x, (256,)), ref.layer_norm(x.to(F64), (256,)), dtype=F32,
          name="layer_norm of float32 rows of 30 +- 1, shape (64, 256) (compute the variance from the centred "
               "values: mean(x^2) - mean^2 cancels in float32)")


AFFINE = {"weight": "weight only", "bias": "bias only", "both": "weight and bias"}


@pytest.mark.group("affine")
@pytest.mark.parametrize("which", ["weight", "bias", "both"])
def test_affine(sub, ref, check, rng, randn, which):
    x = randn(rng, 6, 3, 10, dtype=F32, scale=1.5)
    weight = randn(rng, 3, 10, dtype=F32, offset=1.0) if which in ("weight", "both") else None
    bias = randn(rng, 3, 10, dtype=F32) if which in ("bias", "both") else None
    check(sub.layer_norm(x, (3, 10), weight, bias),
          ref.layer_norm(x.to(F64), (3, 10), None if weight is None else weight.to(F64),
                         None if bias is None else bias.to(F64)), dtype=F32,
          name=f"layer_norm(x of shape (6, 3, 10), (3, 10)) with {AFFINE[which]} (each is applied when it is given, "
               f"whether or not the other is)")


@pytest.mark.group("eps")
@pytest.mark.parametrize("with_bias", [False, True])
def test_constant_rows(sub, ref, check, rng, randn, with_bias):
    # constants k / 4: their float32 mean is exact, so the centred rows are exactly 0 (as in float64)
    x = (torch.randint(-12, 13, (5, 1, 1), generator=rng) / 4).to(F32).expand(5, 4, 6).contiguous()
    x[2] = 0.0
    bias = randn(rng, 4, 6, dtype=F32) if with_bias else None
    expected = ref.layer_norm(x.to(F64), (4, 6), None, None if bias is None else bias.to(F64))
    check(sub.layer_norm(x, (4, 6), None, bias), expected, dtype=F32, allow_constant=not with_bias,
          name=f"layer_norm of constant rows (variance 0){' with a bias' if with_bias else ''}: "
               f"{'the bias' if with_bias else 'zeros'}, not NaN")


@pytest.mark.group("eps")
def test_variance_near_eps(sub, ref, check, rng, randn):
    # rows whose spread runs from 1e-4 to 1: sqrt(var + eps) and sqrt(var) + eps differ most where var ~ eps
    spread = torch.logspace(-4, 0, 12, dtype=F64)[:, None]
    x = (randn(rng, 12, 32, dtype=F64) * spread).to(F32)
    check(sub.layer_norm(x, (32,)), ref.layer_norm(x.to(F64), (32,)), dtype=F32,
          name="layer_norm of rows with standard deviations from 1e-4 to 1, default eps 1e-5 (eps goes inside the "
               "square root: (x - mean) / sqrt(var + eps))")


@pytest.mark.group("eps")
@pytest.mark.parametrize("eps", [0.0, 1e-3, 0.5])
def test_custom_eps(sub, ref, check, rng, randn, eps):
    x = randn(rng, 8, 24, dtype=F64, scale=0.7)
    check(sub.layer_norm(x, (24,), eps=eps), ref.layer_norm(x, (24,), eps=eps), dtype=F64,
          name=f"layer_norm(x of shape (8, 24), (24,), eps={eps}) in float64 (eps is the argument's value)")
    check(sub.rms_norm(x, (24,), eps=eps), ref.rms_norm(x, (24,), eps=eps), dtype=F64,
          name=f"rms_norm(x of shape (8, 24), (24,), eps={eps}) in float64 (eps is the argument's value)")
