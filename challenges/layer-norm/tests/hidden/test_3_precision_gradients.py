"""Hidden tests: float16/bfloat16 inputs, and gradients through autograd to x, weight and bias."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64
HALF = [torch.float16, torch.bfloat16]


def f64(t: torch.Tensor | None) -> torch.Tensor | None:
    return None if t is None else t.to(F64)


@pytest.mark.group("low_precision")
@pytest.mark.parametrize("dtype", HALF)
def test_half_precision(sub, ref, check, rng, randn, dtype):
    x = randn(rng, 8, 3, 32, dtype=dtype, scale=2.0)
    weight, bias = randn(rng, 3, 32, dtype=dtype, offset=1.0), randn(rng, 3, 32, dtype=dtype)
    what = f"{str(dtype)[6:]} x of shape (8, 3, 32), normalized_shape (3, 32)"
    check(sub.layer_norm(x, (3, 32), weight, bias), ref.layer_norm(x.to(F64), (3, 32), f64(weight), f64(bias)),
          dtype=dtype, name=f"layer_norm of {what}, weight and bias (compute in float32, return x's dtype)")
    check(sub.rms_norm(x, (3, 32), weight, eps=1e-6), ref.rms_norm(x.to(F64), (3, 32), f64(weight), eps=1e-6),
          dtype=dtype,
          name=f"rms_norm of {what} and weight (compute in float32, return x's dtype)")


@pytest.mark.group("low_precision")
def test_large_float16(sub, ref, check, rng, randn):
    # |x| up to ~2000: x^2 and (x - mean)^2 pass float16's largest value (65504); float32 has room
    x = randn(rng, 16, 64, dtype=torch.float16, scale=600.0)
    check(sub.layer_norm(x, (64,)), ref.layer_norm(x.to(F64), (64,)), dtype=torch.float16,
          name="layer_norm of float16 values of magnitude ~600 ((x - mean)^2 overflows float16: compute in float32)")
    check(sub.rms_norm(x, (64,), eps=1e-6), ref.rms_norm(x.to(F64), (64,), eps=1e-6), dtype=torch.float16,
          name="rms_norm of float16 values of magnitude ~600 (x^2 overflows float16: compute in float32)")


def reference_grads(fn, inputs: list[torch.Tensor], grad_output: torch.Tensor, *args) -> list[torch.Tensor]:
    leaves = [t.detach().to(F64).requires_grad_(True) for t in inputs]
    out = fn(leaves[0], args[0], *leaves[1:], *args[1:])
    return list(torch.autograd.grad((out * grad_output.to(F64)).sum(), leaves))


@pytest.mark.group("gradients")
@pytest.mark.parametrize("dtype", [F32, F64])
def test_layer_norm_gradients(sub, ref, check, rng, randn, dtype):
    x = randn(rng, 5, 3, 8, dtype=dtype, scale=1.3, offset=0.4)
    weight, bias = randn(rng, 3, 8, dtype=dtype, offset=1.0), randn(rng, 3, 8, dtype=dtype)
    g = randn(rng, 5, 3, 8, dtype=dtype)
    _, grads = sub.layer_norm.grad(x, (3, 8), weight, bias, wrt=(0, 2, 3), grad_output=g)
    expected = reference_grads(ref.layer_norm, [x, weight, bias], g, (3, 8))
    for got, want, what in zip(grads, expected, ["x", "weight", "bias"]):
        assert got is not None, f"no gradient reached {what}: is it detached from the output?"
        check(got, want, dtype=dtype,
              name=f"d layer_norm / d {what} (x of shape (5, 3, 8), normalized_shape (3, 8), {str(dtype)[6:]}; the "
                   f"mean and the variance depend on x too)")


@pytest.mark.group("gradients")
@pytest.mark.parametrize("dtype", [F32, F64])
def test_rms_norm_gradients(sub, ref, check, rng, randn, dtype):
    x = randn(rng, 4, 2, 9, dtype=dtype, scale=1.1, offset=0.3)
    weight = randn(rng, 2, 9, dtype=dtype, offset=1.0)
    g = randn(rng, 4, 2, 9, dtype=dtype)
    _, grads = sub.rms_norm.grad(x, (2, 9), weight, wrt=(0, 2), grad_output=g)
    expected = reference_grads(ref.rms_norm, [x, weight], g, (2, 9))
    for got, want, what in zip(grads, expected, ["x", "weight"]):
        assert got is not None, f"no gradient reached {what}: is it detached from the output?"
        check(got, want, dtype=dtype,
              name=f"d rms_norm / d {what} (x of shape (4, 2, 9), normalized_shape (2, 9), {str(dtype)[6:]}; the "
                   f"mean square depends on x too)")
