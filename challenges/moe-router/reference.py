"""Reference solution of the moe-router challenge (trusted side only): top-k routing and the Switch loss."""

from __future__ import annotations

import torch


def route(x: torch.Tensor, w_gate: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(weights (T, k), experts (T, k) int64, aux_loss ()) for tokens x (T, d) and a gate w_gate (d, E)."""
    if x.dim() != 2 or w_gate.dim() != 2 or x.shape[1] != w_gate.shape[0]:
        raise ValueError(f"x (T, d) and w_gate (d, E) expected, got {tuple(x.shape)} and {tuple(w_gate.shape)}")
    n_tokens, n_experts = x.shape[0], w_gate.shape[1]
    if not 1 <= k <= n_experts:
        raise ValueError(f"k must be in [1, {n_experts}], got {k}")
    work = torch.float64 if x.dtype == torch.float64 else torch.float32
    logits = x.to(work) @ w_gate.to(work)
    probs = torch.softmax(logits, dim=-1)
    # descending probability, ties to the lower expert index: a stable sort of the negated values
    experts = torch.sort(-probs, dim=-1, stable=True).indices[:, :k]
    chosen = probs.gather(-1, experts)
    weights = chosen / chosen.sum(dim=-1, keepdim=True)
    counts = torch.zeros(n_experts, dtype=work).index_add_(0, experts.reshape(-1),
                                                          torch.ones(n_tokens * k, dtype=work))
    fraction = counts / (n_tokens * k)  # no gradient: a count
    mean_prob = probs.mean(dim=0)
    aux_loss = n_experts * (fraction * mean_prob).sum()
    return weights, experts, aux_loss
