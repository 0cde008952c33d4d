"""layer-norm: implement the two functions below (see statement.md).

Rules: plain PyTorch tensor operations only. torch.nn.functional.layer_norm, rms_norm,
group_norm, instance_norm, batch_norm, their torch.* twins, the nn modules and their aten
operators are forbidden.
"""

from __future__ import annotations

import torch


def layer_norm(x: torch.Tensor, normalized_shape, weight: torch.Tensor | None = None,
               bias: torch.Tensor | None = None, eps: float = 1e-5) -> torch.Tensor:
    """(x - mean) / sqrt(var + eps) * weight + bias over the last len(normalized_shape) dimensions."""
    raise NotImplementedError("layer_norm is not implemented yet: see statement.md")


def rms_norm(x: torch.Tensor, normalized_shape, weight: torch.Tensor | None = None,
             eps: float = 1e-6) -> torch.Tensor:
    """x / sqrt(mean(x^2) + eps) * weight over the last len(normalized_shape) dimensions."""
    raise NotImplementedError("rms_norm is not implemented yet: see statement.md")
