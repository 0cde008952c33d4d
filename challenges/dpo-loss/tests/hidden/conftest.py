"""Fixtures of every hidden dpo-loss test (trusted side)."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread():  # noqa: ANN202
    """The trusted-side math is on tiny tensors: one intra-op thread (OpenMP hand-offs cost ms on a busy box)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
