"""Wrong (rule no-in-place): when x does not require grad, the mask is applied to x in place to save memory."""

import torch


def dropout(x, p, training=True, generator=None):
    if p < 0 or p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    u = torch.rand(x.shape, generator=generator, dtype=torch.float32, device=x.device)
    keep = u >= p
    if x.requires_grad:
        return x * keep * (1.0 / (1.0 - p))
    return x.mul_(keep).mul_(1.0 / (1.0 - p))
