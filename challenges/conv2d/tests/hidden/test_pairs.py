"""Hidden tests: stride, padding and dilation as (H, W) pairs whose two values differ."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("pairs")
@pytest.mark.parametrize(("stride", "padding", "dilation"), [((2, 1), (1, 2), (1, 1)), ((1, 3), (2, 0), (2, 1)),
                                                             ((3, 2), (0, 1), (1, 2))])
def test_pairs(case, run, stride, padding, dilation):
    x, w, b = case((2, 3, 11, 13), (4, 3, 3, 2))
    run(x, w, b, torch.float64, "each pair is (for H, for W); padding[0] rows above and below, padding[1] columns "
        "left and right", stride=stride, padding=padding, dilation=dilation)
