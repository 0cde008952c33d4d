"""Shared by the per-challenge tests: each module names its CHALLENGE; these fixtures verify it once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from judge.challenge import Challenge, find
from judge.sandbox.process import ProcessSandbox
from judge.verdict import SubmissionResult
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
