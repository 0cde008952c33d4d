"""grouped-query-attention: attention with fewer key/value heads than query heads (see statement.md).

Rules: plain PyTorch tensor operations; torch.softmax and repeat_interleave are allowed.
torch.nn.functional.scaled_dot_product_attention is forbidden.
"""

from __future__ import annotations

import torch


def gqa(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, is_causal: bool = False) -> torch.Tensor:
    """q (B, Hq, T, D), k and v (B, Hkv, S, D) -> (B, Hq, T, D); query head h uses kv head h // (Hq // Hkv)."""
    raise NotImplementedError("gqa is not implemented yet: see statement.md")
