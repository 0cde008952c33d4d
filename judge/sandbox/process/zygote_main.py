"""The zygote process of the process sandbox: it imports torch once, then only forks workers.

Started by ``zygote.Zygote`` as ``main(FD)`` in a fresh ``python -I``, ``FD``
being the socket to the judge that started it. It never runs
submission code: each request forks a child that confines itself
(``confine.run``: namespaces, rlimits, a fresh uid) and only then serves as a
worker. Requests are JSON lines with the worker's stdin/stdout/stderr passed
as file descriptors; the answers are ``{"started": pid}`` and, when it reaps
that child, ``{"exit": pid, ...}``. It exits when the judge is gone, and its
children die with it (parent-death signal).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import struct
import sys

from judge.sandbox.process import confine

PR_SET_CHILD_SUBREAPER = 36


def serve_forever(fd: int) -> None:
    judge_pid = os.getppid()  # not PR_SET_PDEATHSIG: that follows the thread that started us
    # Workers orphaned when their boot parent is killed come to us, not to the
    # host's init (which may never reap them), and are reaped below.
    confine._libc().prctl(PR_SET_CHILD_SUBREAPER, 1)
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
                    confine._libc().prctl(confine.PR_SET_PDEATHSIG, signal.SIGKILL)
                    try:
                        confine.run(request)
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
            confine.kill_worker(pid)
    sock.close()


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


def main(fd: int) -> None:
    sys.dont_write_bytecode = True
    serve_forever(fd)
