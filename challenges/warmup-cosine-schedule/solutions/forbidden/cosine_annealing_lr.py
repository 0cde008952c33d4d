"""Forbidden: reads the decay off torch's CosineAnnealingLR driven by a dummy optimizer."""

import torch


def lr_at(step, *, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if min(step, warmup_steps, base_lr, min_lr) < 0 or warmup_steps > total_steps or min_lr > base_lr:
        raise ValueError("bad arguments")
    if step >= total_steps:
        return float(min_lr)
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps - warmup_steps, eta_min=min_lr)
    for _ in range(step - warmup_steps):
        opt.step()
        sched.step()
    return float(opt.param_groups[0]["lr"])
