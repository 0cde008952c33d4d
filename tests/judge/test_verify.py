"""mlj verify: rule coverage, verdicts on several seeds, time margins, and the static rule-table checks.

The coverage rows are computed from results, so most tests build results by hand; one module-scoped
``mlj verify`` run grades a tiny challenge made here (``double(x) = 2 x``) whose known solutions each
break one thing: a wrong solution that is right on every other seed, a time_limit solution that
finishes at 1.5x the limit, an accepted one that uses most of it, an uncovered rule.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from judge import ROOT
from judge.challenge import BrokenChallenge, ChallengeError, discover, load_challenge
from judge.sandbox.process import ProcessSandbox
from judge.verdict import SubmissionResult, Verdict
from judge.verdict import TestResult as Row  # (a Test* name pytest would try to collect)
from judge.verify import Check, accepted_margin, coverage, function_of, tle_margin, verify

YAML = """\
format: 1
id: {id}
title: Double a number
difficulty: easy
entry: {{file: solution.py, names: [double]}}
reference: reference.py
limits: {{time_per_test: 1, total_time: 30}}
results:
  double: {{kind: int}}
rules:
  - id: doubles
    rule: "double(x) returns 2 * x for every integer x"
    tests: [test_double.py::test_seeded, test_double.py::test_small]
    wrong: [wrong_answer/plus_one.py]
  - id: zero
    rule: "double(0) is 0"
    tests: [test_double.py::test_zero]
