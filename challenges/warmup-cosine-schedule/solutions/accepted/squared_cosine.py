"""Accepted: 0.5 * (1 + cos(pi t)) written as cos(pi t / 2) ** 2, the phase clamped to [0, 1]."""

from math import cos, pi


def lr_at(step, *, base_lr, warmup_steps, total_steps, min_lr=0.0):
    for name, value in (("step", step), ("warmup_steps", warmup_steps), ("base_lr", base_lr), ("min_lr", min_lr)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if not warmup_steps <= total_steps:
        raise ValueError("warmup_steps must be <= total_steps")
    if not min_lr <= base_lr:
        raise ValueError("min_lr must be <= base_lr")
    if step < warmup_steps:
        return step * base_lr / warmup_steps * 1.0
    if step >= total_steps:
        t = 1.0
    else:
        t = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * cos(pi * t / 2) ** 2 * 1.0
