# Rule alpha-weighting: alpha multiplies every element, positives and negatives alike.
"""Rule alpha-weighting: alpha multiplies every element, positives and negatives alike."""

import torch


def sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2.0, reduction="none"):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"unknown reduction {reduction!r}")
    t = targets.to(logits.dtype)
    p = torch.sigmoid(logits)
    ce = logits.clamp(min=0) - logits * t + torch.log1p(torch.exp(-logits.abs()))
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = alpha * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
