"""Hostile submissions: every attack gets a clear verdict (never AC, never JE) and the host stays clean.

Each file in cases/ is a submission for softmax-cross-entropy (or for the
challenge a ``# challenge: <id>`` line names) whose first line lists the
verdicts it may get. It is graded with each sandbox backend (the docker ones
run where CI builds the runner image); after each grading the
test checks the host: no process or container left behind, no System V object,
/dev/shm file or message queue left behind, nothing written outside the
sandbox, the judge's files untouched.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import time
from pathlib import Path

import pytest

from judge import ROOT
from judge.challenge import find
from judge.grading import grade
from judge.sandbox.process import uid_range
from judge.verdict import Verdict
from tests.conftest import expected_verdict, unavailable

CASES = sorted((Path(__file__).parent / "cases").glob("*.py"))
SKIP_DIRS = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", "wheelhouse", ".mlj", "mlj.egg-info"}
MARKER = "mlj-pwned"

def allowed(path: Path) -> set[Verdict]:
    return {Verdict(v) for v in expected_verdict(path).replace(",", " ").split()}


def challenge_of(path: Path) -> str:
    """A case's ``# challenge: <id>`` header line (among its first lines), else softmax-cross-entropy."""
    for line in path.read_text().splitlines()[:5]:
        if line.startswith("# challenge: "):
            return line.removeprefix("# challenge: ").strip()
    return "softmax-cross-entropy"


SANDBOX_UIDS = {10001}  # the docker worker's user; the process backend's come from uid_range()
SYSV_KINDS = ("shm", "msg", "sem")


def ipc_leftovers() -> list[str]:
    """System V objects (what ``ipcs`` lists) owned by a sandbox user, and /dev/shm or /dev/mqueue entries
    that a sandbox user owns or that carry the marker: what a worker could leave in the kernel or in the
    host's shared folders."""
    owners = set(uid_range()) | SANDBOX_UIDS
    found = []
    for kind in SYSV_KINDS:
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        except OSError:
            continue
        header = lines[0].split() if lines else []
        for line in lines[1:]:
            row = dict(zip(header, line.split()))
            if int(row.get("uid", -1)) in owners or int(row.get("cuid", -1)) in owners:
                found.append(f"SysV {kind} key={row.get('key')} uid={row.get('uid')}")
    for folder in ("/dev/shm", "/dev/mqueue"):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            try:
                uid = os.lstat(os.path.join(folder, name)).st_uid
            except OSError:
                continue
            if MARKER in name or uid in owners:
                found.append(f"{folder}/{name} uid={uid}")
    return found


JUDGE_FILES = [ROOT / "judge", ROOT / "harness", ROOT / "reference", ROOT / "challenges" / "softmax-cross-entropy",
               ROOT / "tests" / "adversarial"]


def repo_snapshot() -> dict[str, tuple[int, int]]:
    """Size and mtime of every file of the judge's own code and of the challenge under attack."""
    snap = {}
    for folder, dirs, files in (entry for top in JUDGE_FILES for entry in os.walk(top)):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            path = os.path.join(folder, name)
            stat = os.lstat(path)
            snap[path] = (stat.st_size, stat.st_mtime_ns)
    return snap


def planted_files() -> list[str]:
    found = []
    places = ["/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~"), str(ROOT), sys.prefix,
              *site.getsitepackages()]
    for place in places:
        try:
            found += [os.path.join(place, n) for n in os.listdir(place) if MARKER in n or n == "mlj_pwned.py"]
        except OSError:
            pass
    return found


def stray_processes() -> list[str]:
    """Processes of this judge's sandbox users, or with the marker in their command line."""
    ours = uid_range()
    stray = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
        if uid in ours or MARKER in cmdline:
            stray.append(f"{pid} uid={uid} {cmdline[:80]}")
    return stray


def mlj_containers() -> list[str]:
    """Worker containers of this judge process (another judge on the machine may have its own)."""
    try:
        out = subprocess.run(["docker", "ps", "-aq", "--filter", "label=mlj.worker",
                              "--filter", f"label=mlj.judge-pid={os.getpid()}"], capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return out.stdout.split()


def backends():
    yield pytest.param("process", id="process")
    yield pytest.param("docker", id="docker", marks=pytest.mark.docker)


@pytest.fixture(scope="module")
def challenge():
    return find("softmax-cross-entropy")


@pytest.fixture(scope="module", params=list(backends()))
def sandbox(request):
    from judge.sandbox import choose

    if request.param == "docker":
        from judge.sandbox.docker import DockerSandbox

        reason = DockerSandbox.unavailable()
        if reason:
            unavailable(f"docker backend unavailable here: {reason}")
    box = choose(request.param).sandbox
    yield box
    box.close()


@pytest.fixture(scope="module")
def baseline():
    return repo_snapshot()


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_attack_gets_a_clear_verdict_and_leaves_the_host_clean(challenge, sandbox, baseline, case):
    if challenge_of(case) != challenge.id:
        challenge = find(challenge_of(case))
    started = time.monotonic()
    result = grade(challenge, case, sandbox=sandbox, seed=7)
    elapsed = time.monotonic() - started
    assert result.verdict not in (Verdict.AC, Verdict.JE), (result.verdict, result.message)
    assert result.verdict in allowed(case), (result.verdict, result.message, result.log[-1000:])
    assert result.message, "a verdict other than AC carries a message"
    assert elapsed < challenge.spec.limits.total_time + 60, f"grading took {elapsed:.0f} s"
    deadline = time.monotonic() + 10
    while (stray_processes() or mlj_containers()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stray_processes() == [], "processes outlived the grading"
    assert mlj_containers() == [], "containers outlived the grading"
    assert planted_files() == [], "the submission wrote outside its sandbox"
    assert ipc_leftovers() == [], "IPC objects or shared-memory files outlived the grading"
    assert repo_snapshot() == baseline, "the judge's own files changed"


def test_the_next_honest_submission_is_graded_correctly(challenge, sandbox):
    result = grade(challenge, challenge.reference_path, sandbox=sandbox)
    assert result.verdict is Verdict.AC, result.message
