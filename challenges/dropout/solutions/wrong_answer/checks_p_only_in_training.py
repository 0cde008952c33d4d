"""Wrong (rule p-range): p is checked only in training mode, so dropout(x, 1.5, training=False) returns x."""

import torch


def dropout(x, p, training=True, generator=None):
    if not training:
        return x
    if p < 0 or p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    u = torch.rand(x.shape, generator=generator, dtype=torch.float32, device=x.device)
    keep = u >= p
    return x * keep * (1.0 / (1.0 - p))
