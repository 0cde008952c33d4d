"""softmax-cross-entropy: implement the two functions below (see statement.md).

Rules: plain PyTorch tensor operations only. torch.nn.functional.cross_entropy,
log_softmax, softmax, nll_loss, torch.logsumexp and their Tensor-method and
nn.Module twins are forbidden.
"""

from __future__ import annotations

import torch


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Return log(softmax(x)) along ``dim``, without overflow for large |x|."""
    raise NotImplementedError("log_softmax is not implemented yet: see statement.md")


def cross_entropy(
    logits: torch.Tensor,
    targets: torch.Tensor,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """Cross-entropy between logits (N, C) or (N, C, d1, ...) and class indices (N,) or (N, d1, ...)."""
    raise NotImplementedError("cross_entropy is not implemented yet: see statement.md")
