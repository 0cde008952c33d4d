"""Accepted: torch's own formulation (lerp for m, bias-corrected step size and denominator), out of place then copied back."""

import math

import torch


def adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    if not step >= 1:
        raise ValueError("step counts from 1")
    beta1, beta2 = betas
    c1 = 1 - beta1**step
    c2 = 1 - beta2**step
    with torch.no_grad():
        for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs):
            m.lerp_(g, 1 - beta1)
            v.copy_(beta2 * v + (1 - beta2) * g.square())
            decayed = p * (1 - lr * weight_decay)
            p.copy_(decayed - (lr / c1) * m / (v.sqrt() / math.sqrt(c2) + eps))
