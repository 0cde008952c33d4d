"""Hidden tests that kill mutants of the reference the other tests let through (``mlj verify --mutants``)."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("log_softmax")
def test_log_softmax_default_dim_is_the_last(sub, ref, check, rng):
    """The statement's signature is log_softmax(x, dim=-1): called without dim, the last dimension."""
    x = torch.randn(4, 6, 5, generator=rng, dtype=torch.float64) * 3
    check(sub.log_softmax(x), ref.log_softmax(x, dim=-1), dtype=torch.float64,
          name="log_softmax(x of shape (4, 6, 5)) without dim: along the last dimension")
