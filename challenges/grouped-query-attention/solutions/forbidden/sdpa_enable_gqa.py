"""FORBIDDEN: F.scaled_dot_product_attention does grouped-query attention itself (enable_gqa)."""

from __future__ import annotations

import torch.nn.functional as F


def gqa(q, k, v, is_causal=False):
    if q.shape[1] % k.shape[1]:
        raise ValueError("Hq must be divisible by Hkv")
    if is_causal and q.shape[2] > k.shape[2]:
        raise ValueError("T > S")
    g = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(g, dim=1), v.repeat_interleave(g, dim=1)
    s, t = k.shape[2], q.shape[2]
    import torch
    mask = torch.ones(t, s, dtype=torch.bool).tril(s - t) if is_causal else None
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
