"""Fixtures shared by the hidden rope tests (fixtures, so they work under --import-mode=importlib)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault


@pytest.fixture
def raises_value_error() -> Callable[[Callable[[], Any], str], None]:
    """``raises_value_error(call, what)``: assert that ``call()`` raises ValueError in the submission."""

    def expect(call: Callable[[], Any], what: str) -> None:
        try:
            call()
        except RuntimeFault as fault:
            assert fault.exc_type == "ValueError", f"{what}: expected ValueError, but your code raised {fault.message}"
            return
        except WrongOutputFault as fault:  # it returned, and what it returned does not even fit
            raise AssertionError(f"{what}: expected ValueError, but the call returned ({fault.message})") from None
        raise AssertionError(f"{what}: expected ValueError, but the call returned normally")

    return expect


@pytest.fixture
def draw(rng: torch.Generator) -> Callable[..., torch.Tensor]:
    """``draw(*shape)``: standard normal float64 values from the test's generator."""
    return lambda *shape: torch.randn(*shape, generator=rng, dtype=torch.float64)


def offset_positions(rng: torch.Generator, seq: int, low: int, high: int) -> torch.Tensor:
    """arange(t, t + seq) for a random offset t in [low, high)."""
    t = int(torch.randint(low, high, (1,), generator=rng))
    return torch.arange(t, t + seq)


@pytest.fixture
def offset(rng: torch.Generator) -> Callable[[int, int, int], torch.Tensor]:
    """``offset(seq, low, high)``: consecutive positions from a random offset in [low, high)."""
    return lambda seq, low, high: offset_positions(rng, seq, low, high)
