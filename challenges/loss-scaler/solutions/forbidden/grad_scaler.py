"""Forbidden: torch's own kernels do the work (the fused check-and-unscale, the scale update)."""

import torch


class LossScaler:
    def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
        if not init_scale > 0 or not growth_factor > 1 or not 0 < backoff_factor < 1 or growth_interval < 1:
            raise ValueError("bad settings")
        self._scale = torch.full((1,), float(init_scale), dtype=torch.float64)
        self._tracker = torch.zeros(1, dtype=torch.int32)
        self._args = (growth_factor, backoff_factor, growth_interval)
        self._found = None

    def get_scale(self):
        return float(self._scale)

    def scale(self, loss):
        return loss * self.get_scale()

    def unscale_(self, grads):
        if self._found is not None:
            raise RuntimeError("twice")
        found = torch.zeros(1, dtype=torch.float64)
        torch._amp_foreach_non_finite_check_and_unscale_(grads, found, (1.0 / self._scale))
        self._found = bool(found.item())
        return not self._found

    def step(self, optimizer_step_fn, grads):
        if self._found is None:
            self.unscale_(grads)
        return None if self._found else optimizer_step_fn()

    def update(self, found_inf):
        torch._amp_update_scale_(self._scale, self._tracker, torch.tensor([float(found_inf)], dtype=torch.float64),
                                 *self._args)
        self._found = None
