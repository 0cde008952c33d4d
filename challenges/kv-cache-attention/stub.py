"""kv-cache-attention: causal multi-head self-attention with RoPE and a KV cache (see statement.md).

Rules: plain PyTorch tensor operations and nn.Linear; torch.softmax is allowed.
torch.nn.functional.scaled_dot_product_attention and torch.nn.MultiheadAttention are forbidden.
"""

from __future__ import annotations

import torch
from torch import nn


class KVCacheAttention(nn.Module):
    """Projections q_proj, k_proj, v_proj, out_proj: nn.Linear(d_model, d_model) each."""

    def __init__(self, d_model: int, n_heads: int, max_len: int, rope_base: float = 10000.0) -> None:
        super().__init__()
        raise NotImplementedError("KVCacheAttention.__init__ is not implemented yet: see statement.md")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The full causal pass: (B, T, d_model) -> (B, T, d_model); does not touch the cache."""
        raise NotImplementedError("forward is not implemented yet")

    def prefill(self, x: torch.Tensor) -> torch.Tensor:
        """forward(x), and the cache replaced by the keys and values of these T positions."""
        raise NotImplementedError("prefill is not implemented yet")

    def step(self, x_t: torch.Tensor) -> torch.Tensor:
        """The next token (B, 1, d_model) at position t = the cache's length -> (B, 1, d_model)."""
        raise NotImplementedError("step is not implemented yet")

    def cache(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(k after RoPE, v), each (B, n_heads, t, head_dim)."""
        raise NotImplementedError("cache is not implemented yet")
