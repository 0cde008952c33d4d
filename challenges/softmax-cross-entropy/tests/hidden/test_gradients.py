"""Hidden tests: gradients through autograd, computed in the worker, checked here."""

from __future__ import annotations

import pytest
import torch


def reference_grad(ref, logits: torch.Tensor, targets: torch.Tensor, grad_output: torch.Tensor, **kwargs):
    x = logits.detach().double().requires_grad_(True)
    loss = ref.cross_entropy(x, targets, **kwargs)
    (grad,) = torch.autograd.grad((loss * grad_output.double()).sum(), x)
    return grad


@pytest.mark.group("gradients")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_cross_entropy_gradients(sub, ref, check, rng, reduction, scale):
    logits = (torch.randn(12, 8, generator=rng, dtype=torch.float64) * scale).float()
    targets = torch.randint(0, 8, (12,), generator=rng)
    targets[1] = -100
    grad_output = torch.randn(12, generator=rng) if reduction == "none" else torch.tensor(1.7)
    value, grads = sub.cross_entropy.grad(logits, targets, reduction=reduction, label_smoothing=0.1,
                                          wrt=(0,), grad_output=grad_output)
    expected = reference_grad(ref, logits, targets, grad_output, reduction=reduction, label_smoothing=0.1)
    assert grads and grads[0] is not None, "no gradient reached the logits: is the loss detached from them?"
    check(grads[0], expected, dtype=torch.float32,
          name=f"d loss / d logits (reduction={reduction!r}, logits of magnitude {scale:g})")
    assert bool(grads[0][1].eq(0).all()), "an ignored target (row 1) must receive zero gradient"


@pytest.mark.group("gradients")
def test_log_softmax_gradients(sub, ref, check, rng):
    x = torch.randn(5, 9, generator=rng, dtype=torch.float64)
    grad_output = torch.randn(5, 9, generator=rng, dtype=torch.float64)
    _, grads = sub.log_softmax.grad(x, dim=1, wrt=(0,), grad_output=grad_output)
    xd = x.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad((ref.log_softmax(xd, dim=1) * grad_output).sum(), xd)
    assert grads and grads[0] is not None, "no gradient reached x: is log_softmax detached from its input?"
    check(grads[0], expected, dtype=torch.float64, name="d log_softmax(x, dim=1) / d x")
