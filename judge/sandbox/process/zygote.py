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
One zygote serves every ProcessSandbox of a judge process (``shared``), and
a parallel batch shares its parent's zygote with every judge process of the
batch over a private Unix socket (``Zygote.share``, ``adopt``): the workers'
torch is imported once per batch, not once per job.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
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

    owner = socket.socket(fileno=fd)
    clients: dict[socket.socket, bytes] = {owner: b""}  # connection -> unparsed bytes
    listeners: list[socket.socket] = []
    started: dict[int, socket.socket] = {}  # worker pid -> the connection that asked for it
    while True:
        _reap(started)
        if os.getppid() != judge_pid:  # the judge is gone; our children die with us
            os._exit(0)
        ready, _, _ = select.select([*clients, *listeners], [], [], 0.05)
        for sock in ready:
            if sock in listeners:
                _accept(sock, clients)
                continue
            try:
                data, fds, _, _ = socket.recv_fds(sock, 1 << 20, 3)
            except OSError:
                data, fds = b"", []
            if not data:
                if sock is owner:
                    os._exit(0)
                _drop(sock, clients, started)
                continue
            clients[sock] += data
            while b"\n" in clients[sock]:
                line, clients[sock] = clients[sock].split(b"\n", 1)
                request = json.loads(line)
                if request.get("listen"):  # only the judge that started us may open the door
                    if sock is owner and fds:
                        listeners.append(socket.socket(fileno=fds.pop(0)))
                    for extra in fds:
                        os.close(extra)
                    fds = []
                    continue
                pid = os.fork()
                if pid == 0:
                    for held in [*clients, *listeners]:  # a worker must never reach the fork server
                        held.close()
                    os.setsid()
                    for target, source in enumerate(fds):
                        os.dup2(source, target)
                    for source in fds:
                        os.close(source)
                    process_boot._libc().prctl(process_boot.PR_SET_PDEATHSIG, signal.SIGKILL)
                    try:
                        process_boot.run(request)
                    finally:
                        os._exit(70)
                for source in fds:
                    os.close(source)
                fds = []
                started[pid] = sock
                _send(sock, {"started": pid})


def _accept(listener: socket.socket, clients: dict[socket.socket, bytes]) -> None:
    """Another judge process of the same batch connects; only our own uid may."""
    try:
        conn, _ = listener.accept()
    except OSError:
        return
    _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))
    if uid != os.getuid():
        conn.close()
        return
    clients[conn] = b""


def _drop(sock: socket.socket, clients: dict[socket.socket, bytes], started: dict[int, socket.socket]) -> None:
    """A judge process of the batch went away: its workers go with it."""
    clients.pop(sock, None)
    for pid, asker in list(started.items()):
        if asker is sock:
            kill_worker(pid)
    sock.close()


def kill_worker(pid: int) -> None:
    """SIGKILL a worker the zygote forked and everything it started.

    The worker leads its own session once it ran ``setsid``; one killed in
    the instant before that is not a group leader yet, so it is signalled by
    pid as well.
    """
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)


def _send(sock: socket.socket, event: dict) -> None:
    if sock.fileno() < 0:
        return
    with contextlib.suppress(OSError):
        sock.sendall(json.dumps(event).encode() + b"\n")


def _reap(started: dict[int, socket.socket]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        asker = started.pop(pid, None)
        if asker is None:  # an orphaned worker, reaped for the host's sake
            continue
        event: dict = {"exit": pid}
        if os.WIFSIGNALED(status):
            event["signal"] = os.WTERMSIG(status)
        else:
            event["code"] = os.WEXITSTATUS(status)
        _send(asker, event)


# -- the judge side --------------------------------------------------------------
_shared: dict[tuple, Zygote] = {}
_adopted: dict[tuple, str] = {}  # key -> address of a zygote another judge process of the batch started
_shared_lock = threading.Lock()


def shared(harness_parent: str, env: dict[str, str]) -> Zygote:
    """The judge process's zygote for this environment, started (or joined, see ``adopt``) on first use."""
    key = (harness_parent, tuple(sorted(env.items())))
    with _shared_lock:
        zygote = _shared.get(key)
        if zygote is None or not zygote.alive():
            address = _adopted.get(key)
            zygote = _shared[key] = Zygote.connect(address) if address else Zygote(harness_parent, env)
        return zygote


def adopt(harness_parent: str, env: dict[str, str], address: str) -> None:
    """Use the zygote at ``address`` (from ``Zygote.share`` in the batch's parent) instead of starting one."""
    with _shared_lock:
        _adopted[(harness_parent, tuple(sorted(env.items())))] = address


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
        self.proc: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-I", str(BOOT), "--zygote", harness_parent, str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL, start_new_session=True)
        theirs.close()
        self._setup(ours)

    @classmethod
    def connect(cls, address: str) -> Zygote:
        """A handle on a zygote that another judge process started and shared."""
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(address)
        except OSError as exc:
            sock.close()
            raise ZygoteError(f"cannot reach the shared fork server at {address}: {exc}") from exc
        zygote = cls.__new__(cls)
        zygote.proc = None
        zygote._setup(sock)
        return zygote

    def _setup(self, sock: socket.socket) -> None:
        self.sock = sock
        self._lock = threading.Lock()
        self._started: list[int] = []  # pids, in the order of the requests
        self._tickets = 0
        self._dead = False
        self._exits: dict[int, dict] = {}
        self._address: str | None = None
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="mlj-zygote", daemon=True)
        self._reader.start()

    def share(self) -> str:
        """An address other judge processes (of this user) can ``connect`` to: one torch import for a batch.

        The socket lies in a fresh private folder; the zygote also checks that
        each peer runs as our uid. Workers never hold it (the zygote closes
        every connection in a child before it confines itself).
        """
        with self._lock:
            if self._address is None:
                folder = tempfile.mkdtemp(prefix="mlj-zygote-")
                address = os.path.join(folder, "fork.sock")
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
                    listener.bind(address)
                    listener.listen(64)
                    try:
                        socket.send_fds(self.sock, [b'{"listen": 1}\n'], [listener.fileno()])
                    except OSError as exc:
                        raise ZygoteError(f"the process sandbox's fork server is gone: {exc}") from exc
                self._address = address
            return self._address

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
        if self.proc is None:
            with self._cond:
                return not self._dead
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
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # a bare close would wait for the reader thread's recv
        with contextlib.suppress(OSError):
            self.sock.close()
        if self._address is not None:
            shutil.rmtree(os.path.dirname(self._address), ignore_errors=True)
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
