# Rule gradients-finite: the cross-entropy picks one of two formulas with torch.where; the branch it drops still overflows, and its inf turns the gradient into NaN.
"""Rule gradients-finite: the cross-entropy picks one of two formulas with torch.where; the branch it drops
still overflows (exp(100) is inf in float32), and its inf turns the gradient into NaN."""

import torch


def sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2.0, reduction="none"):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"unknown reduction {reduction!r}")
    t = targets.to(logits.dtype)
    x = logits
    ce = torch.where(x >= 0, torch.log1p(torch.exp(-x)) + x * (1 - t), torch.log1p(torch.exp(x)) - x * t)
    p = torch.sigmoid(x)
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
