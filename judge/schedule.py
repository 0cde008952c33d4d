"""The order in which a parallel batch hands out its gradings.

A batch with ``--jobs N`` ends when its slowest job ends. Handed out in input
order, a batch whose last submissions are costly (a k-means that runs into
its time limit, say) finishes with one job grading and the others idle. The
schedule is a longest-first list schedule with costs learned as the batch
goes: first one submission of each challenge not yet seen (to learn what it
costs), then always a submission of the challenge whose finished gradings
took longest on average, so the cheap ones are left to fill the gaps at the
end. Results keep the input order regardless (``grade_many``); with one job
the order changes nothing and the batch runs in input order.
"""

from __future__ import annotations

from collections import deque


class Schedule:
    """Which submission (an index into the batch) to grade next, given what finished so far."""

    def __init__(self, challenges: list[str]) -> None:
        self._waiting: dict[str, deque[int]] = {}
        for index, challenge in enumerate(challenges):
            self._waiting.setdefault(challenge, deque()).append(index)
        self._challenge = challenges
        self._started: set[str] = set()
        self._seconds: dict[str, list[float]] = {}

    def estimate(self, challenge: str) -> float:
        """Mean seconds of this challenge's finished gradings; unknown counts as costly."""
        seconds = self._seconds.get(challenge)
        return sum(seconds) / len(seconds) if seconds else float("inf")

    def next(self) -> int | None:
        """The next submission to hand out, or None when all are out."""
        candidates = [c for c, queue in self._waiting.items() if queue]
        if not candidates:
            return None
        order = list(self._waiting)  # input order breaks ties
        challenge = max(candidates, key=lambda c: (c not in self._started, self.estimate(c), -order.index(c)))
        self._started.add(challenge)
        return self._waiting[challenge].popleft()

    def finished(self, index: int, seconds: float) -> None:
        self._seconds.setdefault(self._challenge[index], []).append(seconds)
