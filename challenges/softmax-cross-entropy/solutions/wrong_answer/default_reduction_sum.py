"""Wrong (rule cross-entropy-defaults): cross_entropy's reduction defaults to 'sum', not 'mean'."""


import torch


def _logsumexp(x, dim):
    peak = x.max(dim=dim, keepdim=True).values
    peak = peak.masked_fill(~torch.isfinite(peak), 0.0).detach()
    return peak + torch.log(torch.sum(torch.exp(x - peak), dim=dim, keepdim=True))


def log_softmax(x, dim=-1):
    return x - _logsumexp(x, dim)


def cross_entropy(logits, targets, ignore_index=-100, reduction="sum", label_smoothing=0.0):
    out_dtype = logits.dtype
    x = logits.to(torch.float64 if logits.dtype == torch.float64 else torch.float32)
    logp = log_softmax(x, dim=1)
    keep = targets.ne(ignore_index)
    idx = targets.masked_fill(~keep, 0).unsqueeze(1)
    picked = -torch.gather(logp, 1, idx).squeeze(1)
    if label_smoothing:
        picked = (1.0 - label_smoothing) * picked - label_smoothing * logp.mean(dim=1)
    picked = picked * keep
    if reduction == "none":
        return picked.to(out_dtype)
    total = picked.sum()
    if reduction == "sum":
        return total.to(out_dtype)
    if reduction == "mean":
        return (total / keep.sum()).to(out_dtype)
    raise ValueError(f"unknown reduction {reduction!r}")
