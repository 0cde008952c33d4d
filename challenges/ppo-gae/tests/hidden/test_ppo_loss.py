"""Hidden tests for ppo_clip_loss: values against a float64 reference, gradients, and the clip on its
boundaries."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64


def _loss_and_grad(sub, logp_new, logp_old, adv, **kw):  # noqa: ANN001
    g = torch.tensor(1.0, dtype=logp_new.dtype)
    return sub.ppo_clip_loss.grad(logp_new, logp_old, adv, wrt=(0,), grad_output=g, **kw)


def _reference(ref, logp_new, logp_old, adv, **kw):  # noqa: ANN001
    x = logp_new.detach().double().requires_grad_(True)
    loss = ref.ppo_clip_loss(x, logp_old.double(), adv.double(), **kw)
    (grad,) = torch.autograd.grad(loss, x)
    return loss.detach(), grad


def _check_both(sub, ref, check, pc, inputs, where, clip_eps):  # noqa: ANN001
    __tracebackhide__ = True
    dtype = inputs[0].dtype
    value, grads = _loss_and_grad(sub, *inputs, clip_eps=clip_eps)
    want, want_grad = _reference(ref, *inputs, clip_eps=clip_eps)
    pc.expect_ppo(check, value, want, inputs, clip_eps, name=f"ppo_clip_loss ({where})")
    ok = bool(grads) and grads[0] is not None
    assert ok, f"no gradient reached logp_new ({where}): the loss must stay differentiable with respect to it"
    check(grads[0], want_grad, dtype=dtype, name=f"d loss / d logp_new ({where})")


# -- values ------------------------------------------------------------------------------------------------

@pytest.mark.group("ppo_values")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_random_batches(sub, ref, check, rng, pc, dtype):
    for n, eps in ((64, 0.2), (33, 0.1), (100, 0.3)):
        inputs = pc.ppo_batch(rng, (n,), dtype)
        want, _ = _reference(ref, *inputs, clip_eps=eps)
        pc.expect_ppo(check, sub.ppo_clip_loss(*inputs, clip_eps=eps), want, inputs, eps,
                      name=f"ppo_clip_loss (N={n}, {str(dtype)[6:]}, clip_eps={eps})")


@pytest.mark.group("ppo_values")
def test_rollout_shaped_batch(sub, ref, check, rng, pc):
    inputs = pc.ppo_batch(rng, (16, 4), F64)
    want, _ = _reference(ref, *inputs, clip_eps=0.2)
    pc.expect_ppo(check, sub.ppo_clip_loss(*inputs, clip_eps=0.2), want, inputs, 0.2,
                  name="ppo_clip_loss of (T, B) = (16, 4) inputs (the mean is over all 64 elements)")


@pytest.mark.group("ppo_values")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_unlikely_actions(sub, ref, check, rng, pc, dtype):
    # log-probs near -800 (float64) or -120 (float32): exp of either underflows to 0, exp of their difference
    # is an ordinary ratio; the statement's exp(logp_new - logp_old) is the form that survives
    logp_new, logp_old, adv = pc.ppo_batch(rng, (32,), F64)
    offset = -800.0 if dtype == F64 else -120.0
    inputs = ((logp_new + offset).to(dtype), (logp_old + offset).to(dtype), adv.to(dtype))
    want, _ = _reference(ref, *inputs, clip_eps=0.2)
    pc.expect_ppo(check, sub.ppo_clip_loss(*inputs, clip_eps=0.2), want, inputs, 0.2,
                  name=f"ppo_clip_loss of log-probs near {offset:g} ({str(dtype)[6:]}): ratio = "
                       f"exp(logp_new - logp_old), whose exps alone underflow")


@pytest.mark.group("ppo_values")
def test_worked_example(sub, check):
    logp_new = torch.log(torch.tensor([1.5, 0.5, 1.0, 1.1], dtype=F64))
    value, grads = _loss_and_grad(sub, logp_new, torch.zeros(4, dtype=F64),
                                  torch.tensor([2.0, -1.0, 1.0, -3.0], dtype=F64), clip_eps=0.2)
    check(value, torch.tensor(0.175, dtype=F64), dtype=F64, name="the statement's worked example: loss 0.175")
    check(grads[0], torch.tensor([0.0, 0.0, -0.25, 0.825], dtype=F64), dtype=F64,
          name="the statement's worked example: d loss / d logp_new = [0, 0, -0.25, 0.825]")


@pytest.mark.group("ppo_values")
def test_ppo_default_clip_eps(sub, ref, check, rng, pc):
    inputs = pc.ppo_batch(rng, (48,), F64)
    want, _ = _reference(ref, *inputs, clip_eps=0.2)
    check(sub.ppo_clip_loss(*inputs), want, dtype=F64,
          name="ppo_clip_loss(logp_new, logp_old, advantages) with the default clip_eps=0.2")


# -- gradients ---------------------------------------------------------------------------------------------

@pytest.mark.group("ppo_gradients")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_gradients(sub, ref, check, rng, pc, dtype):
    for n, eps in ((64, 0.2), (25, 0.1)):
        _check_both(sub, ref, check, pc, pc.ppo_batch(rng, (n,), dtype), f"N={n}, {str(dtype)[6:]}, clip_eps={eps}",
                    eps)


# -- the clip on its boundaries ----------------------------------------------------------------------------

@pytest.mark.group("ppo_clip_boundaries")
@pytest.mark.parametrize("eps", [0.2, 0.1])
def test_ratios_on_and_around_the_boundaries(sub, ref, check, pc, eps):
    up, down = 1.0 + eps, 1.0 - eps
    # exactly on, a relative 1e-6 inside, a relative 1e-6 outside: each boundary, each sign of A
    ratios = [(up, True), (up * (1 - 1e-6), False), (up * (1 + 1e-6), False),
              (down, True), (down * (1 + 1e-6), False), (down * (1 - 1e-6), False)]
    logp_new, logp_old = pc.log_probs_for(ratios + ratios)
    adv = torch.tensor([1.5] * 6 + [-0.7] * 6, dtype=F64)
    value, grads = _loss_and_grad(sub, logp_new, logp_old, adv, clip_eps=eps)
    want, _ = _reference(ref, logp_new, logp_old, adv, clip_eps=eps)
    where = (f"clip_eps={eps}, ratios [1+eps, just inside, just outside, 1-eps, just inside, just outside] with A "
             "= 1.5, then the same with A = -0.7")
    pc.expect_ppo(check, value, want, (logp_new, logp_old, adv), eps, name=f"ppo_clip_loss ({where})")
    ok = bool(grads) and grads[0] is not None
    assert ok, f"no gradient reached logp_new ({where})"
    check(grads[0], pc.expected_gradient(logp_new, logp_old, adv, eps), dtype=F64, allow_constant=True,
          name=f"d loss / d logp_new ({where}): 0 exactly where the clip is active (A > 0 and ratio > 1+eps, "
               "A < 0 and ratio < 1-eps, strictly), -ratio * A / n elsewhere, on the boundary included")


@pytest.mark.group("ppo_clip_boundaries")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_clip_eps_zero(sub, ref, check, pc, dtype):
    # clip_eps = 0 clips every ratio to 1: only a ratio of exactly 1 (logp_new == logp_old) keeps its gradient
    logp_old = torch.tensor([-1.0, -2.0, -0.5, -1.5, -1.0, -2.0], dtype=dtype)
    logp_new = logp_old + torch.tensor([0.0, 1e-3, -1e-3, 0.0, 1e-3, -1e-3], dtype=dtype)
    adv = torch.tensor([2.0, 2.0, 2.0, -1.0, -1.0, -1.0], dtype=dtype)
    value, grads = _loss_and_grad(sub, logp_new, logp_old, adv, clip_eps=0.0)
    want, _ = _reference(ref, logp_new, logp_old, adv, clip_eps=0.0)
    where = f"clip_eps=0, {str(dtype)[6:]}, ratios [1, above, below] with A = 2, then with A = -1"
    check(value, want, dtype=dtype, name=f"ppo_clip_loss ({where})")
    ok = bool(grads) and grads[0] is not None
    assert ok, f"no gradient reached logp_new ({where})"
    check(grads[0], pc.expected_gradient(logp_new, logp_old, adv, 0.0), dtype=dtype, allow_constant=True,
          name=f"d loss / d logp_new ({where}): a ratio of exactly 1 is on both boundaries and keeps its gradient")

