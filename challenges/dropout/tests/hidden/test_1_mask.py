"""Hidden tests: the exact mask and scale of a seeded draw, its boundary, and other dtypes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

F32, F64 = torch.float32, torch.float64
DRAW = "mask = torch.rand(x.shape, generator=generator, dtype=torch.float32) >= p, kept values times 1 / (1 - p)"


@pytest.mark.group("mask")
@pytest.mark.parametrize("p", [0.1, 0.5, 0.85])
@pytest.mark.parametrize("shape", [(64, 33), (4, 5, 6)])
def test_exact_mask(sub, ref, check, rng, generators, randn, p, shape):
    remote, local, _ = generators(rng)
    x = randn(rng, *shape)
    check(sub.dropout(x, p, generator=remote), ref.dropout(x.to(F64), p, generator=local), dtype=F32,
          name=f"dropout(x of shape {shape}, p={p}) with a seeded generator ({DRAW})")


@pytest.mark.group("boundary")
@pytest.mark.parametrize("shape", [(40, 25), (1000,)])
def test_draw_equal_to_p_is_kept(sub, ref, check, rng, generators, randn, shape):
    remote, local, seed = generators(rng)
    draws = torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=F32).flatten()
    middle = torch.nonzero((draws > 0.2) & (draws < 0.8)).flatten()
    index = int(middle[int(torch.randint(0, len(middle), (), generator=rng))])
    p = float(draws[index])  # a float32 value, exact as a Python float: the draw at `index` equals p
    x = randn(rng, *shape)
    where = tuple(int(i) for i in np.unravel_index(index, shape))  # (torch.unravel_index imports sympy)
    check(sub.dropout(x, p, generator=remote), ref.dropout(x.to(F64), p, generator=local), dtype=F32,
          name=f"dropout(x of shape {shape}, p={p!r}) where the draw at {where} is exactly p: that element is kept "
               f"(keep = draw >= p, not >)")


@pytest.mark.group("dtypes")
@pytest.mark.parametrize("dtype", [F64, torch.float16, torch.bfloat16])
def test_other_dtypes(sub, ref, check, rng, generators, randn, dtype):
    remote, local, _ = generators(rng)
    x = randn(rng, 32, 40, dtype=dtype)
    check(sub.dropout(x, 0.4, generator=remote), ref.dropout(x.to(F64), 0.4, generator=local), dtype=dtype,
          name=f"dropout of a {str(dtype)[6:]} x of shape (32, 40), p=0.4 (the draw is float32 whatever x's dtype; the "
               f"result has x's dtype)")
