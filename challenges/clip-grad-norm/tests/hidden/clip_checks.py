"""Shared helpers of the clip-grad-norm hidden tests (trusted side): gradients kept in the worker, one call run
there and in torch, and the comparison of the returned total and of what the caller's tensors hold afterwards.

Loaded by the `clip` fixture of this folder's conftest.py (the plugin's `helper`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

Check = Callable[..., Any]  # the `check` fixture
SHAPES = [(4, 3), (5,), (), (2, 2, 2)]  # a matrix, a vector, a 0-d scalar and a 3-d tensor in one list


def normal(rng: torch.Generator, shape: tuple[int, ...], scale: float = 1.0) -> torch.Tensor:
    return torch.randn(shape, generator=rng, dtype=torch.float64) * scale


def grads_of(rng: torch.Generator, shapes: list[tuple[int, ...]] = SHAPES, scale: float = 1.0) -> list[torch.Tensor]:
    return [normal(rng, s, scale) for s in shapes]


def norm(grads: list[torch.Tensor], norm_type: float = 2.0) -> float:
    """The global norm, in float64 (to place max_norm where a test needs it)."""
    flat = torch.cat([g.reshape(-1).double() for g in grads])
    return float(torch.linalg.vector_norm(flat, norm_type))


def keep(sub: Any, grads: list[torch.Tensor]) -> list[Any]:
    make = sub.support("clip_tensors").tensor
    return [make.new(g) for g in grads]


def run(sub: Any, truth: Any, check: Check, grads: list[torch.Tensor], max_norm: float, case: str,
        **options: Any) -> None:
    """clip_grad_norm on tensors kept in the worker and torch's on copies: compare the total, then each tensor."""
    remote = keep(sub, grads)
    total = sub.clip_grad_norm(remote, max_norm, **options)
    want_total, want = truth.clip_grad_norm(grads, max_norm, **options)
    dtype = grads[0].dtype if grads else torch.float32
    p = options.get("norm_type", 2.0)
    how = "the max of |x| over every entry of every tensor" if math.isinf(p) else (
        f"(sum of |x|**{p:g} over every entry of every tensor)**(1/{p:g}), one global norm")
    check(total, want_total, dtype=dtype,
          name=f"the returned total norm ({case}): {how}, before clipping, a 0-d tensor of the grads' dtype")
    for i, (handle, expected) in enumerate(zip(remote, want)):
        check(handle.clone(), expected, dtype=dtype,
              name=f"grads[{i}] after clip_grad_norm ({case}): every tensor times max_norm / (total + 1e-6) when "
                   "that is < 1, else unchanged; read back from the caller's tensor, which must be scaled in place")
