"""Verdicts and the frozen result records built from them.

One ``Verdict`` enum is used everywhere (CLI, reports, server). A test's
result, a scoring group's result and a submission's result are frozen
dataclasses; the overall verdict of a submission follows ``PRECEDENCE``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    AC = "AC"  # accepted
    WA = "WA"  # wrong answer
    TLE = "TLE"  # time limit exceeded
    MLE = "MLE"  # memory limit exceeded (host or GPU memory)
    RE = "RE"  # runtime error
    CE = "CE"  # the submission does not import (syntax error, missing name)
    FB = "FB"  # a forbidden API was used
    JE = "JE"  # judge error: the judge's own fault, never the submission's
    NR = "NR"  # not run: its group had already failed, or the time or the worker ran out first

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Verdict.AC: "accepted",
    Verdict.WA: "wrong answer",
    Verdict.TLE: "time limit exceeded",
    Verdict.MLE: "memory limit exceeded",
    Verdict.RE: "runtime error",
    Verdict.CE: "does not import",
    Verdict.FB: "forbidden API used",
    Verdict.JE: "judge error",
    Verdict.NR: "not run",
}

#: Worst first: the overall verdict is the first of these that any test got.
PRECEDENCE: tuple[Verdict, ...] = (
    Verdict.JE,
    Verdict.CE,
    Verdict.FB,
    Verdict.RE,
    Verdict.MLE,
    Verdict.TLE,
    Verdict.WA,
    Verdict.NR,
    Verdict.AC,
)

#: Folder names under ``challenges/<id>/solutions/`` and the verdict each expects.
SOLUTION_FOLDERS: dict[str, Verdict] = {
    "accepted": Verdict.AC,
    "wrong_answer": Verdict.WA,
    "time_limit": Verdict.TLE,
    "memory_limit": Verdict.MLE,
    "runtime_error": Verdict.RE,
    "compile_error": Verdict.CE,
    "forbidden": Verdict.FB,
}


def overall(verdicts: list[Verdict]) -> Verdict:
    """The worst verdict by ``PRECEDENCE``; AC for an empty list is a judge error."""
    if not verdicts:
        return Verdict.JE
    present = set(verdicts)
    return next(v for v in PRECEDENCE if v in present)


@dataclass(frozen=True)
class TestResult:
    name: str
    group: str
    verdict: Verdict  # NR: not run (never None: every report shows not-run as a state of its own)
    points_possible: float
    points_earned: float
    duration: float
    message: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    time_used: float | None = None  # seconds charged against time_limit: CPU time of the worker (see time_clock)
    time_limit: float | None = None  # the per-test limit
    time_clock: str = "cpu"  # "cpu", or "wall" where the sandbox could not read CPU time
    near_time_limit: bool = False  # time_used is at least NEAR_TIME_LIMIT of the limit

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.AC

    @property
    def time_text(self) -> str:
        """'1.23/5 s CPU', with '(close to the limit)' where it is; '' for a test that did not run."""
        if self.time_used is None or self.time_limit is None:
            return ""
        text = f"{self.time_used:.2f}/{self.time_limit:g} s {'CPU' if self.time_clock == 'cpu' else 'wall'}"
        return text + (" (close to the limit)" if self.near_time_limit else "")


#: a test that used at least this share of its time limit is reported as close to it
NEAR_TIME_LIMIT = 0.8


def near_time_limit(used: float | None, limit: float | None) -> bool:
    return used is not None and bool(limit) and used >= NEAR_TIME_LIMIT * float(limit)  # type: ignore[arg-type]


@dataclass(frozen=True)
class GroupResult:
    name: str
    points_possible: float
    points_earned: float
    verdict: Verdict


@dataclass(frozen=True)
class SubmissionResult:
    challenge: str
    submission: str
    suite: str  # "public" or "hidden"
    verdict: Verdict
    score: float
    max_score: float
    tests: tuple[TestResult, ...]
    groups: tuple[GroupResult, ...]
    sandbox: str
    judge_version: str
    seed: int | None
    duration: float
    message: str = ""
    log: str = ""
    output_dropped: int = 0  # bytes the submission printed beyond what the log keeps

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.AC

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """The result ``to_dict`` gave, also after a JSON round trip (the server's); unknown keys are ignored."""
        tests = tuple(TestResult(**{**_known_keys(TestResult, t), "verdict": Verdict(t["verdict"] or "NR")})
                      for t in data.get("tests", []))
        groups = tuple(GroupResult(**{**_known_keys(GroupResult, g), "verdict": Verdict(g["verdict"])})
                       for g in data.get("groups", []))
        return cls(**{**_known_keys(cls, data), "verdict": Verdict(data["verdict"]), "tests": tests, "groups": groups})


def _known_keys(cls: type, item: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in item.items() if k in names}


EXIT_OK, EXIT_NOT_ACCEPTED, EXIT_ERROR = 0, 1, 2  # what `mlj grade` / `mlj submit` exit with


def exit_code(results: list[SubmissionResult]) -> int:
    """0 when every result is AC, 2 when the judge failed on any (JE), else 1."""
    if any(r.verdict is Verdict.JE for r in results):
        return EXIT_ERROR
    return EXIT_OK if all(r.accepted for r in results) else EXIT_NOT_ACCEPTED
