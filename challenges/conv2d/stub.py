"""conv2d: implement the function below (see statement.md).

Rules: tensor indexing and arithmetic. torch.nn.functional.conv2d (and every other convolution),
nn.Conv2d, F.unfold / F.fold and the aten convolution operators are forbidden.
"""

from __future__ import annotations

import torch


def conv2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None,
           stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
           dilation: int | tuple[int, int] = 1, groups: int = 1) -> torch.Tensor:
    """2-D cross-correlation of x (N, C_in, H, W) with weight (C_out, C_in / groups, kH, kW)."""
    raise NotImplementedError("conv2d is not implemented yet: see statement.md")
