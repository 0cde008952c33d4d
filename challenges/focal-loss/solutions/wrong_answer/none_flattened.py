# Rule none-shape: reduction='none' returns the losses flattened to one dimension.
"""Rule none-shape: reduction='none' returns the losses flattened to one dimension."""

import torch


def sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2.0, reduction="none"):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"unknown reduction {reduction!r}")
    x, t = logits.reshape(-1), targets.reshape(-1).to(logits.dtype)
    p = torch.sigmoid(x)
    ce = x.clamp(min=0) - x * t + torch.log1p(torch.exp(-x.abs()))
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
