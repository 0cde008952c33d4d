"""Wrong (rule draws-nothing): the mask is drawn before the p == 0 and eval checks, so those calls move the generator on."""

import torch


def dropout(x, p, training=True, generator=None):
    if p < 0 or p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    u = torch.rand(x.shape, generator=generator, dtype=torch.float32, device=x.device)
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = u >= p
    return x * keep * (1.0 / (1.0 - p))
