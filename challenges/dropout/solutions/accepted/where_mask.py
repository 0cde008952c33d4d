"""Accepted: the same draw, the kept values divided by 1 - p with torch.where."""

import torch


def dropout(x, p, training=True, generator=None):
    if p < 0 or p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    u = torch.rand(x.shape, generator=generator, dtype=torch.float32, device=x.device)
    return torch.where(u >= p, x / (1.0 - p), torch.zeros((), dtype=x.dtype))
