"""Forbidden: wraps the gradients in parameters and calls torch.nn.utils.clip_grad_norm_."""

import torch


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    params = []
    for g in grads:
        p = torch.nn.Parameter(torch.empty_like(g))
        p.grad = g  # the same tensor: clipping p.grad clips g in place
        params.append(p)
    return torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type, error_if_nonfinite, foreach=False)
