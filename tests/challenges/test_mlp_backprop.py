"""The mlp-backprop challenge: verify passes with full rule coverage, and each wrong solution is rejected by
the group aimed at its mistake with a message that names it.

One ``mlj verify`` run (process sandbox, several seeds) is shared by the module.
"""

from __future__ import annotations

import pytest

from judge.challenge import Challenge
from judge.verdict import Verdict
from judge.verify import Check
from tests.challenges.conftest import (
    assert_every_check_ok,
    assert_fails_its_group,
    assert_full_marks,
    assert_rules_covered,
    failed_groups,
    result_of,
)

pytestmark = pytest.mark.slow

CHALLENGE = "mlp-backprop"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "sum_not_mean.py": ("values", "not their sum"),
    "grads_not_averaged.py": ("values", "divided by N="),
    "bias_grad_per_example.py": ("values", "summed over the batch"),
    "transposed_w2_grad.py": ("shapes", "not its transpose"),
    "no_relu_mask.py": ("values", "0 where h <= 0"),
    "relu_grad_one_at_zero.py": ("relu_zero", "0 where h <= 0"),
    "naive_softmax.py": ("stability", "shift by the row max"),
    "grads_float32.py": ("values", "wrong dtype float32, expected float64"),
    "writes_grads_into_params.py": ("inputs", "do not modify the parameters in place"),
    "grads_keys_prefixed.py": ("values", "W1"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 10)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


def test_relu_at_zero_fails_only_the_relu_zero_group(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/wrong_answer/relu_grad_one_at_zero.py")
    assert failed_groups(result) == {"values", "relu_zero"}  # the statement's example has h == 0 in it


def test_autograd_through_the_harness_is_forbidden(checks: list[Check]) -> None:
    """torch taken from a loaded module's globals cannot run its matrix product in the worker."""
    result = result_of(checks, "solutions/forbidden/torch_through_the_harness.py")
    assert result.verdict is Verdict.FB and "aten.matmul is forbidden" in result.message


def test_autograd_without_matrix_products_is_forbidden(checks: list[Check]) -> None:
    """torch from a loaded module's globals, broadcast products only: its backward() cannot start."""
    result = result_of(checks, "solutions/forbidden/elementwise_autograd_through_the_harness.py")
    assert result.verdict is Verdict.FB and "torch.Tensor.backward is forbidden" in result.message


def test_labels_as_one_hot_is_a_runtime_error(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/labels_as_onehot.py")
    assert result.verdict is Verdict.RE and "broadcast" in result.message


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {
        "time margin: reference", "time margin: solutions/time_limit/gradient_by_finite_differences_forever.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]
