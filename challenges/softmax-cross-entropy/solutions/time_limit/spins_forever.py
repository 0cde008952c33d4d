"""Time limit: a convergence loop whose condition never becomes false."""

import torch


def log_softmax(x, dim=-1):
    shift = torch.zeros_like(x.amax(dim=dim, keepdim=True))
    while True:  # "refine the shift until it is stable"
        shift = shift * 1.0
        if bool(torch.isnan(shift).any()):
            break
    return x - shift


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    logp = log_softmax(logits.float(), dim=1)
    return -logp.gather(1, targets.clamp_min(0).unsqueeze(1)).mean()
