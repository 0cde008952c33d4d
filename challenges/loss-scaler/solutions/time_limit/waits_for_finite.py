"""Time limit: on an overflow, "waits" for the gradients to become finite instead of skipping the step."""

import math

import torch


class LossScaler:
    def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
        if not (init_scale > 0 and math.isfinite(init_scale)) or growth_factor <= 1 or not 0 < backoff_factor < 1:
            raise ValueError("bad scaler settings")
        if not isinstance(growth_interval, int) or growth_interval < 1:
            raise ValueError("bad growth_interval")
        self._scale, self._g, self._b, self._n = float(init_scale), growth_factor, backoff_factor, growth_interval
        self._count, self._found = 0, None

    def get_scale(self):
        return self._scale

    def scale(self, loss):
        return loss * self._scale

    def unscale_(self, grads):
        if self._found is not None:
            raise RuntimeError("unscale_ twice")
        while not all(bool(torch.isfinite(g).all()) for g in grads):
            pass  # the gradients never change while we wait
        for g in grads:
            g.div_(self._scale)
        self._found = False
        return True

    def step(self, optimizer_step_fn, grads):
        if self._found is None:
            self.unscale_(grads)
        return optimizer_step_fn()

    def update(self, found_inf):
        if found_inf:
            self._scale *= self._b
            self._count = 0
        else:
            self._count += 1
            if self._count == self._n:
                self._scale = self._scale * self._g if math.isfinite(self._scale * self._g) else self._scale
                self._count = 0
        self._found = None
