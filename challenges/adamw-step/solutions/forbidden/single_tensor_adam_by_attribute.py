"""Forbidden: the private single-tensor implementation behind AdamW, reached as attributes of torch (no import)."""

import torch


def adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    if step < 1:
        raise ValueError("step counts from 1")
    impl = getattr(getattr(torch.optim, "adam"), "_single_tensor_" + "adam")
    steps = [torch.tensor(float(step - 1)) for _ in params]
    with torch.no_grad():
        impl(params, grads, exp_avgs, exp_avg_sqs, [], steps, grad_scale=None, found_inf=None, amsgrad=False,
             has_complex=False, beta1=betas[0], beta2=betas[1], lr=lr, weight_decay=weight_decay, eps=eps,
             maximize=False, capturable=False, differentiable=False, decoupled_weight_decay=True)
