"""Hidden tests that kill mutants of the reference the other tests let through (``mlj verify --mutants``):
the smallest valid head counts, and each shape error of the statement on its own."""

from __future__ import annotations

import pytest
import torch

F64 = torch.float64


def zeros(*shape: int) -> torch.Tensor:
    return torch.zeros(*shape)


@pytest.mark.group("mha_self_attention")
@pytest.mark.parametrize("E,H", [(8, 1), (1, 1)])
def test_smallest_valid_head_counts(check, rng, put, make_mha, E, H):
    """num_heads=1 (one head of size embed_dim) and embed_dim=1 are valid: both divide evenly."""
    module, expected = make_mha(E, H, F64)
    x = torch.randn(2, 4, E, generator=rng, dtype=F64)
    got = module(put(x), put(x), put(x))
    with torch.no_grad():
        want = expected(x, x, x)
    check(got, want, dtype=F64, name=f"self-attention with embed_dim={E}, num_heads={H} (query (2, 4, {E}))")


@pytest.mark.group("errors")
def test_sdpa_each_input_with_fewer_than_2_dims(sub, raises_value_error):
    q, k, v = zeros(4, 8), zeros(6, 8), zeros(6, 8)
    for name, args in (("q", (zeros(8), k, v)), ("k", (q, zeros(8), v)), ("v", (q, k, zeros(8)))):
        raises_value_error(lambda args=args: sub.scaled_dot_product_attention(*args),
                           f"scaled_dot_product_attention with a 1-D {name} (the others 2-D)")


@pytest.mark.group("errors")
def test_forward_batch_of_key_or_value_alone_differs(sub, raises_value_error):
    module = sub.MultiHeadAttention.new(16, 4)
    for what, key_batch, value_batch in (("key", 3, 2), ("value", 2, 3)):
        raises_value_error(lambda kb=key_batch, vb=value_batch: module(zeros(2, 5, 16), zeros(kb, 6, 16),
                                                                       zeros(vb, 6, 16)),
                           f"forward with query batch 2 and only the {what} of batch 3")
