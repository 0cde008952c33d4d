"""The process sandbox keeps a worker to the cores its spec names (a parallel batch's job pins its own)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import torch

from harness.proxy import WorkerSession
from judge.grading import load_request, worker_spec
from judge.sandbox.process import ProcessSandbox
from tests.conftest import process_tree


def _allowed(pid: int) -> str:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(line.split(":", 1)[1].strip() for line in status.splitlines() if line.startswith("Cpus_allowed_list"))


def test_a_worker_keeps_to_the_cores_its_spec_names(softmax):
    assert len(os.sched_getaffinity(0)) > 1, "on one core every worker keeps to it: nothing to tell apart"
    core = max(os.sched_getaffinity(0))
    spec = replace(worker_spec(softmax, softmax.reference_path), cpus=(core,))
    session = WorkerSession(ProcessSandbox(), spec, load_request(softmax))
    try:
        session.call({"attr": "log_softmax"}, (torch.zeros(2, 3),), {})
        assert session.worker is not None
        assert {_allowed(pid) for pid in process_tree(session.worker.pid)} == {str(core)}
    finally:
        session.close()


def test_a_worker_without_cores_named_may_run_anywhere(softmax):
    session = WorkerSession(ProcessSandbox(), worker_spec(softmax, softmax.reference_path), load_request(softmax))
    try:
        session.call({"attr": "log_softmax"}, (torch.zeros(2, 3),), {})
        assert session.worker is not None
        assert _allowed(session.worker.pid) == _allowed(os.getpid())
    finally:
        session.close()


def test_killing_a_worker_that_already_died_signals_nothing_and_is_not_a_judge_kill(softmax):
    """Once the zygote has reaped a worker its pid is free, maybe another job's process by now: the
    judge's kill must not signal it, and the death stays the worker's own (not a time limit)."""
    import signal
    import time

    worker = ProcessSandbox().start(worker_spec(softmax, softmax.reference_path))
    try:
        pid = worker.pid
        os.kill(pid, signal.SIGKILL)  # it dies on its own account, as if the kernel's OOM killer took it
        deadline = time.monotonic() + 30
        while pid not in worker.zygote._exits and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pid in worker.zygote._exits, "the zygote should have reaped it"
        worker.kill()
        status = worker.exit_status()
        assert status.signal == signal.SIGKILL and not status.killed_by_judge
    finally:
        worker.kill()
