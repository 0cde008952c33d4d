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
