"""Forbidden: hands the lists to torch.optim's functional AdamW."""

import torch
from torch.optim.adamw import adamw


def adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    if step < 1:
        raise ValueError("step counts from 1")
    steps = [torch.tensor(float(step - 1)) for _ in params]
    adamw(params, grads, exp_avgs, exp_avg_sqs, [], steps, foreach=False, amsgrad=False, beta1=betas[0],
          beta2=betas[1], lr=lr, weight_decay=weight_decay, eps=eps, maximize=False)
