"""Verify challenge packages with their known solutions (``mlj verify``).

For each challenge, every check becomes a row (a broken challenge.yaml is a failed row, not a crash):

* **verdicts**: the reference is AC on the hidden and public tests, the untouched stub is not AC, and
  every ``solutions/<folder>/*.py`` gets the verdict its folder names. A solution that is not accepted
  is graded on ``seeds`` seeds and must get its verdict on every one (a wrong solution caught on one
  seed and accepted on another is a hole in the tests). The reference and the accepted solutions are
  graded once: a correct program passes every seed, and they are the slow ones.
* **time margins** (as in competitive-programming packages): every test of the reference and of every
  accepted solution takes at most half of ``limits.time_per_test``, and every time_limit solution is
  still running at twice the limit. The latter is graded once, under a verify-only per-test limit of
  twice the challenge's (its time is the limit by construction otherwise; a TLE run costs that limit
  per lost worker, so it is not repeated per seed).
* **rule coverage**: the challenge has a rule table (``rules:`` in challenge.yaml); every rule names
  hidden tests and a known wrong solution (or says in ``why_no_wrong`` why there is none); on every
  seed, each named wrong solution fails at least one of its rule's tests and no test outside the rules
  that name it; every solution of ``solutions/wrong_answer/`` is named by some rule. A grading stops a
  group at its first failure, so the solutions that are not accepted are graded with every test of a
  group run (``grading.grade``'s ``whole``; ``whole_groups``): coverage sees every test each fails, and
  their verdict rows see what the grading reports (``graded_view``: each group up to its first failure).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from judge.batch import Grading, grade_each
from judge.challenge import BrokenChallenge, Challenge
from judge.sandbox.base import Sandbox
from judge.verdict import SOLUTION_FOLDERS, SubmissionResult, TestResult, Verdict, overall

DEFAULT_SEEDS = 3
ACCEPTED_SHARE = 0.5  # an accepted solution's slowest test may take at most this share of the limit
TLE_FACTOR = 2.0  # a time_limit solution must still be running at this multiple of the limit

Kind = Literal["verdict", "margin", "rule"]


@dataclass(frozen=True)
class Check:
    challenge: str
    what: str  # "reference", "stub", "solutions/<folder>/<file>", "time margin: ...", "rule <id>", ...
    expected: str  # a verdict code, "not AC", or what a margin or coverage row requires
    got: Verdict | None
    ok: bool
    detail: str = ""
    result: SubmissionResult | None = None  # the first seed's result of a verdict row
    kind: Kind = "verdict"


def _first_line(result: SubmissionResult) -> str:
    return result.message.splitlines()[0] if result.message else ""


def _row(challenge: Challenge, what: str, expected: Verdict | None, result: SubmissionResult) -> Check:
    if expected is None:
        ok = result.verdict not in (Verdict.AC, Verdict.JE)
        wanted = "not AC"
    else:
        ok = result.verdict is expected
        wanted = str(expected)
    detail = "" if ok else _first_line(result)
    return Check(challenge.id, what, wanted, result.verdict, ok, detail[:300], result)


def plan(challenge: Challenge, folders: frozenset[str] | None = None) -> list[tuple[str, Path, Verdict | None, str]]:
    """(label, file, expected verdict or None for 'not AC', suite) for one challenge; with ``folders``, only
    the known solutions of those folders."""
    rows: list[tuple[str, Path, Verdict | None, str]] = [
        ("reference", challenge.reference_path, Verdict.AC, "hidden"),
        ("reference (public tests)", challenge.reference_path, Verdict.AC, "public"),
        ("stub", challenge.stub_path, None, "hidden"),
    ]
    for folder, path in challenge.solutions():
        if folders is None or folder in folders:
            rows.append((f"solutions/{folder}/{path.name}", path, SOLUTION_FOLDERS[folder], "hidden"))
    return rows


def time_of(test: TestResult) -> float:
    """The time a test charged to the submission as its result reports it (``time_used``, the figure the
    limit is compared with), or the test's duration where the result has none."""
    return float(test.duration if test.time_used is None else test.time_used)


def function_of(name: str) -> str:
    """``test_x.py::test_y[param]`` -> ``test_x.py::test_y``: how a rule names a test."""
    return re.sub(r"\[.*\]$", "", name)


def accepted_margin(challenge: Challenge, what: str, result: SubmissionResult) -> Check:
    limit = challenge.spec.limits.time_per_test
    ran = [t for t in result.tests if t.verdict is not Verdict.NR]
    expected = f"every test <= {ACCEPTED_SHARE:.0%} of {limit:g} s"
    if not ran:
        return Check(challenge.id, f"time margin: {what}", expected, None, False, "no test ran", kind="margin")
    slowest = max(ran, key=time_of)
    used = time_of(slowest)
    ok = used <= ACCEPTED_SHARE * limit
    detail = f"slowest {slowest.name}: {used:.2f} s = {used / limit:.0%} of the limit"
    return Check(challenge.id, f"time margin: {what}", expected, None, ok, detail, kind="margin")


