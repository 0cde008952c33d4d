"""Forbidden: torch.ops.aten.native_dropout, torch's own bernoulli-based kernel."""

import torch


def dropout(x, p, training=True, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p out of range")
    return torch.ops.aten.native_dropout(x, p, training)[0]
