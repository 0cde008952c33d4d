"""Runtime error (rule int-shape): normalized_shape is always treated as a sequence, so an int raises TypeError."""

import torch


def _dims(x, normalized_shape):
    shape = tuple(normalized_shape)
    if len(shape) == 0 or len(shape) > x.dim() or tuple(x.shape[x.dim() - len(shape):]) != shape:
        raise ValueError(f"normalized_shape {shape} does not match x {tuple(x.shape)}")
    return tuple(range(-len(shape), 0))


def layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5):
    dims = _dims(x, normalized_shape)
    work = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    mean = work.mean(dim=dims, keepdim=True)
    var = ((work - mean) ** 2).mean(dim=dims, keepdim=True)
    y = (work - mean) / torch.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y.to(x.dtype)


def rms_norm(x, normalized_shape, weight=None, eps=1e-6):
    dims = _dims(x, normalized_shape)
    work = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    y = work / torch.sqrt((work ** 2).mean(dim=dims, keepdim=True) + eps)
    if weight is not None:
        y = y * weight
    return y.to(x.dtype)
