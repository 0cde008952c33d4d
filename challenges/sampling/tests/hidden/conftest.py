"""Fixtures of the hidden sampling tests (fixtures, so they work under --import-mode=importlib)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def sc(helper: Any) -> Any:
    """``sampling_checks.py`` of this folder: logits makers, the top-p margin and the chi-square check."""
    return helper("sampling_checks")
