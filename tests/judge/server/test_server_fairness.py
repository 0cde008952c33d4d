"""A fair queue, a clean stop, and no grading that changes another's verdict, against real servers."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from server_helpers import CHALLENGE, REFERENCE, Server

from judge import CHALLENGES_DIR
from tests.conftest import process_tree, unavailable

pytestmark = pytest.mark.slow
SLEEPER = ("import time\n\ndef log_softmax(x, dim=-1):\n    time.sleep(1000)\n\n"
           "def cross_entropy(logits, targets, **kwargs):\n    time.sleep(1000)\n")


def _running(server: Server, *ids: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while any(server.api("GET", f"/api/submissions/{i}").json()["status"] != "running" for i in ids):
        assert time.monotonic() < deadline, f"not all running: {ids}\n{server.log.read_text()[-2000:]}"
        time.sleep(0.2)


def test_sleeping_submissions_cannot_starve_another_member_and_a_stop_leaves_nothing(tmp_path: Path) -> None:
    server = Server(tmp_path, str(tmp_path / "fair.db"), workers=2, rate_limit=0)
    server.start()
    try:
        mallory, honest = server.add_user("mallory"), server.add_user("honest")
        sleeping = [server.submit(mallory, SLEEPER) for _ in range(3)]
        capped = server.api("POST", "/api/submissions", mallory, json={"challenge": CHALLENGE, "code": SLEEPER})
        if capped.status_code != 429:  # say why: which of the three was no longer pending, and how it ended
            states = [server.api("GET", f"/api/submissions/{i}").json() for i in sleeping]
            pytest.fail(f"the fourth pending submission got {capped.status_code}, not 429; the three before it: "
                        f"{[(s['status'], s.get('verdict'), s.get('message')) for s in states]}\n"
                        f"{server.log.read_text()[-3000:]}")
        assert "at most 3 at once" in capped.json()["detail"]
        _running(server, sleeping[0])
        fair = server.submit(honest, REFERENCE.read_text())
        # mallory holds one of the two slots at most, and honest goes before mallory's next one
        assert server.api("GET", f"/api/submissions/{sleeping[2]}").json()["queue_position"] >= 1
        (graded,) = server.wait_done(fair, timeout=120)
        assert graded["verdict"] == "AC"
        statuses = [server.api("GET", f"/api/submissions/{i}").json()["status"] for i in sleeping]
        assert statuses.count("running") == 1, statuses

        _running(server, sleeping[1])
        tree = [p for p in process_tree(server.proc.pid) if p != server.proc.pid]
        assert len(tree) >= 4  # grading processes, their zygotes and the sleeping workers
        assert server.stop() in (0, -signal.SIGTERM)
        time.sleep(1)
        left = [p for p in tree if Path(f"/proc/{p}").exists() and "zombie" not in _state(p)]
        assert not left, f"still running after the server stopped: {left}"
        server.start()  # what was running is queued again
        assert "submission(s) left from the previous run" in server.log.read_text()
    finally:
        server.close()


def _state(pid: int) -> str:
    try:
        return "zombie" if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z" else "alive"
    except OSError:
        return "zombie"


@pytest.mark.docker
def test_stopping_the_server_removes_a_looping_submissions_container(tmp_path: Path) -> None:
    if shutil.which("docker") is None or subprocess.run(["docker", "info"], capture_output=True).returncode:
        unavailable("no Docker engine answers")
    server = Server(tmp_path, str(tmp_path / "docker.db"), workers=1, rate_limit=0, extra=("--sandbox", "docker"))
    server.start(timeout=120)
    try:
        token = server.add_user("looper")
        looping = server.submit(token, "def log_softmax(x, dim=-1):\n    while True:\n        pass\n\n"
                                       "def cross_entropy(logits, targets, **kwargs):\n    while True:\n        pass\n")
        _running(server, looping)
        slots = {str(p) for p in process_tree(server.proc.pid)}

        def ours() -> list[str]:
            out = subprocess.run(["docker", "ps", "-a", "--filter", "label=mlj.worker=1", "--format",
                                  '{{.ID}} {{.Label "mlj.judge-pid"}}'], capture_output=True, text=True).stdout
            return [line.split()[0] for line in out.splitlines() if line.split()[-1] in slots]

        deadline = time.monotonic() + 60
        while not ours():
            assert time.monotonic() < deadline, "no container started"
            time.sleep(0.3)
        assert server.stop() in (0, -signal.SIGTERM)
        assert ours() == []
    finally:
        server.close()


def test_a_hostile_grading_leaves_the_next_verdict_unchanged(tmp_path: Path) -> None:
    catalog = tmp_path / "challenges"
    shutil.copytree(CHALLENGES_DIR / CHALLENGE, catalog / CHALLENGE)
    poison = catalog / "poison"
    shutil.copytree(CHALLENGES_DIR / CHALLENGE, poison)
    yaml = poison / "challenge.yaml"
    yaml.write_text(yaml.read_text().replace(f"id: {CHALLENGE}", "id: poison", 1))
    forward = poison / "tests" / "hidden" / "test_forward.py"
    # a challenge's tests run in the grading process: these patch torch there, and would spoil every
    # later grading that process did (the reference's inputs pass through .double())
    forward.write_text(forward.read_text().replace(
        "import torch\n", "import torch\n\ntorch.Tensor.double = lambda self: self.to(torch.float64) * 2\n", 1))
    server = Server(tmp_path, str(tmp_path / "iso.db"), workers=1, rate_limit=0,
                    env={"MLJ_CHALLENGES_DIR": str(catalog)})
    server.start()
    try:
        token = server.add_user("ivy")
        first = server.submit(token, REFERENCE.read_text(), challenge="poison")
        second = server.submit(token, REFERENCE.read_text())
        poisoned, clean = server.wait_done(first, second)
        assert poisoned["verdict"] != "AC"  # the patch took effect in its own grading
        assert clean["verdict"] == "AC", clean["message"]
    finally:
        server.close()
        os.environ.pop("MLJ_CHALLENGES_DIR", None)
