"""Shared by the per-challenge tests: each module names its CHALLENGE; these fixtures verify it once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from judge.challenge import Challenge, find
from judge.sandbox.process import ProcessSandbox
from judge.verdict import SubmissionResult, Verdict
from judge.verify import Check, verify


@pytest.fixture(scope="module")
def challenge(request: pytest.FixtureRequest) -> Challenge:
    return find(request.module.CHALLENGE)


@pytest.fixture(scope="module")
def checks(challenge: Challenge) -> Iterator[list[Check]]:
    """Every `mlj verify` row of the module's challenge (process sandbox)."""
    sandbox = ProcessSandbox()
    try:
        yield verify([challenge], sandbox=sandbox)
    finally:
        sandbox.close()


def result_of(checks: list[Check], what: str) -> SubmissionResult:
    found = [c for c in checks if c.what == what]
    assert len(found) == 1, f"no single verify row {what!r}: {[c.what for c in checks]}"
    assert found[0].result is not None
    return found[0].result


def assert_full_marks(checks: list[Check]) -> None:
    """The reference and every accepted solution (at least two in all) score full marks."""
    rows = [c for c in checks if c.what == "reference" or c.what.startswith("solutions/accepted/")]
    assert len(rows) >= 2
    for check in rows:
        assert check.result is not None and check.result.score == check.result.max_score > 0, check.what


def failed_groups(result: SubmissionResult) -> set[str]:
    return {g.name for g in result.groups if g.points_earned < g.points_possible}


def assert_every_check_ok(checks: list[Check]) -> None:
    """Every row of the verify run is ok (verdicts, time margins, rule coverage)."""
    failed = [f"{c.what}: expected {c.expected}, got {c.got} ({c.detail})" for c in checks if not c.ok]
    assert not failed, "\n".join(failed)


def assert_rules_covered(checks: list[Check], challenge: Challenge, at_least: int) -> None:
    """One coverage row per rule of the table (at least ``at_least`` rules), each ok."""
    rules = [c for c in checks if c.kind == "rule"]
    assert len(rules) == len(challenge.spec.rules) >= at_least
    assert all(c.ok for c in rules), [f"{c.what}: {c.detail}" for c in rules if not c.ok]


def assert_fails_its_group(checks: list[Check], name: str, group: str, words: str) -> None:
    """``solutions/wrong_answer/<name>`` is WA, loses ``group``, and a failing test there says ``words``."""
    result = result_of(checks, f"solutions/wrong_answer/{name}")
    assert result.verdict is Verdict.WA
    assert group in failed_groups(result), f"{name} should fail {group!r}; it failed {sorted(failed_groups(result))}"
    bad = [t for t in result.tests if t.group == group and t.verdict not in (Verdict.AC, Verdict.NR)]
    assert any(words in t.message for t in bad), [t.message for t in bad]
