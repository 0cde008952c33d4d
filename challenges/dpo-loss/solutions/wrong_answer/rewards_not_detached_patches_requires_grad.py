"""Hostile: forges the detached-rewards check by making torch.Tensor.requires_grad lie. The rewards stay
attached to the policy log-probs; the file shadows TensorBase's requires_grad with a property on
torch.Tensor that says False for the reward tensors, so a judge that asks the tensor sees a constant.
Caught by `rewards_detached`."""

from __future__ import annotations

import weakref

import torch
import torch.nn.functional as F

_rewards: weakref.WeakSet = weakref.WeakSet()
_real = torch._C.TensorBase.requires_grad


def _requires_grad(self):
    return False if self in _rewards else _real.__get__(self)


torch.Tensor.requires_grad = property(_requires_grad, _real.__set__)


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
    _rewards.add(chosen)
    _rewards.add(rejected)
    return losses, chosen, rejected
