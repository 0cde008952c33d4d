"""dropout: implement the function below (see statement.md).

Rules: plain PyTorch tensor operations only. torch.nn.functional.dropout (and its variants),
torch.dropout, torch.native_dropout, nn.Dropout and their aten operators are forbidden.
"""

from __future__ import annotations

import torch


def dropout(x: torch.Tensor, p: float, training: bool = True,
            generator: torch.Generator | None = None) -> torch.Tensor:
    """Inverted dropout with the draw of statement.md: keep where rand >= p, scale by 1 / (1 - p)."""
    raise NotImplementedError("dropout is not implemented yet: see statement.md")
