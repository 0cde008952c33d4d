"""Hidden test: a batch of 8 images of 16 x 48 x 48, within the time limit (vectorized)."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("large")
def test_large(case, run):
    x, w, b = case((8, 16, 48, 48), (32, 16, 3, 3))
    run(x, w, b, torch.float32, "vectorize: loop over the kernel taps, not over the output pixels", padding=1)
