"""Hidden test: an odd head_dim raises ValueError."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("errors")
@pytest.mark.parametrize("head_dim", [1, 3, 7, 65])
def test_odd_head_dim(sub, raises_value_error, head_dim):
    x = torch.ones(1, 2, 2, head_dim)
    raises_value_error(lambda: sub.apply_rope(x, torch.arange(2)), f"apply_rope(x of shape (1, 2, 2, {head_dim}))")
