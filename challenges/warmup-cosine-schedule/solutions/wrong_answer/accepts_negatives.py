# Rule error-negative: negative step, warmup_steps, base_lr or min_lr are not refused.
"""Rule error-negative: negative step, warmup_steps, base_lr or min_lr are not refused."""

import math


def lr_at(step, *, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if warmup_steps > total_steps:
        raise ValueError("warmup_steps > total_steps")
    if min_lr > base_lr:
        raise ValueError("min_lr > base_lr")
    if step >= total_steps:
        return float(min_lr)
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))
