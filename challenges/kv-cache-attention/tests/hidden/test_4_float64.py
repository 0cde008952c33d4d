"""Hidden test: a float64 module over 48 positions, where RoPE angles computed in float32 show."""

from __future__ import annotations

import pytest
import torch


def randn(rng: torch.Generator, *shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=rng, dtype=torch.float64).to(dtype)


F64 = torch.float64


@pytest.mark.group("float64")
def test_long_sequence(make_pair, rng, check):
    pair = make_pair(16, 2, 50, F64)
    x = randn(rng, 1, 48, 16, dtype=F64)
    full = pair.full(x)
    check(pair.sub(x), full, dtype=F64,
          name=f"{pair.what}: forward over 48 positions (RoPE angles p * theta_i in float64)")
    pair.sub.prefill(x[:, :44])
    for t in range(44, 48):
        check(pair.sub.step(x[:, t:t + 1]), full[:, t:t + 1], dtype=F64,
              name=f"{pair.what}: step at position {t} (RoPE angles in float64)")
