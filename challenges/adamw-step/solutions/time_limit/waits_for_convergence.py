"""Time limit: "iterates the moments to their fixed point", a loop whose exit test never holds."""

import torch


def adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    if step < 1:
        raise ValueError("step counts from 1")
    beta1, beta2 = betas
    with torch.no_grad():
        for p, g, m, v in zip(params, grads, exp_avgs, exp_avg_sqs):
            target = m.clone()
            while not torch.equal(target, g + 1):  # g + 1 is never reached by an average of g
                target = beta1 * target + (1 - beta1) * g
            m.copy_(target)
            p.mul_(1 - lr * weight_decay)
