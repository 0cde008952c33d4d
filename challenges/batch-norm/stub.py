"""batch-norm: implement the module below (see statement.md).

Rules: plain PyTorch tensor operations only. torch.nn.functional.batch_norm (and the other
normalizations), torch.batch_norm, nn.BatchNorm1d/2d/3d and their aten operators are forbidden.
"""

from __future__ import annotations

import torch
from torch import nn


class BatchNorm(nn.Module):
    """Batch normalization over dim 1 of (N, C) or (N, C, L, ...) inputs, with running statistics."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True) -> None:
        super().__init__()
        raise NotImplementedError("BatchNorm is not implemented yet: see statement.md")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("BatchNorm.forward is not implemented yet: see statement.md")
