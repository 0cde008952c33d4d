"""The block with any set of the stub's planted bugs, for the hidden tests (trusted side only).

``block(state, x, n_heads, bugs)`` computes, in float64 and in eval mode (dropout off), what the stub's
block computes with exactly the bugs named in ``bugs`` left in and the others fixed. Dropout active in
eval mode is the one planted bug it cannot reproduce (its output is random); a test with dropout=0 does
not see it, and the dropout test tells it by two calls that differ.
"""

from __future__ import annotations

import math
from itertools import combinations

import torch
import torch.nn.functional as F

#: each planted bug, with the words a wrong answer names it by
BUGS: dict[str, str] = {
    "residual": "the attention's residual is added to the normed input LN1(x) instead of x "
                "(x = x + attention(ln1(x)))",
    "mask": "the causal mask is applied after the softmax (weights zeroed, rows no longer sum to 1): mask the "
            "scores of future positions with -inf before the softmax",
    "scale": "the scores are divided by sqrt(d_model) instead of sqrt(head_dim)",
    "layernorm": "LayerNorm normalizes over dim 1 (the positions) instead of the last dim (the features)",
    "heads": "the heads are split with reshape(B, n_heads, T, head_dim), which mixes positions and features: "
             "split the features, view(B, T, n_heads, head_dim).transpose(1, 2)",
}


def subsets(names: list[str]) -> list[frozenset[str]]:
    return [frozenset(c) for r in range(len(names) + 1) for c in combinations(names, r)]


def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, bugs: frozenset[str]) -> torch.Tensor:
    dim = 1 if "layernorm" in bugs else -1
    mean = x.mean(dim=dim, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dim, keepdim=True)
    return (x - mean) / torch.sqrt(var + 1e-5) * weight + bias


def block(state: dict[str, torch.Tensor], x: torch.Tensor, n_heads: int, bugs: frozenset[str]) -> torch.Tensor:
    s = {k: v.to(torch.float64) for k, v in state.items()}
    x = x.to(torch.float64)
    b, t, d = x.shape
    hd = d // n_heads
    h = layer_norm(x, s["ln1.weight"], s["ln1.bias"], bugs)
    q, k, v = F.linear(h, s["qkv.weight"], s["qkv.bias"]).split(d, dim=-1)
    if "heads" in bugs:
        q, k, v = (y.reshape(b, n_heads, t, hd) for y in (q, k, v))
    else:
        q, k, v = (y.reshape(b, t, n_heads, hd).transpose(1, 2) for y in (q, k, v))
    scores = q @ k.transpose(-2, -1) / math.sqrt(d if "scale" in bugs else hd)
    future = torch.ones(t, t, dtype=torch.bool).triu(diagonal=1)
    if "mask" in bugs:
        weights = torch.softmax(scores, dim=-1).masked_fill(future, 0.0)
    else:
        weights = torch.softmax(scores.masked_fill(future, float("-inf")), dim=-1)
    attn = F.linear((weights @ v).transpose(1, 2).reshape(b, t, d), s["proj.weight"], s["proj.bias"])
    x = (h if "residual" in bugs else x) + attn
    h2 = layer_norm(x, s["ln2.weight"], s["ln2.bias"], bugs)
    mlp = F.linear(F.gelu(F.linear(h2, s["fc1.weight"], s["fc1.bias"])), s["fc2.weight"], s["fc2.bias"])
    return x + mlp
