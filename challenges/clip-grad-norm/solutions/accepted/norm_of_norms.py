"""Accepted: torch's formulation, the norm of the per-tensor norms, and a clamped coefficient applied to all."""

import torch


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    if not grads:
        return torch.tensor(0.0)
    norms = torch.stack([torch.linalg.vector_norm(g, float(norm_type)) for g in grads])
    total = torch.linalg.vector_norm(norms, float(norm_type))
    if error_if_nonfinite and not torch.isfinite(total).item():
        raise RuntimeError(f"the total norm is {total.item()}")
    scale = (max_norm / (total + 1e-6)).clamp(max=1.0)
    with torch.no_grad():
        for g in grads:
            g.mul_(scale)
    return total
