"""Accepted: the dropped positions (draw < p) filled with 0 in x / (1 - p), with masked_fill."""

import torch


def dropout(x, p, training=True, generator=None):
    if not (0.0 <= p <= 1.0):
        raise ValueError("dropout probability has to be between 0 and 1, but got {}".format(p))
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x.new_zeros(x.shape)
    draw = torch.rand(x.shape, generator=generator, dtype=torch.float32, device=x.device)
    dropped = draw < p
    return (x / (1.0 - p)).masked_fill(dropped, 0.0)
