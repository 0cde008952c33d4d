"""Forbidden: never imports torch.optim, but reaches torch.optim.AdamW as an attribute of torch and steps it."""

import torch


def adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    if step < 1:
        raise ValueError("step counts from 1")
    opt_module = getattr(torch, "op" + "tim")
    leaves = [torch.nn.Parameter(p.detach().clone()) for p in params]
    opt = opt_module.AdamW(leaves, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=False)
    for leaf, g, m, v in zip(leaves, grads, exp_avgs, exp_avg_sqs):
        leaf.grad = g.clone()
        opt.state[leaf] = {"step": torch.tensor(float(step - 1)), "exp_avg": m.clone(), "exp_avg_sq": v.clone()}
    opt.step()
    with torch.no_grad():
        for p, leaf, m, v in zip(params, leaves, exp_avgs, exp_avg_sqs):
            p.copy_(leaf)
            m.copy_(opt.state[leaf]["exp_avg"])
            v.copy_(opt.state[leaf]["exp_avg_sq"])
