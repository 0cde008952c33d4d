"""Fixtures shared by the hidden focal-loss tests: random cases and the float64 reference's gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

F64 = torch.float64


@pytest.fixture
def case(rng: torch.Generator) -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    """``case(shape, scale=3.0, dtype=float32, positives=0.3, soft=False)``: logits drawn in float64 and
    rounded to ``dtype``, with binary targets (a fraction ``positives`` of ones, at least one of each class)
    or, with ``soft``, targets uniform in [0, 1].

    Every case holds two confident logits, +40 and -40 with target 1: sigmoid(40) rounds to 1 in float32,
    and sigmoid(-40) is below any clamp, so a cross-entropy taken from log(p) is wrong in every test, not
    only on the seeds that happen to draw a large logit."""

    def make(shape: tuple[int, ...], scale: float = 3.0, dtype: torch.dtype = torch.float32,
             positives: float = 0.3, soft: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        logits = (torch.randn(*shape, generator=rng, dtype=F64) * scale).to(dtype)
        if soft:
            targets = torch.rand(*shape, generator=rng, dtype=F64).to(dtype)
        else:
            targets = (torch.rand(*shape, generator=rng, dtype=F64) < positives).to(dtype)
            flat = targets.view(-1)
            flat[0], flat[-1] = 1.0, 0.0  # both classes, whatever the draw
        logits.view(-1)[:2] = torch.tensor([40.0, -40.0])
        targets.view(-1)[:2] = 1.0
        return logits, targets

    return make


@pytest.fixture
def ref_grad(ref: Any) -> Callable[..., tuple[torch.Tensor, torch.Tensor]]:
    """``ref_grad(logits, targets, grad_output, **kwargs)``: the float64 reference loss and d loss / d logits."""

    def grad(logits: torch.Tensor, targets: torch.Tensor, grad_output: torch.Tensor,
             **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        x = logits.detach().to(F64).requires_grad_(True)
        out = ref.sigmoid_focal_loss(x, targets.to(F64), **kwargs)
        (g,) = torch.autograd.grad((out * grad_output.to(F64)).sum(), x)
        return out.detach(), g

    return grad
