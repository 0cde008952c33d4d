"""Reference of the clip-contrastive-loss challenge (trusted side only): CLIP's symmetric InfoNCE loss.

Run on float64 copies of the inputs, so the expected values carry float64 rounding only.
"""

from __future__ import annotations

import torch

EPS = 1e-12  # the floor of the norm an embedding is divided by (the statement's eps)


def _normalize(x: torch.Tensor) -> torch.Tensor:
    """Each row divided by max(||row||_2, EPS)."""
    norm = torch.sqrt((x * x).sum(dim=1, keepdim=True))
    return x / torch.clamp(norm, min=EPS)


def _mean_cross_entropy_of_diagonal(logits: torch.Tensor) -> torch.Tensor:
    """Mean over the rows i of -log softmax(logits[i])[i]: labels arange(N), classes along dim 1."""
    shift = logits.amax(dim=1, keepdim=True).detach()
    log_probs = logits - shift - torch.log(torch.exp(logits - shift).sum(dim=1, keepdim=True))
    return -torch.diagonal(log_probs).mean()


def clip_loss(image_emb: torch.Tensor, text_emb: torch.Tensor, logit_scale: torch.Tensor) -> torch.Tensor:
    """(CE(logits, arange N) + CE(logits.T, arange N)) / 2, logits = exp(logit_scale) * norm(img) @ norm(txt).T."""
    logits = torch.exp(logit_scale) * (_normalize(image_emb) @ _normalize(text_emb).T)
    return (_mean_cross_entropy_of_diagonal(logits) + _mean_cross_entropy_of_diagonal(logits.T)) / 2
