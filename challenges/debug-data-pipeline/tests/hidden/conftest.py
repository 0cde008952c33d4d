"""The hidden tests' trusted-side helpers, as a fixture (the plugin loads them under a name of their own)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def dp(helper: Any) -> Any:
    """``pipeline_checks.py`` of this folder: the data, the call, the identification of returned rows."""
    return helper("pipeline_checks")
