"""Hidden tests: the ValueErrors, the boundary k == x.dim(), and inputs left unchanged."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64

BAD = [
    ((2, 4, 5), (3, 5), "(3, 5) for x of shape (2, 4, 5): the last dimension matches, the one before does not"),
    ((2, 4), (3,), "(3,) for x of shape (2, 4)"),
    ((4, 5), (2, 4, 5), "(2, 4, 5) for x of shape (4, 5): more dimensions than x has"),
    ((3, 4), (), "(): an empty normalized_shape"),
]


@pytest.mark.group("errors")
@pytest.mark.parametrize("fn", ["layer_norm", "rms_norm"])
@pytest.mark.parametrize("shape,normalized,what", BAD)
def test_bad_normalized_shape(sub, raises_value_error, fn, shape, normalized, what):
    x = torch.arange(float(torch.Size(shape).numel())).reshape(shape)
    raises_value_error(lambda: getattr(sub, fn)(x, normalized), f"{fn} with normalized_shape {what}")


@pytest.mark.group("errors")
@pytest.mark.parametrize("shape", [(10,), (3, 7)])
def test_every_dimension_normalized(sub, ref, check, rng, randn, shape):
    x = randn(rng, *shape, dtype=F64, scale=2.0)
    what = f"normalized_shape {shape} for x of shape {shape} (k == x.dim() is allowed: one row)"
    check(sub.layer_norm(x, shape), ref.layer_norm(x, shape), dtype=F64, name=f"layer_norm with {what}")
    check(sub.rms_norm(x, list(shape), eps=1e-6), ref.rms_norm(x, shape, eps=1e-6), dtype=F64,
          name=f"rms_norm with {what}")


@pytest.mark.group("inputs")
def test_inputs_not_modified(sub, rng, randn, check):
    """x, weight and bias are made inside the worker, handed over as they are, and read back afterwards.

    A probe inside the worker (the statement says so): what it reads is what the tensors hold there.
    """
    keep = sub.support("layer_norm_support").keep
    x, weight, bias = randn(rng, 4, 3, 6, offset=2.0), randn(rng, 3, 6, offset=1.0), randn(rng, 3, 6)
    remote = [keep.new(t) for t in (x, weight, bias)]
    sub.layer_norm(remote[0], (3, 6), remote[1], remote[2])
    sub.rms_norm(remote[0], (3, 6), remote[1])
    for handle, original, what in zip(remote, (x, weight, bias), ("x", "weight", "bias")):
        check(handle.clone(), original, rtol=0.0, atol=0.0,
              name=f"{what} after layer_norm and rms_norm returned (do not modify {what} in place)")
