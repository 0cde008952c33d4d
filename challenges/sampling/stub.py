"""sampling: implement the two functions below (see statement.md).

Plain PyTorch is allowed (softmax, topk, sort, cumsum, multinomial, ...); transformers and vllm are not.
"""

from __future__ import annotations

import torch


def filtered_probs(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                   top_p: float | None = None) -> torch.Tensor:
    """The next-token distribution after temperature, then top-k, then top-p; shape and dtype of logits."""
    raise NotImplementedError("filtered_probs is not implemented yet: see statement.md")


def sample(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
           top_p: float | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
    """One int64 token per row of logits (shape logits.shape[:-1]), drawn from filtered_probs."""
    raise NotImplementedError("sample is not implemented yet: see statement.md")
