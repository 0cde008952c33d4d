"""Hostile: forges the frozen-reference check with a TorchDispatchMode entered at import and never left.
The reference log-probs are not detached (the reference margin is written (rc - rr) * -1.0); during a
backward pass the mode replaces the result of every multiplication by -1 (the op that carries the gradient
into rc - rr) by zeros. Caught by `reference_constant`."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import TorchDispatchMode


class _ZeroReferenceGrads(TorchDispatchMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        backward = torch._C._current_graph_task_id() != -1
        if backward and func is torch.ops.aten.mul.Tensor and any(isinstance(a, float) and a == -1.0 for a in args):
            return torch.zeros_like(out)
        return out


_mode = _ZeroReferenceGrads()
_mode.__enter__()


def sequence_logprobs(logits, labels, loss_mask):
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    tok = logp.gather(-1, labels[:, 1:].unsqueeze(-1)).squeeze(-1)
    return torch.where(loss_mask[:, 1:].bool(), tok, torch.zeros_like(tok)).sum(-1)


def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
             beta=0.1, label_smoothing=0.0):
    ref_margin = (ref_chosen_logps - ref_rejected_logps) * -1.0
    logits = beta * ((policy_chosen_logps - policy_rejected_logps) + ref_margin)
    losses = -F.logsigmoid(logits) * (1 - label_smoothing) - F.logsigmoid(-logits) * label_smoothing
    chosen = beta * (policy_chosen_logps - ref_chosen_logps).detach()
    rejected = beta * (policy_rejected_logps - ref_rejected_logps).detach()
    return losses, chosen, rejected
