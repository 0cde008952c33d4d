"""Hidden test: apply_rope does not write into x.

A probe inside the worker (the statement says so): the tensor is made there by the public support
module and handed to apply_rope as it is, then read back.
"""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("inputs")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_x_is_not_modified(sub, check, draw, offset, dtype):
    x = draw(2, 5, 3, 16).to(dtype)
    remote = sub.support("rope_support").keep.new(x)
    sub.apply_rope(remote, offset(5, 1, 50))
    check(remote.clone(), x, rtol=0.0, atol=0.0, dtype=dtype,
          name=f"x ({str(dtype).removeprefix('torch.')}) after apply_rope returned (return a new tensor; do not "
               f"modify x in place)")
