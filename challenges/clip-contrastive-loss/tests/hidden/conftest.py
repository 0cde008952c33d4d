"""The hidden tests' shared trusted-side module, as a fixture (the plugin loads it under a name of its own)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def cl(helper: Any) -> Any:
    """``clip_checks.py`` of this folder: input makers, the loss compared with hints naming known mistakes."""
    return helper("clip_checks")
