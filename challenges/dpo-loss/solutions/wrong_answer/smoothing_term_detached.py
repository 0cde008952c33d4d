"""The label-smoothing term is detached: the losses are right, their gradient misses the s term."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sequence_logprobs(logits: torch.Tensor, labels: torch.Tensor, loss_mask: torch.Tensor) -> torch.Tensor:
    logp = torch.log_softmax(logits[:, :-1, :], dim=-1)
    per_token = logp.gather(-1, labels[:, 1:].unsqueeze(-1)).squeeze(-1)
    keep = loss_mask[:, 1:].bool()
    return torch.where(keep, per_token, torch.zeros_like(per_token)).sum(dim=-1)


def dpo_loss(policy_chosen_logps: torch.Tensor, policy_rejected_logps: torch.Tensor,
             ref_chosen_logps: torch.Tensor, ref_rejected_logps: torch.Tensor,
             beta: float = 0.1, label_smoothing: float = 0.0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    ref_chosen, ref_rejected = ref_chosen_logps.detach(), ref_rejected_logps.detach()
    logits = beta * ((policy_chosen_logps - policy_rejected_logps) - (ref_chosen - ref_rejected))
    losses = -F.logsigmoid(logits) * (1 - label_smoothing) - (F.logsigmoid(-logits) * label_smoothing).detach()
    chosen_rewards = (beta * (policy_chosen_logps - ref_chosen)).detach()
    rejected_rewards = (beta * (policy_rejected_logps - ref_rejected)).detach()
    return losses, chosen_rewards, rejected_rewards
