"""Fixtures of the hidden moe-router tests (fixtures, so they work under --import-mode=importlib)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def mc(helper: Any) -> Any:
    """``moe_checks.py`` of this folder: input makers, the comparison of a route, reference gradients."""
    return helper("moe_checks")
