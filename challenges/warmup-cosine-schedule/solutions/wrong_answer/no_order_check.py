# Rule error-warmup-exceeds-total: warmup_steps > total_steps is not refused.
"""Rule error-warmup-exceeds-total: warmup_steps > total_steps is not refused."""

import math


def lr_at(step, *, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < 0 or warmup_steps < 0 or base_lr < 0 or min_lr < 0:
        raise ValueError("negative argument")
    if min_lr > base_lr:
        raise ValueError("min_lr > base_lr")
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    if step >= total_steps:
        return float(min_lr)
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))
