"""The moe-router challenge: verify passes with full rule coverage, and each wrong solution is rejected by
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
    result_of,
)

pytestmark = pytest.mark.slow

CHALLENGE = "moe-router"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "no_k_check.py": ("arguments", "route(k=0): expected ValueError"),
    "softmax_over_tokens.py": ("routing", "the k most probable"),
    "ties_to_highest_index.py": ("ties", "ties to the lower index"),
    "no_renormalisation.py": ("routing", "renormalised over the k experts"),
    "missing_n_experts.py": ("aux_loss", "E * sum_i f_i * P_i"),
    "f_per_token.py": ("aux_loss", "f_i counts all k choices / (T * k)"),
    "f_from_weights.py": ("aux_loss", "aux_loss"),
    "f_top1_only.py": ("aux_loss", "f_i counts all k choices"),
    "p_sum_not_mean.py": ("aux_loss", "P_i the mean probability"),
    "f_straight_through.py": ("gradients", "f_i is a count and carries no gradient"),
    "weights_detached.py": ("gradients", "no gradient of weights reached x"),
    "matmul_in_input_dtype.py": ("dtypes", "cast to float32 before the matmul"),
    "returns_input_dtype.py": ("dtypes", "expected float32"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 13)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


def test_top_k_over_the_tokens_is_a_runtime_error(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/topk_over_tokens.py")
    assert result.verdict is Verdict.RE and "out of bounds" in result.message


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference", "time margin: solutions/time_limit/sorts_forever.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]
