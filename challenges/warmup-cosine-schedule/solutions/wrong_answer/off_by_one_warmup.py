# Rule warmup-linear: the warmup is base_lr * (step + 1) / warmup_steps, so step 0 is not 0.
"""Rule warmup-linear: the warmup is base_lr * (step + 1) / warmup_steps, so step 0 is not 0."""

import math


def lr_at(step, *, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < 0 or warmup_steps < 0 or base_lr < 0 or min_lr < 0:
        raise ValueError("negative argument")
    if warmup_steps > total_steps:
        raise ValueError("warmup_steps > total_steps")
    if min_lr > base_lr:
        raise ValueError("min_lr > base_lr")
    if step >= total_steps:
        return float(min_lr)
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))
