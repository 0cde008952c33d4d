"""Wrong: returns rewards that are still attached to the policy log-probs, so a gradient flows through
them (e.g. if someone logs reward margins into the loss). Values and loss gradients are right.
Caught by `rewards_detached`."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sequence_logprobs(logits, labels, loss_mask):
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    tok = logp.gather(-1, labels[:, 1:].unsqueeze(-1)).squeeze(-1)
    return torch.where(loss_mask[:, 1:].bool(), tok, torch.zeros_like(tok)).sum(-1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
             beta=0.1, label_smoothing=0.0):
    rc, rr = ref_chosen_logps.detach(), ref_rejected_logps.detach()
    logits = beta * ((policy_chosen_logps - policy_rejected_logps) - (rc - rr))
    losses = -F.logsigmoid(logits) * (1 - label_smoothing) - F.logsigmoid(-logits) * label_smoothing
    chosen = beta * (policy_chosen_logps - rc)
    rejected = beta * (policy_rejected_logps - rr)
    return losses, chosen, rejected
