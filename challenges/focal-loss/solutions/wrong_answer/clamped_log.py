# Rule stability: clamps p to [1e-7, 1 - 1e-7] before the log, so saturated logits lose their loss.
"""Rule stability: clamps p to [1e-7, 1 - 1e-7] before the log, so saturated logits lose their loss."""

import torch


def sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2.0, reduction="none"):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"unknown reduction {reduction!r}")
    t = targets.to(logits.dtype)
    p = torch.sigmoid(logits)
    ce = -(t * torch.log(p.clamp(1e-7, 1 - 1e-7)) + (1 - t) * torch.log((1 - p).clamp(1e-7, 1 - 1e-7)))
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
