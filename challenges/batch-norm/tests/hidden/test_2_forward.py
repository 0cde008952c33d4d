"""Hidden tests: training and eval outputs, running statistics, momentum, against the float64 reference."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64
SHAPES = [(16, 4), (8, 4, 10), (3, 4, 5, 6)]


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


@pytest.mark.group("train_forward")
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape", SHAPES)
def test_train_output(make_bn, randn, rng, check, dtype, shape):
    module, expected = make_bn(4, dtype)
    x = randn(rng, *shape, dtype=dtype, scale=2.0, offset=0.7)
    check(module(x), expected(x.to(F64)), dtype=dtype,
          name=f"training-mode output for x of shape {shape}, {dtype_name(dtype)} (each channel normalized over "
               f"every dimension but dim 1, with the biased batch variance)")


def run_batches(module, expected, randn, rng, sizes, dtype=F32, channels=3, trailing=(5,)):
    for n in sizes:
        x = randn(rng, n, channels, *trailing, dtype=dtype, scale=1.5, offset=0.5)
        module(x)
        expected(x.to(F64))


@pytest.mark.group("running_stats")
@pytest.mark.parametrize("momentum", [0.1, 0.35, 1.0, 0.0])
@pytest.mark.parametrize("trailing", [(), (5,), (2, 3)])
def test_running_statistics(make_bn, randn, rng, check_state, momentum, trailing):
    module, expected = make_bn(3, momentum=momentum)
    sizes = [4, 7, 2]
    run_batches(module, expected, randn, rng, sizes, trailing=trailing)
    n = [s * int(torch.Size(trailing).numel()) for s in sizes]
    check_state(module, expected,
                f"after 3 training batches of shape (N, 3{''.join(f', {t}' for t in trailing)}) with N = {sizes}, "
                f"momentum={momentum} (running = (1 - momentum) * running + momentum * batch; running_var takes the "
                f"unbiased variance, n / (n - 1) with n = {n} values per channel)")


@pytest.mark.group("momentum_none")
@pytest.mark.parametrize("fresh", [True, False])
def test_cumulative_average(make_bn, randn, rng, check_state, fresh):
    module, expected = make_bn(3, momentum=None, fresh=fresh)
    run_batches(module, expected, randn, rng, [5, 3, 8, 4])
    start = "a fresh module" if fresh else "num_batches_tracked loaded as " + str(int(expected.num_batches_tracked) - 4)
    check_state(module, expected,
                f"after 4 training batches with momentum=None from {start} (a cumulative average: the factor is "
                f"1 / num_batches_tracked, after its increment)")


@pytest.mark.group("eval_forward")
@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape", SHAPES)
def test_eval_output(make_bn, randn, rng, check, check_state, dtype, shape):
    module, expected = make_bn(4, dtype)
    module.eval.new()
    expected.eval()
    x = randn(rng, *shape, dtype=dtype, scale=2.0, offset=0.7)
    got, want = module(x), expected(x.to(F64))
    check_state(module, expected, "after an eval-mode forward (eval mode changes nothing)", dtype=dtype)
    check(got, want, dtype=dtype,
          name=f"eval-mode output for x of shape {shape}, {dtype_name(dtype)} (normalized with running_mean and "
               f"running_var, not the batch's statistics)")


@pytest.mark.group("eval_forward")
def test_train_then_eval(make_bn, randn, rng, check, check_state):
    module, expected = make_bn(3, momentum=0.2)
    run_batches(module, expected, randn, rng, [6, 9])
    module.eval.new()
    expected.eval()
    for i in range(2):
        x = randn(rng, 4, 3, 5, scale=3.0, offset=-1.0)
        check(module(x), expected(x.to(F64)), dtype=F32,
              name=f"eval-mode output {i + 1} after 2 training batches (the running statistics they left)")
    check_state(module, expected, "after 2 training batches and 2 eval-mode forwards (eval mode changes nothing)")
    module.train.new()
    expected.train()
    run_batches(module, expected, randn, rng, [5])
    check_state(module, expected, "after train(), eval(), and train() again with one more batch")
