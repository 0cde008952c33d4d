"""Forbidden: the two halves of clip_grad_norm_, get_total_norm and clip_grads_with_norm_, reached by getattr."""

import torch

_utils = getattr(torch.nn, "utils")
_total = getattr(_utils, "get_" + "total_norm")
_clip = getattr(_utils, "clip_grads" + "_with_norm_")


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    total = _total(grads, norm_type, error_if_nonfinite)
    params = []
    for g in grads:
        p = torch.nn.Parameter(torch.empty_like(g))
        p.grad = g
        params.append(p)
    _clip(params, max_norm, total)
    return total
