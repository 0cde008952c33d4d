"""Fixtures shared by the hidden layer-norm tests (fixtures, so they work under --import-mode=importlib)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault

F64 = torch.float64


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
def randn() -> Callable[..., torch.Tensor]:
    """``randn(rng, *shape, dtype=, scale=, offset=)``: drawn in float64, then rounded to ``dtype``."""

    def draw(rng: torch.Generator, *shape: int, dtype: torch.dtype = torch.float32, scale: float = 1.0,
             offset: float = 0.0) -> torch.Tensor:
        return (torch.randn(*shape, generator=rng, dtype=F64) * scale + offset).to(dtype)

    return draw
