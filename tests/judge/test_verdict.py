"""``SubmissionResult.from_dict`` rebuilds what ``to_dict`` gave, before and after a JSON round trip."""

from __future__ import annotations

import json

from judge import verdict  # verdict.TestResult: a Test* name here would be collected by pytest
from judge.verdict import GroupResult, SubmissionResult, Verdict


def _result() -> SubmissionResult:
    tests = (
        verdict.TestResult("test_shape", "basics", Verdict.AC, 2.0, 2.0, 0.01),
        verdict.TestResult("test_grad", "numerics", Verdict.WA, 3.0, 0.0, 0.25,
                           message="max abs error 0.5 at [0, 1]",
                           figures={"max_abs_error": 0.5, "where": [0, 1], "shape": [2, 3]}),
        verdict.TestResult("test_large", "numerics", Verdict.NR, 5.0, 0.0, 0.0),  # its group had already failed
    )
    groups = (GroupResult("basics", 2.0, 2.0, Verdict.AC), GroupResult("numerics", 8.0, 0.0, Verdict.WA))
    return SubmissionResult(challenge="softmax-cross-entropy", submission="solution.py", suite="hidden",
                            verdict=Verdict.WA, score=2.0, max_score=10.0, tests=tests, groups=groups,
                            sandbox="process", judge_version="0.1.0", seed=1234, duration=0.3,
                            message="test_grad: wrong answer", log="printed\n")


def test_from_dict_inverts_to_dict() -> None:
    result = _result()
    assert SubmissionResult.from_dict(result.to_dict()) == result


def test_from_dict_after_json_and_with_unknown_keys() -> None:
    result = _result()
    data = json.loads(json.dumps(result.to_dict()))
    data["extra"] = "ignored"
    data["tests"][0]["extra"] = 1
    rebuilt = SubmissionResult.from_dict(data)
    assert rebuilt == result
    assert rebuilt.tests[2].verdict is Verdict.NR and rebuilt.groups[1].verdict is Verdict.WA
    data["tests"][2]["verdict"] = None  # a report written before not-run was a verdict of its own
    assert SubmissionResult.from_dict(data).tests[2].verdict is Verdict.NR
