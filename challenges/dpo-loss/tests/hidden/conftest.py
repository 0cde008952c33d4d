"""The hidden tests' shared trusted-side module, as a fixture (the plugin loads it under a name of its own)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def grads(helper: Any) -> Any:
    """``grad_checks.py`` of this folder: a returned gradient checked against forward calls."""
    return helper("grad_checks")