def tle_margin(challenge: Challenge, what: str, result: SubmissionResult, factor: float) -> Check:
    limit = challenge.spec.limits.time_per_test
    expected = f"still running at {factor:g}x the limit ({factor * limit:g} s)"
    timed_out = [t for t in result.tests if t.verdict is Verdict.TLE]
    if result.verdict is Verdict.TLE and timed_out:
        detail = f"{timed_out[0].name} ran past {factor * limit:g} s"
        return Check(challenge.id, f"time margin: {what}", expected, None, True, detail, kind="margin")
    ran = [t for t in result.tests if t.verdict is not Verdict.NR]
    slowest = max(ran, key=time_of) if ran else None
    detail = (f"got {result.verdict} under the {factor * limit:g} s limit"
              + (f"; slowest {slowest.name}: {time_of(slowest):.2f} s = {time_of(slowest) / limit:.0%} of the "
                 f"limit" if slowest else ""))
    return Check(challenge.id, f"time margin: {what}", expected, None, False, detail, kind="margin")


def _failed(result: SubmissionResult) -> set[str]:
    return {function_of(t.name) for t in result.tests if t.verdict not in (Verdict.AC, Verdict.NR)}


def coverage(challenge: Challenge, graded: dict[str, list[SubmissionResult]]) -> list[Check]:
    """The rule-table rows of one challenge, from the results of its known solutions on every seed."""
    rules = challenge.spec.rules
    if not rules:
        return [Check(challenge.id, "rules", "a rule table", None, False,
                      "no rules: in challenge.yaml: every rule the statement states needs a row with its tests "
                      "and a wrong solution (README.md, 'Writing a challenge')", kind="rule")]
    allowed: dict[str, set[str]] = {}  # wrong solution -> the tests of every rule that names it
    for rule in rules:
        for name in rule.wrong:
            allowed.setdefault(name, set()).update(rule.tests)
    rows = []
    for rule in rules:
        what, expected = f"rule {rule.id}", "tests and a wrong solution that fails them"
        if not rule.wrong:
            ok = bool(rule.why_no_wrong.strip())
            detail = (f"no wrong solution: {rule.why_no_wrong.strip()}" if ok else
                      "no wrong solution breaks this rule (add one to solutions/wrong_answer/ or say why in "
                      "why_no_wrong)")
            rows.append(Check(challenge.id, what, expected, None, ok, detail, kind="rule"))
            continue
        problems = []
        for name in rule.wrong:
            results = graded.get(f"solutions/{name}", [])
            if not results:
                problems.append(f"{name} was not graded")
            for result in results:
                failed = _failed(result)
                if result.verdict is Verdict.AC or not failed & set(rule.tests):
                    problems.append(f"{name} passes every test of the rule on seed {result.seed} "
                                    f"({result.verdict}{': ' + ', '.join(sorted(failed)) if failed else ''})")
                elif failed - allowed[name]:
                    problems.append(f"{name} also fails {', '.join(sorted(failed - allowed[name]))} on seed "
                                    f"{result.seed}: it breaks more than this rule")
        detail = "; ".join(dict.fromkeys(problems)) or f"{', '.join(rule.wrong)} fail {len(rule.tests)} test(s)"
        rows.append(Check(challenge.id, what, expected, None, not problems, detail[:600], kind="rule"))
    for folder, path in challenge.solutions():
        name = f"{folder}/{path.name}"
        if folder == "wrong_answer" and name not in allowed:
            rows.append(Check(challenge.id, f"rule for solutions/{name}", "named by a rule", None, False,
                              "no rule names this wrong solution: which rule of the statement does it break?",
                              kind="rule"))
    return rows


def graded_view(result: SubmissionResult) -> SubmissionResult:
    """What a grading that stops each group at its first failure reports, from a ``whole`` grading: the tests
    after a group's first failure not run, each group's verdict that failure's (the tests before it ran
    the same in both). The verdict rows, and what they hand on, see this; coverage sees the whole run."""
    if not result.groups:
        return result
    tests: list[TestResult] = []
    first: dict[str, TestResult] = {}
    for test in result.tests:
        stopped = first.get(test.group)
        if stopped is not None:
            test = replace(test, verdict=Verdict.NR, points_earned=0.0, time_used=None, near_time_limit=False,
                           message=f"not run: {stopped.name} ({stopped.verdict}) already failed in group "
                                   f"{test.group!r}")
        elif test.verdict not in (Verdict.AC, Verdict.NR):
            first[test.group] = test
        tests.append(test)
    groups = tuple(replace(g, verdict=first[g.name].verdict) if g.name in first else g for g in result.groups)
    # the message names the first failing test of all, the same in both
    return replace(result, tests=tuple(tests), groups=groups, verdict=overall([g.verdict for g in groups]))


