"""The hidden tests' trusted-side helpers, as a fixture (the plugin loads them under a name of their own)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def pc(helper: Any) -> Any:
    """``pca_checks.py`` of this folder: data makers, the call wrapper and the comparisons of a result."""
    return helper("pca_checks")
