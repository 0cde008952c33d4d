"""The clip-grad-norm challenge: verify passes with full rule coverage, and each wrong solution is rejected by
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

CHALLENGE = "clip-grad-norm"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "per_tensor_clipping.py": ("global_norm", "not one per tensor"),
    "sums_tensor_norms.py": ("global_norm", "the returned total norm"),
    "always_l2.py": ("values", "norm_type=1"),
    "inf_norm_as_sum.py": ("inf_norm", "the max of |x| over every entry of every tensor"),
    "no_epsilon.py": ("boundary", "so it is still scaled"),
    "scales_up.py": ("boundary", "never scaled up"),
    "returns_clipped_norm.py": ("values", "before clipping"),
    "rebinds_list_items.py": ("values", "must be scaled in place"),
    "total_in_float64.py": ("float32", "wrong dtype float64, expected float32"),
    "empty_returns_float.py": ("empty", "where a Tensor"),
    "leaves_grads_on_nonfinite.py": ("nonfinite", "finite entries become 0 and infinite ones NaN"),
    "ignores_error_if_nonfinite.py": ("nonfinite", "expected RuntimeError, but the call returned"),
    "raises_value_error.py": ("nonfinite", "expected RuntimeError, but your code raised"),
    "raises_after_scaling.py": ("nonfinite", "raise before modifying anything"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 15)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


@pytest.mark.parametrize("name", ["torch_clip_grad_norm.py", "total_norm_helpers.py", "foreach_norm.py"])
def test_every_route_to_torch_clipping_is_forbidden(checks: list[Check], name: str) -> None:
    assert result_of(checks, f"solutions/forbidden/{name}").verdict is Verdict.FB


def test_an_unguarded_empty_list_is_a_runtime_error_of_the_empty_group(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/stack_of_empty_list.py")
    assert result.verdict is Verdict.RE and failed_groups(result) == {"empty"}


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/rescales_until_under.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]
