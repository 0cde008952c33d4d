"""The process sandbox's fork server, shared by the judge processes of a parallel batch.

A batch's parent starts one zygote and hands its address to the other judge
processes (``Sandbox.share`` / ``adopt``). These tests check that a judge
process that adopted it grades without starting a zygote of its own, that the
workers never hold a way back to the zygote, that only the zygote's own uid
gets in, that only the judge which started it may open a door, and that a
judge process that goes away takes its workers with it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from judge import ROOT
from judge.grading import load_request, worker_spec
from judge.runner.session import WorkerSession
from judge.sandbox.process import ProcessSandbox
from judge.sandbox.process import zygote as zygote_module
from judge.sandbox.process.sandbox import IMPORT_ROOT
from judge.sandbox.process.zygote import Zygote
from tests.conftest import process_tree, unavailable

ADOPTER = """
import json, sys
from pathlib import Path
from judge.challenge import find
from judge.grading import grade
from judge.sandbox.process import zygote
from judge.sandbox.process import ProcessSandbox

box = ProcessSandbox()
box.adopt(json.loads(sys.argv[1]))
result = grade(find("softmax-cross-entropy"), Path(sys.argv[2]), sandbox=box, seed=5)
print(json.dumps({"verdict": str(result.verdict), "own": [z.proc is not None for z in zygote._shared.values()]}))
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_judge_process_that_adopts_the_shared_zygote_grades_without_one_of_its_own(softmax):
    shared = ProcessSandbox().share()
    assert Path(shared["address"]).exists() and Path(shared["address"]).parent.stat().st_mode & 0o077 == 0
    proc = subprocess.run([sys.executable, "-c", ADOPTER, json.dumps(shared), str(softmax.reference_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == {"verdict": "AC", "own": [False]}


def test_a_worker_holds_no_socket_back_to_the_fork_server(softmax):
    box = ProcessSandbox()
    box.share()  # the zygote now also holds a listening socket: the worker must hold neither
    spec = worker_spec(softmax, softmax.reference_path)
    session = WorkerSession(box, spec, load_request(softmax))
    try:
        session.call({"attr": "log_softmax"}, (torch.zeros(2, 3),), {})  # booted and serving
        assert session.worker is not None
        pids = process_tree(session.worker.pid)
        sockets = []
        for pid in pids:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:"):
                    sockets.append((pid, fd.name, target))
        assert sockets == []
    finally:
        session.close()


def _fork_request(zygote: Zygote, spec_box: ProcessSandbox, softmax) -> int:
    """Start a worker for the reference through ``zygote`` and return its pid."""
    worker = spec_box.start(worker_spec(softmax, softmax.reference_path))
    assert worker.zygote is zygote
    return worker.pid


def test_a_judge_process_that_goes_away_takes_its_workers_with_it(softmax):
    box = ProcessSandbox()
    address = box.share()["address"]
    env = box.share()["env"]
    client = Zygote.connect(address)
    key = (IMPORT_ROOT, tuple(sorted(env.items())))
    own = zygote_module._shared[key]
    zygote_module._shared[key] = client  # this sandbox now forks through the second connection
    try:
        pid = _fork_request(client, box, softmax)
        assert _alive(pid)
    finally:
        zygote_module._shared[key] = own
    client.close()  # as when a judge process of the batch dies
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), "the worker outlived the connection that asked for it"
    assert own.alive(), "one judge process leaving must not stop the zygote"


def test_only_the_judge_that_started_the_zygote_may_open_a_door(tmp_path, softmax):
    box = ProcessSandbox()
    client = Zygote.connect(box.share()["address"])
    warm = box.start(worker_spec(softmax, softmax.reference_path))
    assert warm.pid > 0  # the zygote answers requests now (its imports are done)
    warm.kill()
    door = str(tmp_path / "door.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(door)
        listener.listen(4)
        socket.send_fds(client.sock, [b'{"listen": 1}\n'], [listener.fileno()])
        time.sleep(0.5)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as knock:
            knock.connect(door)  # queued by the kernel; only an accept() would let it in
            knock.sendall(b'{"harness_parent": "/nonexistent"}\n')
            knock.settimeout(3.0)
            with pytest.raises(TimeoutError):
                knock.recv(100)  # nobody answers: the zygote did not take the door
    client.close()


def test_another_uid_cannot_reach_the_shared_zygote():
    if os.geteuid() != 0:
        unavailable("needs root to try from another uid")
    address = ProcessSandbox().share()["address"]
    probe = ("import socket, os, sys\nos.setgid(65534); os.setuid(65534)\n"
             "s = socket.socket(socket.AF_UNIX)\n"
             "try:\n    s.connect(sys.argv[1])\nexcept PermissionError:\n    print('refused')\n"
             "else:\n    print('connected')\n")
    out = subprocess.run([sys.executable, "-c", probe, address], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "refused", out.stderr  # the 0700 folder stops it first

    # with the folder opened up, the zygote's own check (the peer's uid) must still turn it away
    os.chmod(os.path.dirname(address), 0o755)
    os.chmod(address, 0o777)
    knock = ("import socket, os, sys\nos.setgid(65534); os.setuid(65534)\n"
             "s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])\n"
             "try:\n    s.sendall(b'{}\\n')\n    print('closed' if s.recv(100) == b'' else 'answered')\n"
             "except (ConnectionResetError, BrokenPipeError):  # closed before or after our request\n"
             "    print('closed')\n")
    out = subprocess.run([sys.executable, "-c", knock, address], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "closed", (out.stdout, out.stderr)
