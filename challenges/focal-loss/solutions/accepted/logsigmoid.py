"""Accepted: the log-probabilities from logsigmoid, 1 - p_t from them, alpha through torch.where-free algebra."""

import torch
import torch.nn.functional as F


def sigmoid_focal_loss(logits, targets, alpha=0.25, gamma=2.0, reduction="none"):
    if reduction not in {"none", "sum", "mean"}:
        raise ValueError("reduction must be none, sum or mean")
    log_p = F.logsigmoid(logits)        # log sigmoid(x)
    log_1mp = F.logsigmoid(-logits)     # log (1 - sigmoid(x))
    t = targets
    ce = -(t * log_p + (1 - t) * log_1mp)
    p = log_p.exp()
    one_minus_pt = 1 - (p * t + (1 - p) * (1 - t))
    out = ce * one_minus_pt.pow(gamma)
    if alpha >= 0:
        out = out * (1 - alpha + (2 * alpha - 1) * t)
    if reduction == "sum":
        return out.sum()
    if reduction == "mean":
        return out.sum() / out.numel()
    return out
