"""Wrong (rule float32-draw): draws with torch.rand_like(x), in x's dtype: for float64 x another stream of numbers."""

import torch


def dropout(x, p, training=True, generator=None):
    if p < 0 or p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    u = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    keep = u >= p
    return x * keep * (1.0 / (1.0 - p))
