"""focal-loss: implement sigmoid_focal_loss (see statement.md).

Rules: plain PyTorch tensor operations. binary_cross_entropy(_with_logits), BCELoss,
BCEWithLogitsLoss and torchvision are forbidden.
"""

from __future__ import annotations

import torch


def sigmoid_focal_loss(logits: torch.Tensor, targets: torch.Tensor, alpha: float = 0.25, gamma: float = 2.0,
                       reduction: str = "none") -> torch.Tensor:
    """RetinaNet's focal loss of independent binary predictions (torchvision's formula)."""
    raise NotImplementedError("sigmoid_focal_loss is not implemented yet: see statement.md")
