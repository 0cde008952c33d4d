# Rule no-second-unscale: step() divides the gradients by the scale even after unscale_ did.
"""Rule no-second-unscale: step() divides the gradients by the scale even after unscale_ did."""

import math
from collections.abc import Callable
from typing import Any

import torch


class LossScaler:
    """Dynamic loss scaling: multiply the loss by ``scale``, divide the gradients by it, skip the steps
    whose gradients overflowed, shrink the scale on overflow and grow it after a run of clean steps."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000) -> None:
        if not (init_scale > 0 and math.isfinite(init_scale)):
            raise ValueError(f"init_scale must be a positive finite number, got {init_scale!r}")
        if not growth_factor > 1.0:
            raise ValueError(f"growth_factor must be > 1, got {growth_factor!r}")
        if not 0.0 < backoff_factor < 1.0:
            raise ValueError(f"backoff_factor must be in (0, 1), got {backoff_factor!r}")
        if isinstance(growth_interval, bool) or not isinstance(growth_interval, int) or growth_interval < 1:
            raise ValueError(f"growth_interval must be an int >= 1, got {growth_interval!r}")
        self._scale = float(init_scale)
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = growth_interval
        self._growth_tracker = 0  # consecutive finite updates since the last growth or overflow
        self._found_inf: bool | None = None  # this iteration's unscale_ result; None: not unscaled yet

    def get_scale(self) -> float:
        return self._scale

    def scale(self, loss: torch.Tensor) -> torch.Tensor:
        return loss * self._scale

    def unscale_(self, grads: list[torch.Tensor]) -> bool:
        if self._found_inf is not None:
            raise RuntimeError("unscale_() has already been called since the last update()")
        finite = all(bool(torch.isfinite(g).all()) for g in grads)  # the gradients as they came in
        with torch.no_grad():
            for g in grads:
                g.div_(self._scale)
        self._found_inf = not finite
        return finite

    def step(self, optimizer_step_fn: Callable[[], Any], grads: list[torch.Tensor]) -> Any:
        finite = all(bool(torch.isfinite(g).all()) for g in grads)
        with torch.no_grad():
            for g in grads:
                g.div_(self._scale)
        self._found_inf = not finite
        if self._found_inf:
            return None
        return optimizer_step_fn()

    def update(self, found_inf: bool) -> None:
        if found_inf:
            self._scale *= self._backoff_factor
            self._growth_tracker = 0
        else:
            self._growth_tracker += 1
            if self._growth_tracker == self._growth_interval:
                grown = self._scale * self._growth_factor
                if math.isfinite(grown):
                    self._scale = grown
                self._growth_tracker = 0
        self._found_inf = None
