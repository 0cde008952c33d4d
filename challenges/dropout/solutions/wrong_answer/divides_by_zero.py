"""Wrong (rule p-one): p == 1 goes through the general path, so 0 * x / 0 gives NaN."""

import torch


def dropout(x, p, training=True, generator=None):
    if p < 0 or p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    u = torch.rand(x.shape, generator=generator, dtype=torch.float32, device=x.device)
    keep = u >= p
    return x * keep / (1.0 - p)
