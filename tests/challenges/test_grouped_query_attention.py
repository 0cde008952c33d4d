"""The grouped-query-attention challenge: verify passes with full rule coverage, and each wrong solution is
rejected by the group aimed at its mistake with a message that names it.

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

CHALLENGE = "grouped-query-attention"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "interleaved_heads.py": ("head_mapping", "kv head h % Hkv"),
    "causal_top_left.py": ("causal", "aligned to the top left"),
    "always_causal.py": ("causal", "a causal mask applied with is_causal=False"),
    "no_scale.py": ("values", "/ sqrt(D)"),
    "scale_by_total_dim.py": ("values", "/ sqrt(D)"),
    "kv_grad_first_copy_only.py": ("gradients", "query heads of its group (each read it)"),
    "no_divisibility_check.py": ("errors", "(Hq % Hkv != 0): expected ValueError"),
    "causal_t_above_s_allowed.py": ("errors", "T = 4 > S = 3: expected ValueError"),
    "softmax_in_half.py": ("low_precision", "scores and softmax in float32"),
    "half_returns_float32.py": ("low_precision", "wrong dtype float32, expected float16"),
    "naive_exp.py": ("stability", "subtract each row's maximum"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 11)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


def test_equal_heads_assumed_is_a_runtime_error_only_where_hkv_is_between(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/assumes_equal_heads.py")
    assert result.verdict is Verdict.RE and {"values", "head_mapping"} <= failed_groups(result)
    assert "mqa_mha" not in failed_groups(result) and "errors" not in failed_groups(result)


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference", "time margin: solutions/time_limit/spins.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]
