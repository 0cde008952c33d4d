"""Reference solution for dpo-loss (trusted side only; expected values are computed with it in float64)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sequence_logprobs(logits: torch.Tensor, labels: torch.Tensor, loss_mask: torch.Tensor) -> torch.Tensor:
    """Sum over the unmasked positions of log p(label_t | tokens before t), one value per sequence.

    The logits at position t predict the token at t + 1, so logits[:, :-1] are
    scored against labels[:, 1:] and loss_mask is shifted the same way.
    Masked positions are zeroed with ``where`` (not a multiply), so they never
    contribute, not even a NaN.
    """
    if logits.dim() != 3 or labels.shape != logits.shape[:2] or loss_mask.shape != labels.shape:
        raise ValueError("expected logits (B, T, V), labels (B, T) and loss_mask (B, T)")
    logp = torch.log_softmax(logits[:, :-1, :], dim=-1)
    targets = labels[:, 1:].long().unsqueeze(-1)
    per_token = logp.gather(-1, targets).squeeze(-1)
    keep = loss_mask[:, 1:].bool()
    return torch.where(keep, per_token, torch.zeros_like(per_token)).sum(dim=-1)


def dpo_loss(policy_chosen_logps: torch.Tensor, policy_rejected_logps: torch.Tensor,
             ref_chosen_logps: torch.Tensor, ref_rejected_logps: torch.Tensor,
             beta: float = 0.1, label_smoothing: float = 0.0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-example DPO losses (conservative form) and the implicit rewards, all of shape (B,)."""
    ref_chosen = ref_chosen_logps.detach()
    ref_rejected = ref_rejected_logps.detach()
    logits = beta * ((policy_chosen_logps - policy_rejected_logps) - (ref_chosen - ref_rejected))
    losses = -F.logsigmoid(logits) * (1 - label_smoothing) - F.logsigmoid(-logits) * label_smoothing
    chosen_rewards = beta * (policy_chosen_logps - ref_chosen).detach()
    rejected_rewards = beta * (policy_rejected_logps - ref_rejected).detach()
    return losses, chosen_rewards, rejected_rewards
