"""ACCEPTED: the block rewritten with nn.LayerNorm, nn.GELU, einsum attention and a precomputed mask
(same parameter names as the stub)."""

from __future__ import annotations

import torch
from torch import nn


class TransformerBlock(nn.Module):
    def __init__(self, d_model, n_heads, d_ff, dropout=0.1):
        super().__init__()
        self.h = n_heads
        self.ln1 = nn.LayerNorm(d_model, eps=1e-5)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model, eps=1e-5)
        self.fc1 = nn.Linear(d_model, d_ff)
        self.fc2 = nn.Linear(d_ff, d_model)
        self.act = nn.GELU()
        self.attn_drop = nn.Dropout(dropout)
        self.mlp_drop = nn.Dropout(dropout)

    def forward(self, x):
        b, t, d = x.shape
        hd = d // self.h
        qkv = self.qkv(self.ln1(x)).reshape(b, t, 3, self.h, hd)
        q, k, v = qkv.unbind(2)  # each (b, t, h, hd)
        s = torch.einsum("bthd,bshd->bhts", q, k) * hd ** -0.5
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        s = torch.where(causal, s, torch.tensor(float("-inf"), dtype=s.dtype))
        o = torch.einsum("bhts,bshd->bthd", s.softmax(dim=-1), v).reshape(b, t, d)
        x = x + self.attn_drop(self.proj(o))
        return x + self.mlp_drop(self.fc2(self.act(self.fc1(self.ln2(x)))))
