"""Wrong: computes log(sigmoid(x)) literally. For very negative x, sigmoid(x) underflows to 0 and
the loss becomes inf (and its gradient NaN). Caught by the `stability` group."""

from __future__ import annotations

import torch


def sequence_logprobs(logits, labels, loss_mask):
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    tok = logp.gather(-1, labels[:, 1:].unsqueeze(-1)).squeeze(-1)
    return torch.where(loss_mask[:, 1:].bool(), tok, torch.zeros_like(tok)).sum(-1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
             beta=0.1, label_smoothing=0.0):
    rc, rr = ref_chosen_logps.detach(), ref_rejected_logps.detach()
    logits = beta * ((policy_chosen_logps - policy_rejected_logps) - (rc - rr))
    losses = (-torch.log(torch.sigmoid(logits)) * (1 - label_smoothing)
              - torch.log(torch.sigmoid(-logits)) * label_smoothing)
    chosen = beta * (policy_chosen_logps - rc).detach()
    rejected = beta * (policy_rejected_logps - rr).detach()
    return losses, chosen, rejected
