"""What can go wrong in a grading, as exceptions that carry their verdict.

A ``SubmissionFault`` is the submission's doing and carries the verdict it
earns; a ``JudgeFault`` is the judge's own failure (JE). ``from_reply`` turns
the error a worker reports into a fault: the worker runs the submission, so
its report is untrusted and only ever picks one of the known kinds.
"""

from __future__ import annotations

from typing import Any

from judge.verdict import Verdict


class SubmissionFault(Exception):
    """Something the submission did wrong; carries the verdict it earns."""

    verdict = Verdict.RE

    def __init__(self, message: str, *, line: int | None = None, traceback: str = "",
                 exc_type: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.traceback = traceback
        self.exc_type = exc_type  # the submission's exception class name, for RE


class TimeLimitExceeded(SubmissionFault):
    verdict = Verdict.TLE


class MemoryLimitExceeded(SubmissionFault):
    verdict = Verdict.MLE


class RuntimeFault(SubmissionFault):
    verdict = Verdict.RE


class CompileFault(SubmissionFault):
    verdict = Verdict.CE


class ForbiddenFault(SubmissionFault):
    verdict = Verdict.FB


class WrongOutputFault(SubmissionFault):
    """An output that cannot be right (wrong shape or type), found inside the worker."""

    verdict = Verdict.WA


class JudgeFault(Exception):
    """The judge's own failure (the sandbox would not start, a protocol bug)."""


_KINDS: dict[str, type[SubmissionFault]] = {
    "exception": RuntimeFault,
    "memory": MemoryLimitExceeded,
    "compile": CompileFault,
    "forbidden": ForbiddenFault,
    "encode": RuntimeFault,
    "wrong_output": WrongOutputFault,
}


def from_reply(error: dict[str, Any]) -> SubmissionFault:
    cls = _KINDS.get(str(error.get("kind")), RuntimeFault)
    message = str(error.get("message", "unknown error"))[:4000]
    if cls is MemoryLimitExceeded and "CUDA" in message:
        message = "GPU memory exhausted: " + message
    line = error.get("line")
    return cls(message, line=line if isinstance(line, int) else None,
               traceback=str(error.get("traceback", ""))[:8000], exc_type=str(error.get("type", "")))
