"""Hidden tests: the parameters, __init__'s errors and the full causal pass against the float64 reference."""

from __future__ import annotations

import pytest
import torch


def randn(rng: torch.Generator, *shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, generator=rng, dtype=torch.float64).to(dtype)


F32, F64 = torch.float32, torch.float64
FULL = ("forward(x): causal (query i sees keys j <= i), scores / sqrt(head_dim), head h = features "
        "h*head_dim:(h+1)*head_dim, RoPE on the pairs (i, i + head_dim/2) at positions 0..T-1")


@pytest.mark.group("parameters")
def test_parameter_names(make_pair):
    make_pair(16, 4, 8)  # checks the state_dict's names and shapes against the reference's


@pytest.mark.group("parameters")
def test_init_errors(sub, raises_value_error):
    for d_model, n_heads, why in ((10, 4, "d_model not divisible by n_heads"), (12, 4, "head_dim 3 is odd"),
                                  (6, 6, "head_dim 1 is odd")):
        raises_value_error(lambda d=d_model, h=n_heads: sub.KVCacheAttention.new(d, h, 8),
                           f"KVCacheAttention({d_model}, {n_heads}, 8): {why}")
    for d_model, n_heads in ((8, 4), (6, 3)):  # head_dim 2: the smallest even one is valid
        sub.KVCacheAttention.new(d_model, n_heads, 8)


@pytest.mark.group("full_pass")
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("d_model,n_heads,T", [(16, 4, 7), (24, 2, 5), (16, 2, 1)])
def test_forward(make_pair, rng, check, dtype, d_model, n_heads, T):
    pair = make_pair(d_model, n_heads, 8, dtype)
    x = randn(rng, 2, T, d_model, dtype=dtype)
    check(pair.sub(x), pair.full(x), dtype=dtype, name=f"{pair.what}: {FULL} (x {tuple(x.shape)})")


@pytest.mark.group("full_pass")
def test_rope_base(make_pair, rng, check):
    pair = make_pair(16, 2, 8, F64, rope_base=50.0)  # head_dim 8: theta_i = 50 ** (-2i / 8)
    x = randn(rng, 2, 7, 16, dtype=F64)
    check(pair.sub(x), pair.full(x), dtype=F64, name=f"{pair.what}: theta_i = rope_base ** (-2i / head_dim)")
