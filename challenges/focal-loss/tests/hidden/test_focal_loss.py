"""Hidden tests: sigmoid_focal_loss against the float64 reference, each rule of the statement.

Every expected value is the reference run here, in float64, on the very values sent to the worker.
"""

from __future__ import annotations

import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault

F64 = torch.float64
SATURATED = torch.tensor([100.0, -100.0, 100.0, -100.0, 50.0, -50.0, 30.0, -30.0, 0.7, 2.5])
SATURATED_TARGETS = torch.tensor([1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0])


def expected(ref, logits, targets, **kwargs):
    return ref.sigmoid_focal_loss(logits.to(F64), targets.to(F64), **kwargs)


@pytest.mark.group("values")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(64,), (32, 10), (4, 3, 5, 5)])
def test_defaults(sub, ref, check, case, dtype, shape):
    logits, targets = case(shape, dtype=dtype)
    check(sub.sigmoid_focal_loss(logits, targets), expected(ref, logits, targets),
          name=f"sigmoid_focal_loss of {tuple(shape)} {dtype} logits with the defaults (alpha=0.25, gamma=2, "
               f"reduction='none')")


@pytest.mark.group("alpha")
@pytest.mark.parametrize("alpha", [0.25, 0.75, 0.9])
def test_alpha_weights_each_class(sub, ref, check, case, alpha):
    logits, targets = case((40, 6), positives=0.5)
    check(sub.sigmoid_focal_loss(logits, targets, alpha=alpha), expected(ref, logits, targets, alpha=alpha),
          name=f"sigmoid_focal_loss(alpha={alpha}): alpha weights the positives (t = 1), 1 - alpha the negatives")


@pytest.mark.group("alpha")
@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_alpha_at_its_ends(sub, ref, check, case, alpha):
    logits, targets = case((30, 4), positives=0.5)
    check(sub.sigmoid_focal_loss(logits, targets, alpha=alpha), expected(ref, logits, targets, alpha=alpha),
          name=f"sigmoid_focal_loss(alpha={alpha}): alpha = {alpha} is a weight of {alpha} on the positives and "
               f"{1 - alpha} on the negatives (only a negative alpha disables the weighting)")


@pytest.mark.group("alpha")
@pytest.mark.parametrize("alpha", [-1.0, -0.5])
def test_negative_alpha_disables_the_weighting(sub, ref, check, case, alpha):
    logits, targets = case((30, 4), positives=0.5)
    check(sub.sigmoid_focal_loss(logits, targets, alpha=alpha), expected(ref, logits, targets, alpha=alpha),
          name=f"sigmoid_focal_loss(alpha={alpha}): a negative alpha disables the weighting (no alpha_t factor)")


@pytest.mark.group("gamma")
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0])
def test_gamma(sub, ref, check, case, gamma):
    logits, targets = case((50, 5), positives=0.5)
    check(sub.sigmoid_focal_loss(logits, targets, gamma=gamma), expected(ref, logits, targets, gamma=gamma),
          name=f"sigmoid_focal_loss(gamma={gamma}): the modulating factor is (1 - p_t) ** gamma, with p_t the "
               f"probability of the right class")


@pytest.mark.group("gamma")
@pytest.mark.parametrize("alpha", [0.25, -1.0])
def test_gamma_zero_is_weighted_bce(sub, check, case, alpha):
    logits, targets = case((20, 7), positives=0.5, dtype=F64)
    x, t = logits, targets
    bce = torch.nn.functional.softplus(x) - x * t  # computed here, on the trusted side
    weight = alpha * t + (1 - alpha) * (1 - t) if alpha >= 0 else torch.ones_like(t)
    check(sub.sigmoid_focal_loss(logits, targets, alpha=alpha, gamma=0.0), weight * bce,
          name=f"sigmoid_focal_loss(alpha={alpha}, gamma=0) is the {'alpha-weighted ' if alpha >= 0 else ''}binary "
               f"cross-entropy")


@pytest.mark.group("soft_targets")
@pytest.mark.parametrize("alpha", [0.25, -1.0])
def test_soft_targets(sub, ref, check, case, alpha):
    logits, targets = case((24, 6), soft=True)
    targets[0, :3] = torch.tensor([0.3, 0.7, 0.5])
    check(sub.sigmoid_focal_loss(logits, targets, alpha=alpha), expected(ref, logits, targets, alpha=alpha),
          name=f"sigmoid_focal_loss of soft targets in (0, 1), alpha={alpha} (p_t and alpha_t are linear in t)")


@pytest.mark.group("stability")
@pytest.mark.parametrize("reduction", ["none", "sum"])
def test_saturated_logits(sub, ref, check, reduction):
    check(sub.sigmoid_focal_loss(SATURATED, SATURATED_TARGETS, reduction=reduction),
          expected(ref, SATURATED, SATURATED_TARGETS, reduction=reduction),
          name=f"sigmoid_focal_loss of float32 logits ±100, ±50, ±30 of both classes, reduction={reduction!r} "
               f"(at x = -100, t = 1 the cross-entropy is 100: no log of a probability that rounds to 0 or 1)")


