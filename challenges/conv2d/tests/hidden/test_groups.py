"""Hidden tests: grouped and depthwise convolutions."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("groups")
@pytest.mark.parametrize("groups", [2, 3])
def test_groups(case, run, groups):
    x, w, b = case((2, 6, 7, 8), (12, 6 // groups, 3, 3))
    run(x, w, b, torch.float64, f"groups={groups}: output block g sees only the consecutive input channels "
        f"g*{6 // groups} to {6 // groups}*(g+1)-1", groups=groups, padding=1)


@pytest.mark.group("groups")
def test_depthwise(case, run):
    x, w, b = case((2, 4, 9, 9), (8, 1, 3, 3))
    run(x, w, b, torch.float32, "depthwise: groups = C_in = 4, two output channels per input channel", groups=4,
        stride=2, padding=1)
