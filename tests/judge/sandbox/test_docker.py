"""The docker sandbox: container options, GPU pinning, real gradings, hostile code, cleanup."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from harness import protocol
from judge import ROOT
from judge.challenge import Challenge, find
from judge.grading import grade, load_request, worker_spec
from judge.runner.session import WorkerSession
from judge.sandbox.base import Limits, LogBuffer, WorkerSpec
from judge.sandbox.docker import registry
from judge.sandbox.docker.options import HARNESS_DIR, GpuUnavailable, container_options
from judge.sandbox.docker.registry import CONTAINERS, LABEL, PID_LABEL, PIDNS_LABEL
from judge.sandbox.docker.sandbox import DockerSandbox, DockerUnavailable
from judge.sandbox.docker.worker import DockerWorker, _demux
from judge.sandbox.gpus import parse_gpus, pin_gpu
from judge.verdict import Verdict
from tests.conftest import unavailable

sdk = registry.docker  # the SDK (a bare `import docker` sorts oddly beside the repo's docker/ folder)
HOSTILE = Path(__file__).with_name("hostile")
CHALLENGE = "softmax-cross-entropy"
ALLOWED_ENV = {"OMP_NUM_THREADS", "MKL_NUM_THREADS", "HOME", "PYTHONDONTWRITEBYTECODE"}


def _spec(tmp_path: Path, gpus: str | None = None) -> WorkerSpec:
    sub = tmp_path / "mine.py"
    sub.write_text("x = 1\n")
    return WorkerSpec(submission=sub, limits=Limits(memory_bytes=1 << 30, pids=32, scratch_bytes=8 << 20,
                                                    threads=2, cpu_seconds=99), gpus=gpus)


# --- pure: no engine ------------------------------------------------------------


def test_container_options_are_hardened(tmp_path):
    opts = container_options(_spec(tmp_path), image="img", mount_dir=tmp_path, gpus_available=False)
    assert opts["network_mode"] == "none" and opts["read_only"] is True
    assert opts["user"] == "10001:10001" and opts["cap_drop"] == ["ALL"]
    assert opts["security_opt"] == ["no-new-privileges"] and opts["ipc_mode"] == "private"
    assert opts["mem_limit"] == opts["memswap_limit"] == 1 << 30
    assert opts["pids_limit"] == 32 and opts["nano_cpus"] == 2 * 10**9
    assert opts["tmpfs"]["/scratch"].startswith(f"size={8 << 20},") and "uid=10001" in opts["tmpfs"]["/scratch"]
    assert "mode=1777" in opts["tmpfs"]["/tmp"]
    assert opts["volumes"] == {str(tmp_path): {"bind": "/submission", "mode": "ro"},
                               HARNESS_DIR: {"bind": "/opt/mlj/harness", "mode": "ro"}}
    assert opts["environment"] == {"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "HOME": "/scratch",
                                   "PYTHONDONTWRITEBYTECODE": "1"}
    assert opts["labels"][LABEL] == "1" and opts["labels"][PID_LABEL] == str(os.getpid())
    rlimits = {u["Name"]: (u["Soft"], u["Hard"]) for u in opts["ulimits"]}
    assert rlimits["cpu"] == (99, 99) and rlimits["data"] == (1 << 30, 1 << 30) and rlimits["core"] == (0, 0)
    assert opts["auto_remove"] is False and "device_requests" not in opts


def test_a_batch_job_keeps_its_container_to_its_core(tmp_path):
    pinned = replace(_spec(tmp_path), cpus=(1,))
    assert container_options(pinned, image="img", mount_dir=tmp_path, gpus_available=False)[
        "cpuset_cpus"] == "1"
    assert "cpuset_cpus" not in container_options(_spec(tmp_path), image="img", mount_dir=tmp_path,
                                                  gpus_available=False)


@pytest.mark.parametrize(("gpus", "count", "ids", "visible"), [
    ("all", -1, [], "all"), ("2", 2, [], "0,1"), ("0,1", 0, ["0", "1"], "0,1"), ("device=3", 0, ["3"], "3"),
])
def test_gpu_device_request(tmp_path, gpus, count, ids, visible):
    opts = container_options(_spec(tmp_path, gpus), image="img", mount_dir=tmp_path, gpus_available=True)
    [request] = opts["device_requests"]
    assert (request["Count"], request["DeviceIDs"], request["Capabilities"]) == (count, ids, [["gpu"]])
    assert opts["environment"]["NVIDIA_VISIBLE_DEVICES"] == visible
    assert "data" not in {u["Name"] for u in opts["ulimits"]}  # CUDA maps large private regions


def test_gpus_on_a_host_without_gpus_is_refused_with_a_hint(tmp_path):
    with pytest.raises(GpuUnavailable, match="NVIDIA Container Toolkit"):
        container_options(_spec(tmp_path, "all"), image="img", mount_dir=tmp_path, gpus_available=False)
    with pytest.raises(ValueError, match="at least one GPU"):
        parse_gpus("0")


@pytest.mark.parametrize(("gpus", "host", "expected"), [
    ("0,1", None, ["device=0", "device=1", "device=0", "device=1"]),
    ("2", None, ["device=0", "device=1", "device=0", "device=1"]),
    ("device=5,7,9", None, ["device=5", "device=7", "device=9", "device=5"]),
    ("1", None, ["device=0"] * 4),
    ("all", 3, ["device=0", "device=1", "device=2", "device=0"]),
    ("all", None, ["all"] * 4),
])
def test_pin_gpu_gives_each_job_its_own_gpu(gpus, host, expected):
    assert [pin_gpu(i, gpus, host_gpus=host) for i in range(4)] == expected


def test_demux_splits_the_engine_stream_however_it_is_cut():
    frames = [(1, b"ready"), (2, b"print from the submission\n"), (1, b""), (1, bytes(range(256)) * 4000),
              (2, b"x" * 100), (1, b"end")]
    stream = b"".join(struct.pack(">BxxxL", kind, len(data)) + data for kind, data in frames)
    ours, theirs = socket.socketpair()
    read_fd, write_fd = os.pipe()
    log = LogBuffer(64)
    pump = threading.Thread(target=_demux, args=(ours, write_fd, log), daemon=True)
    pump.start()

    def engine() -> None:
        for start in range(0, len(stream), 7):  # headers and payloads cut anywhere
            theirs.sendall(stream[start:start + 7])
        theirs.close()

    threading.Thread(target=engine, daemon=True).start()
    got = bytearray()
    while chunk := os.read(read_fd, 1 << 16):
        got += chunk
    pump.join(timeout=10)
    os.close(read_fd)
    assert bytes(got) == b"".join(data for kind, data in frames if kind == 1)
    assert log.text().startswith("print from the submission\nxxx") and "[... 62 more bytes" in log.text()


# --- real: an engine and the runner image ---------------------------------------


class Recording(DockerSandbox):
    """Remembers every container and host folder it made, to check they are all gone."""

    made: list[tuple[str, str]]

    def start(self, spec: WorkerSpec) -> DockerWorker:
        worker = super().start(spec)
        self.made = [*getattr(self, "made", []), (worker.id, worker.mount_dir)]
        return worker


def assert_clean(client: sdk.DockerClient, made: list[tuple[str, str]], pid: int | None = None,
                 box: DockerSandbox | None = None) -> None:
    """No container of ours left, no process left in their cgroups, no host folder left."""
    if box is not None:
        box.drop_spare()
    left = client.containers.list(all=True, filters={"label": f"{PID_LABEL}={pid or os.getpid()}"})
    assert [c.name for c in left] == []
    for cid, mount_dir in made:
        with pytest.raises(sdk.errors.NotFound):
            client.api.inspect_container(cid)
        assert not Path(mount_dir).exists()
    ids = {cid for cid, _ in made}
    stray = []
    for proc in Path("/proc").iterdir():
        try:
            cgroup = (proc / "cgroup").read_text() if proc.name.isdigit() else ""
        except OSError:
            continue
        stray += [proc.name for cid in ids if cid in cgroup]
    assert stray == []


@pytest.fixture(scope="module")
def box():
    try:
        sandbox = Recording.open()
    except DockerUnavailable as exc:
        unavailable(str(exc))
    yield sandbox
    sandbox.close()
    assert_clean(sdk.from_env(), getattr(sandbox, "made", []))


@pytest.mark.docker
def test_unavailable_says_why(box):
    assert DockerSandbox.unavailable() is None
    assert "no-such-image" in DockerSandbox.unavailable(image="mlj-runner:no-such-image")
    assert "mlj image build" in DockerSandbox.unavailable(image="mlj-runner:no-such-image")
    with pytest.raises(DockerUnavailable, match="mlj image build"):
        DockerSandbox.open(image="mlj-runner:no-such-image")


@pytest.mark.docker
def test_created_container_has_the_hostconfig_asked_for(box, tmp_path):
    opts = container_options(_spec(tmp_path, "all"), image=box.image, mount_dir=tmp_path,
                             gpus_available=True)
    container = box.client.containers.create(**opts)  # created, never started: no GPU needed
    try:
        host = box.api.inspect_container(container.id)["HostConfig"]
    finally:
        container.remove(force=True)
    [request] = host["DeviceRequests"]
    assert request["Count"] == -1 and request["Capabilities"] == [["gpu"]]
    assert host["CapDrop"] == ["ALL"] and host["ReadonlyRootfs"] is True and host["NetworkMode"] == "none"
    assert host["Memory"] == host["MemorySwap"] == 1 << 30 and host["PidsLimit"] == 32
    assert host["SecurityOpt"] == ["no-new-privileges"] and host["IpcMode"] == "private"
    assert set(host["Tmpfs"]) == {"/scratch", "/tmp"} and host["NanoCpus"] == 2 * 10**9


@pytest.mark.docker
def test_a_running_worker_is_hardened_and_killed_without_trace(box, monkeypatch):
    monkeypatch.setenv("MLJ_TEST_SECRET", "do-not-leak")
    challenge = find(CHALLENGE)
    spec = worker_spec(challenge, challenge.reference_path)
    worker = box.start(spec)
    try:
        ready, _ = protocol.read_frame(lambda n: worker.recv_exact(n, time.monotonic() + 120), max_blob=1 << 20)
        assert ready["ready"] is True
        info = box.api.inspect_container(worker.id)
        top = box.api.top(worker.id, ps_args="-o uid,pid,args")
        listing = sorted(os.listdir(worker.mount_dir))
    except BaseException:
        worker.kill()
        raise
    worker.kill()
    worker.kill()  # twice is fine
    assert worker.exit_status().killed_by_judge
    assert info["State"]["Running"] is True
    host, config = info["HostConfig"], info["Config"]
    assert host["NetworkMode"] == "none" and host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"] and host["SecurityOpt"] == ["no-new-privileges"]
    assert host["Memory"] == host["MemorySwap"] == spec.limits.memory_bytes
    assert host["PidsLimit"] == spec.limits.pids and host["NanoCpus"] == 10**9
    assert host["IpcMode"] == "private" and host["Privileged"] is False and host["AutoRemove"] is False
    assert set(host["Tmpfs"]) == {"/scratch", "/tmp"} and not host.get("DeviceRequests")
    assert config["User"] == "10001:10001" and config["Labels"][LABEL] == "1"
    assert config["Labels"][PID_LABEL] == str(os.getpid())
    mounts = {m["Destination"]: (m["Source"], m["RW"]) for m in info["Mounts"]}
    assert mounts == {"/submission": (worker.mount_dir, False), "/opt/mlj/harness": (HARNESS_DIR, False)}
    assert listing == sorted(["solution.py", *(p.name for p in spec.support_files)])
    image_env = {e.split("=")[0] for e in box.api.inspect_image(box.image)["Config"]["Env"]}
    env = {e.split("=")[0] for e in config["Env"]}
    assert env - image_env <= ALLOWED_ENV and "MLJ_TEST_SECRET" not in env
    assert {row[0] for row in top["Processes"]} == {"10001"}
    assert worker.submission_path == "/submission/solution.py"
    assert worker.support_paths == [f"/submission/{p.name}" for p in spec.support_files]
    assert_clean(box.client, box.made, box=box)


# Run in a container with the worker's own sys.path (docker/Dockerfile's CMD): the harness files it sees,
# and whether anything of the trusted side is importable or lying around.
HARNESS_PROBE = """
import importlib.util, json, os, sys
sys.path.insert(0, "/opt/mlj")
root = "/opt/mlj/harness"
modules = [os.path.relpath(os.path.join(d, n), root) for d, _, ns in os.walk(root) for n in ns if n.endswith(".py")]
importable = [m for m in ("judge", "challenges", "reference", "cli") if importlib.util.find_spec(m) is not None]
present = [p for top in ("/", "/opt", "/opt/mlj", root, "/scratch", "/submission")
           for n in ("judge", "challenges", "reference", "cli.py") if os.path.exists(p := os.path.join(top, n))]
