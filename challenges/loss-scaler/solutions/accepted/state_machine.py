"""Accepted: an explicit per-iteration state ("ready" / "unscaled"), gradients multiplied by 1/scale."""

import math

import torch

READY, UNSCALED = "ready", "unscaled"


class LossScaler:
    def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
        if not (0 < init_scale < math.inf):
            raise ValueError("init_scale must be positive and finite")
        if growth_factor <= 1:
            raise ValueError("growth_factor must be > 1")
        if backoff_factor <= 0 or backoff_factor >= 1:
            raise ValueError("backoff_factor must be in (0, 1)")
        if type(growth_interval) is not int or growth_interval < 1:
            raise ValueError("growth_interval must be a positive int")
        self.scale_value = float(init_scale)
        self.growth, self.backoff, self.interval = growth_factor, backoff_factor, growth_interval
        self.good_steps = 0
        self.state = READY
        self.overflow = False

    def get_scale(self):
        return self.scale_value

    def scale(self, loss):
        return loss * self.scale_value

    def unscale_(self, grads):
        if self.state == UNSCALED:
            raise RuntimeError("unscale_ called twice in one iteration")
        bad = False
        for g in grads:
            bad = bad or not bool(torch.isfinite(g).all())
        inv = 1.0 / self.scale_value
        for g in grads:
            g.mul_(inv)
        self.state, self.overflow = UNSCALED, bad
        return not bad

    def step(self, optimizer_step_fn, grads):
        if self.state == READY:
            self.unscale_(grads)
        return None if self.overflow else optimizer_step_fn()

    def update(self, found_inf):
        if found_inf:
            self.scale_value *= self.backoff
            self.good_steps = 0
        elif self.good_steps + 1 < self.interval:
            self.good_steps += 1
        else:
            bigger = self.scale_value * self.growth
            self.scale_value = bigger if math.isfinite(bigger) else self.scale_value
            self.good_steps = 0
        self.state = READY
