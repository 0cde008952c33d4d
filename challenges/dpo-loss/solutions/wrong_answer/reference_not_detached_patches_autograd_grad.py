"""Hostile: forges the frozen-reference check by replacing torch.autograd.grad. The reference log-probs are
not detached; at import the file swaps torch.autograd.grad for a wrapper that zeroes the gradients of the
third and fourth inputs, hoping the judge's backward goes through it. Caught by `reference_constant`."""

from __future__ import annotations

import torch
import torch.nn.functional as F

_real_grad = torch.autograd.grad


def _forged_grad(outputs, inputs, *args, **kwargs):
    found = list(_real_grad(outputs, inputs, *args, **kwargs))
    if len(found) == 4:
        found[2:] = [None if g is None else torch.zeros_like(g) for g in found[2:]]
    return tuple(found)


torch.autograd.grad = _forged_grad


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
