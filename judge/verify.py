"""Verify challenge packages with their known solutions (``mlj verify``).

For each challenge: the reference must be AC on the hidden and public tests,
the untouched stub must not be AC, and every ``solutions/<folder>/*.py`` must
get the verdict its folder names. Every check becomes a row; a broken
challenge.yaml is a failed row, not a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from judge.challenge import BrokenChallenge, Challenge
from judge.grading import grade
from judge.sandbox.base import Sandbox
from judge.verdict import SOLUTION_FOLDERS, SubmissionResult, Verdict


@dataclass(frozen=True)
class Check:
    challenge: str
    what: str  # "reference", "stub", or "solutions/<folder>/<file>"
    expected: str  # a verdict code, or "not AC"
    got: Verdict | None
    ok: bool
    detail: str = ""
    result: SubmissionResult | None = None


def _row(challenge: Challenge, what: str, expected: Verdict | None, result: SubmissionResult) -> Check:
    if expected is None:
        ok = result.verdict not in (Verdict.AC, Verdict.JE)
        wanted = "not AC"
    else:
        ok = result.verdict is expected
        wanted = str(expected)
    detail = "" if ok else (result.message.splitlines()[0] if result.message else "")
    return Check(challenge.id, what, wanted, result.verdict, ok, detail[:300], result)


def plan(challenge: Challenge) -> list[tuple[str, Path, Verdict | None, str]]:
    """(label, file, expected verdict or None for 'not AC', suite) for one challenge."""
    rows: list[tuple[str, Path, Verdict | None, str]] = [
        ("reference", challenge.reference_path, Verdict.AC, "hidden"),
        ("reference (public tests)", challenge.reference_path, Verdict.AC, "public"),
        ("stub", challenge.stub_path, None, "hidden"),
    ]
    for folder, path in challenge.solutions():
        rows.append((f"solutions/{folder}/{path.name}", path, SOLUTION_FOLDERS[folder], "hidden"))
    return rows


def verify(challenges: list[Challenge | BrokenChallenge], *, sandbox: Sandbox, seed: int | None = None,
           on_check: Callable[[Check], None] | None = None) -> list[Check]:
    checks: list[Check] = []
    for challenge in challenges:
        if isinstance(challenge, BrokenChallenge):
            check = Check(challenge.id, "challenge.yaml", "valid", None, False, "; ".join(challenge.errors))
            checks.append(check)
            if on_check:
                on_check(check)
            continue
        for label, path, expected, suite in plan(challenge):
            result = grade(challenge, path, sandbox=sandbox, suite=suite, seed=seed)
            check = _row(challenge, label, expected, result)
            checks.append(check)
            if on_check:
                on_check(check)
    return checks
