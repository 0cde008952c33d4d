"""Wrong (rule one-draw-per-call): "for reproducibility" each call reseeds a copy of the generator from its initial seed, so every call draws the same mask."""

import torch


def dropout(x, p, training=True, generator=None):
    if p < 0 or p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    if generator is not None:
        generator = torch.Generator().manual_seed(generator.initial_seed())
    u = torch.rand(x.shape, generator=generator, dtype=torch.float32, device=x.device)
    keep = u >= p
    return x * keep * (1.0 / (1.0 - p))
