"""The process sandbox keeps a worker to the cores its spec names (a parallel batch's job pins its own)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import torch

from harness import WORKER_MODULES
from judge.grading import load_request, worker_spec
from judge.runner.session import WorkerSession
from judge.sandbox.process import ProcessSandbox
from tests.conftest import process_tree, unavailable


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


_LOOK_AROUND = '''

def seen():
    """What of the project this worker can reach: the harness's files, and whether the trusted side is there."""
    import os
    import sys

    import harness

    folder = os.path.dirname(harness.__file__)
    found = sorted(name for name in os.listdir(folder) if name.endswith(".py"))
    roots = [p for p in sys.path if p and os.path.isdir(p)] + [os.path.dirname(folder)]
    try:  # an editable install's finder still names the package: only an import tells
        import judge.grading  # noqa: F401
        found.append("judge")
    except ImportError:
        pass
    for name in ("judge", "challenges", "reference"):
        if any(os.listdir(os.path.join(r, name)) for r in roots if os.path.isdir(os.path.join(r, name))):
            found.append(name + "/")
    if any(os.path.isfile(os.path.join(r, "cli.py")) and os.path.getsize(os.path.join(r, "cli.py")) for r in roots):
        found.append("cli.py")
    return found
'''


def test_a_confined_worker_sees_only_the_worker_modules_of_the_project(softmax, tmp_path):
    """The chroot shows harness/ alone: no judge package, no cli.py, no challenges, no references."""
    if os.geteuid() != 0:
        unavailable("the minimal root needs root (without it the process backend hides nothing)")
    submission = tmp_path / "solution.py"
    submission.write_text(softmax.reference_path.read_text() + _LOOK_AROUND)
    session = WorkerSession(ProcessSandbox(), worker_spec(softmax, submission), load_request(softmax))
    try:
        seen = session.call({"attr": "seen"}, (), {})
    finally:
        session.close()
    assert sorted(seen) == sorted(f"{name}.py" for name in WORKER_MODULES), seen
