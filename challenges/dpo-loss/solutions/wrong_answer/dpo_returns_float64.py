"""Wrong (rule dpo-dtype): dpo_loss computes in float64 and returns float64 tensors for float32 inputs
(the three results must be in the inputs' dtype)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sequence_logprobs(logits: torch.Tensor, labels: torch.Tensor, loss_mask: torch.Tensor) -> torch.Tensor:
    pred = logits[:, :-1, :]
    target = labels[:, 1:]
    mask = loss_mask[:, 1:].to(pred.dtype)
    top = pred.max(dim=-1, keepdim=True).values.detach()
    shifted = pred - top
    logp = shifted - shifted.exp().sum(dim=-1, keepdim=True).log()
    picked = (logp * F.one_hot(target, pred.shape[-1]).to(pred.dtype)).sum(dim=-1)
    return torch.where(mask > 0, picked, torch.zeros_like(picked)).sum(dim=1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
             beta=0.1, label_smoothing=0.0):
    policy_chosen_logps, policy_rejected_logps = policy_chosen_logps.double(), policy_rejected_logps.double()
    ref_chosen_logps, ref_rejected_logps = ref_chosen_logps.double(), ref_rejected_logps.double()
    with torch.no_grad():
        ref_margin = ref_chosen_logps - ref_rejected_logps
    logits = beta * (policy_chosen_logps - policy_rejected_logps) - beta * ref_margin
    losses = (1 - label_smoothing) * F.softplus(-logits) + label_smoothing * F.softplus(logits)
    with torch.no_grad():
        chosen_rewards = beta * (policy_chosen_logps - ref_chosen_logps)
        rejected_rewards = beta * (policy_rejected_logps - ref_rejected_logps)
    return losses, chosen_rewards, rejected_rewards
