"""The dropout challenge: verify passes with full rule coverage, and each wrong solution is rejected
by the group aimed at its mistake with a message that names it.

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

CHALLENGE = "dropout"

#: wrong solution -> (the hidden group that targets its mistake, words its headline must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "checks_p_only_in_training.py": ("errors", "checked whatever training says"),
    "copies_when_identity.py": ("identity", "must return x itself (the same tensor object)"),
    "divides_by_zero.py": ("edge_cases", "no NaN"),
    "draws_before_checking.py": ("edge_cases", "must draw nothing"),
    "eval_scales.py": ("edge_cases", "training=False): x itself, unchanged (no scaling"),
    "fresh_generator_when_none.py": ("generator", "draw from torch's default generator"),
    "half_returns_float32.py": ("dtypes", "wrong dtype float32, expected float16"),
    "in_place_when_no_grad.py": ("inputs", "do not modify x in place"),
    "keeps_below_one_minus_p.py": ("mask", "dtype=torch.float32) >= p"),
    "no_rescale.py": ("mask", "kept values times 1 / (1 - p)"),
    "p_one_draws.py": ("edge_cases", "right after dropout(x, p=1.0, training=True)"),
    "rand_like.py": ("dtypes", "the draw is float32 whatever x's dtype"),
    "reseeds_each_call.py": ("generator", "continuing the generator's state"),
    "strict_keep.py": ("boundary", "keep = draw >= p, not >"),
    "uses_data.py": ("gradients", "cut off from autograd"),
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 14)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    assert_fails_its_group(checks, name, *TARGETS[name])


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_an_open_interval_refuses_p_zero_and_one_as_a_runtime_error(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/open_interval.py")
    assert result.verdict is Verdict.RE and "edge_cases" in failed_groups(result)
    assert "errors" not in failed_groups(result) and "ValueError" in result.message


def test_forbidden_solutions_are_fb(checks: list[Check]) -> None:
    for name, words in [("functional_dropout_on_mask.py", "torch.nn.functional.dropout"),
                        ("native_dropout_op.py", "native_dropout")]:
        result = result_of(checks, f"solutions/forbidden/{name}")
        assert result.verdict is Verdict.FB and words in result.message, (name, result.message)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/redraws_until_exact.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]
