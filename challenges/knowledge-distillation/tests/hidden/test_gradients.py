"""Hidden tests: the gradient with respect to the student's logits, and none reaching the teacher's."""

from __future__ import annotations

import pytest
import torch

F32, F64 = torch.float32, torch.float64


def _reference_grad(ref, s, t, y, g, **kw):  # noqa: ANN001
    x = s.detach().double().requires_grad_(True)
    (grad,) = torch.autograd.grad(ref.distillation_loss(x, t.double(), y, **kw) * g, x)
    return grad


@pytest.mark.group("gradients")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_student_gradients(sub, ref, check, rng, kd, dtype):
    for n, c, temp, alpha in ((12, 9, 2.0, 0.5), (6, 4, 5.0, 0.8), (20, 30, 0.7, 0.2)):
        s, t, y = kd.case(rng, n, c, dtype)
        g = float(torch.rand((), generator=rng)) + 0.5
        kw = {"temperature": temp, "alpha": alpha}
        where = f"N={n}, C={c}, {str(dtype)[6:]}, temperature={temp:g}, alpha={alpha:g}"
        _, grads = sub.distillation_loss.grad(s, t, y, wrt=(0,), grad_output=torch.tensor(g, dtype=dtype), **kw)
        ok = bool(grads) and grads[0] is not None
        assert ok, f"no gradient reached student_logits ({where}): is the loss detached from them?"
        check(grads[0], _reference_grad(ref, s, t, y, g, **kw), dtype=dtype,
              name=f"d loss / d student_logits ({where})")


@pytest.mark.group("gradients")
def test_student_gradients_large_logits(sub, ref, check, rng, kd):
    s, t, y = kd.case(rng, 10, 8, F32, scale=1e4)
    kw = {"temperature": 2.0, "alpha": 0.6}
    _, grads = sub.distillation_loss.grad(s, t, y, wrt=(0,), grad_output=torch.tensor(1.0), **kw)
    ok = bool(grads) and grads[0] is not None
    assert ok, "no gradient reached student_logits (float32 logits of magnitude 1e4)"
    check(grads[0], _reference_grad(ref, s, t, y, 1.0, **kw), dtype=F32, **kd.LARGE_FLOAT32,
          name="d loss / d student_logits (float32 logits of magnitude 1e4, temperature=2, alpha=0.6: finite)")


@pytest.mark.group("teacher_frozen")
@pytest.mark.parametrize("dtype", [F32, F64], ids=["float32", "float64"])
def test_no_gradient_reaches_the_teacher(sub, rng, kd, dtype):
    for temp, alpha in ((2.0, 0.5), (1.0, 1.0)):
        s, t, y = kd.case(rng, 8, 5, dtype)
        # both logits require grad in the worker; its autograd engine, bound before the submission was
        # imported, says whether the graph reaches the teacher at all (None) or with zeros
        _, grads = sub.distillation_loss.grad(s, t, y, wrt=(0, 1), grad_output=torch.tensor(1.0, dtype=dtype),
                                              temperature=temp, alpha=alpha)
        leak = grads[1]
        ok = leak is None or int(torch.count_nonzero(leak)) == 0
        assert ok, (
            f"a gradient reached teacher_logits (max |grad| {float(leak.abs().max()):.3g}, {str(dtype)[6:]}, "
            f"temperature={temp:g}, alpha={alpha:g}): the teacher is frozen; detach teacher_logits "
            "(teacher_logits.detach()) before using it in the loss")
