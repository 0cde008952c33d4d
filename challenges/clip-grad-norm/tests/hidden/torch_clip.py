"""The trusted side's truth for clip-grad-norm: torch.nn.utils.clip_grad_norm_ itself, on copies.

Each gradient becomes the ``.grad`` of a parameter of its own, so torch clips exactly these tensors.
"""

from __future__ import annotations

import torch


def clip_grad_norm(grads: list[torch.Tensor], max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """(total norm, the clipped gradients) as torch computes them, in the gradients' own dtype."""
    params = []
    for g in grads:
        p = torch.nn.Parameter(torch.zeros_like(g))
        p.grad = g.detach().clone()
        params.append(p)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type,
                                           error_if_nonfinite=error_if_nonfinite)
    return total, [p.grad for p in params]
