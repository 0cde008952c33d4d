"""Reference solution of clip-grad-norm: global-norm gradient clipping over a list of tensors, in place.

Graded like a submission (torch.nn.utils' clipping cannot run in the worker); the hidden tests compare it,
and every submission, with torch.nn.utils.clip_grad_norm_ on the trusted side.
"""

from __future__ import annotations

import math

import torch


def clip_grad_norm(grads: list[torch.Tensor], max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False) -> torch.Tensor:
    """Scale ``grads`` in place so that their global ``norm_type``-norm is at most about ``max_norm``;
    return the norm they had before."""
    if len(grads) == 0:
        return torch.tensor(0.0)
    norm_type = float(norm_type)
    with torch.no_grad():
        if math.isinf(norm_type):
            total = torch.stack([g.abs().max() for g in grads]).max()
        else:
            total = torch.stack([g.abs().pow(norm_type).sum() for g in grads]).sum().pow(1.0 / norm_type)
        if error_if_nonfinite and not bool(torch.isfinite(total)):
            raise RuntimeError(f"the total norm of order {norm_type} is {float(total)}: it cannot be clipped")
        coef = float(max_norm) / (total + 1e-6)  # NaN or 0 for a non-finite total, as torch scales by it
        coef = torch.clamp(coef, max=1.0)  # scale only when the coefficient is below 1 (by 1: no change)
        for g in grads:
            g.mul_(coef)
    return total
