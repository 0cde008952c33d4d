"""Fixtures shared by the hidden dropout tests (fixtures, so they work under --import-mode=importlib)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault

F64 = torch.float64


@pytest.fixture
def generators(sub: Any) -> Callable[[torch.Generator], tuple[Any, torch.Generator, int]]:
    """``generators(rng)`` -> (a generator kept in the worker, the judge's twin, their seed).

    Both are seeded with the same seed (drawn from the test's ``rng``), so the judge's twin draws the
    numbers the submission must draw.
    """

    def make(rng: torch.Generator) -> tuple[Any, torch.Generator, int]:
        seed = int(torch.randint(0, 2**31 - 1, (), generator=rng))
        return sub.support("dropout_support").generator.new(seed), torch.Generator().manual_seed(seed), seed

    return make


@pytest.fixture
def randn() -> Callable[..., torch.Tensor]:
    """``randn(rng, *shape, dtype=)``: drawn in float64, rounded to ``dtype``, kept away from 0 (|x| >= 0.25)
    so that a kept and a dropped element always differ by more than any tolerance."""

    def draw(rng: torch.Generator, *shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        x = torch.randn(*shape, generator=rng, dtype=F64)
        return (x + 0.25 * torch.sign(x)).to(dtype)

    return draw


@pytest.fixture
def raises_value_error() -> Callable[[Callable[[], Any], str], None]:
    """``raises_value_error(call, what)``: assert that ``call()`` raises ValueError in the submission."""

    def expect(call: Callable[[], Any], what: str) -> None:
        try:
            call()
        except RuntimeFault as fault:
            assert fault.exc_type == "ValueError", f"{what}: expected ValueError, but your code raised {fault.message}"
            return
        except WrongOutputFault as fault:
            raise AssertionError(f"{what}: expected ValueError, but the call returned ({fault.message})") from None
        raise AssertionError(f"{what}: expected ValueError, but the call returned normally")

    return expect
