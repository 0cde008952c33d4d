"""The process sandbox: a confined child process, for machines without Docker.

Workers are forked by a zygote (``zygote.py``) that imported torch once. Each
worker gets a fresh scratch directory holding a copy of the submission
and the challenge's public support modules, a scrubbed environment, its own
session, and (see ``confine``) resource limits, new network/mount/PID
namespaces and a fresh unprivileged uid when the judge runs as root.

As root, the worker runs chrooted in a minimal root (system folders, Python
and harness/ read-only, private tmpfs /tmp): it sees no repository, no home
folder, no other process. What it does NOT isolate, plainly: it shares the
host kernel, and without root there are no namespaces, no chroot, no user
switch: the host's files are readable and the network stays reachable. For
untrusted code from strangers use the docker backend.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import harness
import judge
from judge.sandbox.base import (
    ExitStatus,
    Limits,
    LogBuffer,
    Sandbox,
    Worker,
    WorkerSpec,
    WorkerStartFailed,
    drain_into,
    thread_env,
)
from judge.sandbox.gpus import cuda_visible_devices, device_files, host_gpus
from judge.sandbox.process.confine import kill_worker
from judge.sandbox.process.cputime import TreeClock
from judge.sandbox.process.zygote import Zygote, ZygoteError
from judge.sandbox.process.zygote import adopt as zygote_adopt
from judge.sandbox.process.zygote import shared as zygote_shared

#: the folder on sys.path that holds the ``harness`` and ``judge`` packages (the repository, or site-packages)
IMPORT_ROOT = str(Path(harness.__file__).resolve().parent.parent)
UID_BASE, UIDS_PER_JUDGE = 200_000, 1000
_uid_counter = 0


def uid_range(pid: int | None = None) -> range:
    """The uids the judge process ``pid`` (default: this one) gives its workers."""
    start = UID_BASE + ((os.getpid() if pid is None else pid) % 800) * UIDS_PER_JUDGE
    return range(start, start + UIDS_PER_JUDGE)


def _fresh_uid() -> int:
    global _uid_counter
    _uid_counter += 1
    uids = uid_range()
    return uids[_uid_counter % len(uids)]


def _script_folder() -> str | None:
    """The folder of the script this judge was started as (``python /some/dir/run.py``), which Python put
    first on sys.path: the judge's own files, not an installation's, so never shown to a worker."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return os.path.dirname(os.path.realpath(main)) if main else None


def _exposed() -> list[str]:
    """What the worker's minimal root shows besides the system folders: Python and harness/ only."""
    keep = [sys.prefix, sys.base_prefix, str(Path(harness.__file__).resolve().parent)]
    installed = tuple(os.path.realpath(p) + "/" for p in (sys.prefix, sys.base_prefix))
    script = _script_folder()
    for entry in sys.path:  # site-packages and the like; never the repository itself
        if entry and not (entry + "/").startswith(IMPORT_ROOT + "/") and os.path.isdir(entry):
            real = os.path.realpath(entry)
            if real == script and not (real + "/").startswith(installed):
                continue
            keep.append(entry)
    return keep


def _hidden() -> list[str]:
    """The trusted side's files that an exposed folder may hold (site-packages, after ``pip install .``):
    the worker's root shows empty read-only mounts over them. Only ``harness/`` of the project stays."""
    package = Path(judge.__file__).resolve().parent
    # the catalog (challenges with their hidden tests, references) is under the package when installed
    return [str(package), str(package.parent / "cli.py"), str(judge.CHALLENGES_DIR.resolve()),
            str(judge.REFERENCE_DIR.resolve()), str(judge.ROOT / "reference"), str(judge.ROOT / "challenges")]


def _gpu_devices(gpus: str | None) -> list[str]:
    if gpus is None:
        return []
    return device_files()


def _gpu_env(gpus: str | None) -> dict[str, str]:
    """The zygote hides every GPU; a worker given --gpus sees those (CUDA reads this at its first use)."""
    if gpus is None:
        return {}
    # the zygote's "" must be overridden with indices: CUDA does not read "all"
    return {"CUDA_VISIBLE_DEVICES": cuda_visible_devices(gpus, host_gpus=host_gpus()) or ""}


