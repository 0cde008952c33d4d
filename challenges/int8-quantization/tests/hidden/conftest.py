"""The hidden tests' shared trusted-side module, as a fixture (the plugin loads it under a name of its own)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def qc(helper: Any) -> Any:
    """``int8_checks.py`` of this folder: weight makers and the comparison of a quantize result."""
    return helper("int8_checks")
