"""Accepted: the scale kept as a float64 tensor, foreach division, the finiteness check from one sum."""

import math

import torch


class LossScaler:
    def __init__(self, init_scale=65536.0, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
        checks = [
            (init_scale > 0 and math.isfinite(init_scale), "init_scale"),
            (growth_factor > 1.0, "growth_factor"),
            (0.0 < backoff_factor < 1.0, "backoff_factor"),
            (isinstance(growth_interval, int) and not isinstance(growth_interval, bool) and growth_interval >= 1,
             "growth_interval"),
        ]
        for ok, name in checks:
            if not ok:
                raise ValueError(f"invalid {name}")
        self._scale = torch.tensor(float(init_scale), dtype=torch.float64)
        self._factors = (growth_factor, backoff_factor, growth_interval)
        self._streak = 0
        self._inf_this_iteration = None

    def get_scale(self):
        return float(self._scale)

    def scale(self, loss):
        return loss * self._scale.to(loss.dtype)

    def unscale_(self, grads):
        if self._inf_this_iteration is not None:
            raise RuntimeError("already unscaled in this iteration")
        # a sum of zeros (x * 0) is NaN exactly when some x is inf or NaN
        total = sum((g.double() * 0).sum() for g in grads) if grads else torch.tensor(0.0)
        found = bool(torch.isnan(total))
        if grads:
            torch._foreach_div_(grads, float(self._scale))
        self._inf_this_iteration = found
        return not found

    def step(self, optimizer_step_fn, grads):
        if self._inf_this_iteration is None:
            self.unscale_(grads)
        if not self._inf_this_iteration:
            return optimizer_step_fn()
        return None

    def update(self, found_inf):
        growth, backoff, interval = self._factors
        if found_inf:
            self._scale = self._scale * backoff
            self._streak = 0
        else:
            self._streak += 1
            if self._streak >= interval:
                grown = self._scale * growth
                if bool(torch.isfinite(grown)):
                    self._scale = grown
                self._streak = 0
        self._inf_this_iteration = None
