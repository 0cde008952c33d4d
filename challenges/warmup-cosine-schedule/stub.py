"""warmup-cosine-schedule: implement lr_at (see statement.md).

Rules: plain Python (the math module); torch.optim.lr_scheduler's schedulers and the
transformers/timm schedule helpers are forbidden.
"""

from __future__ import annotations

import math  # noqa: F401  (you will want math.cos and math.pi)


def lr_at(step: int, *, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0) -> float:
    """The learning rate of optimizer step ``step`` (from 0): linear warmup from 0, then cosine decay."""
    raise NotImplementedError("lr_at is not implemented yet: see statement.md")
