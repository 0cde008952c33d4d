"""Public tests: small cases you can read. Run them with `mlj test knowledge-distillation`."""

import torch

from judge.runner import RuntimeFault

STUDENT = [[2.0, 0.0, -1.0], [0.5, 1.0, 0.0]]
TEACHER = [[3.0, 1.0, -2.0], [0.0, 2.0, 1.0]]


def test_worked_example(sub, check):
    s, t = torch.tensor(STUDENT, dtype=torch.float64), torch.tensor(TEACHER, dtype=torch.float64)
    y = torch.tensor([0, 1])
    expected = torch.tensor(0.298072563908854, dtype=torch.float64)
    check(sub.distillation_loss(s, t, y, temperature=2.0, alpha=0.5), expected, dtype=torch.float64,
          name="the statement's worked example")


def test_matches_the_reference_in_float32(sub, ref, check):
    s, t, y = torch.tensor(STUDENT), torch.tensor(TEACHER), torch.tensor([2, 0])
    check(sub.distillation_loss(s, t, y, temperature=3.0, alpha=0.7),
          ref.distillation_loss(s.double(), t.double(), y, temperature=3.0, alpha=0.7), dtype=torch.float32,
          name="float32 logits, temperature=3, alpha=0.7 (the result has the dtype of student_logits)")


def test_large_logits(sub, ref, check):
    s = torch.tensor([[1000.0, 0.0, -1000.0]])
    t = torch.tensor([[-500.0, 800.0, 0.0]])
    y = torch.tensor([1])
    check(sub.distillation_loss(s, t, y, temperature=2.0, alpha=0.5),
          ref.distillation_loss(s.double(), t.double(), y, temperature=2.0, alpha=0.5), dtype=torch.float32,
          name="logits of magnitude 1000 (shift by the max before exp)")


def test_zero_temperature_raises(sub):
    s, t, y = torch.tensor(STUDENT), torch.tensor(TEACHER), torch.tensor([0, 1])
    try:
        sub.distillation_loss(s, t, y, temperature=0.0)
    except RuntimeFault as fault:
        assert fault.exc_type == "ValueError", f"expected ValueError, got {fault.message}"
        return
    raise AssertionError("temperature=0.0 must raise ValueError")
