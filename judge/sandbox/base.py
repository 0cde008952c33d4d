"""The one interface every sandbox backend implements.

A backend starts a *worker*: an untrusted process that runs
``harness.worker`` next to a copy of the submission. The trusted side talks
to it through a byte channel (requests in, replies out); everything the
submission prints goes to a capped log, never to the channel. A backend only
has to provide the channel, the log, a way to kill everything the worker
started, and an honest account of how the worker ended.
"""

from __future__ import annotations

import os
import select
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_IMAGE = "mlj-runner:latest"  # the docker backend's runner image, as `mlj image build` tags it


class WorkerGone(Exception):
    """The worker closed its channel (it exited or was killed)."""


class WorkerTimeout(Exception):
    """The worker did not answer before the deadline."""


class WorkerStartFailed(Exception):
    """The backend could not start a worker (an engine error, a fork server gone): the judge's fault, never
    the submission's. The runner turns it into a judge error."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for one worker."""

    memory_bytes: int = 2 << 30
    cpu_seconds: int = 600
    pids: int = 64
    scratch_bytes: int = 64 << 20
    log_bytes: int = 64 << 10
    threads: int = 1


def thread_env(threads: int) -> dict[str, str]:
    """The environment that caps a worker's math libraries at ``threads`` (at least one) threads; both
    backends set it, so a worker gets the same thread count whichever runs it."""
    count = str(max(1, threads))
    return {"OMP_NUM_THREADS": count, "MKL_NUM_THREADS": count}


@dataclass(frozen=True)
class WorkerSpec:
    """What to run: the submission, the public support modules beside it, limits."""

    submission: Path
    module_name: str = "solution"
    support_files: tuple[Path, ...] = ()
    limits: Limits = field(default_factory=Limits)
    gpus: str | None = None  # None: no GPU; "all", "2" or "0,1" as given to --gpus
    cpus: tuple[int, ...] | None = None  # None: any core; else the cores it may run on (a batch job's own)


@dataclass(frozen=True)
class ExitStatus:
    """How a worker ended, as far as the backend can tell."""

    returncode: int | None  # None while still running
    signal: int | None = None  # the signal that killed it, if any
    oom_killed: bool = False  # the kernel or the container engine killed it for memory
    killed_by_judge: bool = False


class LogBuffer:
    """Keeps the first ``cap`` bytes written to it and counts the rest."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._chunks: list[bytes] = []
        self._kept = 0
        self.dropped = 0
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            room = self.cap - self._kept
            if room > 0:
                self._chunks.append(data[:room])
                self._kept += min(room, len(data))
            self.dropped += max(0, len(data) - max(room, 0))

    def text(self) -> str:
        with self._lock:
            out = b"".join(self._chunks).decode("utf-8", "replace")
            if self.dropped:
                out += f"\n[... {self.dropped} more bytes of output dropped]"
            return out


def drain_into(fd: int, buffer: LogBuffer) -> threading.Thread:
    """Read ``fd`` until EOF on a daemon thread, keeping a capped copy."""

    def pump() -> None:
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                buffer.write(chunk)
        except OSError:
            pass
        finally:
            try:
                os.close(fd)
            except OSError:
                pass

    thread = threading.Thread(target=pump, name="mlj-log", daemon=True)
    thread.start()
    return thread


SEND_GRACE = 5.0  # seconds a request without a deadline of its own (the shutdown) may take to be written


def wait_writable(fd: int, deadline: float) -> None:
    """Block until ``fd`` can take more bytes, or raise WorkerTimeout at ``deadline``."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise WorkerTimeout("the worker stopped reading its requests")
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    if not poller.poll(remaining * 1000):
        raise WorkerTimeout("the worker stopped reading its requests")


