"""Hidden tests: the distillation loss's value against a float64 reference, its defaults, alpha, temperature
errors and large logits."""

from __future__ import annotations

import pytest
import torch

from judge.runner import RuntimeFault, WrongOutputFault

F32, F64 = torch.float32, torch.float64


def _compare(sub, ref, check, kd, s, t, y, temp, alpha, what, **tol):  # noqa: ANN001
    __tracebackhide__ = True
    where = f"{what}: N={s.shape[0]}, C={s.shape[1]}, {str(s.dtype)[6:]}, temperature={temp:g}, alpha={alpha:g}"
    got = sub.distillation_loss(s, t, y, temperature=temp, alpha=alpha)
    expected = ref.distillation_loss(s.double(), t.double(), y, temperature=temp, alpha=alpha)
    kd.expect_loss(check, got, expected, dtype=s.dtype, name=f"distillation_loss ({where})",
                   wrong=kd.mistakes(s, t, y, temp, alpha), **tol)


# -- values ------------------------------------------------------------------------------------------------

@pytest.mark.group("values")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_random_batches(sub, ref, check, rng, kd, dtype):
    for n, c, temp, alpha in ((16, 10, 2.0, 0.5), (8, 5, 4.0, 0.3), (32, 100, 0.5, 0.7), (5, 2, 3.0, 0.5)):
        s, t, y = kd.case(rng, n, c, dtype)
        _compare(sub, ref, check, kd, s, t, y, temp, alpha, "random logits")


@pytest.mark.group("values")
def test_batch_of_one(sub, ref, check, rng, kd):
    s, t, y = kd.case(rng, 1, 7, F64)
    _compare(sub, ref, check, kd, s, t, y, 2.5, 0.4, "a batch of one row")


@pytest.mark.group("values")
def test_worked_example(sub, check):
    s = torch.tensor([[2.0, 0.0, -1.0], [0.5, 1.0, 0.0]], dtype=F64)
    t = torch.tensor([[3.0, 1.0, -2.0], [0.0, 2.0, 1.0]], dtype=F64)
    y = torch.tensor([0, 1])
    check(sub.distillation_loss(s, t, y, temperature=2.0, alpha=0.5), torch.tensor(0.298072563908854, dtype=F64),
          dtype=F64, name="the statement's worked example (temperature=2.0, alpha=0.5): 0.298073")
    check(sub.distillation_loss(s, t, y, temperature=4.0, alpha=0.9), torch.tensor(0.2736628440271278, dtype=F64),
          dtype=F64, name="the statement's worked example with temperature=4.0, alpha=0.9: 0.273663")


# -- defaults ----------------------------------------------------------------------------------------------

@pytest.mark.group("defaults")
def test_default_arguments(sub, ref, check, rng, kd):
    s, t, y = kd.case(rng, 12, 6, F64)
    kd.expect_loss(check, sub.distillation_loss(s, t, y), ref.distillation_loss(s, t, y, temperature=2.0, alpha=0.5),
                   dtype=F64, name="distillation_loss(student, teacher, targets) with the defaults temperature=2.0, "
                                   "alpha=0.5",
                   wrong=kd.mistakes(s, t, y, 2.0, 0.5))


# -- alpha -------------------------------------------------------------------------------------------------

@pytest.mark.group("alpha")
@pytest.mark.parametrize("alpha", [0.0, 1.0, 0.25, 0.9])
def test_alpha(sub, ref, check, rng, kd, alpha):
    s, t, y = kd.case(rng, 10, 8, F64)
    what = {0.0: "alpha=0 is the plain cross-entropy", 1.0: "alpha=1 is pure distillation, T**2 * KL"}
    _compare(sub, ref, check, kd, s, t, y, 3.0, alpha, what.get(alpha, "alpha weights the distillation term"))


# -- temperature -------------------------------------------------------------------------------------------

@pytest.mark.group("temperature")
@pytest.mark.parametrize("temp", [0.0, -1e-8, -0.5, -2.0])
def test_nonpositive_temperature_raises(sub, rng, kd, temp):
    s, t, y = kd.case(rng, 4, 3, F32)
    what = f"distillation_loss(..., temperature={temp!r})"
    try:
        value = sub.distillation_loss(s, t, y, temperature=temp, alpha=0.5)
    except RuntimeFault as fault:
        ok = fault.exc_type == "ValueError"
        assert ok, f"{what}: expected ValueError (temperature <= 0), but your code raised {fault.message}"
        return
    except WrongOutputFault as fault:
        raise AssertionError(f"{what}: expected ValueError (temperature <= 0), but the call returned "
                             f"({fault.message})") from None
    raise AssertionError(f"{what}: expected ValueError (temperature <= 0 raises, 0 included), but the call "
                         f"returned {value!r}")


@pytest.mark.group("temperature")
@pytest.mark.parametrize("temp", [0.01, 1.0])
def test_small_positive_temperature(sub, ref, check, rng, kd, temp):
    # logits of size ~0.02 keep logits / 0.01 ~ 2: a temperature just above 0 is valid, and needs no shift
    s, t, y = kd.case(rng, 6, 4, F64, scale=0.02 if temp < 1 else 3.0)
    _compare(sub, ref, check, kd, s, t, y, temp, 0.5, "a valid temperature (> 0)")


# -- stability ---------------------------------------------------------------------------------------------

@pytest.mark.group("stability")
@pytest.mark.parametrize("scale", [1e2, 1e4])
def test_large_logits_float32(sub, ref, check, rng, kd, scale):
    for temp, alpha in ((2.0, 0.5), (4.0, 0.8)):
        s, t, y = kd.case(rng, 16, 12, F32, scale=scale)
        tol = kd.LARGE_FLOAT32 if scale > 1e3 else {}
        _compare(sub, ref, check, kd, s, t, y, temp, alpha, f"float32 logits of magnitude {scale:g}", **tol)


@pytest.mark.group("stability")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_teacher_probabilities_underflow(sub, ref, check, rng, kd, dtype):
    # teacher rows spanning 2,000 (float64) / 400 (float32) units: at T=2 some exp(logit/T - max) are exactly 0
    s, t, y = kd.case(rng, 8, 6, dtype, teacher_scale=1.0)
    span = 2000.0 if dtype == F64 else 400.0
    t = t.double()
    t[:, 0] += span
    t[:, 1] -= span
    t = t.to(dtype)
    _compare(sub, ref, check, kd, s, t, y, 2.0, 0.5, f"teacher probabilities that underflow to 0 (span {span:g})")


# -- inputs ------------------------------------------------------------------------------------------------

@pytest.mark.group("inputs")
def test_inputs_not_modified(sub, check, rng, kd):
    """The inputs are made inside the worker (the support module's hold) and handed to distillation_loss as
    they are, not as copies, then read back. This is a probe inside the worker (the statement says so)."""
    inputs = kd.case(rng, 6, 5, F32)
    hold = sub.support("kd_support").hold
    kept = [hold.new(x) for x in inputs]
    value = sub.distillation_loss(*kept, temperature=4.0, alpha=0.5)
    ok = isinstance(value, torch.Tensor)
    assert ok, f"distillation_loss returned {type(value).__name__}"
    for remote, original, label in zip(kept, inputs, ("student_logits", "teacher_logits", "targets"), strict=True):
        check(remote.clone(), original, rtol=0.0, atol=0.0, allow_constant=True,
              name=f"{label} after distillation_loss returned (do not modify the inputs in place: a detached "
                   "tensor shares the caller's storage, so detach() then /= T changes the caller's logits)")
