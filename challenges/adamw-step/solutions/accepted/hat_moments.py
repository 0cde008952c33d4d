"""Accepted: the textbook form with explicit m_hat and v_hat tensors, one loop over indices."""

import torch


def adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    if step < 1:
        raise ValueError(f"step must be >= 1, got {step}")
    beta1, beta2 = betas
    for i in range(len(params)):
        p, g = params[i], grads[i]
        with torch.no_grad():
            p -= lr * weight_decay * p
            exp_avgs[i][...] = beta1 * exp_avgs[i] + (1 - beta1) * g
            exp_avg_sqs[i][...] = beta2 * exp_avg_sqs[i] + (1 - beta2) * g * g
            m_hat = exp_avgs[i] / (1 - beta1**step)
            v_hat = exp_avg_sqs[i] / (1 - beta2**step)
            p -= lr * m_hat / (torch.sqrt(v_hat) + eps)
