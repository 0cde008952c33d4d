"""attention: implement scaled_dot_product_attention and MultiHeadAttention (see statement.md).

Rules: plain PyTorch tensor operations and nn.Linear. torch.nn.functional.scaled_dot_product_attention,
torch.nn.MultiheadAttention and torch.nn.functional.multi_head_attention_forward are forbidden.
torch.softmax / torch.nn.functional.softmax are allowed.
"""

from __future__ import annotations

import torch
from torch import nn


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    is_causal: bool = False,
) -> torch.Tensor:
    """softmax(q @ k^T / sqrt(E) + mask) @ v for q (..., L, E), k (..., S, E), v (..., S, Ev) -> (..., L, Ev).

    attn_mask: bool (True = attend) or float (added to the scores), broadcastable to (..., L, S).
    is_causal: query i attends only to keys j <= i.
    """
    raise NotImplementedError("scaled_dot_product_attention is not implemented yet: see statement.md")


class MultiHeadAttention(nn.Module):
    """Multi-head attention with projections named q_proj, k_proj, v_proj and out_proj (nn.Linear each)."""

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        bias: bool = True,
        batch_first: bool = True,
        kdim: int | None = None,
        vdim: int | None = None,
    ) -> None:
        super().__init__()
        raise NotImplementedError("MultiHeadAttention.__init__ is not implemented yet: see statement.md")

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        attn_mask: torch.Tensor | None = None,
        is_causal: bool = False,
    ) -> torch.Tensor:
        """Return the attention output only (N, L, E) (or (L, N, E) when batch_first=False)."""
        raise NotImplementedError("MultiHeadAttention.forward is not implemented yet: see statement.md")
