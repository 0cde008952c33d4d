"""Hidden tests: the ValueErrors, the n == 1 / n == 2 boundary, and x left unchanged."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64


@pytest.mark.group("errors")
@pytest.mark.parametrize("mode", ["training", "eval"])
def test_bad_shapes(make_bn, raises_value_error, mode):
    module, _ = make_bn(3)
    if mode == "eval":
        module.eval.new()
    for shape, what in [((6,), "a 1-D x of shape (6,)"), ((4, 5), "x of shape (4, 5): 5 channels, not 3"),
                        ((4, 2, 6), "x of shape (4, 2, 6): 2 channels, not 3")]:
        x = torch.arange(float(torch.Size(shape).numel())).reshape(shape)
        raises_value_error(lambda x=x: module(x), f"BatchNorm(3) in {mode} mode with {what}")


@pytest.mark.group("errors")
@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1), (1, 3, 1, 1)])
def test_one_value_per_channel_in_training(make_bn, raises_value_error, shape):
    module, _ = make_bn(3)
    x = torch.ones(shape)
    raises_value_error(lambda: module(x), f"BatchNorm(3) in training mode with x of shape {shape}: one value per "
                                          f"channel (n == 1), whose unbiased variance is 0/0")


@pytest.mark.group("errors")
@pytest.mark.parametrize("shape", [(1, 3, 2), (2, 3), (2, 3, 1)])
def test_two_values_per_channel_in_training(make_bn, randn, rng, check, check_state, shape):
    module, expected = make_bn(3)
    x = randn(rng, *shape, scale=2.0)
    check(module(x), expected(x.to(F64)), dtype=F32,
          name=f"training-mode output for x of shape {shape}: n == 2 values per channel is allowed")
    check_state(module, expected, f"after a training batch of shape {shape} (n == 2: running_var takes var * 2 / 1)")


@pytest.mark.group("errors")
@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1)])
def test_one_value_in_eval(make_bn, randn, rng, check, shape):
    module, expected = make_bn(3)
    module.eval.new()
    expected.eval()
    x = randn(rng, *shape, scale=2.0)
    check(module(x), expected(x.to(F64)), dtype=F32,
          name=f"eval-mode output for x of shape {shape}: one value per channel is fine in eval mode")


@pytest.mark.group("inputs")
def test_input_not_modified(sub, make_bn, randn, rng, check):
    """x is made inside the worker, handed to the module as it is, and read back afterwards.

    A probe inside the worker (the statement says so): what it reads is what the tensor holds there.
    """
    module, _ = make_bn(3)
    x = randn(rng, 5, 3, 4, offset=1.0)
    remote = sub.support("batch_norm_support").keep.new(x)
    module(remote)
    check(remote.clone(), x, rtol=0.0, atol=0.0, name="x after a training-mode forward (do not modify x in place)")
    module.eval.new()
    module(remote)
    check(remote.clone(), x, rtol=0.0, atol=0.0, name="x after an eval-mode forward (do not modify x in place)")
