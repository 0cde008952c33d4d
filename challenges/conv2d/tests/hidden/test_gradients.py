"""Hidden tests: gradients to x, weight and bias, computed by autograd in the worker, checked here."""

from __future__ import annotations

import pytest
import torch

NAMES = ("x", "weight", "bias")


@pytest.mark.group("gradients")
@pytest.mark.parametrize("kwargs", [{"padding": 1}, {"stride": (2, 1), "padding": (0, 2), "dilation": (1, 2),
                                                     "groups": 2}])
def test_gradients(sub, ref, check, case, rng, kwargs):
    x, w, b = case((2, 4, 8, 7), (6, 4 // kwargs.get("groups", 1), 3, 3))
    leaves = [t.clone().requires_grad_(True) for t in (x, w, b)]
    out = ref.conv2d(*leaves, **kwargs)
    grad_output = torch.randn(out.shape, generator=rng, dtype=torch.float64)
    expected = torch.autograd.grad((out * grad_output).sum(), leaves)
    _, grads = sub.conv2d.grad(x, w, b, **kwargs, wrt=(0, 1, 2), grad_output=grad_output)
    for name, got, want in zip(NAMES, grads, expected, strict=True):
        assert got is not None, (f"no gradient reached {name}: is the result detached from it (.data, .detach(), "
                                 f".item(), NumPy, no_grad)?")
        check(got, want, dtype=torch.float64, name=f"d out / d {name} ({kwargs})")