class Worker(ABC):
    """A running worker. ``send``/``recv_exact`` carry protocol bytes only."""

    #: path of the submission as the worker sees it
    submission_path: str
    #: paths of the challenge's public support modules as the worker sees them
    support_paths: list[str]

    def __init__(self, read_fd: int, write_fd: int, log: LogBuffer) -> None:
        self._read_fd = read_fd
        self._write_fd = write_fd
        if write_fd >= 0:  # a worker that stops reading must not block the judge: every write has a deadline
            os.set_blocking(write_fd, False)
        self.log = log
        self._pending = b""
        self.support_paths = []

    def send(self, data: bytes, deadline: float | None = None) -> None:
        """Write ``data`` to the worker by ``deadline`` (default: ``SEND_GRACE`` seconds from now), or raise
        WorkerTimeout (it stopped reading: the call's time is used up) / WorkerGone."""
        deadline = time.monotonic() + SEND_GRACE if deadline is None else deadline
        view = memoryview(data)
        try:
            while view:
                try:
                    view = view[os.write(self._write_fd, view):]
                except BlockingIOError:
                    wait_writable(self._write_fd, deadline)
        except WorkerTimeout:
            raise
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise WorkerGone(str(exc)) from exc

    def recv_exact(self, n: int, deadline: float) -> bytes:
        """Read exactly ``n`` bytes or raise WorkerTimeout / WorkerGone."""
        chunks = [self._pending[:n]]
        have = len(chunks[0])
        self._pending = self._pending[n:]
        while have < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerTimeout()
            try:
                ready, _, _ = select.select([self._read_fd], [], [], remaining)
            except (OSError, ValueError) as exc:
                raise WorkerGone(str(exc)) from exc
            if not ready:
                raise WorkerTimeout()
            try:
                chunk = os.read(self._read_fd, max(65536, n - have))
            except OSError as exc:
                raise WorkerGone(str(exc)) from exc
            if not chunk:
                raise WorkerGone("the worker closed its channel")
            need = n - have
            chunks.append(chunk[:need])
            self._pending = chunk[need:]
            have += min(len(chunk), need)
        return b"".join(chunks)

    def close_channel(self) -> None:
        for fd in (self._read_fd, self._write_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self._read_fd = self._write_fd = -1

    @abstractmethod
    def kill(self) -> None:
        """Kill the worker and everything it started; safe to call twice."""

    @abstractmethod
    def exit_status(self, timeout: float = 5.0) -> ExitStatus:
        """Wait up to ``timeout`` for the worker to end and say how it ended."""

    def logs(self) -> str:
        return self.log.text()

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system, seconds) that the worker and everything it started have used so far,
        read from outside the worker, where the submission cannot change it; ``None`` where the backend
        cannot tell (the runner then charges wall time). Only differences between two readings mean anything."""
        return None

    def runnable(self) -> bool | None:
        """Whether the worker (some thread of it or of what it started) is running or waiting for a CPU now,
        read from outside the worker; ``None`` where the backend cannot tell. The runner's wall-clock cap
        counts only the time a worker is not runnable, so a computation slowed by a busy machine is judged
        by its CPU time alone (``judge.runner.timing``)."""
        return None


class Sandbox(ABC):
    """A way to start workers. One instance may start many workers.

    A backend is one folder under ``judge/sandbox/`` whose class implements this
    interface and is named once in ``judge.sandbox.BACKENDS``; nothing else
    names backends.
    """

    name: str = "?"
    #: ``share`` hands out warm state other judge processes can ``adopt`` (the process backend's zygote)
    shares_warm_state: bool = False

    @classmethod
    @abstractmethod
    def unavailable(cls, *, image: str | None = None) -> str | None:
        """Why this backend cannot run here (``None``: it can); cheap, and never raises."""

    @classmethod
    @abstractmethod
    def open(cls, *, image: str | None = None) -> Sandbox:
        """A ready sandbox; raises ``RuntimeError`` with a message a person can act on."""

    @abstractmethod
    def start(self, spec: WorkerSpec) -> Worker:
        """Start a worker for ``spec``; it answers the protocol on its channel.

        Raises ``WorkerStartFailed`` when the backend itself fails."""

    def prepare(self, *, spare: bool = False) -> None:
        """Start now what the next worker needs whatever its submission (the process backend's zygote), so
        it loads beside the judge's own imports; with ``spare``, also keep a worker booting for the next
        start where the backend can (a docker container). Optional."""

    def share(self) -> dict | None:
        """What the other judge processes of a parallel batch need to reuse our warm state (``adopt``)."""
        return None

    def adopt(self, shared: dict) -> None:
        """Reuse the warm state another judge process ``share``d instead of warming up our own."""

    def close(self) -> None:
        """Release anything shared between workers (pools, clients)."""


def start_worker(sandbox: Sandbox, spec: WorkerSpec) -> Worker:
    """``sandbox.start(spec)``, with any failure of the backend as one ``WorkerStartFailed`` that says which."""
    try:
        return sandbox.start(spec)
    except WorkerStartFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - an engine error, a bug of the backend: never the submission's
        raise WorkerStartFailed(f"the {sandbox.name} sandbox could not start a worker: {exc}") from exc
