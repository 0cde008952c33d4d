"""Accepted: a different correct implementation from the reference.

A hand-written log-softmax (shift by the max, logsumexp), a one-hot pick of the
label tokens instead of gather, a float mask applied with where, softplus for
the stable log-sigmoid (-logsigmoid(x) == softplus(-x)), and torch.no_grad()
for the frozen reference and the rewards.
"""

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
    with torch.no_grad():
        ref_margin = ref_chosen_logps - ref_rejected_logps
    logits = beta * (policy_chosen_logps - policy_rejected_logps) - beta * ref_margin
    losses = (1 - label_smoothing) * F.softplus(-logits) + label_smoothing * F.softplus(logits)
    with torch.no_grad():
        chosen_rewards = beta * (policy_chosen_logps - ref_chosen_logps)
        rejected_rewards = beta * (policy_rejected_logps - ref_rejected_logps)
    return losses, chosen_rewards, rejected_rewards
