"""Accepted: concatenates everything into one vector, takes its norm with torch.linalg.vector_norm, and
branches on the coefficient in Python."""

import torch


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    if len(grads) == 0:
        return torch.tensor(0.0)
    flat = torch.cat([g.reshape(-1) for g in grads])
    total = torch.linalg.vector_norm(flat, ord=norm_type)
    if error_if_nonfinite and (total.isnan() or total.isinf()):
        raise RuntimeError("total norm is not finite")
    coef = max_norm / (total + 1e-6)
    if not bool(coef >= 1):  # NaN compares False: a NaN coefficient scales, as torch does
        with torch.no_grad():
            for g in grads:
                g.mul_(coef)
    return total
