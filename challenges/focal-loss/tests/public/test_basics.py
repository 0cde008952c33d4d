"""Public tests: the statement's worked example and a saturated logit. Run them with `mlj test focal-loss`."""

import pytest
import torch

LOGITS = torch.tensor([2.0, -1.0, 0.5, -3.0])
TARGETS = torch.tensor([1.0, 0.0, 0.0, 1.0])


def test_worked_example(sub, check):
    expected = torch.tensor([0.00045089070881, 0.01699354313135, 0.28305870064456, 0.69157011025632])
    check(sub.sigmoid_focal_loss(LOGITS, TARGETS), expected, name="the worked example, reduction='none'")


@pytest.mark.parametrize("reduction,value", [("sum", 0.9920732447410334), ("mean", 0.24801831118525836)])
def test_worked_example_reduced(sub, check, reduction, value):
    check(sub.sigmoid_focal_loss(LOGITS, TARGETS, reduction=reduction), torch.tensor(value),
          name=f"the worked example, reduction={reduction!r}")


def test_no_alpha(sub, ref, check):
    check(sub.sigmoid_focal_loss(LOGITS, TARGETS, alpha=-1), ref.sigmoid_focal_loss(LOGITS.double(),
          TARGETS.double(), alpha=-1), name="the worked example with alpha=-1 (no weighting)")


def test_saturated_logit(sub, ref, check):
    x, t = torch.tensor([-100.0, 100.0]), torch.tensor([1.0, 0.0])
    check(sub.sigmoid_focal_loss(x, t), ref.sigmoid_focal_loss(x.double(), t.double()),
          name="logits -100 (a positive) and 100 (a negative): the cross-entropy is 100, not inf")