print(json.dumps({"modules": modules, "importable": importable, "present": present}))
"""


def _probe_harness(box: DockerSandbox, opts: dict) -> dict:
    container = box.client.containers.create(**{**opts, "command": ["python3", "-I", "-c", HARNESS_PROBE]})
    try:
        container.start()
        code = container.wait(timeout=120)["StatusCode"]
        assert code == 0, container.logs().decode(errors="replace")[-2000:]
        return json.loads(container.logs(stdout=True, stderr=False).decode().strip().splitlines()[-1])
    finally:
        container.remove(force=True)


@pytest.mark.docker
def test_the_runner_image_and_a_grading_container_hold_only_the_workers_modules(box, tmp_path):
    opts = container_options(_spec(tmp_path), image=box.image, mount_dir=tmp_path, gpus_available=False)
    graded = _probe_harness(box, opts)  # the judge's harness/ mounted over the image's copy
    image_only = _probe_harness(box, {**opts, "volumes": {}})  # the image's own copy
    for where, seen in (("mounted", graded), ("image's own", image_only)):
        assert set(seen["modules"]) == {"__init__.py", "protocol.py", "worker.py", "guard.py"}, where
        assert seen["importable"] == [] and seen["present"] == [], where


@pytest.mark.docker
def test_exit_status_of_a_worker_that_ends_itself(box):
    challenge = find(CHALLENGE)
    worker = box.start(worker_spec(challenge, challenge.reference_path))
    try:
        protocol.read_frame(lambda n: worker.recv_exact(n, time.monotonic() + 120), max_blob=1 << 20)
        worker.send(protocol.pack({"id": 1, "op": "shutdown"}))
        status = worker.exit_status(timeout=30)
    finally:
        worker.kill()
    assert (status.returncode, status.signal, status.oom_killed, status.killed_by_judge) == (0, None, False, False)


def _ready(worker: DockerWorker) -> None:
    frame, _ = protocol.read_frame(lambda n: worker.recv_exact(n, time.monotonic() + 120), max_blob=1 << 20)
    assert frame["ready"] is True


@pytest.mark.docker
def test_a_spare_container_serves_the_next_worker(box):
    sandbox = Recording.open()  # a fresh one: it has started no worker yet
    challenge = find(CHALLENGE)
    spec = worker_spec(challenge, challenge.reference_path)
    first = sandbox.start(spec)
    assert sandbox._spare is None  # one grading of one submission boots one container
    _ready(first)
    first.kill()
    second = sandbox.start(spec)
    assert sandbox._spare is not None
    spare = sandbox._spare[1].id
    _ready(second)
    second.kill()
    session = WorkerSession(sandbox, spec, load_request(challenge))
    try:
        x = torch.randn(3, 5, dtype=torch.float64)
        got = session.call({"attr": "log_softmax"}, (x,), {})  # the submission was put in after it booted
        assert session.worker is not None and session.worker.id == spare
        assert torch.allclose(got, torch.log_softmax(x, dim=-1))
    finally:
        session.close()
    pending = sandbox._spare[1].id  # booted behind the session's worker
    other = sandbox.start(replace(spec, limits=replace(spec.limits, memory_bytes=spec.limits.memory_bytes // 2)))
    try:
        assert other.id != pending  # other limits: not that spare, which is removed
        with pytest.raises(sdk.errors.NotFound):
            sandbox.api.inspect_container(pending)
        host = sandbox.api.inspect_container(sandbox._spare[1].id)["HostConfig"]
        assert host["Memory"] == spec.limits.memory_bytes // 2
    finally:
        other.kill()
        sandbox.close()
    batch = Recording.open()
    batch.prepare(spare=True)  # batch mode and the server start many workers: a spare from the first one
    try:
        batch.start(spec).kill()
        assert batch._spare is not None
    finally:
        batch.close()
    assert_clean(sdk.from_env(), sandbox.made + batch.made, box=box)  # the module's sandbox keeps a spare too


@pytest.mark.docker
def test_an_engine_failure_at_start_is_a_judge_error(box, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise sdk.errors.APIError("could not select device driver")

    monkeypatch.setattr(box.api, "start", refuse)
    challenge = find(CHALLENGE)
    result = grade(challenge, challenge.reference_path, sandbox=box, suite="public")
    assert result.verdict is Verdict.JE and "could not select device driver" in result.message
    assert_clean(box.client, box.made, box=box)


# The memory bombs run with a 1 GiB limit and a long time limit, so that a slow, busy machine
# cannot turn their MLE into a TLE; the huge output gets the long time limit for the same reason
# (building and sending 320 MB took over the 3 s limit on a loaded CI machine).
ROOMY = {"memory_mb": 1024, "time_per_test": 60.0, "total_time": 600.0}
PATIENT = {"time_per_test": 60.0, "total_time": 600.0}
HOSTILE_CASES = [
    ("network.py", {}, {Verdict.RE}, "Network is unreachable"),
    ("write_outside.py", {}, {Verdict.RE}, "writable inside: ['/scratch', '/tmp', '/scratch']"),
    ("fork_bomb.py", {}, {Verdict.RE, Verdict.TLE, Verdict.MLE}, ""),
    ("memory_bomb.py", ROOMY, {Verdict.MLE}, "can't allocate memory"),  # RLIMIT_DATA
    ("shared_memory_bomb.py", ROOMY, {Verdict.MLE}, "killed for using more memory"),  # cgroup OOM kill
    ("huge_output.py", PATIENT, {Verdict.RE}, "output too large"),
]


def _with_limits(challenge: Challenge, **limits: float) -> Challenge:
    spec = challenge.spec
    return Challenge(spec.model_copy(update={"limits": spec.limits.model_copy(update=limits)}), challenge.path)


@pytest.mark.docker
@pytest.mark.parametrize(("name", "limits", "verdicts", "says"), HOSTILE_CASES, ids=[c[0] for c in HOSTILE_CASES])
def test_hostile_submissions_are_contained(box, name, limits, verdicts, says):
    result = grade(_with_limits(find(CHALLENGE), **limits), HOSTILE / name, sandbox=box, suite="public")
    messages = "\n".join(t.message for t in result.tests)
    assert result.verdict in verdicts, messages
    assert all(t.verdict is not Verdict.AC for t in result.tests)
    assert says in messages
    assert result.duration < 90  # a kill is never stuck behind a blocked stream (it was 120 s per kill)
    if name == "write_outside.py":
        assert "Read-only file system" in messages
    assert_clean(box.client, box.made, box=box)


CLI = "import sys; sys.argv[0] = 'mlj'; from cli import main; main()"


@pytest.mark.docker
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupting_the_judge_leaves_no_container(box, signum):
    cmd = [sys.executable, "-c", CLI, "submit", CHALLENGE, str(HOSTILE / "spin.py"), "--sandbox", "docker"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    label = {"label": f"{PID_LABEL}={proc.pid}"}
    try:
        deadline = time.monotonic() + 180
        while not box.client.containers.list(filters={**label, "status": "running"}):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read().decode()[-2000:]
            time.sleep(0.2)
        time.sleep(3)  # torch imported, the submission spinning
        made = [(c.id, next(m["Source"] for m in c.attrs["Mounts"] if m["Destination"] == "/submission"))
                for c in box.client.containers.list(all=True, filters=label)]
        os.killpg(proc.pid, signum)  # what a terminal's Ctrl-C does
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        left = [c.name for c in box.client.containers.list(all=True, filters=label)]
        CONTAINERS.cleanup_leftovers(box.client)  # only for the next tests, if this one fails
    assert proc.returncode != 0 and made
    assert left == []
    assert_clean(box.client, made, pid=proc.pid)


@pytest.mark.docker
def test_cleanup_leftovers_removes_only_dead_judges_containers(box, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    opts = container_options(_spec(tmp_path), image=box.image, mount_dir=tmp_path, gpus_available=False)
    dead_labels = {**opts["labels"], PID_LABEL: str(dead.pid)}
    orphan = box.client.containers.create(**{**opts, "labels": dead_labels})
    mine = box.client.containers.create(**opts)
    # a judge in another PID namespace (another container, say): its pid means nothing here
    elsewhere = box.client.containers.create(**{**opts, "labels": {**dead_labels, PIDNS_LABEL: "pid:[1]"}})
    try:
        removed = CONTAINERS.cleanup_leftovers(box.client)
        assert orphan.id in removed and mine.id not in removed and elsewhere.id not in removed
        with pytest.raises(sdk.errors.NotFound):
            orphan.reload()
        mine.reload()
        elsewhere.reload()
    finally:
        for container in (orphan, mine, elsewhere):
            try:
                container.remove(force=True)
            except sdk.errors.NotFound:
                pass


@pytest.mark.docker
def test_a_parallel_docker_batch_leaves_no_container(box, tmp_path):
    """The pool's judge processes end without atexit handlers; their spare containers must go anyway."""
    folder = tmp_path / CHALLENGE
    folder.mkdir()
    challenge = find(CHALLENGE)
    for i, (_, path) in enumerate(list(challenge.solutions())[:3]):
        shutil.copyfile(path, folder / f"{i}_{path.name}")
    mine = {"label": f"{LABEL}=1"}
    before = {c.id for c in box.client.containers.list(all=True, filters=mine)}
    proc = subprocess.run([sys.executable, "-c", CLI, "grade", "all", str(tmp_path), "--sandbox", "docker",
                           "--jobs", "2", "--seed", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "3 submissions" in proc.stdout
    # the batch's judge processes are gone: a container of a judge that is gone is a leftover (a container of a
    # judge still alive belongs to another test process on this host)
    left = [c.name for c in box.client.containers.list(all=True, filters=mine) if c.id not in before
            and not Path(f"/proc/{c.labels.get(PID_LABEL, '0')}").exists()]
    assert left == []
