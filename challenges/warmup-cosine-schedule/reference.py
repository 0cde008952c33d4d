"""Reference solution for warmup-cosine-schedule (trusted side only): plain float64 arithmetic."""

from __future__ import annotations

import math


def lr_at(step: int, *, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0) -> float:
    """The learning rate of optimizer step ``step``: linear warmup from 0, then cosine decay to ``min_lr``."""
    if step < 0 or warmup_steps < 0 or base_lr < 0 or min_lr < 0:
        raise ValueError("step, warmup_steps, base_lr and min_lr must not be negative")
    if warmup_steps > total_steps:
        raise ValueError(f"warmup_steps ({warmup_steps}) must not exceed total_steps ({total_steps})")
    if min_lr > base_lr:
        raise ValueError(f"min_lr ({min_lr}) must not exceed base_lr ({base_lr})")
    if step >= total_steps:  # first: with warmup_steps == total_steps the decay part is empty
        return float(min_lr)
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))
