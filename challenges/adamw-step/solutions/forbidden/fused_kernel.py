"""Forbidden: the fused AdamW kernel, reached through torch.ops.aten."""

import torch


def adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    if step < 1:
        raise ValueError("step counts from 1")
    steps = [torch.tensor(float(step)) for _ in params]
    torch.ops.aten._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, [], steps, lr=lr, beta1=betas[0],
                                 beta2=betas[1], weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False)
