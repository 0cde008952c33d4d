# Breaks decoupled-decay: weight decay added to the gradient (Adam with L2), not applied to the parameter.
import torch


def adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    if step < 1:
        raise ValueError("step counts from 1")
    beta1, beta2 = betas
    with torch.no_grad():
        for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs):
            g = g + weight_decay * p
            m.mul_(beta1).add_((1 - beta1) * g)
            v.mul_(beta2).add_((1 - beta2) * g * g)
            m_hat = m / (1 - beta1**step)
            v_hat = v / (1 - beta2**step)
            p.sub_(lr * m_hat / (v_hat.sqrt() + eps))
