"""Wrong (rule eval-identity): training=False returns x * (1 - p), the test-time scaling of classic dropout."""

import torch


def dropout(x, p, training=True, generator=None):
    if p < 0 or p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if not training:
        return x * (1 - p)
    if p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    u = torch.rand(x.shape, generator=generator, dtype=torch.float32, device=x.device)
    keep = u >= p
    return x * keep * (1.0 / (1.0 - p))
