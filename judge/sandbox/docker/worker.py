"""One grading container as a ``Worker``: its attach stream is the channel.

We attach before the container starts (so no byte is missed) and send on the
attach socket; a daemon thread demultiplexes the engine's stream (8-byte frame
headers) into a pipe that ``Worker.recv_exact`` reads, and stderr into the
capped log.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker
import requests

from judge.sandbox.base import (
    SEND_GRACE,
    ExitStatus,
    LogBuffer,
    Worker,
    WorkerGone,
    WorkerSpec,
    WorkerStartFailed,
    wait_writable,
)
from judge.sandbox.docker import cputime
from judge.sandbox.docker.options import MOUNT
from judge.sandbox.docker.registry import CONTAINERS
from judge.sandbox.procfs import any_runnable


def _demux(sock: socket.socket, out_fd: int, log: LogBuffer) -> None:
    """Split the engine's attach stream (8-byte headers: kind, 3 zero bytes, big-endian size) as it comes:
    stdout payload into ``out_fd``, stderr payload into ``log``; close ``out_fd`` at EOF."""
    header, kind, left = b"", 0, 0
    try:
        while chunk := sock.recv(1 << 16):
            view = memoryview(chunk)
            while view:
                if not left:
                    need = 8 - len(header)
                    header, view = header + bytes(view[:need]), view[need:]
                    if len(header) == 8:
                        (kind, left), header = struct.unpack(">BxxxL", header), b""
                    continue
                piece, view = view[:left], view[left:]
                left -= len(piece)
                if kind == 1:
                    while piece:
                        piece = piece[os.write(out_fd, piece):]
                else:
                    log.write(bytes(piece))
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.close(out_fd)


class DockerWorker(Worker):
    def __init__(self, api: docker.APIClient, cid: str, sock: Any, mount_dir: str, log: LogBuffer) -> None:
        read_fd, write_fd = os.pipe()
        super().__init__(read_fd, -1, log)
        self.api = api
        self.id = cid
        self.mount_dir = mount_dir
        self._sock_io = sock  # keeps the HTTP response (and so the connection) alive
        self._sock: socket.socket = getattr(sock, "_sock", sock)
        self._sock.settimeout(None)
        self.submission_path = ""
        self._status: ExitStatus | None = None
        self._gone = False
        self._lock = threading.Lock()
        self._pump = threading.Thread(target=_demux, args=(self._sock, write_fd, log), name="mlj-docker",
                                      daemon=True)
        self._pump.start()
        self._starter: threading.Thread | None = None
        self._start_error: BaseException | None = None
        self.on_gone: Callable[[], None] | None = None
        self._usage: tuple[Path, float] | None | bool = None  # the cgroup counter's file; False: not found

    def assign(self, spec: WorkerSpec) -> None:
        """Put the submission and its support files where the worker will import them from."""
        files = [(spec.submission, f"{spec.module_name}.py"), *((p, p.name) for p in spec.support_files)]
        for source, name in files:
            shutil.copyfile(source, os.path.join(self.mount_dir, name))
            os.chmod(os.path.join(self.mount_dir, name), 0o644)
        self.submission_path = f"{MOUNT}/{files[0][1]}"
        self.support_paths = [f"{MOUNT}/{name}" for _, name in files[1:]]

    def launch(self, start: Callable[[], Any]) -> None:
        """Run ``start`` (the engine's container start) on a thread: the judge goes on meanwhile."""

        def run() -> None:
            try:
                start()
            except BaseException as exc:  # noqa: BLE001 - reported by recv_exact as the judge's fault
                self._start_error = exc
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)  # ends the pump: recv_exact sees EOF

        self._starter = threading.Thread(target=run, name="mlj-docker-start", daemon=True)
        self._starter.start()

    def _started(self) -> None:
        if self._starter is not None:
            self._starter.join(timeout=120)

    def usable(self) -> bool:
        """A spare that is still booting or waiting: its stream is open and its start did not fail."""
        return not self._gone and self._pump.is_alive() and self._start_error is None

    def _lost(self, exc: WorkerGone) -> Exception:
        """What a broken channel means: the judge's fault (a JE) if the container never started."""
        self._started()
        if self._start_error is None:
            return exc
        return WorkerStartFailed(f"the Docker engine could not start the worker container: {self._start_error}")

    def recv_exact(self, n: int, deadline: float) -> bytes:
        try:
            return super().recv_exact(n, deadline)
        except WorkerGone as exc:
            raise self._lost(exc) from None

    def send(self, data: bytes, deadline: float | None = None) -> None:
        """Write on the attach socket by ``deadline``: non-blocking sends (the pump thread reads the same
        socket, so no socket timeout), waiting for room with the call's remaining time."""
        deadline = time.monotonic() + SEND_GRACE if deadline is None else deadline
        view = memoryview(data)
        try:
            while view:
                try:
                    view = view[self._sock.send(view, socket.MSG_DONTWAIT):]
                except BlockingIOError:
                    wait_writable(self._sock.fileno(), deadline)
        except OSError as exc:
            self._started()
            if self._start_error is None:
                raise WorkerGone(str(exc)) from exc
            # never started: the next recv_exact reports it as the judge's fault

    def _status_from(self, state: dict[str, Any]) -> ExitStatus:
        """Docker reports only an exit code, 128+N for a death by signal N, so a worker that itself
        exits with 137 reads as killed here (MLE or TLE), where the process backend, whose boot parent
        dies of the worker's real signal, says RE. Either way it is not AC."""
        code = int(state.get("ExitCode", 0))
        oom = bool(state.get("OOMKilled"))
        return ExitStatus(returncode=code, signal=code - 128 if code > 128 else None, oom_killed=oom)

    def exit_status(self, timeout: float = 5.0) -> ExitStatus:
        if self._status is not None:
            return self._status
        self._started()
        try:
            self.api.wait(self.id, timeout=max(timeout, 0.1))
            state = self.api.inspect_container(self.id)["State"]
        except (requests.RequestException, docker.errors.APIError):
            return ExitStatus(returncode=None)
        if state.get("Running"):
            return ExitStatus(returncode=None)
        self._status = self._status_from(state)
        return self._status

    def cpu_seconds(self) -> float | None:
        """The container's cgroup CPU counter (see ``cputime``); the engine's stats where the file is out of
        reach; None before the container runs or after it is gone."""
        if self._gone or self._start_error is not None:
            return None
        if self._usage is None:
            with contextlib.suppress(requests.RequestException, docker.errors.APIError, KeyError, TypeError):
                pid = int(self.api.inspect_container(self.id)["State"]["Pid"] or 0)
                if pid:  # 0: not running (yet); look again at the next reading
                    self._usage = cputime.usage_file(pid, self.id) or False
        if self._usage:
            return cputime.read_usage(*self._usage)
        try:
            stats = self.api.stats(self.id, stream=False, one_shot=True)
            return int(stats["cpu_stats"]["cpu_usage"]["total_usage"]) * 1e-9
        except (requests.RequestException, docker.errors.APIError, KeyError, TypeError, ValueError):
            return None

    def runnable(self) -> bool | None:
        """Whether a thread of the container is running or waiting for a CPU: the pids its cgroup lists (the
        host's view), read beside the CPU counter; None where that file was not found."""
        if self._gone or not self._usage:
            return None
        try:
            pids = [int(p) for p in (self._usage[0].parent / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return None
        return any_runnable(pids)

    def detach(self) -> None:
        """Stop reading the container's stream. First in a kill: the engine does not remove a container
        while its output is blocked on a reader that stopped (a pump stuck on a full pipe, say)."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self.close_channel()  # a pump blocked on the full pipe gets EPIPE

    def kill(self) -> None:
        with self._lock:
            if self._gone:
                return
            self._gone = True
        self._started()
        if self._status is None:
            try:
                state = self.api.inspect_container(self.id)["State"]
                running = state.get("Running") or state.get("Status") in ("created", "restarting")
                self._status = (ExitStatus(137, signal.SIGKILL, killed_by_judge=True) if running
                                else self._status_from(state))
            except (requests.RequestException, docker.errors.APIError):
                self._status = ExitStatus(137, signal.SIGKILL, killed_by_judge=True)
        self.detach()
        CONTAINERS.remove(self.api, self.id, self.mount_dir)
        with contextlib.suppress(OSError):
            self._sock_io.close()
        with contextlib.suppress(OSError):
            self._sock.close()
        self._pump.join(timeout=5)
        if self.on_gone is not None:
            self.on_gone()
