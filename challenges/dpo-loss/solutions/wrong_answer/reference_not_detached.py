"""Wrong: lets gradient flow into the reference log-probs (the frozen model). The values are all
right; only the gradients with respect to ref_* are not zero. Caught by `reference_constant`."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sequence_logprobs(logits, labels, loss_mask):
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    tok = logp.gather(-1, labels[:, 1:].unsqueeze(-1)).squeeze(-1)
    return torch.where(loss_mask[:, 1:].bool(), tok, torch.zeros_like(tok)).sum(-1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
             beta=0.1, label_smoothing=0.0):
    logits = beta * ((policy_chosen_logps - policy_rejected_logps) - (ref_chosen_logps - ref_rejected_logps))
    losses = -F.logsigmoid(logits) * (1 - label_smoothing) - F.logsigmoid(-logits) * label_smoothing
    chosen = beta * (policy_chosen_logps - ref_chosen_logps).detach()
    rejected = beta * (policy_rejected_logps - ref_rejected_logps).detach()
    return losses, chosen, rejected
