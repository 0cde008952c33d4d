"""Hidden tests: dilated kernels (taps d apart)."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("dilation")
@pytest.mark.parametrize(("dilation", "padding", "stride"), [(2, 0, 1), (3, 2, 1), (2, 1, 2)])
def test_dilation(case, run, dilation, padding, stride):
    x, w, b = case((2, 3, 12, 11), (4, 3, 3, 3))
    run(x, w, b, torch.float64, f"kernel taps {dilation} apart: the kernel spans {dilation * 2 + 1} rows and columns",
        dilation=dilation, padding=padding, stride=stride)
