"""The hidden tests' trusted-side modules, as fixtures (the plugin loads them under names of their own)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def truth(helper: Any) -> Any:
    """``torch_clip.py``: torch.nn.utils.clip_grad_norm_ on copies."""
    return helper("torch_clip")


@pytest.fixture
def clip(helper: Any) -> Any:
    """``clip_checks.py``: gradients kept in the worker, a call on both sides, the comparison."""
    return helper("clip_checks")
