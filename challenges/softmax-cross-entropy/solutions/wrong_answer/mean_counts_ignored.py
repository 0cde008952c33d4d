"""Wrong: 'mean' divides by every target, ignored ones included."""

import torch


def log_softmax(x, dim=-1):
    m = x.amax(dim=dim, keepdim=True).detach()
    return x - m - torch.log(torch.exp(x - m).sum(dim=dim, keepdim=True))


def cross_entropy(logits, targets, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    x = logits.float() if logits.dtype != torch.float64 else logits
    logp = log_softmax(x, dim=1)
    keep = targets != ignore_index
    nll = -logp.gather(1, torch.where(keep, targets, 0).unsqueeze(1)).squeeze(1)
    if label_smoothing:
        nll = (1 - label_smoothing) * nll - label_smoothing * logp.mean(dim=1)
    nll = torch.where(keep, nll, torch.zeros_like(nll))
    if reduction == "none":
        return nll.to(logits.dtype)
    if reduction == "sum":
        return nll.sum().to(logits.dtype)
    return (nll.sum() / targets.numel()).to(logits.dtype)
