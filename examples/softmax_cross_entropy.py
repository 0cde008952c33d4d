"""A candidate's solution to softmax-cross-entropy, as `mlj start` + an hour of work would leave it.

Graded by the README's first command: `mlj submit softmax-cross-entropy examples/softmax_cross_entropy.py`.
"""

from __future__ import annotations

import torch


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    # Shift by the (detached) max so exp() never overflows; the shift cancels out.
    peak = x.amax(dim=dim, keepdim=True).detach()
    peak = torch.where(torch.isfinite(peak), peak, torch.zeros_like(peak))
    shifted = x - peak
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> torch.Tensor:
    work = logits if logits.dtype == torch.float64 else logits.float()  # half inputs: sum in float32
    logp = log_softmax(work, dim=1)
    keep = targets != ignore_index
    picked = logp.gather(1, torch.where(keep, targets, 0).unsqueeze(1)).squeeze(1)
    loss = -(1.0 - label_smoothing) * picked - label_smoothing * logp.mean(dim=1)
    loss = torch.where(keep, loss, torch.zeros_like(loss))
    if reduction == "none":
        return loss.to(logits.dtype)
    if reduction == "sum":
        return loss.sum().to(logits.dtype)
    if reduction == "mean":
        return (loss.sum() / keep.sum()).to(logits.dtype)  # 0/0 = NaN when every target is ignored
    raise ValueError(f"reduction must be 'none', 'mean' or 'sum', not {reduction!r}")
