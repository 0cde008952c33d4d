"""Wrong: the DPO loss as a custom torch.autograd.Function whose hand-written backward forgets the chain
rule's factor beta (d logits / d policy_chosen_logps = beta). The losses and rewards are right, and so are the
signs of the gradients (the chosen log-prob is pushed up, the rejected one down): only their size is off, by
1 / beta. The sign-only direction test cannot see that; the trusted side's check that the returned gradient
is the derivative of the forward (two more forward calls) can, in `preference_direction`, as does every
comparison with the reference's gradient (`dpo_gradients`, `stability`, `reference_constant`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def sequence_logprobs(logits: torch.Tensor, labels: torch.Tensor, loss_mask: torch.Tensor) -> torch.Tensor:
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    tok = logp.gather(-1, labels[:, 1:].unsqueeze(-1)).squeeze(-1)
    return torch.where(loss_mask[:, 1:].bool(), tok, torch.zeros_like(tok)).sum(-1)


class _DpoLosses(torch.autograd.Function):
    @staticmethod
    def forward(ctx, pc, pr, rc, rr, beta, smoothing):  # noqa: ANN001, ANN205
        logits = beta * ((pc - pr) - (rc - rr))
        ctx.save_for_backward(logits)
        ctx.beta, ctx.smoothing = beta, smoothing
        return -F.logsigmoid(logits) * (1 - smoothing) - F.logsigmoid(-logits) * smoothing

    @staticmethod
    def backward(ctx, grad):  # noqa: ANN001, ANN205
        (logits,) = ctx.saved_tensors
        s = ctx.smoothing
        dlogits = grad * (-(1 - s) * torch.sigmoid(-logits) + s * torch.sigmoid(logits))
        return dlogits, -dlogits, None, None, None, None  # missing: * beta


def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
             beta=0.1, label_smoothing=0.0):
    losses = _DpoLosses.apply(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
                              beta, label_smoothing)
    chosen = (beta * (policy_chosen_logps - ref_chosen_logps)).detach()
    rejected = (beta * (policy_rejected_logps - ref_rejected_logps)).detach()
    return losses, chosen, rejected
