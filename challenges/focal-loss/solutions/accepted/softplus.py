"""Accepted: the cross-entropy as softplus(x) - x t, the modulating factor in float64 and cast back."""

import torch
import torch.nn.functional as F


def sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2.0, reduction="none"):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction)
    x = logits.to(torch.float64)
    t = targets.to(torch.float64)
    ce = F.softplus(x) - x * t
    p = torch.sigmoid(x)
    loss = ce * (p + t - 2 * p * t) ** gamma  # 1 - p_t = p + t - 2pt
    if alpha >= 0:
        loss = loss * torch.where(t > 0, alpha * t, 0.0) + loss * (1 - alpha) * (1 - t)
    loss = {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]
    return loss.to(logits.dtype)
