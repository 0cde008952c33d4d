"""Helpers for the scale-out tests: a real `redis-server` and real `mlj worker` processes on loopback."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from server_helpers import free_port

from judge import ROOT
from tests.conftest import unavailable


class Redis:
    """`redis-server` on a free loopback port, without persistence (a restart loses what it held)."""

    def __init__(self, workdir: Path) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            unavailable("no redis-server (apt-get install -y redis-server)")
        self.workdir, self.port = workdir, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        """Start it (again, on the same port: empty, as after a crash)."""
        import redis

        log = (self.workdir / "redis.log").open("a")
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.workdir)],
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        pytest.fail("redis-server did not answer")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Worker:
    """`python -m cli worker` (what `mlj worker` runs) in its own process group."""

    def __init__(self, workdir: Path, name: str, *, broker: str, db: str, lease: float = 6,
                 extra: tuple[str, ...] = ()) -> None:
        self.workdir, self.name = workdir, name
        self.cmd = [sys.executable, "-m", "cli", "worker", "--broker", broker, "--db", db, "--sandbox", "process",
                    "--concurrency", "1", "--lease-seconds", str(lease), *extra]
        self.log = workdir / f"worker-{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 240) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0  # a restart appends to the same log
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(self.cmd, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + timeout
        while "ready." not in self.log.read_text()[offset:]:
            if self.proc.poll() is not None:
                pytest.fail(f"worker {self.name} exited with {self.proc.returncode}:\n{self.log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"worker {self.name} not ready within {timeout}s:\n{self.log.read_text()}")
            time.sleep(0.3)

    @property
    def id_prefix(self) -> str:
        """The lanes' ids start with this (``host/pid/token/``), as the worker printed it."""
        found = re.findall(r"mlj worker (\S+): queue", self.log.read_text())
        assert found, self.log.read_text()
        return found[-1] + "/"  # the latest start

    def graded(self) -> list[int]:
        """The submissions this worker started grading, in order (``grading #N`` lines)."""
        return [int(n) for n in re.findall(r"grading #(\d+) ", self.log.read_text())]

    def stop(self, timeout: float = 120) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the worker's whole process group: the worker, its grading processes, their sandboxes."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)
