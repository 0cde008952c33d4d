"""Reference solution of the sampling challenge (trusted side only): filtered next-token distributions."""

from __future__ import annotations

import torch


def _validate(temperature: float, top_k: int | None, top_p: float | None) -> None:
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k must be None or >= 1, got {top_k}")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be None or in (0, 1], got {top_p}")


def filtered_probs(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                   top_p: float | None = None) -> torch.Tensor:
    """Temperature, then top-k (ties at the k-th logit kept), then top-p (shortest prefix reaching p)."""
    _validate(temperature, top_k, top_p)
    if temperature == 0:
        index = logits.argmax(dim=-1, keepdim=True)  # the first maximum
        return torch.zeros_like(logits).scatter(-1, index, 1.0)
    scaled = logits / temperature
    keep = torch.ones_like(scaled, dtype=torch.bool)
    if top_k is not None:
        k = min(int(top_k), scaled.shape[-1])
        kth = scaled.topk(k, dim=-1).values[..., -1:]
        keep = scaled >= kth
    probs = torch.softmax(scaled.masked_fill(~keep, float("-inf")), dim=-1)
    if top_p is not None and top_p < 1:
        # rank by probability, ties to the lower index (a stable sort of the negated values)
        order = torch.sort(-probs, dim=-1, stable=True).indices
        ranked = probs.gather(-1, order)
        before = ranked.cumsum(dim=-1) - ranked  # the mass ranked strictly above each token
        kept_ranked = before < top_p
        keep = torch.zeros_like(keep).scatter(-1, order, kept_ranked) & keep
        probs = torch.softmax(scaled.masked_fill(~keep, float("-inf")), dim=-1)
    return probs


def sample(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
           top_p: float | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
    """One token per row of logits, drawn from filtered_probs with torch.multinomial."""
    probs = filtered_probs(logits, temperature, top_k, top_p)
    flat = probs.reshape(-1, probs.shape[-1])
    if temperature == 0:
        return flat.argmax(dim=-1).reshape(probs.shape[:-1])
    return torch.multinomial(flat, 1, generator=generator).reshape(probs.shape[:-1])
