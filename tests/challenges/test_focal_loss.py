"""The focal-loss challenge: verify passes with full rule coverage, and each wrong solution is rejected by
the group aimed at its mistake with a message that names it.

One ``mlj verify`` run (process sandbox, several seeds) is shared by the module.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cli
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

CHALLENGE = "focal-loss"

#: wrong solution -> (the hidden group that targets its mistake, words its message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "alpha_both_classes.py": ("alpha", "alpha weights the positives (t = 1), 1 - alpha the negatives"),
    "alpha_swapped.py": ("alpha", "alpha weights the positives (t = 1), 1 - alpha the negatives"),
    "alpha_zero_disables.py": ("alpha", "only a negative alpha disables the weighting"),
    "alpha_negative_kept.py": ("alpha", "a negative alpha disables the weighting (no alpha_t factor)"),
    "gamma_on_p.py": ("gamma", "the modulating factor is (1 - p_t) ** gamma"),
    "hard_targets_only.py": ("soft_targets", "p_t and alpha_t are linear in t"),
    "unstable_log.py": ("stability", "no log of a probability that rounds to 0 or 1"),
    "clamped_log.py": ("stability", "no log of a probability that rounds to 0 or 1"),
    "none_flattened.py": ("values", "where a Tensor of shape () (floating) or a Tensor of shape (...) = (32, 10)"),
    "mean_over_classes.py": ("reductions", "where a Tensor of shape () (floating)"),
    "mean_over_positives.py": ("reductions", "whatever the number of positives"),
    "unknown_reduction_is_none.py": ("reductions", "an unknown reduction must raise ValueError"),
    "returns_float64.py": ("dtypes", "wrong dtype float64, expected float32"),
    "detached_modulating_factor.py": ("gradients", "the modulating factor is part of the gradient too"),
    "where_branches_nan_grad.py": ("gradients", "NaN value(s) where finite values are expected"),
}
#: wrong solutions whose mistake shows in one group only: no other group may fail
ONLY_TARGET = {"alpha_zero_disables.py", "hard_targets_only.py", "unknown_reduction_is_none.py",
               "returns_float64.py", "detached_modulating_factor.py", "where_branches_nan_grad.py"}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 14)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    group, words = TARGETS[name]
    result = result_of(checks, f"solutions/wrong_answer/{name}")
    assert result.verdict is Verdict.WA
    failed = failed_groups(result)
    assert group in failed, f"{name} should fail {group!r}; it failed {sorted(failed)}"
    if name in ONLY_TARGET:
        assert failed == {group}, f"{name} should fail only {group!r}; it failed {sorted(failed)}"
    bad = [t for t in result.tests if t.group == group and t.verdict not in (Verdict.AC, Verdict.NR)]
    assert bad and all(t.verdict is Verdict.WA for t in bad)
    assert any(words in t.message for t in bad), [t.message for t in bad]


def test_in_place_targets_fail_the_inputs_probe_and_the_backward_pass(checks: list[Check]) -> None:
    result = result_of(checks, "solutions/runtime_error/modifies_targets_in_place.py")
    assert result.verdict is Verdict.RE and failed_groups(result) == {"inputs", "gradients"}
    inputs = [t for t in result.tests if t.group == "inputs"]
    assert inputs and all(t.verdict is Verdict.WA and "changed in place" in t.message for t in inputs)


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/refines_forever.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]


def test_show_renders_the_statement() -> None:
    result = CliRunner().invoke(cli.main, ["show", CHALLENGE])
    assert result.exit_code == 0, result.output
    for words in ("sigmoid_focal_loss", "alpha", "gamma", "logsigmoid", "ValueError"):
        assert words in result.output


def test_stub_fails_public_tests_with_pointers(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "RE" and report["score"] == 0
    messages = [t["message"] for t in report["tests"]]
    assert messages and all("sigmoid_focal_loss is not implemented yet: see statement.md" in m for m in messages)
