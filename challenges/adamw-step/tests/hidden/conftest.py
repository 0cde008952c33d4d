"""The hidden tests' trusted-side modules, as fixtures (the plugin loads them under names of their own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from judge.runner import RuntimeFault, WrongOutputFault


@pytest.fixture
def truth(helper: Any) -> Any:
    """``torch_adamw.py``: torch.optim's AdamW arithmetic in float64."""
    return helper("torch_adamw")


@pytest.fixture
def adamw(helper: Any) -> Any:
    """``adamw_checks.py``: tensors kept in the worker, a step run on both sides, the comparison."""
    return helper("adamw_checks")


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
