"""The trusted end of the wire, and the one face challenge tests import from.

A grading runs the challenge's pytest tests in the judge process with the
plugin (``plugin.py``); tests reach the submission through a session with one
worker (``session.py``), compare with the one shared function
(``compare.py``, tolerances in ``tolerance.py``), and what the submission got
wrong travels as the faults of ``faults.py``. Challenge tests import only from
here, e.g. ``from judge.runner import RuntimeFault``.
"""

from __future__ import annotations

from judge.runner.faults import (
    CompileFault,
    ForbiddenFault,
    JudgeFault,
    MemoryLimitExceeded,
    RuntimeFault,
    SubmissionFault,
    TimeLimitExceeded,
    WrongOutputFault,
)

__all__ = [
    "CompileFault", "ForbiddenFault", "JudgeFault", "MemoryLimitExceeded", "RuntimeFault", "SubmissionFault",
    "TimeLimitExceeded", "WrongOutputFault",
]
