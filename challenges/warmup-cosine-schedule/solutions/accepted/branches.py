"""Accepted: one branch per part of the schedule, min_lr first (the decay part may be empty)."""

import math


def lr_at(step, *, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if min(step, warmup_steps, base_lr, min_lr) < 0:
        raise ValueError("negative argument")
    if warmup_steps > total_steps or min_lr > base_lr:
        raise ValueError("need warmup_steps <= total_steps and min_lr <= base_lr")
    if step >= total_steps:
        return float(min_lr)
    if step < warmup_steps:
        return float(base_lr) * step / warmup_steps
    decay_steps = total_steps - warmup_steps
    t = (step - warmup_steps) / decay_steps
    return float(min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * t)))
