"""Hidden tests: invalid head counts and mismatched shapes raise ValueError.
"""

from __future__ import annotations

import pytest
import torch

pytestmark = pytest.mark.group("errors")


def zeros(*shape: int) -> torch.Tensor:
    return torch.zeros(*shape)


@pytest.mark.parametrize("embed_dim,num_heads", [(10, 3), (16, 5)])
def test_bad_head_count(sub, raises_value_error, embed_dim, num_heads):
    raises_value_error(lambda: sub.MultiHeadAttention.new(embed_dim, num_heads),
                       f"MultiHeadAttention({embed_dim}, {num_heads}): {embed_dim} is not divisible by {num_heads}")


def test_bad_forward_shapes(sub, raises_value_error):
    module = sub.MultiHeadAttention.new(16, 4)
    cases = [
        ((zeros(2, 5, 12), zeros(2, 5, 16), zeros(2, 5, 16)), {}, "query with 12 features, embed_dim=16"),
        ((zeros(2, 5, 16), zeros(2, 5, 8), zeros(2, 5, 16)), {}, "key with 8 features, kdim=16"),
        ((zeros(2, 5, 16), zeros(2, 5, 16), zeros(2, 5, 8)), {}, "value with 8 features, vdim=16"),
        ((zeros(2, 5, 16), zeros(2, 6, 16), zeros(2, 7, 16)), {}, "key of length 6, value of length 7"),
        ((zeros(2, 5, 16), zeros(3, 6, 16), zeros(3, 6, 16)), {}, "query batch 2, key/value batch 3"),
        ((zeros(5, 16), zeros(5, 16), zeros(5, 16)), {}, "2-D inputs (a 3-D batch is required)"),
        ((zeros(2, 5, 16), zeros(2, 6, 16), zeros(2, 6, 16)), {"key_padding_mask": torch.zeros(2, 5, dtype=bool)},
         "key_padding_mask (2, 5) for N=2, S=6"),
        ((zeros(2, 5, 16), zeros(2, 6, 16), zeros(2, 6, 16)), {"key_padding_mask": torch.zeros(2, 1, dtype=bool)},
         "key_padding_mask (2, 1) for N=2, S=6 (it would broadcast, but must be (N, S))"),
        ((zeros(2, 5, 16), zeros(2, 6, 16), zeros(2, 6, 16)), {"key_padding_mask": torch.zeros(1, 6, dtype=bool)},
         "key_padding_mask (1, 6) for N=2, S=6 (it would broadcast, but must be (N, S))"),
    ]
    for args, kwargs, what in cases:
        raises_value_error(lambda args=args, kwargs=kwargs: module(*args, **kwargs), f"forward with {what}")


def test_bad_sdpa_shapes(sub, raises_value_error):
    cases = [
        ((zeros(2, 4, 8), zeros(2, 6, 7), zeros(2, 6, 8)), {}, "q with E=8, k with E=7"),
        ((zeros(2, 4, 8), zeros(2, 6, 8), zeros(2, 5, 8)), {}, "k with S=6, v with S=5"),
        ((zeros(2, 4, 8), zeros(2, 6, 8), zeros(2, 6, 8)), {"attn_mask": torch.ones(4, 5, dtype=bool)},
         "attn_mask (4, 5) for scores (2, 4, 6)"),
        ((zeros(1, 4, 8), zeros(3, 6, 8), zeros(3, 6, 8)), {},
         "q with batch dimensions (1,), k and v with (3,) (they would broadcast, but must be the same)"),
        ((zeros(8), zeros(6, 8), zeros(6, 8)), {}, "a 1-D q (at least 2 dimensions are required)"),
    ]
    for args, kwargs, what in cases:
        raises_value_error(lambda args=args, kwargs=kwargs: sub.scaled_dot_product_attention(*args, **kwargs),
                           f"scaled_dot_product_attention with {what}")
