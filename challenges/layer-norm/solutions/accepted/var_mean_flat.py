"""Accepted: flattens the normalized dimensions into one and uses torch.var_mean(correction=0) and rsqrt."""

import math

import torch


def _shape(x, normalized_shape):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or k > x.dim() or tuple(x.shape[x.dim() - k:]) != shape:
        raise ValueError(f"bad normalized_shape {shape} for x of shape {tuple(x.shape)}")
    return shape


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    shape = _shape(x, normalized_shape)
    lead = x.shape[: x.dim() - len(shape)]
    work = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    flat = work.reshape(*lead, math.prod(shape))
    var, mean = torch.var_mean(flat, dim=-1, keepdim=True, correction=0)
    y = ((flat - mean) * torch.rsqrt(var + eps)).reshape(work.shape)
    if weight is not None:
        y = y * weight.to(y.dtype)
    if bias is not None:
        y = y + bias.to(y.dtype)
    return y.to(x.dtype)


def rms_norm(x, normalized_shape, weight=None, eps=1e-6):
    shape = _shape(x, normalized_shape)
    lead = x.shape[: x.dim() - len(shape)]
    work = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    flat = work.reshape(*lead, math.prod(shape))
    y = (flat * torch.rsqrt(flat.pow(2).mean(dim=-1, keepdim=True) + eps)).reshape(work.shape)
    if weight is not None:
        y = y * weight.to(y.dtype)
    return y.to(x.dtype)
