"""Fixtures shared by the hidden conv2d tests (fixtures, so they work under --import-mode=importlib)."""

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
def case(rng: torch.Generator) -> Callable[..., tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """``case(x_shape, weight_shape)``: float64 x, weight and bias (C_out,) from the test's generator."""

    def make(x_shape: tuple[int, ...], w_shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = torch.randn(*x_shape, generator=rng, dtype=torch.float64)
        w = torch.randn(*w_shape, generator=rng, dtype=torch.float64)
        b = torch.randn(w_shape[0], generator=rng, dtype=torch.float64)
        return x, w, b

    return make


@pytest.fixture
def run(sub: Any, ref: Any, check: Any) -> Callable[..., Any]:
    """``run(x, w, b, dtype, what, **kwargs)``: the submission in ``dtype`` against the float64 reference."""

    def compare(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, dtype: torch.dtype, what: str,
                **kwargs: Any) -> Any:
        cast = [t if t is None else t.to(dtype) for t in (x, w, b)]
        expected = ref.conv2d(*[t if t is None else t.double() for t in cast], **kwargs)
        args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        return check(sub.conv2d(*cast, **kwargs), expected, dtype=dtype,
                     name=f"conv2d(x {tuple(x.shape)}, weight {tuple(w.shape)}, "
                          f"{'bias' if b is not None else 'no bias'}{', ' + args if args else ''}) in "
                          f"{str(dtype).removeprefix('torch.')} ({what})")

    return compare
