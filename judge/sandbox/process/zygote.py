"""The judge's handle on the process sandbox's fork server (the *zygote*; its own code is ``zygote_main``).

Importing torch takes about a second; a worker that must be replaced after a
time limit, or one per submission in batch mode, would pay it every time. The
zygote imported torch, numpy, safetensors and the worker code once and then
only forks; every worker is still a fresh, confined, unprivileged process that
no earlier submission touched (see ``confine``).

The judge talks to it over a Unix socket: a request is one JSON line (the
worker's config) with the worker's stdin/stdout/stderr pipe ends passed as
file descriptors; the zygote answers ``{"started": pid}`` and later
``{"exit": pid, ...}``. One zygote serves every ProcessSandbox of a judge
process (``shared``), and a parallel batch shares its parent's zygote with
every judge process of the batch over a private Unix socket (``Zygote.listen``,
``adopt``): the workers' torch is imported once per batch, not once per job.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable

# a fresh interpreter that imports the zygote's code from the judge's own copy of the packages
BOOT = ("import sys; sys.path.insert(0, sys.argv[1]); "
        "from judge.sandbox.process.zygote_main import main; main(int(sys.argv[2]))")


_shared: dict[tuple, Zygote] = {}
_adopted: dict[tuple, str] = {}  # key -> address of a zygote another judge process of the batch started
_shared_lock = threading.Lock()


def shared(import_root: str, env: dict[str, str]) -> Zygote:
    """The judge process's zygote for this environment, started (or joined, see ``adopt``) on first use."""
    key = (import_root, tuple(sorted(env.items())))
    with _shared_lock:
        zygote = _shared.get(key)
        if zygote is None or not zygote.alive():
            address = _adopted.get(key)
            zygote = None
            if address:
                try:
                    zygote = Zygote.connect(address)
                except ZygoteError:  # the sharer's zygote is gone (a long-lived server's): start our own
                    _adopted.pop(key, None)
            zygote = _shared[key] = zygote or Zygote(import_root, env)
        return zygote


def adopt(import_root: str, env: dict[str, str], address: str) -> None:
    """Use the zygote at ``address`` (from ``Zygote.listen`` in the batch's parent) instead of starting one."""
    with _shared_lock:
        _adopted[(import_root, tuple(sorted(env.items())))] = address


@atexit.register
def _close_all() -> None:
    for zygote in list(_shared.values()):
        zygote.close()


class ZygoteError(Exception):
    pass


class Zygote:
    """The judge's handle on one zygote process."""

    def __init__(self, import_root: str, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.proc: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-I", "-c", BOOT, import_root, str(theirs.fileno())],
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

    def listen(self) -> str:
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
