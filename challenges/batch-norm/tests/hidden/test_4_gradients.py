"""Hidden tests: gradients to x, weight and bias, computed in the worker and checked here."""

from __future__ import annotations

import pytest
import torch

F64 = torch.float64


def reference_grads(expected, x: torch.Tensor, g: torch.Tensor) -> list[torch.Tensor]:
    leaf = x.detach().to(F64).requires_grad_(True)
    out = expected(leaf)
    return list(torch.autograd.grad((out * g.to(F64)).sum(), [leaf, expected.weight, expected.bias]))


@pytest.mark.group("gradients")
@pytest.mark.parametrize("mode", ["training", "eval"])
@pytest.mark.parametrize("shape", [(7, 3), (4, 3, 5)])
def test_gradients(make_bn, randn, rng, check, mode, shape):
    module, expected = make_bn(3, F64)
    if mode == "eval":
        module.eval.new()
        expected.eval()
    x = randn(rng, *shape, dtype=F64, scale=1.5, offset=0.3)
    g = randn(rng, *shape, dtype=F64)
    _, grads = module.grad(x, wrt=(0,), grad_output=g, params=True)
    assert isinstance(grads, dict) and sorted(grads.get("params") or {}) == ["bias", "weight"], (
        f"the module's parameters are {sorted(grads.get('params') or {}) if isinstance(grads, dict) else grads}, "
        f"expected weight and bias")
    want = reference_grads(expected, x, g)
    got = [grads["inputs"][0], grads["params"]["weight"], grads["params"]["bias"]]
    why = {"training": "the batch mean and variance depend on x too", "eval": "the running statistics are constants"}
    for value, reference, what in zip(got, want, ["x", "weight", "bias"]):
        assert value is not None, f"no gradient reached {what} in {mode} mode: is it detached from the output?"
        check(value, reference, dtype=F64, name=f"d output / d {what} in {mode} mode, x of shape {shape} ({why[mode]})")


@pytest.mark.group("graph")
def test_running_statistics_outside_the_graph(sub, make_bn, randn, rng):
    """A training step whose input requires grad, then: which buffers does autograd track?

    A probe inside the worker (the statement says so): it reads the buffers' requires_grad flags there.
    """
    module, _ = make_bn(3)
    for n in (5, 4):
        x = randn(rng, n, 3, 2, dtype=torch.float32)
        module.grad(x, wrt=(0,), grad_output=torch.ones(n, 3, 2), params=True)
    tracked = sub.support("batch_norm_support").buffers_in_graph(module)
    assert tracked == [], (
        f"after training steps on an input that requires grad, the buffers {tracked} are part of the autograd "
        f"graph: update the running statistics under torch.no_grad() (or from detached values), in place")
