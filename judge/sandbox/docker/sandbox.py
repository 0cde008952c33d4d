"""``DockerSandbox``: the docker backend, one container of the runner image per worker.

A container imports torch in about the time the host does, so from its second
worker on a sandbox keeps one *spare* container booting with the same limits,
its submission folder still empty: the next worker (a replacement after a TLE
or crash, or the next grading) is ready at once. The spare is removed
``spare_idle`` seconds after the last worker ends, and by ``close()``.

The submission's host folder is bind-mounted, so the engine must run on this machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from typing import Any

from judge.sandbox.base import DEFAULT_IMAGE, LogBuffer, Sandbox, WorkerSpec

try:  # ask for a submodule: the repo's own docker/ folder passes for a bare `import docker`
    import docker.errors
    import requests
except ImportError as exc:  # the class still exists, so that unavailable() can say so
    _NO_SDK: str | None = f"the docker SDK is not importable ({exc})"
else:
    _NO_SDK = None
    from judge.sandbox.docker.options import container_options
    from judge.sandbox.docker.registry import CONTAINERS, MOUNT_PREFIX
    from judge.sandbox.docker.worker import DockerWorker

SPARE_IDLE = 5.0  # seconds; see DockerSandbox.start
IMAGE_HINT = "run `mlj image build --base-image ...` (e.g. --base-image mlj-base:bookworm, offline)"


class DockerUnavailable(RuntimeError):
    """No engine answers, or the runner image is missing; the message says what to do."""


def _image_name(image: str | None) -> str:
    return image or os.environ.get("MLJ_IMAGE") or DEFAULT_IMAGE


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
        # seconds the spare (see ``start``) may wait once no worker is left (between two gradings, say);
        # None: until close(), for a server that grades now and then
        self.spare_idle = spare_idle
        self._idle: threading.Timer | None = None
        self._gpus: bool | None = None
        self._workers: set[DockerWorker] = set()
        self._spare: tuple[dict[str, Any], DockerWorker] | None = None
        self._started_any = False
        self._lock = threading.RLock()

    @classmethod
    def unavailable(cls, *, image: str | None = None) -> str | None:
        """None when an engine answers (within ~2 s) and has the runner image; else a short reason."""
        if _NO_SDK is not None:
            return _NO_SDK
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

    @classmethod
    def open(cls, *, image: str | None = None) -> DockerSandbox:
        """A sandbox on the local engine with ``image`` (default $MLJ_IMAGE or mlj-runner:latest); removes
        the containers that judges which died left behind."""
        if _NO_SDK is not None:
            raise DockerUnavailable(f"{_NO_SDK}; install it (`pip install docker`) or use --sandbox process")
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
            CONTAINERS.cleanup_leftovers(client)
        return cls(client, image)

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
        mount_dir = tempfile.mkdtemp(prefix=MOUNT_PREFIX)
        cid = None
        try:
            os.chmod(mount_dir, 0o755)
            options = container_options(spec, image=self.image, mount_dir=mount_dir,
                                        gpus_available=bool(self._gpus))
            cid = self.client.containers.create(**options).id
            CONTAINERS.track(self.api, cid, mount_dir)
            sock = self.api.attach_socket(cid, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
            worker = DockerWorker(self.api, cid, sock, mount_dir, LogBuffer(spec.limits.log_bytes))
            CONTAINERS.track(self.api, cid, mount_dir, worker.detach)
        except BaseException:
            if cid is not None:
                CONTAINERS.remove(self.api, cid, mount_dir)
            shutil.rmtree(mount_dir, ignore_errors=True)
            raise
        worker.launch(lambda: self.api.start(cid))
        self._workers.add(worker)
        return worker

    def prepare(self, *, spare: bool = False) -> None:
        """Nothing to start ahead of a worker here; with ``spare`` (a judge that will start many workers:
        batch mode, the server) keep a spare from the first worker on."""
        if spare:
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
