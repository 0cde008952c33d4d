# Rule soft-targets: picks p_t and alpha_t with t == 1, which is wrong for soft targets.
"""Rule soft-targets: picks p_t and alpha_t with t == 1, which is wrong for soft targets."""

import torch


def sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2.0, reduction="none"):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"unknown reduction {reduction!r}")
    t = targets.to(logits.dtype)
    p = torch.sigmoid(logits)
    ce = logits.clamp(min=0) - logits * t + torch.log1p(torch.exp(-logits.abs()))
    p_t = torch.where(t == 1, p, 1 - p)
    loss = ce * (1 - p_t) ** gamma
    if alpha >= 0:
        loss = torch.where(t == 1, alpha, 1 - alpha) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
