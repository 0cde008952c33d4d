"""Forbidden: the mask by hand, the rest by F.dropout (reached through getattr on torch.nn.functional)."""

import torch
import torch.nn.functional as F


def dropout(x, p, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p out of range")
    if generator is None:
        return getattr(F, "drop" + "out")(x, p, training)
    keep = torch.rand(x.shape, generator=generator, dtype=torch.float32) >= p
    return x * keep * (1.0 / (1.0 - p)) if training and 0 < p < 1 else x
