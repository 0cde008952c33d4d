"""Hidden tests: the parameters and buffers a fresh module holds."""

from __future__ import annotations

import pytest
import torch


@pytest.mark.group("state")
@pytest.mark.parametrize("affine", [True, False])
def test_initial_state(make_bn, check, affine):
    module, expected = make_bn(5, fresh=True, affine=affine)  # checks names, shapes and dtypes
    got, want = module.state_dict(), expected.state_dict()
    initial = {"weight": "ones", "bias": "zeros", "running_mean": "zeros", "running_var": "ones"}
    for name, value in want.items():
        if name == "num_batches_tracked":
            assert int(got[name]) == 0, f"a fresh module's num_batches_tracked is {int(got[name])}, expected 0"
        else:
            check(got[name], value, dtype=torch.float32, allow_constant=True,
                  name=f"a fresh BatchNorm(5, affine={affine})'s {name} (it starts at {initial[name]})")


@pytest.mark.group("state")
def test_no_parameters_without_affine(make_bn, randn, rng, check):
    module, expected = make_bn(3, affine=False)
    x = randn(rng, 6, 3, 4, scale=2.0, offset=1.0)
    check(module(x), expected(x.double()), dtype=torch.float32,
          name="BatchNorm(3, affine=False) in training: the normalized value itself, no weight or bias")
