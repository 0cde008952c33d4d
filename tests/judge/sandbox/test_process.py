"""The process sandbox keeps a worker to the cores its spec names (a parallel batch's job pins its own)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import torch

from harness import WORKER_MODULES
from judge.grading import load_request, worker_spec
from judge.runner.session import WorkerSession
from judge.sandbox.process import ProcessSandbox
from tests.conftest import process_tree, unavailable


def _allowed(pid: int) -> str:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(line.split(":", 1)[1].strip() for line in status.splitlines() if line.startswith("Cpus_allowed_list"))


def test_a_worker_keeps_to_the_cores_its_spec_names(softmax):
    assert len(os.sched_getaffinity(0)) > 1, "on one core every worker keeps to it: nothing to tell apart"
    core = max(os.sched_getaffinity(0))
    spec = replace(worker_spec(softmax, softmax.reference_path), cpus=(core,))
    session = WorkerSession(ProcessSandbox(), spec, load_request(softmax))
    try:
        session.call({"attr": "log_softmax"}, (torch.zeros(2, 3),), {})
        assert session.worker is not None
        assert {_allowed(pid) for pid in process_tree(session.worker.pid)} == {str(core)}
    finally:
        session.close()


def test_a_worker_without_cores_named_may_run_anywhere(softmax):
    session = WorkerSession(ProcessSandbox(), worker_spec(softmax, softmax.reference_path), load_request(softmax))
    try:
        session.call({"attr": "log_softmax"}, (torch.zeros(2, 3),), {})
        assert session.worker is not None
        assert _allowed(session.worker.pid) == _allowed(os.getpid())
    finally:
        session.close()


def test_killing_a_worker_that_already_died_signals_nothing_and_is_not_a_judge_kill(softmax):
    """Once the zygote has reaped a worker its pid is free, maybe another job's process by now: the
    judge's kill must not signal it, and the death stays the worker's own (not a time limit)."""
    import signal
    import time

    worker = ProcessSandbox().start(worker_spec(softmax, softmax.reference_path))
    try:
        pid = worker.pid
        os.kill(pid, signal.SIGKILL)  # it dies on its own account, as if the kernel's OOM killer took it
        deadline = time.monotonic() + 30
        while pid not in worker.zygote._exits and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pid in worker.zygote._exits, "the zygote should have reaped it"
        worker.kill()
        status = worker.exit_status()
        assert status.signal == signal.SIGKILL and not status.killed_by_judge
    finally:
        worker.kill()


_LOOK_AROUND = '''

def seen():
    """What of the project this worker can reach: the harness's files, and whether the trusted side is there."""
    import os
    import sys

    import harness

    folder = os.path.dirname(harness.__file__)
    found = sorted(name for name in os.listdir(folder) if name.endswith(".py"))
    roots = [p for p in sys.path if p and os.path.isdir(p)] + [os.path.dirname(folder)]
    try:  # an editable install's finder still names the package: only an import tells
        import judge.grading  # noqa: F401
        found.append("judge")
    except ImportError:
        pass
    for name in ("judge", "challenges", "reference"):
        if any(os.listdir(os.path.join(r, name)) for r in roots if os.path.isdir(os.path.join(r, name))):
            found.append(name + "/")
    if any(os.path.isfile(os.path.join(r, "cli.py")) and os.path.getsize(os.path.join(r, "cli.py")) for r in roots):
        found.append("cli.py")
    return found
'''


def test_a_confined_worker_sees_only_the_worker_modules_of_the_project(softmax, tmp_path):
    """The chroot shows harness/ alone: no judge package, no cli.py, no challenges, no references."""
    if os.geteuid() != 0:
        unavailable("the minimal root needs root (without it the process backend hides nothing)")
    submission = tmp_path / "solution.py"
    submission.write_text(softmax.reference_path.read_text() + _LOOK_AROUND)
    session = WorkerSession(ProcessSandbox(), worker_spec(softmax, submission), load_request(softmax))
    try:
        seen = session.call({"attr": "seen"}, (), {})
    finally:
        session.close()
    assert sorted(seen) == sorted(f"{name}.py" for name in WORKER_MODULES), seen


_LEAVE_IPC = '''

