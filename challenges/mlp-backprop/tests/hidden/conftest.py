"""The hidden tests' trusted-side modules, as fixtures (the plugin loads them under names of their own)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def truth(helper: Any) -> Any:
    """``autograd_reference.py``: the float64 torch autograd loss and gradients."""
    return helper("autograd_reference")


@pytest.fixture
def mlp(helper: Any) -> Any:
    """``mlp_checks.py``: the cases and the comparison of a forward_backward result."""
    return helper("mlp_checks")
