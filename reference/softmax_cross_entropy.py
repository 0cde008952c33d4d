"""Reference solution for softmax-cross-entropy (trusted side only)."""

from __future__ import annotations

import torch


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """log(softmax(x)) along ``dim``, stable for any magnitude: shift by the max first."""
    m = x.amax(dim=dim, keepdim=True)
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m)).detach()
    shifted = x - m
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> torch.Tensor:
    """Cross-entropy of class-index targets over dim 1 of (N, C) or (N, C, d1, ...) logits.

    The loss is computed in float32 at least (so float16/bfloat16 inputs do not
    lose precision in the sums) and returned in the logits' dtype. ``mean``
    divides by the number of targets that are not ``ignore_index``; when every
    target is ignored the mean is NaN, as in PyTorch.
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"reduction must be 'none', 'mean' or 'sum', got {reduction!r}")
    if logits.dim() < 2:
        raise ValueError("logits must have shape (N, C) or (N, C, d1, ...)")
    work = logits if logits.dtype == torch.float64 else logits.float()
    n_classes = work.shape[1]
    logp = log_softmax(work, dim=1)
    valid = targets != ignore_index
    safe_targets = torch.where(valid, targets, torch.zeros_like(targets))
    nll = -logp.gather(1, safe_targets.unsqueeze(1)).squeeze(1)
    if label_smoothing > 0:
        smooth = -logp.mean(dim=1)
        loss = (1 - label_smoothing) * nll + label_smoothing * smooth
    else:
        loss = nll
    loss = torch.where(valid, loss, torch.zeros_like(loss))
    del n_classes
    if reduction == "none":
        return loss.to(logits.dtype)
    if reduction == "sum":
        return loss.sum().to(logits.dtype)
    return (loss.sum() / valid.sum()).to(logits.dtype)
