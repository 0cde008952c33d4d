"""Hidden tests: the state_dict travels between this module and torch's nn.BatchNorm1d (both ways)."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64


@pytest.mark.group("state_dict")
def test_loads_into_torch(make_bn, randn, rng, check):
    module, expected = make_bn(4, momentum=0.3)
    for n in (6, 10):
        x = randn(rng, n, 4, 3, offset=0.5)
        module(x)
        expected(x.to(F64))
    state = module.state_dict()
    torch_bn = torch.nn.BatchNorm1d(4, momentum=0.3).to(F64)
    try:
        torch_bn.load_state_dict({k: v.to(F64) if v.is_floating_point() else v for k, v in state.items()})
    except RuntimeError as exc:
        raise AssertionError(f"your state_dict does not load into torch.nn.BatchNorm1d(4): {exc}") from None
    torch_bn.eval()
    expected.eval()
    x = randn(rng, 5, 4, 3, dtype=F64, scale=2.0)
    with torch.no_grad():
        got = torch_bn(x)
    check(got.float(), expected(x), dtype=F32,
          name="torch.nn.BatchNorm1d(4) in eval mode, loaded with your state_dict after 2 training batches")


@pytest.mark.group("state_dict")
@pytest.mark.parametrize("affine", [True, False])
def test_torch_state_loads(sub, make_bn, randn, rng, check, affine):
    torch_bn = torch.nn.BatchNorm1d(3, affine=affine)
    if affine:
        with torch.no_grad():
            torch_bn.weight.copy_(randn(rng, 3, scale=0.3, offset=1.0))
            torch_bn.bias.copy_(randn(rng, 3, scale=0.5))
    for n in (5, 8, 3):
        with torch.no_grad():
            torch_bn(randn(rng, n, 3, 4, scale=1.7, offset=-0.4))
    module, _ = make_bn(3, fresh=True, affine=affine)
    module.load_state_dict(torch_bn.state_dict())
    module.eval.new()
    torch_bn.eval()
    x = randn(rng, 4, 3, 4)
    with torch.no_grad():
        want = torch_bn.double()(x.double())
    check(module(x), want, dtype=F32,
          name=f"your module in eval mode, loaded with a trained torch.nn.BatchNorm1d(3, affine={affine})'s state_dict")
