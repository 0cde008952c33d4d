"""WRONG: softmax over the queries (dim=-2) instead of over the keys (dim=-1)."""

from __future__ import annotations

import math

import torch
from torch import nn


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False):
    if q.dim() < 2 or k.dim() < 2 or v.dim() < 2:
        raise ValueError("q, k, v must be at least 2-D")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same E, got {q.shape[-1]} and {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same S, got {k.shape[-2]} and {v.shape[-2]}")
    if not (q.shape[:-2] == k.shape[:-2] == v.shape[:-2]):
        raise ValueError("q, k and v must have the same batch dimensions")
    L, S = q.shape[-2], k.shape[-2]
    orig = q.dtype
    if orig in (torch.float16, torch.bfloat16):
        q, k, v = q.float(), k.float(), v.float()
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if attn_mask is not None:
        try:
            torch.broadcast_to(attn_mask, scores.shape)
        except RuntimeError as exc:
            raise ValueError(f"attn_mask {tuple(attn_mask.shape)} does not broadcast to {tuple(scores.shape)}") from exc
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask.to(scores.dtype)
    if is_causal:
        allowed = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
        scores = scores.masked_fill(~allowed, float("-inf"))
    col_max = scores.amax(dim=-2, keepdim=True).detach()
    col_max = torch.where(torch.isinf(col_max), torch.zeros_like(col_max), col_max)
    e = torch.exp(scores - col_max)
    denom = e.sum(dim=-2, keepdim=True)  # normalises each key's column, not each query's row
    weights = e / torch.where(denom > 0, denom, torch.ones_like(denom))
    return (weights @ v).to(orig)


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True, batch_first=True, kdim=None, vdim=None):
        super().__init__()
        if embed_dim % num_heads != 0:
            raise ValueError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.batch_first = batch_first
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self.q_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        self.k_proj = nn.Linear(self.kdim, embed_dim, bias=bias)
        self.v_proj = nn.Linear(self.vdim, embed_dim, bias=bias)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def split_heads(self, x):
        B, T, _ = x.shape
        return x.reshape(B, T, self.num_heads, self.head_dim).transpose(1, 2)

    def merge_heads(self, x):
        B, H, T, d = x.shape
        return x.transpose(1, 2).reshape(B, T, H * d)

    def forward(self, query, key, value, key_padding_mask=None, attn_mask=None, is_causal=False):
        if query.dim() != 3 or key.dim() != 3 or value.dim() != 3:
            raise ValueError("query, key and value must be 3-D")
        if query.shape[-1] != self.embed_dim:
            raise ValueError(f"query has {query.shape[-1]} features, expected {self.embed_dim}")
        if key.shape[-1] != self.kdim or value.shape[-1] != self.vdim:
            raise ValueError("key/value feature sizes do not match kdim/vdim")
        if not self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        B, L, _ = query.shape
        S = key.shape[1]
        if key.shape[0] != B or value.shape[0] != B or value.shape[1] != S:
            raise ValueError("query/key/value batch sizes or key/value lengths differ")
        q = self.split_heads(self.q_proj(query))
        k = self.split_heads(self.k_proj(key))
        v = self.split_heads(self.v_proj(value))
        mask = torch.zeros(B, self.num_heads, L, S, dtype=q.dtype, device=q.device)
        if attn_mask is not None:
            try:
                if attn_mask.dtype == torch.bool:
                    mask = mask.masked_fill(attn_mask, float("-inf"))
                else:
                    mask = mask + attn_mask.to(q.dtype)
            except RuntimeError as exc:
                raise ValueError(f"attn_mask {tuple(attn_mask.shape)} does not fit (B, H, L, S)") from exc
        if key_padding_mask is not None:
            if key_padding_mask.shape != (B, S):
                raise ValueError(f"key_padding_mask must be (B, S) = {(B, S)}")
            if key_padding_mask.dtype == torch.bool:
                mask = mask.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
            else:  # a float key_padding_mask is added to the scores
                mask = mask + key_padding_mask.to(q.dtype)[:, None, None, :]
        out = scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal)
        out = self.out_proj(self.merge_heads(out))
        return out if self.batch_first else out.transpose(0, 1)