@pytest.mark.group("stability")
@pytest.mark.parametrize("gamma", [0.0, 2.0])
def test_large_random_logits(sub, ref, check, case, gamma):
    logits, targets = case((64, 8), scale=60.0, positives=0.5)
    logits = logits.clamp(-100, 100)
    check(sub.sigmoid_focal_loss(logits, targets, gamma=gamma), expected(ref, logits, targets, gamma=gamma),
          name=f"sigmoid_focal_loss of float32 logits up to magnitude 100, gamma={gamma}")


@pytest.mark.group("reductions")
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("shape", [(16, 5), (3, 4, 6)])
def test_reductions(sub, ref, check, case, reduction, shape):
    logits, targets = case(shape)
    check(sub.sigmoid_focal_loss(logits, targets, reduction=reduction),
          expected(ref, logits, targets, reduction=reduction),
          name=f"sigmoid_focal_loss(reduction={reduction!r}) of {shape} logits ('mean' divides the sum by every "
               f"element, {torch.Size(shape).numel()}, whatever the number of positives, "
               f"{int(targets.sum())})")


@pytest.mark.group("reductions")
@pytest.mark.parametrize("reduction", ["avg", "batchmean", "Mean", ""])
def test_unknown_reduction(sub, case, reduction):
    logits, targets = case((4, 3))
    what = f"sigmoid_focal_loss(reduction={reduction!r})"
    try:
        got = sub.sigmoid_focal_loss(logits, targets, reduction=reduction)
    except RuntimeFault as fault:
        assert fault.exc_type == "ValueError", f"{what}: expected ValueError, got {fault.message}"
        return
    except WrongOutputFault as fault:
        raise AssertionError(f"{what}: expected ValueError, but it returned ({fault.message})") from None
    shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
    raise AssertionError(f"{what}: an unknown reduction must raise ValueError; it returned {shape}")


@pytest.mark.group("dtypes")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_result_dtype(sub, ref, check, case, dtype, reduction):
    logits, targets = case((12, 5), dtype=dtype)
    check(sub.sigmoid_focal_loss(logits, targets, reduction=reduction),
          expected(ref, logits, targets, reduction=reduction), dtype=dtype,
          name=f"sigmoid_focal_loss of {dtype} logits, reduction={reduction!r}: the result in the dtype of logits")


@pytest.mark.group("gradients")
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("gamma", [0.0, 2.0])
def test_gradients(sub, check, case, ref_grad, rng, reduction, gamma):
    logits, targets = case((16, 6), positives=0.5)
    g = torch.randn(16, 6, generator=rng) if reduction == "none" else torch.tensor(1.3)
    _, grads = sub.sigmoid_focal_loss.grad(logits, targets, gamma=gamma, reduction=reduction, wrt=(0,),
                                           grad_output=g)
    _, want = ref_grad(logits, targets, g, gamma=gamma, reduction=reduction)
    assert grads and grads[0] is not None, "no gradient reached the logits: is the loss detached from them?"
    check(grads[0], want, name=f"d sigmoid_focal_loss / d logits (gamma={gamma}, reduction={reduction!r}: the "
                               f"modulating factor is part of the gradient too)")


@pytest.mark.group("gradients")
@pytest.mark.parametrize("gamma", [0.0, 1.0, 2.0])
def test_gradients_of_saturated_logits(sub, check, ref_grad, gamma):
    g = torch.ones_like(SATURATED)
    _, grads = sub.sigmoid_focal_loss.grad(SATURATED, SATURATED_TARGETS, gamma=gamma, wrt=(0,), grad_output=g)
    _, want = ref_grad(SATURATED, SATURATED_TARGETS, g, gamma=gamma)
    assert grads and grads[0] is not None, "no gradient reached the logits: is the loss detached from them?"
    check(grads[0], want, name=f"d sigmoid_focal_loss / d logits for float32 logits ±100, ±50, ±30, gamma={gamma} "
                               f"(finite: a torch.where branch that is not taken still backpropagates its inf)")


@pytest.mark.group("inputs")
def test_inputs_are_not_modified(sub, case):
    """The inputs are kept in the worker, handed to the function as they are, then read back.

    This is a probe inside the worker (the statement says so): what it reads is what the tensors hold there.
    """
    logits, targets = case((10, 4), positives=0.5)
    keep = sub.support("focal_support").keep
    remote_logits, remote_targets = keep.new(logits), keep.new(targets)
    sub.sigmoid_focal_loss(remote_logits, remote_targets)
    for name, remote, sent in (("logits", remote_logits, logits), ("targets", remote_targets, targets)):
        back = remote.clone()
        assert isinstance(back, torch.Tensor) and torch.equal(back, sent), (
            f"{name} changed in place during sigmoid_focal_loss (do not modify the inputs: compute new tensors)")