"""

HIDDEN = '''\
from __future__ import annotations


def test_seeded(sub, seed):
    x = seed % 2 + 1  # 1 on even seeds, 2 on odd ones
    assert sub.double(x) == 2 * x, f"double({x}) must be {2 * x}"


def test_small(sub):
    assert sub.double(3) == 6, "double(3) must be 6"


def test_zero(sub):
    assert sub.double(0) == 0, "double(0) must be 0"
'''

SPIN = ("import time\n\n\ndef double(x):\n    end = time.process_time() + {seconds}\n"
        "    while time.process_time() < end:\n        pass\n    return 2 * x\n")

SOLUTIONS = {
    "accepted/plain.py": "def double(x):\n    return 2 * x\n",
    "accepted/slow.py": SPIN.format(seconds=0.7),  # 70% of the 1 s limit: AC, but below the margin
    "wrong_answer/plus_one.py": "def double(x):\n    return 2 * x + 1 if x else 0\n",  # caught on every seed
    "wrong_answer/odd_wrong.py": "def double(x):\n    return 2 * x + x % 2 if x != 3 else 6\n",  # only on 1
    "time_limit/forever.py": "def double(x):\n    while True:\n        pass\n",
    "time_limit/one_and_a_half.py": SPIN.format(seconds=1.5),  # TLE, but done before twice the limit
}


def make_challenge(root: Path, name: str = "double", yaml_text: str = YAML,
                   solutions: dict[str, str] | None = None) -> Path:
    target = root / name
    (target / "tests" / "hidden").mkdir(parents=True)
    (target / "tests" / "public").mkdir()
    (target / "challenge.yaml").write_text(yaml_text.format(id=name))
    (target / "statement.md").write_text("# Double\n\n`double(x)` returns `2 * x`.\n")
    (target / "stub.py").write_text("def double(x):\n    raise NotImplementedError('see statement.md')\n")
    (target / "reference.py").write_text("def double(x):\n    return 2 * x\n")
    (target / "tests" / "public" / "test_public.py").write_text(
        "def test_one(sub):\n    assert sub.double(1) == 2\n")
    (target / "tests" / "hidden" / "test_double.py").write_text(HIDDEN)
    for name_, text in (SOLUTIONS if solutions is None else solutions).items():
        path = target / "solutions" / name_
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return target


# -- the static checks of load_challenge ---------------------------------------------------------------

def test_rules_naming_missing_tests_or_solutions_are_errors_with_lines(tmp_path: Path) -> None:
    broken = YAML.replace("test_double.py::test_small]", "test_double.py::test_smal, nofile.py::test_x]")
    broken = broken.replace("wrong: [wrong_answer/plus_one.py]", "wrong: [wrong_answer/missing.py, oops.py]")
    broken = broken.replace("  - id: zero", "  - id: doubles")
    target = make_challenge(tmp_path, yaml_text=broken)
    with pytest.raises(ChallengeError) as info:
        load_challenge(target)
    errors = "\n".join(info.value.errors)
    assert "line 13: rules.0.tests.1: tests/hidden/test_double.py defines no test 'test_smal'" in errors
    assert "rules.0.tests.2: no file tests/hidden/nofile.py" in errors
    assert "line 14: rules.0.wrong.0: file solutions/wrong_answer/missing.py does not exist" in errors
    assert "rules.0.wrong.1: 'oops.py' is not '<verdict folder>/<file>.py'" in errors
    assert "line 15: rules.1.id: duplicate rule id 'doubles'" in errors


def test_a_test_named_with_its_parameters_is_an_error(tmp_path: Path) -> None:
    target = make_challenge(tmp_path, yaml_text=YAML.replace("test_double.py::test_zero]",
                                                             "'test_double.py::test_zero[1]']"))
    with pytest.raises(ChallengeError, match=r"rules.1.tests.0: .* parameters left out"):
        load_challenge(target)


def test_a_valid_rule_table_loads(tmp_path: Path) -> None:
    challenge = load_challenge(make_challenge(tmp_path))
    assert [r.id for r in challenge.spec.rules] == ["doubles", "zero"]


# -- coverage and margins from results made by hand -----------------------------------------------------

def result(tests: list[tuple[str, Verdict, float]], seed: int = 1) -> SubmissionResult:
    rows = tuple(Row(name, "g", verdict, 1.0, float(verdict is Verdict.AC), seconds)
                 for name, verdict, seconds in tests)
    worst = next((v for _, v, _ in tests if v not in (Verdict.AC, Verdict.NR)), Verdict.AC)
    return SubmissionResult("double", "x.py", "hidden", worst, 0.0, float(len(rows)), rows, (), "process", "0",
                            seed, 1.0)


def test_function_of_drops_the_parameters() -> None:
    assert function_of("test_a.py::test_b[1-x]") == "test_a.py::test_b"
    assert function_of("test_a.py::TestC::test_d") == "test_a.py::TestC::test_d"


def test_coverage_reports_each_way_a_rule_is_uncovered(tmp_path: Path) -> None:
    challenge = load_challenge(make_challenge(tmp_path))
    ok_run = result([("test_double.py::test_seeded", Verdict.WA, 0.1), ("test_double.py::test_small", Verdict.AC, 0.1),
                     ("test_double.py::test_zero", Verdict.AC, 0.1)])
    rows = {c.what: c for c in coverage(challenge, {"solutions/wrong_answer/plus_one.py": [ok_run]})}
    assert rows["rule doubles"].ok, rows["rule doubles"].detail
    assert not rows["rule zero"].ok and "no wrong solution breaks this rule" in rows["rule zero"].detail
    unnamed = rows["rule for solutions/wrong_answer/odd_wrong.py"]
    assert not unnamed.ok and "no rule names this wrong solution" in unnamed.detail

    passes = result([("test_double.py::test_seeded", Verdict.AC, 0.1), ("test_double.py::test_zero", Verdict.AC, 0.1)],
                    seed=8)
    (row,) = [c for c in coverage(challenge, {"solutions/wrong_answer/plus_one.py": [ok_run, passes]})
              if c.what == "rule doubles"]
    assert not row.ok and "passes every test of the rule on seed 8" in row.detail

    elsewhere = result([("test_double.py::test_seeded", Verdict.WA, 0.1),
                        ("test_double.py::test_zero", Verdict.WA, 0.1)])
    (row,) = [c for c in coverage(challenge, {"solutions/wrong_answer/plus_one.py": [elsewhere]})
              if c.what == "rule doubles"]
    assert not row.ok and "also fails test_double.py::test_zero" in row.detail

    skipped = result([("test_double.py::test_seeded", Verdict.WA, 0.1), ("test_double.py::test_zero", Verdict.NR, 0.0)])
    (row,) = [c for c in coverage(challenge, {"solutions/wrong_answer/plus_one.py": [skipped]})
              if c.what == "rule doubles"]
    assert row.ok, "a test that did not run is no failure"


def test_a_challenge_without_rules_is_uncovered(tmp_path: Path) -> None:
    challenge = load_challenge(make_challenge(tmp_path, yaml_text=YAML.split("rules:")[0]))
    (row,) = coverage(challenge, {})
    assert row.kind == "rule" and not row.ok and "no rules:" in row.detail


def test_margins_read_the_time_each_test_reports(tmp_path: Path) -> None:
    challenge = load_challenge(make_challenge(tmp_path))  # 1 s per test
    fast = accepted_margin(challenge, "a", result([("t.py::a", Verdict.AC, 0.2), ("t.py::b", Verdict.AC, 0.5)]))
    assert fast.ok and "t.py::b: 0.50 s = 50% of the limit" in fast.detail
    slow = accepted_margin(challenge, "a", result([("t.py::a", Verdict.AC, 0.51)]))
    assert not slow.ok and slow.kind == "margin"
    assert tle_margin(challenge, "t", result([("t.py::a", Verdict.TLE, 2.0)]), 2.0).ok
    early = tle_margin(challenge, "t", result([("t.py::a", Verdict.AC, 1.5)]), 2.0)
    assert not early.ok and "got AC under the 2 s limit" in early.detail and "150% of the limit" in early.detail
    longer = challenge.with_time_limits(2.0)
    assert longer.spec.limits.time_per_test == 2.0 and challenge.spec.limits.time_per_test == 1.0


# -- one real verify run of the made challenge ---------------------------------------------------------

@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> list[Check]:
    challenge = load_challenge(make_challenge(tmp_path_factory.mktemp("verify")))
    sandbox = ProcessSandbox()
    try:
        return verify([challenge], sandbox=sandbox, seed=10, seeds=2)  # seeds 10 and 10 + 7919: both parities
    finally:
        sandbox.close()


def rows(checks: list[Check], what: str) -> Check:
    (row,) = [c for c in checks if c.what == what]
    return row


def test_a_wrong_solution_accepted_on_one_seed_fails_verify(checks: list[Check]) -> None:
    row = rows(checks, "solutions/wrong_answer/odd_wrong.py")
    assert not row.ok and row.detail.startswith("on seed(s) 7929 of 2"), row.detail
    assert rows(checks, "solutions/wrong_answer/plus_one.py").ok


def test_time_margins_of_the_made_challenge(checks: list[Check]) -> None:
    assert rows(checks, "time margin: solutions/accepted/plain.py").ok
    slow = rows(checks, "time margin: solutions/accepted/slow.py")
    assert not slow.ok and "of the limit" in slow.detail
    assert rows(checks, "solutions/accepted/slow.py").ok  # AC all the same
    assert rows(checks, "time margin: solutions/time_limit/forever.py").ok
    early = rows(checks, "time margin: solutions/time_limit/one_and_a_half.py")
    assert not early.ok and "got AC under the 2 s limit" in early.detail


def test_the_coverage_rows_of_the_made_challenge(checks: list[Check]) -> None:
    assert rows(checks, "rule doubles").ok
    assert not rows(checks, "rule zero").ok
    assert not rows(checks, "rule for solutions/wrong_answer/odd_wrong.py").ok


def test_the_cli_shows_coverage_and_margins_and_fails(tmp_path: Path) -> None:
    """A challenge whose only fault is an uncovered rule: every verdict is right, the exit code is 1."""
    solutions = {k: v for k, v in SOLUTIONS.items() if k in ("accepted/plain.py", "wrong_answer/plus_one.py")}
    make_challenge(tmp_path, solutions=solutions)
    env = {**os.environ, "MLJ_CHALLENGES_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "cli", "verify", "double", "--sandbox", "process", "--seeds", "2",
                           "--seed", "3"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    text = done.stdout + done.stderr
    assert "rule coverage: 1 of 2 ok" in text and "time margins: 2 of 2 ok" in text, text
    assert "FAIL double: rule zero" in text, text
    assert done.returncode == 1, text



def test_verify_in_two_judge_processes_makes_the_same_rows(tmp_path: Path, checks: list[Check]) -> None:
    """``--jobs 2`` grades the same solutions on the same seeds (in another order): the same rows come back,
    in the same order, with the same verdicts; a broken challenge before it is its own failed row."""
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "challenge.yaml").write_text("format: 1\nid: broken\n")
    challenge = load_challenge(make_challenge(tmp_path / "made"))
    broken = discover(tmp_path)[0]
    assert isinstance(broken, BrokenChallenge)
    sandbox = ProcessSandbox()
    seen: list[str] = []
    try:
        parallel = verify([broken, challenge], sandbox=sandbox, seed=10, seeds=2, jobs=2,
                          on_check=lambda c: seen.append(c.what))
    finally:
        sandbox.close()
    assert parallel[0].what == "challenge.yaml" and not parallel[0].ok
    # time margins of a solution built to sit near its limit may differ run to run; verdicts and rules may not
    same = [(c.what, c.got, c.ok) for c in checks if c.kind != "margin"]
    assert [(c.what, c.got, c.ok) for c in parallel[1:] if c.kind != "margin"] == same
    assert seen == [c.what for c in parallel]


def test_verify_of_some_folders_grades_only_those_and_makes_no_coverage_rows(tmp_path: Path) -> None:
    challenge = load_challenge(make_challenge(tmp_path))
    sandbox = ProcessSandbox()
    try:
        checks = verify([challenge], sandbox=sandbox, seed=3, seeds=1, folders=frozenset({"time_limit"}))
    finally:
        sandbox.close()
    graded = {c.what for c in checks if c.kind == "verdict"}
    assert graded == {"reference", "reference (public tests)", "stub", "solutions/time_limit/forever.py",
                      "solutions/time_limit/one_and_a_half.py"}
    assert not [c for c in checks if c.kind == "rule"]


WHOLE_YAML = YAML.replace("tests: [test_double.py::test_seeded, test_double.py::test_small]",
                          "tests: [test_double.py::test_small]")
WHOLE_HIDDEN = '''\
def test_small(sub):
    assert sub.double(3) == 6, "double(3) must be 6"


def test_zero(sub):
    assert sub.double(0) == 0, "double(0) must be 0"
'''


def test_whole_groups_let_coverage_see_the_tests_after_a_groups_first_failure(tmp_path: Path) -> None:
    """plus_one fails test_small, then test_zero of the same group (rule zero's, which does not name it); it
    raises there, so the whole grading's group is RE, but the grading would have stopped at WA."""
    solutions = {"accepted/plain.py": SOLUTIONS["accepted/plain.py"],
                 "wrong_answer/plus_one.py": "def double(x):\n    if x == 0:\n        raise ValueError('zero')\n"
                                             "    return 2 * x + 1\n"}
    folder = make_challenge(tmp_path, yaml_text=WHOLE_YAML, solutions=solutions)
    (folder / "tests" / "hidden" / "test_double.py").write_text(WHOLE_HIDDEN)
    challenge = load_challenge(folder)
    sandbox = ProcessSandbox()
    try:
        stopping = verify([challenge], sandbox=sandbox, seed=1, seeds=1, whole_groups=False)
        whole = verify([challenge], sandbox=sandbox, seed=1, seeds=1)  # the default
    finally:
        sandbox.close()
    assert rows(stopping, "rule doubles").ok  # test_zero never ran: not seen
    doubles = rows(whole, "rule doubles")
    assert not doubles.ok and "also fails test_double.py::test_zero" in doubles.detail, doubles.detail
    verdict = rows(whole, "solutions/wrong_answer/plus_one.py")
    assert verdict.ok and verdict.got is Verdict.WA  # the graded verdict, not the whole run's RE
    # the row shows what the grading reports: test_zero not run after test_small failed in their group
    assert verdict.result is not None and [t.verdict for t in verdict.result.tests] == [Verdict.WA, Verdict.NR]
    assert "already failed in group" in verdict.result.tests[1].message
