"""The sampling challenge: verify passes with full rule coverage, and each wrong solution is rejected by
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

CHALLENGE = "sampling"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "no_temperature_check.py": ("arguments", "temperature=-1"),
    "topk_zero_disables.py": ("arguments", "top_k=0 is not 'off'"),
    "top_p_one_rejected.py": ("arguments", "top_p=1) is allowed"),
    "greedy_before_checks.py": ("arguments", "arguments are checked first"),
    "temperature_after_softmax.py": ("temperature", "z = logits / temperature"),
    "returns_float32.py": ("temperature", "wrong dtype float32, expected float64"),
    "greedy_wrong_dim.py": ("greedy", "shape (7, 7)"),
    "greedy_all_maxima.py": ("greedy", "lowest tied index"),
    "topk_exactly_k.py": ("top_k", "every token tied with it is kept"),
    "topk_not_renormalised.py": ("top_k", "renormalised over the kept tokens"),
    "nucleus_strict.py": ("top_p", "reach >= top_p"),
    "nucleus_excludes_crossing.py": ("top_p", "the most likely token alone is above top_p"),
    "topp_ties_higher_index.py": ("top_p", "rank lower index first"),
    "cumsum_dim0.py": ("top_p", "shape (3, 9)"),
    "topp_before_topk.py": ("combined", "then top-p on the renormalised top-k"),
    "divides_in_place.py": ("inputs", "do not modify logits in place"),
    "sample_ignores_filters.py": ("sampling", "probability is 0 after the filters"),
    "sample_without_temperature.py": ("sampling", "do not follow filtered_probs"),
    "sample_global_rng.py": ("sampling", "not torch's global one"),
    "sample_keeps_dim.py": ("sampling", "shape"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 20)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


def test_top_k_beyond_the_vocabulary_is_a_runtime_error_of_the_top_k_group(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/topk_larger_than_vocab.py")
    assert result.verdict is Verdict.RE and "top_k" in failed_groups(result)


def test_transformers_is_forbidden(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/forbidden/hf_warpers.py")
    assert result.verdict is Verdict.FB and "transformers" in result.message


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/refines_forever.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]
