"""Time limit: "refines" log(1 + exp(-|x|)) by fixed-point iteration whose stopping test never holds."""

import torch


def sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2.0, reduction="none"):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction)
    soft = torch.zeros_like(logits)
    while not bool(torch.isnan(soft).any()):  # never NaN: never stops
        soft = 0.5 * soft + 0.5 * torch.log1p(torch.exp(-logits.abs()))
    ce = logits.clamp(min=0) - logits * targets + soft
    p = torch.sigmoid(logits)
    loss = ce * (1 - (p * targets + (1 - p) * (1 - targets))) ** gamma
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]
