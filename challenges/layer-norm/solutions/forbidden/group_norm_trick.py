"""Forbidden: a layer norm as a group norm with one group over the flattened row (torch.ops.aten)."""

import math

import torch


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    rows = x.reshape(-1, 1, math.prod(shape))
    y = torch.ops.aten.native_group_norm(rows, None, None, rows.shape[0], 1, rows.shape[2], 1, eps)[0]
    y = y.reshape(x.shape)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def rms_norm(x, normalized_shape, weight=None, eps=1e-6):
    y = x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)
    return y if weight is None else y * weight
