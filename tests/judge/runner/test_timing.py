"""The per-test clock: CPU time against the limit, and a wall-clock cap that counts only the time the worker
is not runnable (a busy machine slows a computation without stopping it), under a hard cap."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from judge.runner import timing
from judge.runner.timing import Budget, CallMeter
from judge.sandbox.base import WorkerTimeout
from judge.sandbox.process.cputime import TreeClock


class SilentWorker:
    """A worker that never answers and uses no CPU time; ``runnable`` is what it says of itself."""

    def __init__(self, runnable: bool | None) -> None:
        self._runnable = runnable

    def cpu_seconds(self) -> float:
        return 1.0

    def runnable(self) -> bool | None:
        return self._runnable

    def recv_exact(self, n: int, deadline: float) -> bytes:
        time.sleep(max(0.0, deadline - time.monotonic()))
        raise WorkerTimeout()


@pytest.fixture
def short_caps(monkeypatch: pytest.MonkeyPatch) -> Budget:
    monkeypatch.setattr(timing, "WALL_FACTOR", 1.0)
    monkeypatch.setattr(timing, "WALL_EXTRA", 0.2)
    monkeypatch.setattr(timing, "HARD_FACTOR", 4.0)
    return Budget(per_test=0.1)  # wall cap 0.3 s not runnable, hard cap 1.2 s


def wait_for_reply(worker: SilentWorker, budget: Budget) -> tuple[float, CallMeter]:
    meter = CallMeter(worker, budget)  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(WorkerTimeout):
        meter.read(1)
    meter.finish()
    return time.monotonic() - started, meter


@pytest.mark.parametrize("runnable", [False, None])
def test_a_sleeping_or_unknown_worker_is_stopped_at_the_wall_clock_cap(short_caps: Budget,
                                                                      runnable: bool | None) -> None:
    took, meter = wait_for_reply(SilentWorker(runnable), short_caps)
    assert meter.stopped_by == "wall" and 0.3 <= took < 0.9, took
    assert short_caps.idle >= 0.3 and short_caps.out_of_wall_time()
    assert "not running of 0.3 s" in meter.timeout_message("f()")


def test_a_runnable_worker_waiting_for_a_cpu_runs_on_to_the_hard_cap(short_caps: Budget) -> None:
    took, meter = wait_for_reply(SilentWorker(True), short_caps)
    assert meter.stopped_by == "wall" and took >= 1.2, took  # not stopped at 0.3 s: it was computing
    assert short_caps.idle == 0.0 and short_caps.wall >= 1.2 and short_caps.out_of_wall_time()


def test_the_cap_counts_across_the_calls_of_a_test(short_caps: Budget) -> None:
    wait_for_reply(SilentWorker(False), short_caps)
    took, _ = wait_for_reply(SilentWorker(False), short_caps)
    assert took < 0.1  # the test's cap was used up by the first call


def test_tree_clock_tells_a_computing_process_from_a_sleeping_one() -> None:
    def start(code: str) -> subprocess.Popen[str]:
        process = subprocess.Popen([sys.executable, "-c", f"print('up', flush=True)\n{code}"],
                                   stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None and process.stdout.readline() == "up\n"  # past its start-up
        return process

    busy = start("while True: pass")
    idle = start("import time; time.sleep(60)")
    try:
        busy_clock, idle_clock = TreeClock(busy.pid), TreeClock(idle.pid)
        busy_clock.seconds(), idle_clock.seconds()  # the scan that finds each tree
        # sampled, as the meter samples: the busy one is seen runnable, the sleeping one seen not runnable
        # (on a loaded machine it may still be on its way into the sleep when first looked at)
        assert any(busy_clock.runnable() for _ in range(50))
        assert any(not idle_clock.runnable() or time.sleep(0.05) for _ in range(100))
    finally:
        for process in (busy, idle):
            process.kill()
            process.wait()
