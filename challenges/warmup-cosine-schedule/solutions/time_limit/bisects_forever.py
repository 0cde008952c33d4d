"""Time limit: "finds" the warmup fraction by a search whose stopping test never holds."""

import math


def lr_at(step, *, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if min(step, warmup_steps, base_lr, min_lr) < 0 or warmup_steps > total_steps or min_lr > base_lr:
        raise ValueError("bad arguments")
    lo, hi = 0.0, 1.0
    while hi - lo >= 0.0:  # equality always holds once lo == hi: never stops
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mid * warmup_steps < step else (lo, mid)
    if step >= total_steps:
        return float(min_lr)
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))
