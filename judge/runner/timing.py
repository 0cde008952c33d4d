"""What a test's calls cost: the worker's CPU time against the per-test limit, with a wall-clock cap.

A verdict must not depend on what else runs on the machine. So the time a
test is charged is the CPU time of the worker and everything it started,
read by the sandbox backend from outside the worker (``Worker.cpu_seconds``:
``/proc`` for the process backend, the container's cgroup for docker), over
the calls of that test. A submission that sleeps or blocks uses no CPU time;
it is stopped by the wall-clock cap (``WALL_FACTOR`` x the limit +
``WALL_EXTRA`` seconds), which counts only the time the worker was not
runnable (``Worker.runnable``, sampled from outside at every look): on a
busy machine a computation waits for a CPU, runnable all the while, and is
judged by its CPU time alone, not stopped because others ran. A worker can
only look runnable by computing, which its CPU time charges. A hard cap of
``HARD_FACTOR`` x the wall-clock cap bounds the wall time in any case. Where a
backend cannot tell whether the worker is runnable, all wall time counts
against the cap; where it cannot read CPU time, wall time is charged instead
and the report says so.

The worker's start and its import of the submission are never charged to a
test (they have their own limits in the session). While a reply is awaited
the CPU time is read every so often: a call that has used up the test's
time is stopped then, and a reply that comes after the limit was passed is
a TLE all the same, so the verdict does not depend on when the look came.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from judge.sandbox.base import Worker, WorkerTimeout

# An accepted solution uses at most half its limit in CPU time (``mlj verify`` holds known solutions to that
# margin), so this cap leaves it a slowdown of more than 4x from a busy machine before wall time decides;
# a submission that sleeps costs the judge at most this per worker it loses.
WALL_FACTOR = 2.0
WALL_EXTRA = 3.0
HARD_FACTOR = 4.0  # the wall time of a test's calls, runnable or not, never passes this x the wall-clock cap
POLL_MIN, POLL_MAX = 0.01, 0.25  # seconds between two readings of the CPU time while a reply is awaited


@dataclass
class Budget:
    """Time the submission may still spend in calls during the current test."""

    per_test: float = 10.0
    spent: float = 0.0  # charged so far: CPU seconds, or wall seconds where ``clock`` is "wall"
    wall: float = 0.0  # wall seconds of the calls so far, against ``hard_cap``
    idle: float = 0.0  # of those, the seconds the worker was not runnable (or not known to be), against ``wall_cap``
    clock: str = "cpu"  # what ``spent`` counts; "wall" once a call had no CPU reading

    @property
    def wall_cap(self) -> float:
        return WALL_FACTOR * self.per_test + WALL_EXTRA

    @property
    def hard_cap(self) -> float:
        return HARD_FACTOR * self.wall_cap

    def remaining(self) -> float:
        return self.per_test - self.spent

    def out_of_wall_time(self) -> bool:
        return self.idle >= self.wall_cap or self.wall >= self.hard_cap

    def describe_spent(self) -> str:
        """'5.21 s of CPU time against the limit of 5 s' (the test's calls so far)."""
        kind = "CPU time" if self.clock == "cpu" else "wall time (this sandbox cannot read CPU time)"
        return f"{self.spent:.2f} s of {kind} against the time limit of {self.per_test:g} s per test"

    def used_up(self) -> str:
        if self.out_of_wall_time() and self.spent < self.per_test:
            return (f"the test's wall-clock cap ({self.wall_cap:g} s not running, {self.hard_cap:g} s in all) was "
                    f"used up, with {self.describe_spent()}")
        return f"the test's time limit was used up: {self.describe_spent()}"


class CallMeter:
    """One call's time: reads the worker's CPU time before it and while its reply is awaited.

    ``read`` is the frame reader for ``protocol.read_frame``: it waits for the
    reply's first byte in steps, looking at the CPU time between them (a step
    is short enough that the CPU time cannot pass the limit by more than
    ``POLL_MIN`` within it, whatever the number of cores), then reads the
    rest of the frame against the wall-clock cap alone.
    """

    def __init__(self, worker: Worker, budget: Budget, cores: int = 1) -> None:
        self.worker = worker
        self.budget = budget
        self.cores = max(1, cores)
        self.cpu0 = worker.cpu_seconds()
        self.started = time.monotonic()
        # the hard cap: also the request's write deadline and the rest of a reply's frame
        self.deadline = self.started + max(0.0, budget.hard_cap - budget.wall)
        self.used = 0.0
        self.idle = 0.0  # this call's wall seconds with the worker not runnable, against the wall-clock cap
        self.stopped_by = ""  # "time" or "wall" when a limit ended the wait
        self._held = b""
        self._waited = False
        self._done = False

    def _look(self) -> float:
        """This call's charge so far: its CPU time, or its wall time where the backend has no reading."""
        if self.cpu0 is None:
            self.used = max(self.used, time.monotonic() - self.started)
            return self.used
        now = self.worker.cpu_seconds()
        if now is not None:  # None: the worker is gone; its last reading stands
            self.used = max(self.used, now - self.cpu0)
        return self.used

    def _first_byte(self) -> bytes:
        left = self.budget.remaining()
        idle_left = self.budget.wall_cap - self.budget.idle
        used = 0.0
        while True:
            now = time.monotonic()
            if used >= left:
                self.stopped_by = "time"
                raise WorkerTimeout()
            if self.idle >= idle_left or now >= self.deadline:
                self.stopped_by = "wall"
                raise WorkerTimeout()
            step = min(max((left - used) / self.cores, POLL_MIN), POLL_MAX, self.deadline - now,
                       max(idle_left - self.idle, POLL_MIN))
            try:
                return self.worker.recv_exact(1, now + step)
            except WorkerTimeout:
                used = self._look()
                if self.cpu0 is None or self.worker.runnable() is not True:  # sleeping, blocked, or unknown
                    self.idle += time.monotonic() - now

    def read(self, n: int) -> bytes:
        if not self._waited:
            self._held = self._first_byte()
            self._waited = True
        head, self._held = self._held[:n], self._held[n:]
        return head + (self.worker.recv_exact(n - len(head), self.deadline) if n > len(head) else b"")

    def finish(self) -> None:
        """Charge the call to the budget (once); call it whatever happened, before or after a kill."""
        if self._done:
            return
        self._done = True
        self._look()
        self.budget.spent += self.used
        self.budget.wall += time.monotonic() - self.started
        self.budget.idle += self.idle
        if self.cpu0 is None:
            self.budget.clock = "wall"

    def over(self) -> bool:
        """The test's time is used up (after ``finish``): a reply that came after the limit is still a TLE."""
        return self.budget.spent > self.budget.per_test

    def timeout_message(self, what: str) -> str:
        self.finish()
        budget = self.budget
        if self.stopped_by != "time":  # the wait for the reply, the rest of it, or the request's write
            return (f"{what} was stopped at the wall-clock cap ({budget.idle:.1f} s not running of "
                    f"{budget.wall_cap:g} s, {budget.wall:.1f} s in all of {budget.hard_cap:g} s), having used only "
                    f"{budget.describe_spent()} (is it sleeping or waiting for something?)")
        return f"{what} went over the time limit: {budget.describe_spent()}"
