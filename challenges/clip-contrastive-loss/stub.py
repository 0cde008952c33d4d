"""clip-contrastive-loss: implement clip_loss below (see statement.md).

Rules: plain PyTorch tensor operations only. torch.nn.functional.cross_entropy, log_softmax,
softmax, torch.logsumexp and their Tensor-method and nn.Module twins are forbidden.
"""

from __future__ import annotations

import torch


def clip_loss(image_emb: torch.Tensor, text_emb: torch.Tensor, logit_scale: torch.Tensor) -> torch.Tensor:
    """(CE(logits, arange N) + CE(logits.T, arange N)) / 2, logits = exp(logit_scale) * norm(img) @ norm(txt).T."""
    raise NotImplementedError("clip_loss is not implemented yet: see statement.md")
