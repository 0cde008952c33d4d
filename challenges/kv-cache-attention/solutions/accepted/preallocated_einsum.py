"""ACCEPTED: a preallocated (B, H, max_len, head_dim) cache with a length counter, einsum scores and
RoPE tables kept as non-persistent buffers."""

from __future__ import annotations

import math

import torch
from torch import nn


class KVCacheAttention(nn.Module):
    def __init__(self, d_model, n_heads, max_len, rope_base=10000.0):
        super().__init__()
        if d_model % n_heads:
            raise ValueError("d_model must be divisible by n_heads")
        head_dim = d_model // n_heads
        if head_dim % 2:
            raise ValueError("head_dim must be even")
        self.h, self.dh, self.max_len = n_heads, head_dim, max_len
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        inv = rope_base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
        ang = torch.arange(max_len, dtype=torch.float64)[:, None] * inv[None, :]
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)
        self.kbuf = self.vbuf = None
        self.n = 0

    def _rot(self, x, start):
        t, half = x.shape[2], self.dh // 2
        cos = self.cos[start:start + t].to(x.dtype)
        sin = self.sin[start:start + t].to(x.dtype)
        a, b = x[..., :half], x[..., half:]
        return torch.cat((a * cos - b * sin, b * cos + a * sin), -1)

    def _qkv(self, x, start):
        b, t, _ = x.shape
        split = lambda y: y.reshape(b, t, self.h, self.dh).permute(0, 2, 1, 3)  # noqa: E731
        return (self._rot(split(self.q_proj(x)), start), self._rot(split(self.k_proj(x)), start),
                split(self.v_proj(x)))

    def _out(self, q, k, v, offset):
        s = torch.einsum("bhtd,bhsd->bhts", q, k) / math.sqrt(self.dh)
        t, n = q.shape[2], k.shape[2]
        rows = torch.arange(t)[:, None] + offset
        s = s.masked_fill(torch.arange(n)[None, :] > rows, float("-inf"))
        o = torch.einsum("bhts,bhsd->bhtd", s.softmax(-1), v)
        b = o.shape[0]
        return self.out_proj(o.permute(0, 2, 1, 3).reshape(b, t, self.h * self.dh))

    def forward(self, x):
        if x.shape[1] > self.max_len:
            raise ValueError("sequence longer than max_len")
        q, k, v = self._qkv(x, 0)
        return self._out(q, k, v, 0)

    def prefill(self, x):
        out = self.forward(x)
        _, k, v = self._qkv(x, 0)
        b, t = x.shape[0], x.shape[1]
        self.kbuf = k.new_zeros(b, self.h, self.max_len, self.dh)
        self.vbuf = v.new_zeros(b, self.h, self.max_len, self.dh)
        self.kbuf[:, :, :t] = k
        self.vbuf[:, :, :t] = v
        self.n = t
        return out

    def step(self, x_t):
        if self.kbuf is None:
            raise ValueError("prefill first")
        if self.n == self.max_len:
            raise ValueError("cache full")
        q, k, v = self._qkv(x_t, self.n)
        self.kbuf[:, :, self.n] = k[:, :, 0]
        self.vbuf[:, :, self.n] = v[:, :, 0]
        self.n += 1
        return self._out(q, self.kbuf[:, :, :self.n], self.vbuf[:, :, :self.n], self.n - 1)

    def cache(self):
        return self.kbuf[:, :, :self.n], self.vbuf[:, :, :self.n]