def leave_ipc(tag):
    """System V segments, queues and semaphore sets (through the system's ipcmk: no ctypes, which the guard
    refuses) and /dev/shm files, by hand and through multiprocessing.shared_memory, all left behind."""
    import subprocess
    from multiprocessing import resource_tracker, shared_memory

    made = subprocess.run(["ipcmk", "-M", "1048576", "-Q", "-S", "4"], capture_output=True, text=True).stdout
    with open("/dev/shm/mlj-pwned-%d" % tag, "wb") as file:
        file.write(b"x" * 4096)
    block = shared_memory.SharedMemory(name="mlj-pwned-mp-%d" % tag, create=True, size=4096)
    resource_tracker.unregister(block._name, "shared_memory")
    return made
'''


def sysv_owned_by(uids: range) -> list[str]:
    """Every System V object on the host (what ``ipcs`` lists) owned or made by one of ``uids``."""
    found = []
    for kind in ("shm", "msg", "sem"):
        lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        header = lines[0].split()
        for line in lines[1:]:
            row = dict(zip(header, line.split()))
            if int(row["uid"]) in uids or int(row["cuid"]) in uids:
                found.append(f"{kind} {line}")
    return found


def sysv_keys() -> set[int]:
    keys = set()
    for kind in ("shm", "msg", "sem"):
        for line in Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]:
            keys.add(int(line.split()[0]))
    return keys


def test_ipc_objects_and_shm_files_a_worker_makes_do_not_outlive_it(softmax, tmp_path):
    """As root the worker has its own IPC namespace and a private /dev/shm: all of it goes when it does."""
    from judge.sandbox.process import uid_range

    if os.geteuid() != 0:
        unavailable("the IPC namespace needs root (or an unprivileged user namespace, tested below)")
    submission = tmp_path / "solution.py"
    submission.write_text(softmax.reference_path.read_text() + _LEAVE_IPC)
    tag = os.getpid() % 200
    session = WorkerSession(ProcessSandbox(), worker_spec(softmax, submission), load_request(softmax))
    try:
        made = session.call({"attr": "leave_ipc"}, (tag,), {})
        assert made.count("id:") == 3, f"the worker could not even make them: {made!r}"
    finally:
        session.close()
    assert sysv_owned_by(uid_range()) == [], "a System V object outlived the worker"
    assert not os.path.exists(f"/dev/shm/mlj-pwned-{tag}"), "a /dev/shm file outlived the worker"
    assert not os.path.exists(f"/dev/shm/mlj-pwned-mp-{tag}"), "a shared_memory block outlived the worker"


def test_without_root_a_user_namespace_still_gives_private_ipc_and_dev_shm():
    """The non-root path: a user namespace owns the IPC namespace and the mount of /dev/shm."""
    import ctypes
    import json

    from judge.sandbox.process import confine

    key = 0x6d6c6b00 + os.getpid() % 200
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.close(read)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
                confine._libc().prctl(4, 1, 0, 0, 0)  # PR_SET_DUMPABLE: as a judge that never was root is
            missing = confine._private_ipc_unprivileged()
            libc = ctypes.CDLL(None, use_errno=True)
            made = libc.shmget(key, 1 << 20, 0o1666)
            with open(f"/dev/shm/mlj-pwned-u{key}", "wb") as file:
                file.write(b"x")
            os.write(write, json.dumps([missing, made]).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as file:
        report = file.read()
    os.waitpid(pid, 0)
    missing, made = json.loads(report)
    if "IPC namespace" in missing:
        unavailable(f"this kernel refuses unprivileged user namespaces: {missing}")
    assert missing == [] and made >= 0, report
    assert key not in sysv_keys(), "a System V segment outlived the process"
    assert not os.path.exists(f"/dev/shm/mlj-pwned-u{key}"), "a /dev/shm file outlived the process"


def test_a_grading_works_with_the_python_installation_under_tmp(tmp_path):
    """A venv under /tmp (the private /tmp of the minimal root must not hide it): AC, as everywhere else.

    The worker imports the submission after it is confined, so a package installed in the venv (here a
    small module the submission imports) must be readable there, as torch is when pip put it in the venv."""
    import subprocess
    import sys

    import judge

    venv = tmp_path / "xyz"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
                   check=True, timeout=120)
    assert str(venv).startswith("/tmp/")
    site_packages = next(venv.glob("lib/python3*/site-packages"))
    (site_packages / "mlj_venv_probe.py").write_text("INSTALLED = True\n")
    submission = tmp_path / "solution.py"
    example = (judge.ROOT / "examples" / "softmax_cross_entropy.py").read_text()
    submission.write_text(example + "\nimport mlj_venv_probe  # noqa: E402 - installed in the venv\n")
    for path in (judge.ROOT / "examples" / "softmax_cross_entropy.py", submission):
        done = subprocess.run([str(venv / "bin" / "python"), "-m", "cli", "submit", "softmax-cross-entropy",
                               str(path), "--sandbox", "process"],
                              cwd=judge.ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and "AC" in done.stdout, (path.name, done.returncode, done.stdout[-2000:],
                                                               done.stderr[-2000:])


def test_a_judge_run_as_a_script_from_tmp_grades_and_keeps_its_folder_from_the_worker(tmp_path):
    """`python /tmp/run.py` puts /tmp first on sys.path: that folder holds the judge's script, not an
    installation, so the worker's root must not show it (it was bound over the worker's private /tmp, and
    every grading was RE with exit code 70)."""
    import subprocess
    import sys

    from judge import ROOT

    folder = Path("/tmp") / f"mlj-script-{os.getpid()}-{tmp_path.name}"
    folder.mkdir()
    try:
        (folder / "secret.txt").write_text("the judge's own file")
        probe = folder / "probe.py"
        accepted = (ROOT / "challenges/softmax-cross-entropy/solutions/accepted/logsumexp_by_hand.py").read_text()
        probe.write_text(f"import os\nassert not os.path.exists({str(folder / 'secret.txt')!r})\n" + accepted)
        (folder / "run.py").write_text(
            f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
            "from pathlib import Path\nfrom judge.challenge import find\nfrom judge.grading import grade\n"
            "from judge.sandbox.process import ProcessSandbox\n"
            "box = ProcessSandbox()\nc = find('softmax-cross-entropy')\n"
            f"for path in (c.reference_path, Path({str(probe)!r})):\n"
            "    print(grade(c, path, sandbox=box, suite='public', seed=3).verdict)\nbox.close()\n")
        done = subprocess.run([sys.executable, str(folder / "run.py")], capture_output=True, text=True,
                              timeout=300, cwd="/tmp")
        assert done.stdout.split() == ["AC", "AC"], done.stdout + done.stderr[-2000:]
    finally:
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()


def test_a_judge_whose_adopted_zygote_is_gone_starts_its_own(softmax):
    """A server's grading processes adopt its zygote; if that zygote died, a grading still starts its worker."""
    from judge.sandbox.process import zygote

    sharer, adopter = ProcessSandbox(), ProcessSandbox()
    try:
        adopter.adopt(sharer.share())
        sharer.close()
        for handle in list(zygote._shared.values()):  # the shared zygote, gone as if it had crashed
            handle.close()
        session = WorkerSession(adopter, worker_spec(softmax, softmax.reference_path), load_request(softmax))
        try:
            assert session.call({"attr": "log_softmax"}, (torch.zeros(2, 3),), {}) is not None
        finally:
            session.close()
        assert not zygote._adopted  # forgotten: the next grading does not try the dead address again
    finally:
        zygote._adopted.clear()
        adopter.close()
