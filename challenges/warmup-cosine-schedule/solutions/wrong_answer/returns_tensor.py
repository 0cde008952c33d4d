# Rule returns-float: computes with torch and returns a 0-d tensor instead of a Python float.
"""Rule returns-float: computes with torch and returns a 0-d tensor instead of a Python float."""

import math

import torch


def lr_at(step, *, base_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < 0 or warmup_steps < 0 or base_lr < 0 or min_lr < 0:
        raise ValueError("negative argument")
    if warmup_steps > total_steps:
        raise ValueError("warmup_steps > total_steps")
    if min_lr > base_lr:
        raise ValueError("min_lr > base_lr")
    if step >= total_steps:
        return torch.tensor(float(min_lr), dtype=torch.float64)
    if step < warmup_steps:
        return torch.tensor(base_lr * step / warmup_steps, dtype=torch.float64)
    progress = torch.tensor((step - warmup_steps) / (total_steps - warmup_steps), dtype=torch.float64)
    return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + torch.cos(math.pi * progress))
