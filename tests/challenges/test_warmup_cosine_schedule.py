"""The warmup-cosine-schedule challenge: verify passes with full rule coverage, and each wrong solution is
rejected by the group aimed at its mistake with a message that names it.

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

CHALLENGE = "warmup-cosine-schedule"

#: wrong solution -> (the hidden group that targets its mistake, words its message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "off_by_one_warmup.py": ("warmup", "(warmup: base_lr * step / warmup_steps)"),
    "integer_division.py": ("warmup", "(warmup: base_lr * step / warmup_steps)"),
    "warmup_from_min_lr.py": ("min_lr", "the warmup starts at 0 even when min_lr > 0"),
    "cosine_over_total.py": ("boundaries", "the first decay step is exactly base_lr"),
    "decay_ends_one_early.py": ("boundaries", "at progress = 1 / (total_steps - warmup_steps)"),
    "ignores_min_lr.py": ("min_lr", "the cosine decays to min_lr, not to 0"),
    "rises_after_total.py": ("after_total", "the cosine does not come back up"),
    "no_order_check.py": ("errors", "(warmup_steps > total_steps): expected ValueError"),
    "accepts_negatives.py": ("errors", "(a negative step): expected ValueError"),
    "accepts_min_above_base.py": ("errors", "(min_lr > base_lr): expected ValueError"),
    "rejects_equal_min_lr.py": ("edge_cases", "raised ValueError, but these arguments are allowed"),
    "rejects_zero_arguments.py": ("errors", "raised ValueError, but these arguments are allowed"),
    "returns_tensor.py": ("types", "where a float is expected"),
    "returns_int_min_lr.py": ("types", "returned int 0, not a Python float"),
}
#: runtime_error solution -> the groups it fails (a ZeroDivisionError each)
RUNTIME_ERRORS = {
    "divides_by_zero_without_warmup.py": {"no_warmup", "errors"},
    "divides_by_zero_warmup_only.py": {"edge_cases", "errors"},
}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 13)


def test_every_wrong_solution_has_a_target(challenge: Challenge) -> None:
    assert {p.name for f, p in challenge.solutions() if f == "wrong_answer"} == set(TARGETS)
    assert {p.name for f, p in challenge.solutions() if f == "runtime_error"} == set(RUNTIME_ERRORS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_wrong_solution_fails_its_targeted_group(checks: list[Check], name: str) -> None:
    group, words = TARGETS[name]
    result = result_of(checks, f"solutions/wrong_answer/{name}")
    assert result.verdict is Verdict.WA
    assert group in failed_groups(result), f"{name} should fail {group!r}; it failed {sorted(failed_groups(result))}"
    bad = [t for t in result.tests if t.group == group and t.verdict not in (Verdict.AC, Verdict.NR)]
    assert bad and all(t.verdict is Verdict.WA for t in bad)
    assert any(words in t.message for t in bad), [t.message for t in bad]


@pytest.mark.parametrize("name", sorted(RUNTIME_ERRORS))
def test_division_by_zero_is_a_runtime_error_in_its_groups(checks: list[Check], name: str) -> None:
    result = result_of(checks, f"solutions/runtime_error/{name}")
    assert result.verdict is Verdict.RE and failed_groups(result) == RUNTIME_ERRORS[name]
    assert "ZeroDivisionError" in result.message


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/bisects_forever.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]


def test_show_renders_the_statement() -> None:
    result = CliRunner().invoke(cli.main, ["show", CHALLENGE])
    assert result.exit_code == 0, result.output
    for words in ("lr_at", "warmup_steps", "total_steps", "min_lr", "ValueError"):
        assert words in result.output


def test_stub_fails_public_tests_with_pointers(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["score"] == 0 and report["verdict"] in ("RE", "WA")
    assert any("lr_at is not implemented yet: see statement.md" in t["message"] for t in report["tests"])