def verify(challenges: list[Challenge | BrokenChallenge], *, sandbox: Sandbox, seed: int | None = None,
           seeds: int = DEFAULT_SEEDS, jobs: int = 1, folders: frozenset[str] | None = None,
           on_check: Callable[[Check], None] | None = None, whole_groups: bool = True) -> list[Check]:
    """Every check of every challenge, in order; ``on_check`` sees each row as it is made. With ``jobs`` > 1
    the gradings of all the challenges run in that many judge processes (``judge.batch``), and each
    challenge's rows come as soon as its gradings are done. With ``folders`` only the known solutions of
    those folders are graded, and there are no rule-coverage rows (they need every wrong solution)."""
    first = secrets.randbelow(2**31) if seed is None else seed
    seed_list = [(first + 7919 * i) % 2**31 for i in range(max(1, seeds))]
    gradings: list[Grading] = []
    # per challenge, its rows to make: (label, expected, suite, indices into gradings)
    plans: list[tuple[Challenge | BrokenChallenge, list[tuple[str, Verdict | None, str, list[int]]]]] = []
    for challenge in challenges:
        rows: list[tuple[str, Verdict | None, str, list[int]]] = []
        plans.append((challenge, rows))
        if isinstance(challenge, BrokenChallenge):
            continue
        for label, path, expected, suite in plan(challenge, folders):
            if expected is Verdict.TLE:  # once, under a longer limit (see the module's docstring)
                runs = [Grading(challenge, path, seed_list[0], suite, TLE_FACTOR)]
            else:
                repeat = suite == "hidden" and expected not in (Verdict.AC, None)
                runs = [Grading(challenge, path, s, suite, whole=repeat and whole_groups)
                        for s in (seed_list if repeat else seed_list[:1])]
            rows.append((label, expected, suite, list(range(len(gradings), len(gradings) + len(runs)))))
            gradings.extend(runs)

    checks: list[Check] = []
    done: dict[int, SubmissionResult] = {}
    shown = 0  # plans whose rows are made

    def add(check: Check) -> None:
        checks.append(check)
        if on_check:
            on_check(check)

    def flush() -> None:
        """Make the rows of the challenges, in order, whose gradings are all done."""
        nonlocal shown
        while shown < len(plans) and all(i in done for row in plans[shown][1] for i in row[3]):
            challenge, rows = plans[shown]
            shown += 1
            for check in _checks(challenge, rows, done, coverage_rows=folders is None, whole=whole_groups):
                add(check)

    def ready(index: int, result: SubmissionResult) -> None:
        done[index] = result
        flush()

    flush()  # the rows of broken challenges before the first grading
    grade_each(gradings, sandbox=sandbox, seed=first, jobs=jobs, on_result=ready)
    return checks


def _checks(challenge: Challenge | BrokenChallenge, rows: list[tuple[str, Verdict | None, str, list[int]]],
            done: dict[int, SubmissionResult], *, coverage_rows: bool = True, whole: bool = False) -> list[Check]:
    """One challenge's rows, from the results of its gradings."""
    if isinstance(challenge, BrokenChallenge):
        return [Check(challenge.id, "challenge.yaml", "valid", None, False, "; ".join(challenge.errors))]
    checks: list[Check] = []
    graded: dict[str, list[SubmissionResult]] = {}
    for label, expected, suite, indices in rows:
        results = [done[i] for i in indices]
        graded[label] = results
        if expected is Verdict.TLE:
            checks.append(_row(challenge, label, expected, results[0]))
            checks.append(tle_margin(challenge, label, results[0], TLE_FACTOR))
            continue
        if whole and suite == "hidden" and expected not in (Verdict.AC, None):  # graded whole (see verify)
            # the verdict rows see what the grading would have given; coverage (below) every test that failed
            shown = [graded_view(r) for r in results]
        else:
            shown = results
        wrong = [r for r in shown if not _row(challenge, label, expected, r).ok]
        row = _row(challenge, label, expected, wrong[0] if wrong else shown[0])
        if wrong and len(results) > 1:
            row = Check(row.challenge, row.what, row.expected, row.got, False,
                        f"on seed(s) {', '.join(str(r.seed) for r in wrong)} of {len(results)}: "
                        f"{row.detail}"[:300], row.result)
        checks.append(row)
        if expected is Verdict.AC and suite == "hidden":
            checks.append(accepted_margin(challenge, label, results[0]))
    return checks + (coverage(challenge, graded) if coverage_rows else [])
