"""The kv-cache-attention challenge: verify passes with full rule coverage, and each wrong solution is
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

CHALLENGE = "kv-cache-attention"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "no_causal_mask.py": ("full_pass", "causal (query i sees keys j <= i)"),
    "scale_by_d_model.py": ("full_pass", "sqrt(head_dim)"),
    "heads_interleaved.py": ("full_pass", "head h = features h*head_dim:(h+1)*head_dim"),
    "rope_adjacent_pairs.py": ("full_pass", "RoPE on the pairs (i, i + head_dim/2)"),
    "rope_angles_float32.py": ("float64", "in float64"),
    "step_position_off_by_one.py": ("decode", "position t = the cache's length"),
    "step_position_zero.py": ("decode", "position t = the cache's length"),
    "cache_not_updated.py": ("decode", "its key and value appended to the cache"),
    "cache_prepends.py": ("decode", "position 0"),
    "cache_keys_before_rope.py": ("prefill", "the keys after RoPE"),
    "prefill_appends.py": ("cache_lifecycle", "replaces the cache"),
    "forward_writes_cache.py": ("cache_lifecycle", "forward neither reads nor changes the cache"),
    "rejects_max_len.py": ("max_len", "is allowed, but your code raised"),
    "step_past_max_len.py": ("max_len", "positions in the cache already"),
    "step_without_prefill.py": ("max_len", "step before any prefill"),
    "odd_head_dim_allowed.py": ("parameters", "is odd"),
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


def test_cache_on_the_wrong_dim_is_a_runtime_error_in_decode(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/cache_cat_wrong_dim.py")
    assert result.verdict is Verdict.RE and "decode" in failed_groups(result)
    assert "full_pass" not in failed_groups(result) and "prefill" not in failed_groups(result)


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference", "time margin: solutions/time_limit/step_spins.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]
