"""Accepted: explicit sums over the trailing dimensions divided by n, in float64 for every input dtype."""

import torch


def _dims(x, normalized_shape):
    shape = [normalized_shape] if isinstance(normalized_shape, int) else list(normalized_shape)
    if not shape:
        raise ValueError("normalized_shape is empty")
    if len(shape) > x.dim():
        raise ValueError("normalized_shape has more dimensions than x")
    if list(x.shape)[-len(shape):] != shape:
        raise ValueError("normalized_shape does not match the last dimensions of x")
    dims = list(range(x.dim() - len(shape), x.dim()))
    n = 1
    for s in shape:
        n *= s
    return dims, n


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    dims, n = _dims(x, normalized_shape)
    w = x.double()
    mean = w.sum(dim=dims, keepdim=True) / n
    d = w - mean
    var = (d * d).sum(dim=dims, keepdim=True) / n
    y = d / (var + eps).sqrt()
    if weight is not None:
        y = y * weight.double()
    if bias is not None:
        y = y + bias.double()
    return y.to(x.dtype)


def rms_norm(x, normalized_shape, weight=None, eps=1e-6):
    dims, n = _dims(x, normalized_shape)
    w = x.double()
    y = w / ((w * w).sum(dim=dims, keepdim=True) / n + eps).sqrt()
    if weight is not None:
        y = y * weight.double()
    return y.to(x.dtype)
