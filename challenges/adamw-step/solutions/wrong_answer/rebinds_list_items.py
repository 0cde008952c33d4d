# Breaks in-place: new tensors are put into the lists; the tensors the caller holds never change.
import torch


def adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    if step < 1:
        raise ValueError("step counts from 1")
    beta1, beta2 = betas
    with torch.no_grad():
        for i, (p, g, m, v) in enumerate(zip(params, grads, exp_avgs, exp_avg_sqs)):
            p = p * (1 - lr * weight_decay)
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            exp_avgs[i], exp_avg_sqs[i] = m, v
            m_hat = m / (1 - beta1**step)
            v_hat = v / (1 - beta2**step)
            params[i] = p - lr * m_hat / (v_hat.sqrt() + eps)
