"""The hidden tests' shared trusted-side modules, as fixtures (the plugin loads them under names of their own)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def km(helper: Any) -> Any:
    """``kmeans_checks.py`` of this folder: data makers and the comparison of a kmeans result."""
    return helper("kmeans_checks")


@pytest.fixture
def data(helper: Any) -> Any:
    """``kmeans_data.py``, the challenge's public support module, as the trusted side runs it."""
    return helper("kmeans_data")
