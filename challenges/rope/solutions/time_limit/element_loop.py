"""Time limit: a Python loop over every coordinate pair of every token and head."""

import math

import torch


def apply_rope(x, positions, base=10000.0):
    B, S, H, d = x.shape
    if d % 2:
        raise ValueError("odd head_dim")
    h = d // 2
    work = torch.float64 if x.dtype == torch.float64 else torch.float32
    xw = x.to(work)
    out = torch.empty_like(xw)
    for s in range(S):
        p = float(positions[s])
        for i in range(h):
            a = p * base ** (-2 * i / d)
            c, sn = math.cos(a), math.sin(a)
            for b in range(B):
                for k in range(H):
                    x1, x2 = xw[b, s, k, i], xw[b, s, k, i + h]
                    out[b, s, k, i] = x1 * c - x2 * sn
                    out[b, s, k, i + h] = x2 * c + x1 * sn
    return out.to(x.dtype)
