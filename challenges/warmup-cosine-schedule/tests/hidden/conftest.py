"""Fixtures shared by the hidden warmup-cosine-schedule tests: one checked call of lr_at, random configs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault


def describe(step: int, config: dict[str, Any]) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in config.items())
    return f"lr_at({step}, {args})"


@pytest.fixture
def expect(sub: Any, ref: Any, check: Callable[..., Any]) -> Callable[..., float]:
    """``expect(step, why, **config)``: the submission's lr_at(step, **config) is a Python float equal to the
    reference's; ``why`` says which rule of the statement the step is about."""

    def call(step: int, why: str, **config: Any) -> float:
        name = f"{describe(step, config)} ({why})"
        got = allowed(sub, step, name, config)
        check(got, ref.lr_at(step, **config), dtype=torch.float64, name=name, allow_constant=True)
        return got

    return call


def allowed(sub: Any, step: int, name: str, config: dict[str, Any]) -> float:
    """The submission's lr_at(step, **config) for arguments the statement allows: a Python float, and a
    ValueError is a wrong answer that says so (not a runtime error)."""
    try:
        got = sub.lr_at(step, **config)
    except RuntimeFault as fault:
        if fault.exc_type != "ValueError":
            raise
        raise AssertionError(f"{name}: raised ValueError, but these arguments are allowed "
                             f"({fault.message.splitlines()[0]})") from None
    assert type(got) is float, f"{name}: returned {type(got).__name__} {got!r}, not a Python float"
    return got


@pytest.fixture
def accepts(sub: Any) -> Callable[..., float]:
    """``accepts(step, why, **config)``: lr_at(step, **config) returns a Python float (its value is checked
    by the other tests)."""
    return lambda step, why, **config: allowed(sub, step, f"{describe(step, config)} ({why})", config)


@pytest.fixture
def raises_value_error(sub: Any) -> Callable[..., None]:
    """``raises_value_error(step, why, **config)``: the call raises ValueError in the submission."""

    def call(step: int, why: str, **config: Any) -> None:
        name = describe(step, config)
        try:
            got = sub.lr_at(step, **config)
        except RuntimeFault as fault:
            assert fault.exc_type == "ValueError", f"{name} ({why}): expected ValueError, got {fault.message}"
            return
        except WrongOutputFault as fault:
            raise AssertionError(f"{name} ({why}): expected ValueError, but it returned ({fault.message})") from None
        raise AssertionError(f"{name} ({why}): expected ValueError, but it returned {got!r}")

    return call


def draw(rng: torch.Generator, lo: float, hi: float) -> float:
    return lo + (hi - lo) * float(torch.rand((), generator=rng, dtype=torch.float64))


def draw_int(rng: torch.Generator, lo: int, hi: int) -> int:
    """An int in [lo, hi]."""
    return int(torch.randint(lo, hi + 1, (), generator=rng))


@pytest.fixture
def config(rng: torch.Generator) -> Callable[..., dict[str, Any]]:
    """``config(min_lr=True)``: a random schedule with a warmup of 2..20 steps, a decay part of 8..300 steps,
    base_lr in [1e-4, 1] and, unless ``min_lr`` is False, min_lr in [1%, 50%] of base_lr."""

    def make(*, min_lr: bool = True, warmup: int | None = None) -> dict[str, Any]:
        warmup_steps = draw_int(rng, 2, 20) if warmup is None else warmup
        base_lr = 10 ** draw(rng, -4, 0)
        out: dict[str, Any] = {"base_lr": base_lr, "warmup_steps": warmup_steps,
                               "total_steps": warmup_steps + draw_int(rng, 8, 300)}
        if min_lr:
            out["min_lr"] = base_lr * draw(rng, 0.01, 0.5)
        return out

    return make
