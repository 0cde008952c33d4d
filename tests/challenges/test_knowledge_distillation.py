"""The knowledge-distillation challenge: verify passes with full rule coverage, and each wrong solution is
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

CHALLENGE = "knowledge-distillation"

#: wrong solution -> (the hidden group that targets its mistake, words its failure message must contain)
TARGETS: dict[str, tuple[str, str]] = {
    "no_t_squared.py": ("values", "needs the factor T**2"),
    "kl_reversed.py": ("values", "weighted by the TEACHER's probabilities"),
    "mean_over_elements.py": ("values", "divides by N only"),
    "ce_on_tempered.py": ("values", "computed on the tempered logits"),
    "alpha_on_ce.py": ("alpha", "alpha weights the distillation term"),
    "default_temperature_one.py": ("defaults", "with the defaults temperature=2.0"),
    "temperature_zero_allowed.py": ("temperature", "expected ValueError (temperature <= 0 raises, 0 included)"),
    "naive_softmax.py": ("stability", "shift the logits by their max"),
    "returns_float64.py": ("values", "wrong dtype float64, expected float32"),
    "teacher_not_detached.py": ("teacher_frozen", "the teacher is frozen"),
    "detached_logsumexp.py": ("gradients", "d loss / d student_logits"),
    "tempers_teacher_in_place.py": ("inputs", "do not modify the inputs in place"),
}
#: wrong solutions whose mistake shows in one group only: no other group may fail
ONLY_TARGET = {"default_temperature_one.py", "temperature_zero_allowed.py", "teacher_not_detached.py",
               "tempers_teacher_in_place.py"}


def test_verify_passes(checks: list[Check]) -> None:
    assert_every_check_ok(checks)


def test_every_rule_is_covered(checks: list[Check], challenge: Challenge) -> None:
    assert_rules_covered(checks, challenge, 12)


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
    assert any(words in t.message for t in bad), [t.message for t in bad]


def test_other_known_solutions_get_their_verdicts(checks: list[Check]) -> None:
    assert result_of(checks, "solutions/forbidden/uses_kl_div.py").verdict is Verdict.FB
    assert result_of(checks, "solutions/forbidden/aten_log_softmax.py").verdict is Verdict.FB
    assert result_of(checks, "solutions/runtime_error/targets_as_float_index.py").verdict is Verdict.RE


def test_accepted_solutions_score_full_marks(checks: list[Check]) -> None:
    assert_full_marks(checks)


def test_time_margins(checks: list[Check]) -> None:
    margins = [c for c in checks if c.kind == "margin"]
    assert {c.what for c in margins} >= {"time margin: reference",
                                         "time margin: solutions/time_limit/refines_forever.py"}
    assert all(c.ok for c in margins), [f"{c.what}: {c.detail}" for c in margins if not c.ok]


def test_stub_fails_the_public_tests_with_a_pointer(challenge: Challenge) -> None:
    result = CliRunner().invoke(cli.main, ["test", CHALLENGE, str(challenge.stub_path), "--sandbox", "process",
                                           "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["score"] == 0
    messages = [t["message"] for t in report["tests"]]
    assert messages and all("is not implemented yet: see statement.md" in m for m in messages)
