"""Hidden tests: the default generator, consecutive draws, gradients, statistics and x left unchanged."""

from __future__ import annotations

import math

import pytest
import torch

F32, F64 = torch.float32, torch.float64


@pytest.mark.group("generator")
@pytest.mark.parametrize("p", [0.3, 0.7])
def test_default_generator(sub, ref, check, rng, randn, p):
    seed = int(torch.randint(0, 2**31 - 1, (), generator=rng))
    x = randn(rng, 30, 20)
    sub.support("dropout_support").seed_global(seed)
    check(sub.dropout(x, p), ref.dropout(x.to(F64), p, generator=torch.Generator().manual_seed(seed)), dtype=F32,
          name=f"dropout(x, p={p}) with generator=None right after torch.manual_seed({seed}) (draw from torch's "
               f"default generator)")


@pytest.mark.group("generator")
def test_consecutive_calls(sub, ref, check, rng, generators, randn):
    remote, local, _ = generators(rng)
    for call, shape in enumerate([(25, 12), (25, 12), (7, 3, 5)], start=1):
        x = randn(rng, *shape)
        check(sub.dropout(x, 0.5, generator=remote), ref.dropout(x.to(F64), 0.5, generator=local), dtype=F32,
              name=f"call {call} of dropout(x of shape {shape}, 0.5) with the same generator: draw {call} of its "
                   f"stream (one torch.rand per call, continuing the generator's state)")


def reference_grad(ref, x: torch.Tensor, g: torch.Tensor, p: float, **kwargs) -> torch.Tensor:
    leaf = x.detach().to(F64).requires_grad_(True)
    out = ref.dropout(leaf, p, **kwargs)
    if not out.requires_grad:  # p == 1: zeros not connected to x
        return torch.zeros_like(leaf)
    (grad,) = torch.autograd.grad((out * g.to(F64)).sum(), leaf)
    return grad


@pytest.mark.group("gradients")
@pytest.mark.parametrize("p", [0.2, 0.6])
def test_gradients(sub, ref, check, rng, generators, randn, p):
    remote, local, _ = generators(rng)
    x, g = randn(rng, 16, 10), randn(rng, 16, 10)
    _, grads = sub.dropout.grad(x, p, generator=remote, wrt=(0,), grad_output=g)
    assert grads and grads[0] is not None, (
        f"no gradient reached x through dropout(x, p={p}): is the result cut off from autograd (.data, .detach())?")
    check(grads[0], reference_grad(ref, x, g, p, generator=local), dtype=F32,
          name=f"d dropout(x, p={p}) / d x: the mask times 1 / (1 - p)")


@pytest.mark.group("gradients")
@pytest.mark.parametrize("training,p", [(True, 0.0), (False, 0.4), (True, 1.0)])
def test_edge_gradients(sub, ref, check, rng, randn, training, p):
    x, g = randn(rng, 8, 6), randn(rng, 8, 6)
    _, grads = sub.dropout.grad(x, p, training=training, wrt=(0,), grad_output=g)
    expected = reference_grad(ref, x, g, p, training=training)
    got = grads[0] if grads and grads[0] is not None else None
    if got is None:
        assert p == 1.0, f"no gradient reached x through dropout(x, p={p}, training={training}) (it is 1 everywhere)"
        return  # p == 1: a result not connected to x is a zero gradient
    check(got, expected, dtype=F32, allow_constant=p == 1.0,
          name=f"d dropout(x, p={p}, training={training}) / d x ({'0' if p == 1.0 else '1'} everywhere)")


@pytest.mark.group("statistics")
@pytest.mark.parametrize("p", [0.25, 0.6])
def test_kept_fraction_and_mean(sub, check, p):
    n = 250_000
    out = sub.dropout(torch.ones(n), p)  # torch's default generator, in whatever state it is
    kept = out != 0
    fraction, mean = float(kept.double().mean()), float(out.double().mean())
    # six standard deviations: a correct dropout fails this about once in 10^9 gradings
    fraction_sd, mean_sd = math.sqrt(p * (1 - p) / n), math.sqrt(p / (1 - p) / n)
    assert abs(fraction - (1 - p)) <= 6 * fraction_sd, (
        f"dropout(ones({n}), p={p}) kept {fraction:.4f} of the elements, expected {1 - p:.4f} +- {6 * fraction_sd:.4f} "
        f"(each element is kept with probability 1 - p)")
    assert abs(mean - 1.0) <= 6 * mean_sd, (
        f"dropout(ones({n}), p={p}) has mean {mean:.4f}, expected 1 +- {6 * mean_sd:.4f} (inverted dropout keeps the "
        f"expected value: kept elements are scaled by 1 / (1 - p))")
    check(out[kept], torch.full((int(kept.sum()),), 1 / (1 - p), dtype=F64), dtype=F32, allow_constant=True,
          name=f"the kept elements of dropout(ones({n}), p={p}): each 1 / (1 - p)")


@pytest.mark.group("inputs")
def test_x_not_modified(sub, rng, generators, randn, check):
    """x is made inside the worker, handed over as it is, and read back afterwards.

    A probe inside the worker (the statement says so): what it reads is what the tensor holds there.
    """
    remote, _, _ = generators(rng)
    x = randn(rng, 9, 11)
    kept = sub.support("dropout_support").keep.new(x)
    sub.dropout(kept, 0.4, generator=remote)
    check(kept.clone(), x, rtol=0.0, atol=0.0, name="x after dropout(x, 0.4) returned (do not modify x in place)")
