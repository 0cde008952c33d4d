"""Does not import: a syntax error on line 9."""

import torch


def log_softmax(x, dim=-1):
    m = x.amax(dim=dim, keepdim=True)
    return x - m - torch.log(torch.exp(x - m).sum(dim=dim, keepdim=True))
def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0)
    return logits.sum()
