# Breaks global-norm: clips each tensor by its own norm instead of the global one.
import math

import torch


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    if not grads:
        return torch.tensor(0.0)
    if math.isinf(norm_type):
        norms = [g.abs().max() for g in grads]
        total = torch.stack(norms).max()
    else:
        norms = [g.abs().pow(norm_type).sum().pow(1 / norm_type) for g in grads]
        total = torch.stack(norms).pow(norm_type).sum().pow(1 / norm_type)
    if error_if_nonfinite and not torch.isfinite(total):
        raise RuntimeError("non-finite total norm")
    with torch.no_grad():
        for g, n in zip(grads, norms):
            coef = max_norm / (n + 1e-6)
            if coef < 1 or not torch.isfinite(coef):
                g.mul_(coef)
    return total
