"""The containers this judge started and has not removed yet: ``CONTAINERS``, the one registry.

Every container is labelled with who started it (``owner_labels``), tracked
from its creation, and removed by its worker's ``kill()``, by
``DockerSandbox.close()``, at exit and on SIGINT/SIGTERM (the handlers then
chain to the previous ones). ``cleanup_leftovers()`` removes the containers of
judges that died without a chance to (SIGKILL, power loss).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import threading
from collections.abc import Callable
from typing import Any

import docker
import requests

from judge.sandbox.procfs import stat_fields

LABEL = "mlj.worker"
PID_LABEL = "mlj.judge-pid"
HOST_LABEL = "mlj.judge-host"
START_LABEL = "mlj.judge-start"
PIDNS_LABEL = "mlj.judge-pidns"
MOUNT_PREFIX = "mlj-docker-"  # of a container's host folder: how cleanup_leftovers knows which mount is ours


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (tells a reused pid apart), or ''."""
    fields = stat_fields(pid)
    return fields[19].decode() if fields is not None and len(fields) > 19 else ""


def owner_labels() -> dict[str, str]:
    """Who starts the container: enough to tell, later, whether that judge is still alive."""
    return {LABEL: "1", PID_LABEL: str(os.getpid()), HOST_LABEL: socket.gethostname(),
            PIDNS_LABEL: _pid_namespace(), START_LABEL: _start_time(os.getpid())}


class ContainerRegistry:
    """Live containers by id, each with its engine, its host folder and what stops our reading of its stream."""

    def __init__(self) -> None:
        self._live: dict[str, tuple[docker.APIClient, str | None, Callable[[], None] | None]] = {}
        self._lock = threading.RLock()  # a signal handler may take it inside a holder
        self._previous_handlers: dict[int, Any] = {}
        self._atexit_done = False

    def track(self, api: docker.APIClient, cid: str, mount_dir: str | None,
              detach: Callable[[], None] | None = None) -> None:
        """Remember a container (again, to add its ``detach``) until it is removed."""
        with self._lock:
            self._live[cid] = (api, mount_dir, detach)
        self._install_cleanup()

    def remove(self, api: docker.APIClient, cid: str, mount_dir: str | None) -> None:
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
        with self._lock:
            self._live.pop(cid, None)
        if mount_dir:
            shutil.rmtree(mount_dir, ignore_errors=True)

    def remove_all(self) -> None:
        """Remove every container this judge started that is still around."""
        with self._lock:
            entries = list(self._live.items())
        for cid, (api, mount_dir, detach) in entries:
            with contextlib.suppress(Exception):
                if detach is not None:
                    detach()
                self.remove(api, cid, mount_dir)

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.remove_all()
        previous = self._previous_handlers.get(signum)
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    def _install_cleanup(self) -> None:
        """atexit once; the signal handlers once, from the main thread (the only one allowed to: a first
        container tracked on another thread leaves them to the next one tracked on the main thread)."""
        if not self._atexit_done:
            self._atexit_done = True
            atexit.register(self.remove_all)
        if self._previous_handlers or threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous_handlers[signum] = signal.getsignal(signum)
            signal.signal(signum, self._on_signal)

    @staticmethod
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

    def cleanup_leftovers(self, client: docker.DockerClient | None = None) -> list[str]:
        """Remove mlj worker containers whose judge is dead; return their ids.

        Only containers started on this host and in this PID namespace are judged (elsewhere a pid means
        nothing here); a judge is dead when its pid is gone or now belongs to a process started later."""
        client = client or docker.from_env(timeout=30)
        removed = []
        here = (socket.gethostname(), _pid_namespace())
        for container in client.api.containers(all=True, filters={"label": f"{LABEL}=1"}):  # one request
            labels = container.get("Labels") or {}
            if (labels.get(HOST_LABEL), labels.get(PIDNS_LABEL)) != here or self._judge_alive(labels):
                continue
            mounts = [m.get("Source", "") for m in container.get("Mounts") or []]
            mount = next((m for m in mounts if os.path.basename(m).startswith(MOUNT_PREFIX)), None)
            self.remove(client.api, container["Id"], mount)
            removed.append(container["Id"])
        return removed


CONTAINERS = ContainerRegistry()
