"""The order in which a parallel batch hands out its gradings.

A batch with ``--jobs N`` ends when its slowest job ends: a slow grading
handed out last leaves the other jobs idle while it finishes. So the schedule
is a longest-first list schedule, with costs guessed before and learned
during the batch:

1. First the submissions that look slow: those with more Python loops
   (``for``/``while`` statements) than their challenge's reference. In this
   domain that is the usual reason a submission is slow or runs into its time
   limit (k-means over points one by one, a softmax row by row, a loop that
   never ends), and such a grading can take its limit several times over.
2. Then one submission of each challenge not yet seen, to learn what it costs.
3. Then always a submission of the challenge whose finished gradings took
   longest on average (one still running counts as costly), so the cheap
   ones fill the gaps at the end.

Only the order changes: every submission is graded the same way, and results
keep the input order (``grade_many``). With one job the batch runs in input
order.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

from judge.grading import read_source
from judge.pyast import parse


def python_loops(path: Path) -> int:
    """How many ``for``/``while`` statements a file (or a notebook's code) has (0 if it does not parse)."""
    try:
        data = path.read_bytes()
    except OSError:  # the grading will say why
        return 0
    source = read_source(path, data)[0]  # the module the grading imports, notebook or .py alike
    try:
        tree = parse(source or "")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return 0
    return sum(isinstance(node, (ast.For, ast.AsyncFor, ast.While)) for node in ast.walk(tree))


class Schedule:
    """Which submission (an index into the batch) to grade next, given what finished so far."""

    def __init__(self, challenges: list[str], looks_slow: list[bool] | None = None) -> None:
        slow = looks_slow or [False] * len(challenges)
        self._slow = deque(i for i, flag in enumerate(slow) if flag)
        self._waiting: dict[str, deque[int]] = {}
        for index, challenge in enumerate(challenges):
            queue = self._waiting.setdefault(challenge, deque())
            if not slow[index]:
                queue.append(index)
        self._challenge = challenges
        self._looks_slow = slow
        self._started: set[str] = set()
        self._seconds: dict[str, list[float]] = {}

    def estimate(self, challenge: str) -> float:
        """Mean seconds of this challenge's finished gradings (not counting the slow-looking ones)."""
        seconds = self._seconds.get(challenge)
        return sum(seconds) / len(seconds) if seconds else float("inf")

    def next(self) -> int | None:
        """The next submission to hand out, or None when all are out."""
        if self._slow:
            return self._slow.popleft()
        candidates = [c for c, queue in self._waiting.items() if queue]
        if not candidates:
            return None
        order = list(self._waiting)  # input order breaks ties
        challenge = max(candidates, key=lambda c: (c not in self._started, self.estimate(c), -order.index(c)))
        self._started.add(challenge)
        return self._waiting[challenge].popleft()

    def finished(self, index: int, seconds: float) -> None:
        if not self._looks_slow[index]:  # they say nothing about the rest of their challenge
            self._seconds.setdefault(self._challenge[index], []).append(seconds)


def looks_slow(pairs: list[tuple[Path, Path]]) -> list[bool]:
    """For (submission, its challenge's reference) pairs: more Python loops than the reference?"""
    reference_loops: dict[Path, int] = {}
    flags = []
    for submission, reference in pairs:
        if reference not in reference_loops:
            reference_loops[reference] = python_loops(reference)
        flags.append(python_loops(submission) > reference_loops[reference])
    return flags
