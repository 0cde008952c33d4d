"""The hidden tests' shared trusted-side module, as a fixture (the plugin loads it under a name of its own)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def pc(helper: Any) -> Any:
    """``ppo_checks.py`` of this folder: rollouts, ratios on the clip's boundaries, comparisons with hints."""
    return helper("ppo_checks")
