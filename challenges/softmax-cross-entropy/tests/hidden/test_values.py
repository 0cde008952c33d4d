"""Public tests: small cases you can read. Run them with `mlj test softmax-cross-entropy`."""

import pytest
import torch


def test_log_softmax_small(sub, ref, check):
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    check(sub.log_softmax(x, dim=-1), ref.log_softmax(x.double(), dim=-1), dtype=torch.float32,
          name="log_softmax([[1, 2, 3], [0, 0, 0]])")


def test_cross_entropy_small(sub, ref, check):
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
    targets = torch.tensor([0, 2])
    check(sub.cross_entropy(logits, targets), ref.cross_entropy(logits.double(), targets),
          dtype=torch.float32, name="cross_entropy(2x3 logits)")


def test_large_logits(sub, ref, check):
    logits = torch.tensor([[1000.0, 0.0, -1000.0]])
    targets = torch.tensor([1])
    check(sub.cross_entropy(logits, targets), ref.cross_entropy(logits.double(), targets),
          dtype=torch.float32, name="cross_entropy with logits of magnitude 1000 (shift by the max)")


@pytest.mark.parametrize("reduction", ["none", "sum"])
def test_reductions(sub, ref, check, reduction):
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
    targets = torch.tensor([1, 0])
    check(sub.cross_entropy(logits, targets, reduction=reduction),
          ref.cross_entropy(logits.double(), targets, reduction=reduction), dtype=torch.float32,
          name=f"cross_entropy(reduction={reduction!r})")
