"""The hidden tests' trusted-side helpers, as a fixture (the plugin loads them under a name of their own)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def lg(helper: Any) -> Any:
    """``logreg_checks.py`` of this folder: data makers, the known mistakes and the comparison of a fit."""
    return helper("logreg_checks")
