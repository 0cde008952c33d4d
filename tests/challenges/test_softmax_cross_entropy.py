"""The softmax-cross-entropy challenge: verify passes with full rule coverage, and each wrong solution
is rejected by the group aimed at its mistake with a message that names it.

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

CHALLENGE = "softmax-cross-entropy"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "naive_softmax.py": ("stability", "magnitude"),
    "mean_counts_ignored.py": ("ignore_index", "'mean' counts only the others"),
    "log_softmax_last_dim.py": ("log_softmax", "dim=0"),
    "all_ignored_mean_zero.py": ("ignore_index", "must return NaN"),
    "none_keeps_ignored.py": ("ignore_index", "reduction='none'"),
    "smoothing_sum.py": ("label_smoothing", "label_smoothing=0.05"),
    "half_returns_float32.py": ("low_precision", "wrong dtype float32, expected float16"),
    "computes_in_half.py": ("low_precision", "float16 logits"),
    "none_flattened.py": ("shapes", "a Tensor of shape (12,)"),
    "detached_logsumexp.py": ("gradients", "d loss / d logits"),
    "ignore_index_default_only.py": ("ignore_index", "ignore_index=3"),
    "log_softmax_default_dim_1.py": ("log_softmax", "without dim: along the last dimension"),
    "log_softmax_returns_float64.py": ("log_softmax", "wrong dtype float64, expected float32"),
    "default_reduction_sum.py": ("values", "with reduction='mean'"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 12)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


def test_classes_on_the_last_dim_fail_the_shapes_group_with_an_index_error(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/classes_last_dim.py")
    assert result.verdict is Verdict.RE and failed_groups(result) == {"shapes"}
    assert "classes on dim 1" not in result.message and "out of bounds" in result.message


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference", "time margin: solutions/time_limit/spins_forever.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]
