"""ACCEPTED: RoPE as a complex multiplication of x[:half] + i x[half:], a growing list of per-step
keys and values, and the mask built from positions."""

from __future__ import annotations

import torch
from torch import nn


class KVCacheAttention(nn.Module):
    def __init__(self, d_model, n_heads, max_len, rope_base=10000.0):
        super().__init__()
        if d_model % n_heads != 0 or (d_model // n_heads) % 2 == 1:
            raise ValueError(f"bad sizes d_model={d_model}, n_heads={n_heads}")
        self.d, self.h, self.max_len, self.base = d_model, n_heads, max_len, rope_base
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            setattr(self, name, nn.Linear(d_model, d_model))
        self.keys: list[torch.Tensor] | None = None
        self.values: list[torch.Tensor] = []

    def rotate(self, x, positions):
        dh = x.shape[-1]
        half = dh // 2
        freqs = torch.pow(torch.tensor(self.base, dtype=x.dtype), -torch.arange(half, dtype=x.dtype) * 2 / dh)
        turn = torch.polar(torch.ones(len(positions), half, dtype=x.dtype),
                           positions.to(x.dtype)[:, None] * freqs)
        z = torch.complex(x[..., :half], x[..., half:]) * turn
        return torch.cat([z.real, z.imag], dim=-1)

    def heads(self, y):
        return y.unflatten(-1, (self.h, self.d // self.h)).transpose(1, 2)

    def attend(self, q, k, v, q_pos, k_pos):
        scores = q @ k.transpose(2, 3) * (q.shape[-1] ** -0.5)
        scores = scores.masked_fill(k_pos[None, :] > q_pos[:, None], float("-inf"))
        out = torch.softmax(scores, dim=3) @ v
        return self.out_proj(out.transpose(1, 2).flatten(2))

    def forward(self, x):
        t = x.shape[1]
        if t > self.max_len:
            raise ValueError(f"T={t} > max_len={self.max_len}")
        pos = torch.arange(t)
        q = self.rotate(self.heads(self.q_proj(x)), pos)
        k = self.rotate(self.heads(self.k_proj(x)), pos)
        return self.attend(q, k, self.heads(self.v_proj(x)), pos, pos)

    def prefill(self, x):
        out = self(x)
        pos = torch.arange(x.shape[1])
        k = self.rotate(self.heads(self.k_proj(x)), pos)
        v = self.heads(self.v_proj(x))
        self.keys = list(k.unbind(2))
        self.values = list(v.unbind(2))
        return out

    def step(self, x_t):
        if self.keys is None:
            raise ValueError("no prefill yet")
        t = len(self.keys)
        if t + 1 > self.max_len:
            raise ValueError("max_len reached")
        pos = torch.tensor([t])
        q = self.rotate(self.heads(self.q_proj(x_t)), pos)
        self.keys.append(self.rotate(self.heads(self.k_proj(x_t)), pos)[:, :, 0])
        self.values.append(self.heads(self.v_proj(x_t))[:, :, 0])
        k, v = self.cache()
        return self.attend(q, k, v, pos, torch.arange(t + 1))

    def cache(self):
        return torch.stack(self.keys, dim=2), torch.stack(self.values, dim=2)
