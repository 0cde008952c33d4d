"""loss-scaler: implement the LossScaler class below (see statement.md).

Rules: torch.amp.GradScaler (and its cuda/cpu twins), torch._amp_foreach_non_finite_check_and_unscale_
and torch._amp_update_scale_ are forbidden.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch


class LossScaler:
    """Dynamic loss scaling for fp16 training (torch.amp.GradScaler's rules)."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000) -> None:
        raise NotImplementedError("LossScaler is not implemented yet: see statement.md")

    def get_scale(self) -> float:
        raise NotImplementedError("LossScaler.get_scale is not implemented yet: see statement.md")

    def scale(self, loss: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("LossScaler.scale is not implemented yet: see statement.md")

    def unscale_(self, grads: list[torch.Tensor]) -> bool:
        raise NotImplementedError("LossScaler.unscale_ is not implemented yet: see statement.md")

    def step(self, optimizer_step_fn: Callable[[], Any], grads: list[torch.Tensor]) -> Any:
        raise NotImplementedError("LossScaler.step is not implemented yet: see statement.md")

    def update(self, found_inf: bool) -> None:
        raise NotImplementedError("LossScaler.update is not implemented yet: see statement.md")
