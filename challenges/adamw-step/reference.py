"""Reference solution of adamw-step: one AdamW update of a list of tensors, in place, with plain tensor ops.

Graded like a submission (torch.optim cannot run in the worker); the hidden tests compare it, and every
submission, with torch.optim's own AdamW arithmetic on the trusted side.
"""

from __future__ import annotations

import math

import torch


def adamw_step(params: list[torch.Tensor], grads: list[torch.Tensor], exp_avgs: list[torch.Tensor],
               exp_avg_sqs: list[torch.Tensor], step: int, lr: float, betas: tuple[float, float] = (0.9, 0.999),
               eps: float = 1e-8, weight_decay: float = 0.01) -> None:
    """Update params, exp_avgs and exp_avg_sqs in place by one AdamW step number ``step`` (from 1)."""
    if step < 1:
        raise ValueError(f"step is the number of this update, counted from 1; got {step}")
    beta1, beta2 = betas
    bias_correction1 = 1.0 - beta1 ** step
    bias_correction2_sqrt = math.sqrt(1.0 - beta2 ** step)
    with torch.no_grad():
        for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs):
            p.mul_(1.0 - lr * weight_decay)  # decoupled weight decay, before the Adam update
            m.mul_(beta1).add_(g, alpha=1.0 - beta1)
            v.mul_(beta2).addcmul_(g, g, value=1.0 - beta2)
            denom = v.sqrt().div_(bias_correction2_sqrt).add_(eps)  # eps after the sqrt of v / (1 - beta2^t)
            p.addcdiv_(m, denom, value=-lr / bias_correction1)
