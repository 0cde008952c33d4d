"""A fork server for the process sandbox: fresh workers in milliseconds, torch already imported.

Importing torch takes about a second; a worker that must be replaced after a
time limit, or one per submission in batch mode, would pay it every time. The
zygote is a process that imported torch, numpy, safetensors and the worker
code once and then only forks. It never runs submission code: each request
forks a child that confines itself (``process_boot.run``: namespaces,
rlimits, a fresh uid) and only then serves; so every worker is a fresh,
unprivileged, limited process that no earlier submission touched.

The judge talks to the zygote over a Unix socket: a request is one JSON line
(the worker's config) with the worker's stdin/stdout/stderr pipe ends passed
as file descriptors; the zygote answers ``{"started": pid}`` and later
``{"exit": pid, ...}`` when it reaps that child. The zygote exits when the
judge process is gone, and its children die with it (parent-death signal).
One zygote serves every ProcessSandbox of a judge process (``shared``).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

BOOT = Path(__file__).with_name("process_boot.py")
PR_SET_CHILD_SUBREAPER = 36


# -- the zygote side -------------------------------------------------------------
def serve_forever(fd: int) -> None:
    from judge.sandbox import process_boot

    judge_pid = os.getppid()  # not PR_SET_PDEATHSIG: that follows the thread that started us
    # Workers orphaned when their boot parent is killed come to us, not to the
    # host's init (which may never reap them), and are reaped below.
    process_boot._libc().prctl(PR_SET_CHILD_SUBREAPER, 1)
    import numpy  # noqa: F401  - preloaded for every worker
    import safetensors.torch  # noqa: F401
    import torch  # noqa: F401

    import harness.guard  # noqa: F401
    import harness.worker

    harness.worker.preload()

    sock = socket.socket(fileno=fd)
    started: set[int] = set()
    buffer = b""
    while True:
        _reap(sock, started)
        if os.getppid() != judge_pid:  # the judge is gone; our children die with us
            os._exit(0)
        ready, _, _ = select.select([sock], [], [], 0.05)
        if not ready:
            continue
        data, fds, _, _ = socket.recv_fds(sock, 1 << 20, 3)
        if not data:
            os._exit(0)
        buffer += data
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            config = json.loads(line)
            pid = os.fork()
            if pid == 0:
                sock.close()
                os.setsid()
                for target, source in enumerate(fds):
                    os.dup2(source, target)
                for source in fds:
                    os.close(source)
                process_boot._libc().prctl(process_boot.PR_SET_PDEATHSIG, signal.SIGKILL)
                try:
                    process_boot.run(config)
                finally:
                    os._exit(70)
            for source in fds:
                os.close(source)
            fds = []
            started.add(pid)
            sock.sendall(json.dumps({"started": pid}).encode() + b"\n")


def _reap(sock: socket.socket, started: set[int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid not in started:  # an orphaned worker, reaped for the host's sake
            continue
        started.discard(pid)
        event: dict = {"exit": pid}
        if os.WIFSIGNALED(status):
            event["signal"] = os.WTERMSIG(status)
        else:
            event["code"] = os.WEXITSTATUS(status)
        sock.sendall(json.dumps(event).encode() + b"\n")


# -- the judge side --------------------------------------------------------------
_shared: dict[tuple, Zygote] = {}
_shared_lock = threading.Lock()


def shared(harness_parent: str, env: dict[str, str]) -> Zygote:
    """The judge process's zygote for this environment, started on first use."""
    key = (harness_parent, tuple(sorted(env.items())))
    with _shared_lock:
        zygote = _shared.get(key)
        if zygote is None or not zygote.alive():
            zygote = _shared[key] = Zygote(harness_parent, env)
        return zygote


@atexit.register
def _close_all() -> None:
    for zygote in list(_shared.values()):
        zygote.close()

class ZygoteError(Exception):
    pass


class Zygote:
    """The judge's handle on one zygote process."""

    def __init__(self, harness_parent: str, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(BOOT), "--zygote", harness_parent, str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        theirs.close()
        self.sock = ours
        self._lock = threading.Lock()
        self._started: list[int] = []  # pids, in the order of the requests
        self._tickets = 0
        self._dead = False
        self._exits: dict[int, dict] = {}
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="mlj-zygote", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._dead = True
                    self._cond.notify_all()
                return
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                event = json.loads(line)
                with self._cond:
                    if "started" in event:
                        self._started.append(int(event["started"]))
                    else:
                        self._exits[int(event["exit"])] = event
                    self._cond.notify_all()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self, config: dict, fds: tuple[int, int, int]) -> Callable[[float], int]:
        """Ask for a worker with ``fds`` as its stdin, stdout and stderr.

        Returns at once (a fresh zygote may still be importing torch, and the
        judge has its own imports to do meanwhile); call the result to wait
        for the worker's pid.
        """
        with self._lock:
            try:
                socket.send_fds(self.sock, [json.dumps(config).encode() + b"\n"], list(fds))
            except OSError as exc:
                raise ZygoteError(f"the process sandbox's fork server is gone: {exc}") from exc
            ticket = self._tickets
            self._tickets += 1
        answer: list[int] = []

        def pid(timeout: float = 120.0) -> int:
            if not answer:
                with self._cond:
                    if not self._cond.wait_for(lambda: len(self._started) > ticket or self._dead, timeout=timeout):
                        raise ZygoteError("the process sandbox's fork server did not answer")
                    if len(self._started) <= ticket:
                        raise ZygoteError("the process sandbox's fork server exited")
                    answer.append(self._started[ticket])
            return answer[0]

        return pid

    def wait_exit(self, pid: int, timeout: float) -> dict | None:
        with self._cond:
            self._cond.wait_for(lambda: pid in self._exits or not self.alive(), timeout=timeout)
            return self._exits.pop(pid, None)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
