"""The debug-transformer-block challenge: verify passes with full rule coverage, the stub scores 0, and the
stub with every planted bug fixed but one fails exactly that bug's group, with a message that names it.

One ``mlj verify`` run (process sandbox, several seeds) is shared by the module.
"""

from __future__ import annotations

import pytest

from judge.challenge import Challenge
from judge.verdict import Verdict
from judge.verify import Check
from tests.challenges.conftest import (
    assert_every_check_ok,
    assert_full_marks,
    assert_rules_covered,
    failed_groups,
    result_of,
)

pytestmark = pytest.mark.slow

CHALLENGE = "debug-transformer-block"

#: wrong solution -> (the one group it fails, words its message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "residual_on_normed_input.py": ("residual", "added to the normed input LN1(x) instead of x"),
    "mask_after_softmax.py": ("causal_mask", "applied after the softmax"),
    "scale_sqrt_d_model.py": ("attention_scale", "sqrt(d_model) instead of sqrt(head_dim)"),
    "layernorm_over_positions.py": ("layer_norm", "over dim 1 (the positions)"),
    "heads_view_without_transpose.py": ("head_split", "reshape(B, n_heads, T, head_dim)"),
    "dropout_in_eval.py": ("dropout", "dropout is active in eval mode"),
    "dropout_removed.py": ("dropout", "must be active in training mode"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 8)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


def test_the_stub_scores_nothing(checks: list[Check]) -> None:
    result = result_of(checks, "stub")
    assert result.verdict is Verdict.WA and result.score == 0
    assert failed_groups(result) == {"residual", "causal_mask", "attention_scale", "layer_norm", "head_split",
                                     "dropout"}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_exactly_its_group(checks: list[Check], name: str) -> None:
    group, words = TARGETS[name]
    result = result_of(checks, f"solutions/wrong_answer/{name}")
    assert result.verdict is Verdict.WA
    assert failed_groups(result) == {group}, f"{name} should fail only {group!r}; it failed {failed_groups(result)}"
    bad = [t for t in result.tests if t.group == group and t.verdict not in (Verdict.AC, Verdict.NR)]
    assert any(words in t.message for t in bad), [t.message for t in bad]


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/warm_up_forever.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]
