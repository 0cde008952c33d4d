"""Wrong (rule identity): training=False and p == 0 return a copy of x, not x itself."""

import torch


def dropout(x, p, training=True, generator=None):
    if p < 0 or p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x.clone()
    if p == 1:
        return torch.zeros_like(x)
    u = torch.rand(x.shape, generator=generator, dtype=torch.float32, device=x.device)
    keep = u >= p
    return x * keep * (1.0 / (1.0 - p))
