"""Public support module of the loss-scaler challenge: what the judge keeps in your sandbox.

The tests drive your ``LossScaler`` the way a training loop does, with tensors that stay in the
worker between calls (so that in-place changes are seen):

    params = keep([w, b])                         # the model's parameters
    grads = keep([gw, gb])                        # the gradients' list
    step_fn = make_sgd_step(params, grads, lr)    # the optimizer step: p -= lr * g
    for each iteration:
        load(grads, [gw, gb])                     # this iteration's (scaled) gradients
        scaler.unscale_(grads)                    # sometimes; otherwise step() unscales
        ran = scaler.step(step_fn, grads)         # step_fn() returns how often it has run
        scaler.update(found_inf)
        read(params), read(grads)                 # copies, sent back to the judge

What comes back is compared with the judge's own float64 run of the same iterations.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def keep(tensors: list[torch.Tensor]) -> list[torch.Tensor]:
    """``tensors`` itself: called with ``.new`` so that the list and its tensors stay in the worker."""
    return tensors


def load(tensors: list[torch.Tensor], new: list[torch.Tensor]) -> None:
    """Replace the contents of the kept list ``tensors`` with ``new`` (the same list object)."""
    tensors[:] = new


def read(tensors: list[torch.Tensor]) -> list[torch.Tensor]:
    """Copies of the tensors, as they are now."""
    return [t.detach().clone() for t in tensors]


def make_sgd_step(params: list[torch.Tensor], grads: list[torch.Tensor], lr: float) -> Callable[[], int]:
    """A plain SGD step over ``params`` with the tensors ``grads`` holds when it runs; it returns how many
    times it has run, counting this one."""
    runs = [0]

    def step() -> int:
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                p.sub_(lr * g)
        runs[0] += 1
        return runs[0]

    return step


def run_updates(scaler: object, found_infs: list[bool]) -> list[float]:
    """``scaler.update(f)`` for each ``f`` in turn; the scale after each (``scaler.get_scale()``)."""
    scales = []
    for found_inf in found_infs:
        scaler.update(found_inf)
        scales.append(scaler.get_scale())
    return scales
