"""Reference solution for attention (trusted side only).

Tests call it in float64 to get the expected values and gradients. Every mask
is folded into one additive float mask (0 = keep, -inf = excluded) before the
softmax; the softmax subtracts the row maximum, and a row whose keys are all
excluded gets weights 0 (so its output is 0 and no NaN reaches the gradients).
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _broadcasts_to(shape: torch.Size, target: torch.Size) -> bool:
    # (torch.broadcast_shapes would do, but its first call imports ~500 modules: a second per worker.)
    return len(shape) <= len(target) and all(a in (1, b) for a, b in zip(reversed(shape), reversed(target)))


def _as_additive(mask: torch.Tensor, *, true_means_keep: bool, dtype: torch.dtype) -> torch.Tensor:
    """A boolean or float mask as an additive float mask (0 keep, -inf excluded)."""
    if mask.dtype == torch.bool:
        excluded = ~mask if true_means_keep else mask
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(excluded, float("-inf"))
    if mask.is_floating_point():
        return mask.to(dtype)
    raise ValueError(f"a mask must be bool or floating point, got {mask.dtype}")


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 attn_mask: torch.Tensor | None = None, is_causal: bool = False) -> torch.Tensor:
    """softmax(q @ k^T / sqrt(E) + mask) @ v for q (..., L, E), k (..., S, E), v (..., S, Ev)."""
    if q.dim() < 2 or k.dim() < 2 or v.dim() < 2:
        raise ValueError(f"q, k and v need at least 2 dimensions (..., seq, features); got shapes "
                         f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last dimension E; got q {tuple(q.shape)} and k "
                         f"{tuple(k.shape)}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same sequence length S (dim -2); got k {tuple(k.shape)} "
                         f"and v {tuple(v.shape)}")
    if not (q.shape[:-2] == k.shape[:-2] == v.shape[:-2]):
        raise ValueError(f"q, k and v must have the same leading (batch) dimensions; got "
                         f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    work = q.dtype if q.dtype == torch.float64 else torch.float32
    L, S, E = q.shape[-2], k.shape[-2], q.shape[-1]
    scores = (q.to(work) @ k.to(work).transpose(-2, -1)) * (1.0 / math.sqrt(E))
    if attn_mask is not None:
        if not _broadcasts_to(attn_mask.shape, scores.shape):
            raise ValueError(f"attn_mask of shape {tuple(attn_mask.shape)} does not broadcast to the "
                             f"scores' shape {tuple(scores.shape)} (..., L, S)")
        scores = scores + _as_additive(attn_mask, true_means_keep=True, dtype=work)
    if is_causal:
        future = torch.ones(L, S, dtype=torch.bool, device=q.device).triu(diagonal=1)
        scores = scores.masked_fill(future, float("-inf"))
    top = scores.amax(dim=-1, keepdim=True)
    top = torch.where(torch.isfinite(top), top, torch.zeros_like(top)).detach()
    e = torch.exp(scores - top)
    total = e.sum(dim=-1, keepdim=True)
    weights = e / torch.where(total > 0, total, torch.ones_like(total))
    return (weights @ v.to(work)).to(q.dtype)


class MultiHeadAttention(nn.Module):
    """Multi-head attention with separate q/k/v/out projections (see statement.md)."""

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True, batch_first: bool = True,
                 kdim: int | None = None, vdim: int | None = None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be positive; got {embed_dim} and {num_heads}")
        if embed_dim % num_heads != 0:
            raise ValueError(f"embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})")
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.batch_first = batch_first
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = nn.Linear(self.kdim, embed_dim, bias=bias)
        self.v_proj = nn.Linear(self.vdim, embed_dim, bias=bias)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                key_padding_mask: torch.Tensor | None = None, attn_mask: torch.Tensor | None = None,
                is_causal: bool = False) -> torch.Tensor:
        for name, x, dim in (("query", query, self.embed_dim), ("key", key, self.kdim),
                             ("value", value, self.vdim)):
            if x.dim() != 3 or x.shape[-1] != dim:
                raise ValueError(f"{name} must be 3-D with last dimension {dim}; got shape {tuple(x.shape)}")
        if not self.batch_first:
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        n, length, _ = query.shape
        s = key.shape[1]
        if key.shape[0] != n or value.shape[0] != n:
            raise ValueError(f"query, key and value must have the same batch size; got {n}, {key.shape[0]}, "
                             f"{value.shape[0]}")
        if value.shape[1] != s:
            raise ValueError(f"key and value must have the same length; got {s} and {value.shape[1]}")
        h, d = self.num_heads, self.head_dim
        q = self.q_proj(query).view(n, length, h, d).transpose(1, 2)
        k = self.k_proj(key).view(n, s, h, d).transpose(1, 2)
        v = self.v_proj(value).view(n, s, h, d).transpose(1, 2)
        mask = None
        if attn_mask is not None:
            if not _broadcasts_to(attn_mask.shape, torch.Size((n, h, length, s))):
                raise ValueError(f"attn_mask of shape {tuple(attn_mask.shape)} does not broadcast to "
                                 f"(N, num_heads, L, S) = {(n, h, length, s)}")
            mask = _as_additive(attn_mask, true_means_keep=False, dtype=q.dtype)
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (n, s):
                raise ValueError(f"key_padding_mask must have shape (N, S) = {(n, s)}; got "
                                 f"{tuple(key_padding_mask.shape)}")
            pad = _as_additive(key_padding_mask, true_means_keep=False, dtype=q.dtype)[:, None, None, :]
            mask = pad if mask is None else mask + pad
        out = scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal)
        out = self.out_proj(out.transpose(1, 2).reshape(n, length, self.embed_dim))
        return out if self.batch_first else out.transpose(0, 1)
