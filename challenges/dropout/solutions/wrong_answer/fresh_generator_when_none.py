"""Wrong (rule default-generator): generator=None makes a fresh torch.Generator() (always the same seed) instead of using torch's default one."""

import torch


def dropout(x, p, training=True, generator=None):
    if p < 0 or p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    generator = generator if generator is not None else torch.Generator()
    u = torch.rand(x.shape, generator=generator, dtype=torch.float32, device=x.device)
    keep = u >= p
    return x * keep * (1.0 / (1.0 - p))
