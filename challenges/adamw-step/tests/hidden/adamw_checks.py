"""Shared helpers of the adamw-step hidden tests (trusted side): tensors kept in the worker, one step run
there and here, and the comparison of what the caller's tensors hold afterwards.

Loaded by the `adamw` fixture of this folder's conftest.py (the plugin's `helper`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

Check = Callable[..., Any]  # the `check` fixture


@dataclass
class Run:
    """The caller's tensors: kept in the worker (``remote``), and their expected values here (``expected``)."""

    sub: Any
    truth: Any
    check: Check
    dtype: torch.dtype
    remote: dict[str, list[Any]] = field(default_factory=dict)
    expected: dict[str, list[torch.Tensor]] = field(default_factory=dict)

    def step(self, grads: list[torch.Tensor], step: int, lr: float, case: str, **hyper: Any) -> None:
        """One adamw_step in the worker and in torch's AdamW; compare the exp_avgs, exp_avg_sqs, then params."""
        grads = [g.to(self.dtype) for g in grads]  # both sides get the same (rounded) values
        result = self.sub.adamw_step(self.remote["params"], grads, self.remote["exp_avgs"],
                                     self.remote["exp_avg_sqs"], step, lr, **hyper)
        assert result is None  # the results contract has said so already
        p, m, v = self.truth.adamw_step(self.expected["params"], grads, self.expected["exp_avgs"],
                                        self.expected["exp_avg_sqs"], step, lr, **hyper)
        self.expected = {"params": p, "exp_avgs": m, "exp_avg_sqs": v}
        what = {
            "exp_avgs": "m = beta1 * m + (1 - beta1) * g, with the raw gradient g (weight decay is not added to it)",
            "exp_avg_sqs": "v = beta2 * v + (1 - beta2) * g * g",
            "params": "p * (1 - lr * weight_decay) - lr * m_hat / (sqrt(v_hat) + eps), "
                      "m_hat = m / (1 - beta1**step), v_hat = v / (1 - beta2**step)",
        }
        for key in ("exp_avgs", "exp_avg_sqs", "params"):
            for i, (remote, want) in enumerate(zip(self.remote[key], self.expected[key])):
                self.check(remote.clone(), want, dtype=self.dtype,
                           name=f"{key}[{i}] after adamw_step(step={step}) ({case}): {what[key]}; read back from "
                                "the caller's tensor, which must be updated in place")


def start(sub: Any, truth: Any, check: Check, params: list[torch.Tensor], exp_avgs: list[torch.Tensor] | None = None,
          exp_avg_sqs: list[torch.Tensor] | None = None, dtype: torch.dtype = torch.float64) -> Run:
    """Keep params and the state (zeros unless given) in the worker, in ``dtype``; expected values in float64."""
    make = sub.support("adamw_tensors").tensor
    state = {"params": params,
             "exp_avgs": exp_avgs if exp_avgs is not None else [torch.zeros_like(p) for p in params],
             "exp_avg_sqs": exp_avg_sqs if exp_avg_sqs is not None else [torch.zeros_like(p) for p in params]}
    run = Run(sub, truth, check, dtype)
    for key, tensors in state.items():
        cast = [t.to(dtype) for t in tensors]
        run.remote[key] = [make.new(t) for t in cast]
        run.expected[key] = [t.to(torch.float64) for t in cast]  # the values the worker holds, exactly
    return run


def normal(rng: torch.Generator, shape: tuple[int, ...], scale: float = 1.0) -> torch.Tensor:
    return torch.randn(shape, generator=rng, dtype=torch.float64) * scale


SHAPES = [(4, 3), (5,), ()]  # a matrix, a vector and a 0-d scalar in one list
