"""The trusted side's proxy treats what the worker answers as untrusted."""

from __future__ import annotations

import types

import pytest

from harness import protocol
from judge.runner import RuntimeFault
from judge.runner.session import RemoteObject


def test_new_refuses_an_answer_that_is_not_an_object_handle():
    answers = iter([protocol.Handle(7), {"id": 7}])
    session = types.SimpleNamespace(call=lambda *args, **kwargs: next(answers))
    kept = RemoteObject(session, {"attr": "Model"}).new()
    assert kept.handle().id == 7
    with pytest.raises(RuntimeFault, match="where it keeps the object"):
        RemoteObject(session, {"attr": "Model"}).new()  # a worker the submission tampered with


def test_an_import_that_runs_out_of_time_is_not_tried_again(softmax, process_sandbox, tmp_path):
    from judge.grading import grade
    from judge.verdict import Verdict

    path = tmp_path / "solution.py"
    path.write_text("while True:\n    pass\n")
    result = grade(softmax, path, sandbox=process_sandbox, suite="hidden", seed=1)
    timed_out = [t for t in result.tests if t.verdict is Verdict.TLE]
    assert result.verdict is Verdict.TLE and len({t.group for t in timed_out}) >= 2
    assert all("importing your file" in t.message for t in timed_out)
    # one import limit (10 s) spent, not one per test
    assert result.duration < 2 * softmax.spec.limits.import_time, result.duration
