"""Hidden tests: groups that do not divide the channel counts, a weight of the wrong width."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("errors")
@pytest.mark.parametrize(("c_in", "w_shape", "groups", "what"), [
    (6, (8, 1, 3, 3), 4, "groups=4 does not divide C_in=6"),
    (6, (4, 2, 3, 3), 3, "groups=3 does not divide C_out=4"),
    (6, (4, 2, 3, 3), 2, "weight.shape[1]=2 is not C_in / groups = 3"),
    (4, (4, 4, 3, 3), 2, "weight.shape[1]=4 is not C_in / groups = 2"),
])
def test_bad_groups_raise(sub, raises_value_error, c_in, w_shape, groups, what):
    x = torch.ones(1, c_in, 6, 6)
    w = torch.ones(*w_shape)
    raises_value_error(lambda: sub.conv2d(x, w, None, groups=groups), f"conv2d(x {tuple(x.shape)}, weight {w_shape}, "
                       f"groups={groups}): {what}")
