"""Fixtures shared by the hidden grouped-query-attention tests: the float64 reference, and the known
mistakes' outputs used to name a mismatch (all computed here, on the trusted side)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault

F64 = torch.float64


def variant(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, *, is_causal: bool = False,
            heads: str = "contiguous", causal: str = "bottom_right") -> torch.Tensor:
    """A float64 GQA with one known mistake: ``heads="interleaved"`` (kv head h % Hkv) or
    ``causal="top_left"`` (query i sees keys j <= i)."""
    q, k, v = q.to(F64), k.to(F64), v.to(F64)
    group = q.shape[1] // k.shape[1]
    if heads == "contiguous":
        k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
    else:
        k, v = k.repeat(1, group, 1, 1), v.repeat(1, group, 1, 1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if is_causal:
        t, s = scores.shape[-2:]
        allowed = torch.ones(t, s, dtype=torch.bool).tril(s - t if causal == "bottom_right" else 0)
        scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


@pytest.fixture
def mistake() -> Callable[..., torch.Tensor]:
    """``mistake(q, k, v, ...)``: :func:`variant`, the output of a known mistake."""
    return variant


@pytest.fixture
def expect(check: Callable[..., Any]) -> Callable[..., None]:
    """``expect(got, want, dtype, name, mistakes)``: ``check`` against the reference, but a result that matches
    one of ``mistakes`` (description -> float64 output of that mistake) is told which."""

    def compare(got: Any, want: torch.Tensor, dtype: torch.dtype, name: str,
                mistakes: dict[str, torch.Tensor] | None = None) -> None:
        if isinstance(got, torch.Tensor) and not torch.allclose(got.to(F64), want, rtol=1e-3, atol=1e-3):
            for words, wrong in (mistakes or {}).items():
                if not torch.allclose(wrong, want, rtol=1e-3, atol=1e-3) and \
                        torch.allclose(got.to(F64), wrong, rtol=1e-3, atol=1e-3):
                    raise AssertionError(f"{name}: your output is that of {words}")
        check(got, want, dtype=dtype, name=name)

    return compare


@pytest.fixture
def raises_value_error() -> Callable[[Callable[[], Any], str], None]:
    """``raises_value_error(call, what)``: assert that ``call()`` raises ValueError in the submission."""

    def check_raises(call: Callable[[], Any], what: str) -> None:
        try:
            call()
        except RuntimeFault as fault:
            assert fault.exc_type == "ValueError", f"{what}: expected ValueError, but your code raised {fault.message}"
            return
        except WrongOutputFault as fault:
            raise AssertionError(f"{what}: expected ValueError, but the call returned ({fault.message})") from None
        raise AssertionError(f"{what}: expected ValueError, but the call returned normally")

    return check_raises
