"""The docker sandbox: one hardened container per worker.

Each worker is a fresh container of the runner image (``mlj image build``):
no network, read-only root, tmpfs ``/scratch`` and ``/tmp``, user
10001:10001, all capabilities dropped, no-new-privileges, pids, memory (swap
included), CPU and RLIMIT_CPU limits, private IPC, and the submission (with
the challenge's public support modules) copied to a fresh host folder that is
mounted read-only at ``/submission``; the judge's own ``harness/`` is mounted
read-only over the image's copy, so both ends of the wire always run the same
protocol (the image supplies Python, torch and numpy). Hidden tests and
references never enter it. The environment holds only thread counts, ``HOME`` and
``PYTHONDONTWRITEBYTECODE`` (plus the image's own ``PATH``).

The channel is the container's attached stdin/stdout: we attach before
starting (so no byte is missed), send on the attach socket, and a daemon
thread demultiplexes the engine's stream (8-byte frame headers) into a pipe
that ``Worker.recv_exact`` reads, and stderr into the capped log.

A container imports torch in about the time the host does, so from its
second worker on a sandbox keeps one *spare* container booting with the same
limits, its submission folder still empty: the next worker (a replacement
after a TLE or crash, or the next grading) is ready at once. The spare is
removed ``spare_idle`` seconds after the last worker ends, and by ``close()``.

Every container is labelled ``mlj.worker=1`` with the judge's host and pid,
tracked while alive, and removed by ``kill()``, ``DockerSandbox.close()``, an
atexit handler and SIGINT/SIGTERM handlers (which then chain to the previous
ones). ``cleanup_leftovers()`` removes containers of judges that died
(SIGKILL, power loss); ``connect()`` runs it.

GPUs (``WorkerSpec.gpus``: "all", a count "2", ids "0,1" or "device=1") are
passed through with a device request; ``pin_gpu`` maps parallel job *i* to
one GPU of the set so that jobs do not share a GPU while there are enough.
The host folder is bind-mounted, so the engine must run on this machine.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import struct
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker
import requests

import harness
from judge.sandbox.base import DEFAULT_IMAGE, ExitStatus, LogBuffer, Sandbox, Worker, WorkerGone, WorkerSpec
from judge.sandbox.gpus import parse_gpus, pin_gpu  # noqa: F401 - part of this module's API

HARNESS_DIR = str(Path(harness.__file__).resolve().parent)
SPARE_IDLE = 5.0  # seconds; see DockerSandbox.start
LABEL = "mlj.worker"
PID_LABEL = "mlj.judge-pid"
HOST_LABEL = "mlj.judge-host"
START_LABEL = "mlj.judge-start"
PIDNS_LABEL = "mlj.judge-pidns"
USER = "10001:10001"
MOUNT = "/submission"
SCRATCH = "/scratch"
IMAGE_HINT = "run `mlj image build --base-image ...` (e.g. --base-image mlj-base:bookworm, offline)"
GPU_HINT = ("install the NVIDIA Container Toolkit and restart dockerd "
            "(`nvidia-ctk runtime configure --runtime=docker`), or grade without --gpus")


class DockerUnavailable(RuntimeError):
    """No engine answers, or the runner image is missing; the message says what to do."""


class GpuUnavailable(RuntimeError):
    """GPUs were requested but this engine cannot pass them through."""


# -- pure helpers --------------------------------------------------------------

def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def _labels() -> dict[str, str]:
    """Who started the container: enough to tell, later, whether that judge is still alive."""
    return {LABEL: "1", PID_LABEL: str(os.getpid()), HOST_LABEL: socket.gethostname(),
            PIDNS_LABEL: _pid_namespace(), START_LABEL: _start_time(os.getpid())}


def container_options(spec: WorkerSpec, *, image: str, mount_dir: str | Path, gpus_available: bool) -> dict[str, Any]:
    """The keyword arguments of ``client.containers.create`` for one worker (pure, no engine)."""
    limits = spec.limits
    threads = str(max(1, limits.threads))
    env = {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "HOME": SCRATCH,
           "PYTHONDONTWRITEBYTECODE": "1"}
    tmpfs_flags = "nosuid,nodev"
    # RLIMIT_NPROC counts per uid across the host (no user namespace): pids_limit caps forks instead.
    # RLIMIT_DATA makes a big allocation fail at once (MemoryError: MLE) where the cgroup alone would
    # first squeeze the page cache (slow: a TLE); CPU only, as CUDA maps large private regions.
    rlimits = [("cpu", limits.cpu_seconds), ("core", 0), ("nofile", 512), ("fsize", limits.scratch_bytes)]
    if spec.gpus is None:
        rlimits.append(("data", limits.memory_bytes))
    options: dict[str, Any] = {
        "image": image,
        "stdin_open": True,
        "user": USER,
        "working_dir": SCRATCH,
        "environment": env,
        "labels": _labels(),
        "network_mode": "none",
        "read_only": True,
        "tmpfs": {
            SCRATCH: f"size={limits.scratch_bytes},mode=0700,uid=10001,gid=10001,{tmpfs_flags}",
            "/tmp": f"size={limits.scratch_bytes},mode=1777,{tmpfs_flags}",
        },
        "volumes": {str(mount_dir): {"bind": MOUNT, "mode": "ro"},
                    # the judge's own harness over the image's copy: both ends of the wire always match
                    HARNESS_DIR: {"bind": "/opt/mlj/harness", "mode": "ro"}},
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "pids_limit": limits.pids,
        "mem_limit": limits.memory_bytes,
        "memswap_limit": limits.memory_bytes,
        "nano_cpus": max(1, limits.threads) * 10**9,
        "ipc_mode": "private",
        "ulimits": [docker.types.Ulimit(name=n, soft=v, hard=v) for n, v in rlimits],
        "auto_remove": False,
    }
    if spec.cpus:
        options["cpuset_cpus"] = ",".join(str(cpu) for cpu in spec.cpus)
    if spec.gpus is not None:
        if not gpus_available:
            raise GpuUnavailable(f"GPUs were requested (--gpus {spec.gpus}) but this Docker engine cannot pass "
                                 f"them through (no 'nvidia' runtime, no nvidia-container-toolkit): {GPU_HINT}")
        count, ids = parse_gpus(spec.gpus)
        options["device_requests"] = [docker.types.DeviceRequest(
            count=count if not ids else 0, device_ids=ids, capabilities=[["gpu"]])]
        env["NVIDIA_VISIBLE_DEVICES"] = "all" if count == -1 else ",".join(ids or map(str, range(count)))
        env["NVIDIA_DRIVER_CAPABILITIES"] = "compute,utility"
    return options


# -- the registry of live containers ---------------------------------------------

# container id -> (api, host mount dir, what stops our reading of its stream)
_live: dict[str, tuple[docker.APIClient, str | None, Callable[[], None] | None]] = {}
_live_lock = threading.RLock()  # a signal handler may take it inside a holder
_previous_handlers: dict[int, Any] = {}


def _remove(api: docker.APIClient, cid: str, mount_dir: str | None) -> None:
    """Remove a container (killing it) and its host folder; it stays registered if the engine fails."""
    try:
        api.remove_container(cid, force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        if "already in progress" not in str(exc):
            return
    except requests.RequestException:
        return
    with _live_lock:
        _live.pop(cid, None)
    if mount_dir:
        shutil.rmtree(mount_dir, ignore_errors=True)


def remove_all() -> None:
    """Remove every container this judge started that is still around."""
    with _live_lock:
        entries = list(_live.items())
    for cid, (api, mount_dir, detach) in entries:
        with contextlib.suppress(Exception):
            if detach is not None:
                detach()
            _remove(api, cid, mount_dir)


def _on_signal(signum: int, frame: Any) -> None:
    remove_all()
    previous = _previous_handlers.get(signum)
    if callable(previous):
        previous(signum, frame)
    elif previous != signal.SIG_IGN:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


_atexit_done = False


def _install_cleanup() -> None:
    """atexit once; the signal handlers once, from the main thread (the only one allowed to)."""
    global _atexit_done
    if not _atexit_done:
        _atexit_done = True
        atexit.register(remove_all)
    if _previous_handlers or threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        _previous_handlers[signum] = signal.getsignal(signum)
        signal.signal(signum, _on_signal)


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (tells a reused pid apart), or ''."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return ""


def _judge_alive(labels: dict[str, str]) -> bool:
    try:
        pid = int(labels.get(PID_LABEL, ""))
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        pass
    started = labels.get(START_LABEL, "")
    return not started or started == _start_time(pid) or not _start_time(pid)


def cleanup_leftovers(client: docker.DockerClient | None = None) -> list[str]:
    """Remove mlj worker containers whose judge is dead; return their ids.

    Only containers started on this host and in this PID namespace are judged (elsewhere a pid means
    nothing here); a judge is dead when its pid is gone or now belongs to a process started later."""
    client = client or docker.from_env(timeout=30)
    removed = []
    here = (socket.gethostname(), _pid_namespace())
    for container in client.api.containers(all=True, filters={"label": f"{LABEL}=1"}):  # one request
        labels = container.get("Labels") or {}
        if (labels.get(HOST_LABEL), labels.get(PIDNS_LABEL)) != here or _judge_alive(labels):
            continue
        mounts = [m.get("Source", "") for m in container.get("Mounts") or []]
        mount = next((m for m in mounts if os.path.basename(m).startswith("mlj-docker-")), None)
        _remove(client.api, container["Id"], mount)
        removed.append(container["Id"])
    return removed


# -- the worker --------------------------------------------------------------------

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
        self.support_paths: list[str] = []
        self._status: ExitStatus | None = None
        self._gone = False
        self._lock = threading.Lock()
        self._pump = threading.Thread(target=_demux, args=(self._sock, write_fd, log), name="mlj-docker",
                                      daemon=True)
        self._pump.start()
        self._starter: threading.Thread | None = None
        self._start_error: BaseException | None = None
        self.on_gone: Callable[[], None] | None = None

    def assign(self, spec: WorkerSpec) -> None:
        """Put the submission and its support files where the worker will import them from."""
        files = [(spec.submission, f"{spec.module_name}.py"), *((p, p.name) for p in spec.support_files)]
        for source, name in files:
            shutil.copyfile(source, os.path.join(self.mount_dir, name))
            os.chmod(os.path.join(self.mount_dir, name), 0o644)
        self.submission_path = f"{MOUNT}/{files[0][1]}"
        self.support_paths = [f"{MOUNT}/{name}" for _, name in files[1:]]

    def launch(self, start: Callable[[], Any]) -> None:
        """Run ``start`` (the engine's container start, ~0.3 s) on a thread: the judge goes on meanwhile."""

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
        """What a broken channel means: the judge's fault if the container never started."""
        self._started()
        if self._start_error is None:
            return exc
        from harness.proxy import JudgeFault  # a JE, never blamed on the submission

        return JudgeFault(f"the Docker engine could not start the worker container: {self._start_error}")

    def recv_exact(self, n: int, deadline: float) -> bytes:
        try:
            return super().recv_exact(n, deadline)
        except WorkerGone as exc:
            raise self._lost(exc) from None

    def send(self, data: bytes) -> None:
        try:
            self._sock.sendall(data)
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
        _remove(self.api, self.id, self.mount_dir)
        with contextlib.suppress(OSError):
            self._sock_io.close()
        with contextlib.suppress(OSError):
            self._sock.close()
        self._pump.join(timeout=5)
        if self.on_gone is not None:
            self.on_gone()


# -- the sandbox ---------------------------------------------------------------------

def _image_name(image: str | None) -> str:
    return image or os.environ.get("MLJ_IMAGE") or DEFAULT_IMAGE


def unavailable_reason(image: str | None = None) -> str | None:
    """None when an engine answers (within ~2 s) and has the runner image; else a short reason."""
    image = _image_name(image)
    try:
        client = docker.from_env(timeout=2)
    except docker.errors.DockerException as exc:
        return f"no Docker engine answers ({str(exc).splitlines()[0][:200]})"
    try:
        client.api.inspect_image(image)
    except docker.errors.ImageNotFound:
        return f"the runner image {image} is missing ({IMAGE_HINT})"
    except (docker.errors.DockerException, requests.RequestException) as exc:
        return f"the Docker engine does not answer ({str(exc).splitlines()[0][:200]})"
    finally:
        client.close()
    return None


def gpus_available(client: docker.DockerClient) -> bool:
    """Whether this engine can pass NVIDIA GPUs through (an nvidia runtime, or the toolkit's hook and a GPU)."""
    try:
        if "nvidia" in (client.info().get("Runtimes") or {}):
            return True
    except (docker.errors.DockerException, requests.RequestException):
        return False
    return bool(shutil.which("nvidia-container-runtime-hook") and shutil.which("nvidia-smi"))


class DockerSandbox(Sandbox):
    name = "docker"

    def __init__(self, client: docker.DockerClient, image: str, *, spare_idle: float | None = SPARE_IDLE) -> None:
        self.client = client
        self.api: docker.APIClient = client.api
        self.image = image
        self.spare_idle = spare_idle  # seconds a spare outlives the last worker; None: until close()
        self._idle: threading.Timer | None = None
        self._gpus: bool | None = None
        self._workers: set[DockerWorker] = set()
        self._spare: tuple[dict[str, Any], DockerWorker] | None = None
        self._started_any = False
        self._lock = threading.RLock()
        _install_cleanup()

    @classmethod
    def connect(cls, image: str | None = None, *, spare_idle: float | None = SPARE_IDLE) -> DockerSandbox:
        """A sandbox on the local engine with ``image`` (default $MLJ_IMAGE or mlj-runner:latest).

        ``spare_idle``: how long the spare container (see ``start``) may wait once no worker is left
        (between two gradings, say); a server that grades now and then may pass None (kept until close)."""
        image = _image_name(image)
        try:
            client = docker.from_env(timeout=120)
            client.ping()
        except docker.errors.DockerException as exc:
            raise DockerUnavailable(
                f"no Docker engine answers ({exc}); start one (`sudo scripts/docker-setup.sh`) "
                "or use --sandbox process") from exc
        try:
            client.api.inspect_image(image)
        except docker.errors.ImageNotFound:
            raise DockerUnavailable(f"the runner image {image} is not in the Docker engine: {IMAGE_HINT}") from None
        with contextlib.suppress(docker.errors.DockerException, requests.RequestException):
            cleanup_leftovers(client)
        return cls(client, image, spare_idle=spare_idle)

    def start(self, spec: WorkerSpec) -> DockerWorker:
        """A worker for ``spec``: the spare container if one matches, else a new one (its engine start runs
        on a thread). From the second worker on, one spare with the same limits is kept booting, so a
        replacement (after a TLE or crash) or the next grading finds torch already imported."""
        if spec.gpus is not None and self._gpus is None:
            self._gpus = gpus_available(self.client)
        options = container_options(spec, image=self.image, mount_dir="", gpus_available=bool(self._gpus))
        key = {k: v for k, v in options.items() if k not in ("volumes", "labels")}
        with self._lock:
            if self._idle is not None:
                self._idle.cancel()
            spare, self._spare = self._spare, None
            worker = None
            if spare is not None and spare[0] == key and spare[1].usable():
                worker = spare[1]
            elif spare is not None:
                spare[1].kill()
            if worker is None:
                worker = self._boot(spec)
            try:
                worker.assign(spec)
            except BaseException:
                worker.kill()
                raise
            if self._started_any:
                with contextlib.suppress(docker.errors.DockerException, requests.RequestException, OSError):
                    self._spare = (key, self._boot(spec))
            self._started_any = True
            self._workers = {w for w in self._workers if not w._gone} | {worker}
            worker.on_gone = self._worker_gone
            return worker

    def _worker_gone(self) -> None:
        """Once no worker is left, the spare may wait ``spare_idle`` seconds for the next one."""
        with self._lock:
            spare = self._spare[1] if self._spare else None
            if spare is None or self.spare_idle is None or any(
                    not w._gone for w in self._workers if w is not spare):
                return
            if self._idle is not None:
                self._idle.cancel()
            self._idle = threading.Timer(self.spare_idle, self.drop_spare)
            self._idle.daemon = True
            self._idle.start()

    def _boot(self, spec: WorkerSpec) -> DockerWorker:
        """Create and attach a container with an empty submission folder; start it on a thread."""
        mount_dir = tempfile.mkdtemp(prefix="mlj-docker-")
        cid = None
        try:
            os.chmod(mount_dir, 0o755)
            options = container_options(spec, image=self.image, mount_dir=mount_dir,
                                        gpus_available=bool(self._gpus))
            cid = self.client.containers.create(**options).id
            with _live_lock:
                _live[cid] = (self.api, mount_dir, None)
            sock = self.api.attach_socket(cid, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            worker = DockerWorker(self.api, cid, sock, mount_dir, LogBuffer(spec.limits.log_bytes))
            with _live_lock:
                _live[cid] = (self.api, mount_dir, worker.detach)
        except BaseException:
            if cid is not None:
                _remove(self.api, cid, mount_dir)
            shutil.rmtree(mount_dir, ignore_errors=True)
            raise
        worker.launch(lambda: self.api.start(cid))
        self._workers.add(worker)
        return worker

    def describe(self) -> str:
        return ("docker: one container per worker; no network, read-only root, tmpfs scratch, uid 10001, "
                "no capabilities, no-new-privileges, pids/memory+swap/CPU limits, private IPC, submission "
                f"mounted read-only; shares the host kernel (image {self.image})")

    def warm_up(self) -> None:
        """For a judge that will start many workers (batch mode, the server): keep a spare from the first."""
        self._started_any = True

    def drop_spare(self) -> None:
        """Remove the spare container, if any (an idle server may call this)."""
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare[1].kill()

    def close(self) -> None:
        with self._lock:
            if self._idle is not None:
                self._idle.cancel()
            workers, self._workers = list(self._workers), set()
        self.drop_spare()
        for worker in workers:
            worker.kill()
        self.client.close()
