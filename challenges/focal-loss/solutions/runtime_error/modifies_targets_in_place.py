# Rule inputs-untouched: turns the targets into alpha weights in place (autograd saved them: the backward pass then fails).
"""Rule inputs-untouched: turns the targets into alpha weights in place; autograd saved them, so backward fails."""

import torch


def sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2.0, reduction="none"):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"unknown reduction {reduction!r}")
    p = torch.sigmoid(logits)
    ce = logits.clamp(min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        w = targets.mul_(2 * alpha - 1).add_(1 - alpha)  # alpha t + (1 - alpha)(1 - t), in place
        loss = w * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
