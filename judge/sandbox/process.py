"""The process sandbox: a confined child process, for machines without Docker.

Each worker gets a fresh scratch directory holding a copy of the submission
and the challenge's public support modules, a scrubbed environment, its own
session, and (see ``process_boot``) resource limits, new network/mount/PID
namespaces and a fresh unprivileged uid when the judge runs as root.

What it does NOT isolate, plainly: it shares the host kernel and the host's
filesystem (read access to world-readable files outside the hidden folders;
write access only where a fresh uid may write, e.g. world-writable /tmp);
without root there are no namespaces, no user switch, and the network stays
reachable. For untrusted code from strangers use the docker backend.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import harness
from judge.sandbox.base import ExitStatus, LogBuffer, Sandbox, Worker, WorkerSpec, drain_into

BOOT = Path(__file__).with_name("process_boot.py")
HARNESS_PARENT = str(Path(harness.__file__).resolve().parent.parent)
_next_uid = 200_000 + (os.getpid() % 1000) * 100


def _fresh_uid() -> int:
    global _next_uid
    _next_uid += 1
    return _next_uid


class ProcessWorker(Worker):
    def __init__(self, proc: subprocess.Popen, scratch: Path, spec: WorkerSpec, log: LogBuffer) -> None:
        assert proc.stdout is not None and proc.stdin is not None
        super().__init__(proc.stdout.fileno(), proc.stdin.fileno(), log)
        self.proc = proc
        self.scratch = scratch
        self.submission_path = str(scratch / f"{spec.module_name}.py")
        self.scratch_path = str(scratch)
        self.support_paths = [str(scratch / p.name) for p in spec.support_files]
        self._killed = False

    def kill(self) -> None:
        if self.proc.poll() is None:
            self._killed = True
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.close_channel()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass
        shutil.rmtree(self.scratch, ignore_errors=True)

    def exit_status(self, timeout: float = 5.0) -> ExitStatus:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return ExitStatus(returncode=None)
        sig = -code if code < 0 else (code - 128 if code > 128 else None)
        return ExitStatus(returncode=code, signal=sig, killed_by_judge=self._killed)


class ProcessSandbox(Sandbox):
    name = "process"

    def __init__(self, *, hide: tuple[Path, ...] = ()) -> None:
        self.hide = tuple(str(p) for p in hide)

    def start(self, spec: WorkerSpec) -> ProcessWorker:
        scratch = Path(tempfile.mkdtemp(prefix="mlj-worker-"))
        uid = _fresh_uid()
        shutil.copyfile(spec.submission, scratch / f"{spec.module_name}.py")
        for support in spec.support_files:
            shutil.copyfile(support, scratch / support.name)
        (scratch / "tmp").mkdir()
        if os.geteuid() == 0:
            for path in (scratch, scratch / "tmp"):
                os.chown(path, uid, uid)
            os.chmod(scratch, 0o700)
        limits = spec.limits
        config = {
            "harness_parent": HARNESS_PARENT,
            "scratch": str(scratch),
            "uid": uid,
            "hide": list(self.hide),
            "expose": [sys.prefix, sys.base_prefix, HARNESS_PARENT, *(p for p in sys.path if p)],
            "limits": {
                "memory_bytes": limits.memory_bytes,
                "cpu_seconds": limits.cpu_seconds,
                "scratch_bytes": limits.scratch_bytes,
                "pids": limits.pids,
            },
        }
        threads = str(limits.threads)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(scratch),
            "TMPDIR": str(scratch / "tmp"),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "OMP_NUM_THREADS": threads,
            "MKL_NUM_THREADS": threads,
            "CUDA_VISIBLE_DEVICES": "" if spec.gpus is None else os.environ.get("CUDA_VISIBLE_DEVICES", ""),
        }
        if spec.gpus is None:
            env["CUDA_VISIBLE_DEVICES"] = ""
        log = LogBuffer(limits.log_bytes)
        proc = subprocess.Popen(
            [sys.executable, "-I", str(BOOT), json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=str(scratch), env=env, start_new_session=True, bufsize=0,
        )
        assert proc.stderr is not None
        drain_into(os.dup(proc.stderr.fileno()), log)
        proc.stderr.close()
        return ProcessWorker(proc, scratch, spec, log)

    def describe(self) -> str:
        if os.geteuid() == 0:
            return ("process: own session, rlimits, fresh uid, network/mount/PID namespaces; "
                    "shares the host kernel and filesystem")
        return "process: own session and rlimits only (not root: no namespaces, no user switch, network open)"
