"""clip-grad-norm: implement clip_grad_norm below (see statement.md).

Rules: plain PyTorch tensor operations only. torch.nn.utils.clip_grad_norm_ (and clip_grad_norm,
get_total_norm, clip_grads_with_norm_) and torch._foreach_norm are forbidden.
"""

from __future__ import annotations

import torch


def clip_grad_norm(grads: list[torch.Tensor], max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False) -> torch.Tensor:
    """Scale grads in place to a global norm of at most max_norm; return the total norm before clipping."""
    raise NotImplementedError("clip_grad_norm is not implemented yet: see statement.md")
