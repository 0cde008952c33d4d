"""Wrong (rule error-forward-shapes): does not check value's last dimension against vdim (nn.Linear then
raises its own RuntimeError, not ValueError)."""


from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def _keep_and_bias(attn_mask, is_causal, shape, dtype, device):
    """(keep: bool or None, bias: float or None) for the (..., L, S) scores."""
    keep = bias = None
    if attn_mask is not None:
        try:
            attn_mask.expand(shape)
        except RuntimeError as exc:
            raise ValueError(f"attn_mask {tuple(attn_mask.shape)} cannot broadcast to scores {tuple(shape)}") from exc
        if attn_mask.dtype == torch.bool:
            keep = attn_mask
        else:
            bias = attn_mask.to(dtype)
            keep = bias != float("-inf")
    if is_causal:
        L, S = shape[-2], shape[-1]
        causal = torch.tril(torch.ones(L, S, dtype=torch.bool, device=device))
        keep = causal if keep is None else keep & causal
    return keep, bias


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False):
    if min(q.ndim, k.ndim, v.ndim) < 2:
        raise ValueError("q, k, v must be at least 2-D")
    if q.size(-1) != k.size(-1):
        raise ValueError(f"q has E={q.size(-1)} but k has E={k.size(-1)}")
    if k.size(-2) != v.size(-2):
        raise ValueError(f"k has S={k.size(-2)} but v has S={v.size(-2)}")
    if not (q.shape[:-2] == k.shape[:-2] == v.shape[:-2]):
        raise ValueError("q, k and v must share their batch dimensions")
    scores = torch.einsum("...le,...se->...ls", q, k) / math.sqrt(q.size(-1))
    keep, bias = _keep_and_bias(attn_mask, is_causal, scores.shape, scores.dtype, scores.device)
    if bias is not None:
        scores = scores + bias
    if keep is not None:
        keep = keep.expand(scores.shape)
        scores = scores.masked_fill(~keep, torch.finfo(scores.dtype).min)
    weights = F.softmax(scores, dim=-1)
    if keep is not None:
        weights = torch.where(keep, weights, torch.zeros_like(weights))
        weights = torch.where(keep.any(dim=-1, keepdim=True), weights, torch.zeros_like(weights))
    return torch.einsum("...ls,...sd->...ld", weights, v)


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True, batch_first=True, kdim=None, vdim=None):
        super().__init__()
        if num_heads <= 0 or embed_dim % num_heads:
            raise ValueError(f"num_heads={num_heads} must divide embed_dim={embed_dim}")
        self.embed_dim, self.num_heads, self.batch_first = embed_dim, num_heads, batch_first
        self.kdim, self.vdim = kdim or embed_dim, vdim or embed_dim
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = nn.Linear(self.kdim, embed_dim, bias=bias)
        self.v_proj = nn.Linear(self.vdim, embed_dim, bias=bias)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def _heads(self, x):
        # (N, T, E) -> (N, H, T, d) via einsum-friendly view
        n, t, _ = x.shape
        return x.view(n, t, self.num_heads, -1).permute(0, 2, 1, 3)

    def forward(self, query, key, value, key_padding_mask=None, attn_mask=None, is_causal=False):
        if query.ndim != 3 or key.ndim != 3 or value.ndim != 3:
            raise ValueError("query, key and value must be 3-D")
        if query.size(-1) != self.embed_dim or key.size(-1) != self.kdim:
            raise ValueError(f"feature sizes {query.size(-1)}, {key.size(-1)}, {value.size(-1)} do not match "
                             f"embed_dim={self.embed_dim}, kdim={self.kdim}, vdim={self.vdim}")
        if not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        n, L = query.shape[:2]
        if key.shape[:2] != value.shape[:2] or key.size(0) != n:
            raise ValueError("batch sizes or key/value lengths differ")
        S = key.size(1)
        q, k, v = self._heads(self.q_proj(query)), self._heads(self.k_proj(key)), self._heads(self.v_proj(value))
        mask = None  # bool keep-mask or float additive mask, broadcast to (N, H, L, S)
        if attn_mask is not None:
            mask = ~attn_mask if attn_mask.dtype == torch.bool else attn_mask.to(q.dtype)
            try:
                mask = mask.expand(n, self.num_heads, L, S)
            except RuntimeError as exc:
                raise ValueError(f"attn_mask {tuple(attn_mask.shape)} does not fit (N, H, L, S)") from exc
        if key_padding_mask is not None:
            if key_padding_mask.shape != (n, S):
                raise ValueError(f"key_padding_mask must be {(n, S)}, got {tuple(key_padding_mask.shape)}")
            if key_padding_mask.dtype == torch.bool:
                pad = key_padding_mask[:, None, None, :]
                if mask is None:
                    mask = ~pad
                elif mask.dtype == torch.bool:
                    mask = mask & ~pad
                else:
                    mask = mask.masked_fill(pad, float("-inf"))
            else:  # a float key_padding_mask is added to the scores, like a float attn_mask
                bias = key_padding_mask.to(q.dtype)[:, None, None, :]
                if mask is not None and mask.dtype == torch.bool:
                    mask = torch.zeros(mask.shape, dtype=q.dtype, device=q.device).masked_fill(~mask, float("-inf"))
                mask = bias.expand(n, self.num_heads, L, S) if mask is None else mask + bias
        out = scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal)
        out = self.out_proj(out.permute(0, 2, 1, 3).reshape(n, L, self.embed_dim))
        return out if self.batch_first else out.transpose(0, 1)
