"""Runtime error: torch.stack of the per-tensor norms fails on an empty list (no special case for it)."""

import torch


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads]), norm_type)
    if error_if_nonfinite and not torch.isfinite(total):
        raise RuntimeError("non-finite")
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    with torch.no_grad():
        for g in grads:
            g.mul_(coef)
    return total