class ProcessWorker(Worker):
    def __init__(self, zygote: Zygote, pid: Callable[[float], int], fds: tuple[int, int], scratch: Path,
                 spec: WorkerSpec, log: LogBuffer) -> None:
        super().__init__(fds[0], fds[1], log)
        self.zygote = zygote
        self._pid = pid
        self.scratch = scratch
        self.submission_path = str(scratch / f"{spec.module_name}.py")
        self.support_paths = [str(scratch / p.name) for p in spec.support_files]
        self._killed = False
        self._exit: dict | None = None
        self._clock: TreeClock | None = None

    @property
    def pid(self) -> int:
        return self._pid(120.0)

    def cpu_seconds(self) -> float | None:
        """The worker's process tree's CPU time, from the host's /proc (see ``cputime``)."""
        if self._exit is not None:
            return None
        if self._clock is None:
            try:
                self._clock = TreeClock(self.pid)
            except ZygoteError:
                return None
        return self._clock.seconds()

    def runnable(self) -> bool | None:
        """Whether a thread of the worker's tree is running or waiting for a CPU (host ``/proc``)."""
        if self._exit is not None or self._clock is None:
            return None
        return self._clock.runnable()

    def kill(self) -> None:
        if self._exit is None:
            try:
                pid = self.pid
            except ZygoteError:
                pid = None
            if pid is not None:
                # already reaped: its pid is free again, maybe another job's process by now; leave it be
                self._exit = self.zygote.wait_exit(pid, timeout=0)
                if self._exit is None:
                    self._killed = True
                    kill_worker(pid)
                    self._exit = self.zygote.wait_exit(pid, timeout=10)
        self.close_channel()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def exit_status(self, timeout: float = 5.0) -> ExitStatus:
        if self._exit is None:
            try:
                self._exit = self.zygote.wait_exit(self.pid, timeout=timeout)
            except ZygoteError:
                return ExitStatus(returncode=None)
        if self._exit is None:
            return ExitStatus(returncode=None)
        if "signal" in self._exit:
            sig = int(self._exit["signal"])
            return ExitStatus(returncode=-sig, signal=sig, killed_by_judge=self._killed)
        return ExitStatus(returncode=int(self._exit["code"]), killed_by_judge=self._killed)


class ProcessSandbox(Sandbox):
    name = "process"
    shares_warm_state = True

    @staticmethod
    def _env(threads: int) -> dict[str, str]:
        return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **thread_env(threads),
                "CUDA_VISIBLE_DEVICES": ""}

    def _fork_server(self, threads: int) -> Zygote:
        return zygote_shared(IMPORT_ROOT, self._env(threads))

    @classmethod
    def unavailable(cls, *, image: str | None = None) -> str | None:
        return None  # a child process can be started wherever the judge runs

    @classmethod
    def open(cls, *, image: str | None = None) -> ProcessSandbox:
        return cls()

    def prepare(self, *, spare: bool = False) -> None:
        """Start the zygote now (it imports torch, beside the judge's own imports): the first worker is quick.

        There is no spare worker: one is forked in milliseconds."""
        self._fork_server(Limits().threads)

    def share(self) -> dict:
        """The fork server's private address: a parallel batch's judge processes all fork from it."""
        return {"env": self._env(Limits().threads), "address": self._fork_server(Limits().threads).listen()}

    def adopt(self, shared: dict) -> None:
        zygote_adopt(IMPORT_ROOT, shared["env"], shared["address"])

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
            "scratch": str(scratch),
            "uid": uid,
            "expose": _exposed(),
            "hide": _hidden(),
            "gpu_devices": _gpu_devices(spec.gpus),
            "cpus": list(spec.cpus) if spec.cpus else None,
            "limits": {
                "memory_bytes": limits.memory_bytes,
                "cpu_seconds": limits.cpu_seconds,
                "scratch_bytes": limits.scratch_bytes,
                "pids": limits.pids,
            },
            "env": {"HOME": str(scratch), "TMPDIR": str(scratch / "tmp"), **_gpu_env(spec.gpus)},
        }
        zygote = self._fork_server(limits.threads)
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        try:
            pid = zygote.fork(config, (stdin_r, stdout_w, stderr_w))
        except ZygoteError as exc:
            for fd in (stdin_r, stdin_w, stdout_r, stdout_w, stderr_r, stderr_w):
                os.close(fd)
            shutil.rmtree(scratch, ignore_errors=True)
            raise WorkerStartFailed(f"the process sandbox could not start a worker: {exc}") from exc
        for fd in (stdin_r, stdout_w, stderr_w):
            os.close(fd)
        log = LogBuffer(limits.log_bytes)
        drain_into(stderr_r, log)
        return ProcessWorker(zygote, pid, (stdout_r, stdin_w), scratch, spec, log)
