"""Reference solution for focal-loss (trusted side only): the float64-friendly, overflow-free formula."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sigmoid_focal_loss(logits: torch.Tensor, targets: torch.Tensor, alpha: float = 0.25, gamma: float = 2.0,
                       reduction: str = "none") -> torch.Tensor:
    """RetinaNet's focal loss of independent binary predictions, torchvision's formula.

    The binary cross-entropy comes from logsigmoid(x) = log p and logsigmoid(-x) = log(1 - p), never
    the log of a probability that rounds to 0 or 1, for any finite logit; unlike the equal
    max(x, 0) - x t + log1p(exp(-|x|)), its gradient at x = 0 is the derivative (p - t), not a
    one-sided one.
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum', got {reduction!r}")
    t = targets.to(logits.dtype)
    p = torch.sigmoid(logits)
    ce = -(t * F.logsigmoid(logits) + (1 - t) * F.logsigmoid(-logits))
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
