# Breaks cache-layout: the cache holds the keys before RoPE (rotated again at every step), not after.
"""WRONG ANSWER: the cache holds the keys before RoPE (rotated again at every step), not after."""


from __future__ import annotations

import math

import torch
from torch import nn


def rope(x: torch.Tensor, positions: torch.Tensor, base: float) -> torch.Tensor:
    """Rotate x (B, H, T, D) by angle positions[t] * base ** (-2i / D) on the pair (i, i + D/2)."""
    half = x.shape[-1] // 2
    exponents = torch.arange(half, dtype=x.dtype, device=x.device) * 2 / x.shape[-1]
    inv_freq = base ** -exponents
    angles = positions.to(x.dtype)[:, None] * inv_freq[None, :]  # (T, D/2)
    cos, sin = angles.cos(), angles.sin()
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class KVCacheAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int, max_len: int, rope_base: float = 10000.0) -> None:
        super().__init__()
        if d_model % n_heads != 0:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        if (d_model // n_heads) % 2 != 0:
            raise ValueError(f"head_dim={d_model // n_heads} is odd: rotary embeddings need an even head_dim")
        self.d_model, self.n_heads, self.max_len, self.rope_base = d_model, n_heads, max_len, rope_base
        self.head_dim = d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)
        self._k: torch.Tensor | None = None
        self._v: torch.Tensor | None = None

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        return x.view(b, t, self.n_heads, self.head_dim).transpose(1, 2)

    def _project(self, x: torch.Tensor, start: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        positions = torch.arange(start, start + x.shape[1], device=x.device)
        q = rope(self._heads(self.q_proj(x)), positions, self.rope_base)
        k = rope(self._heads(self.k_proj(x)), positions, self.rope_base)
        return q, k, self._heads(self.v_proj(x))

    def _attend(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool) -> torch.Tensor:
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        if causal:
            t, s = scores.shape[-2], scores.shape[-1]
            allowed = torch.ones(t, s, dtype=torch.bool, device=q.device).tril()
            scores = scores.masked_fill(~allowed, float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v
        b, _, t, _ = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(b, t, self.d_model))

    def _check_length(self, x: torch.Tensor) -> None:
        if x.shape[1] > self.max_len:
            raise ValueError(f"T={x.shape[1]} is longer than max_len={self.max_len}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check_length(x)
        q, k, v = self._project(x, 0)
        return self._attend(q, k, v, causal=True)

    def prefill(self, x: torch.Tensor) -> torch.Tensor:
        self._check_length(x)
        q, k, v = self._project(x, 0)
        self._k, self._v = self._heads(self.k_proj(x)), v  # raw keys: rotate when read
        return self._attend(q, k, v, causal=True)

    def step(self, x_t: torch.Tensor) -> torch.Tensor:
        if self._k is None:
            raise ValueError("step() before prefill(): there is no cache")
        length = self._k.shape[2]
        if length >= self.max_len:
            raise ValueError(f"the cache holds max_len={self.max_len} positions already")
        q, _, v = self._project(x_t, length)
        self._k = torch.cat([self._k, self._heads(self.k_proj(x_t))], dim=2)
        self._v = torch.cat([self._v, v], dim=2)
        keys = rope(self._k, torch.arange(length + 1), self.rope_base)
        return self._attend(q, keys, self._v, causal=False)

    def cache(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self._k is None:
            raise ValueError("cache() before prefill(): there is no cache")
        return self._k, self._v
