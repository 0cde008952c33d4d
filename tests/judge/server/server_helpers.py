"""Helpers for the leaderboard server tests: real `mlj serve` processes on free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
from click.testing import CliRunner

from judge import ROOT

CHALLENGE = "softmax-cross-entropy"
REFERENCE = ROOT / "reference" / "softmax_cross_entropy.py"  # AC
STUB = ROOT / "challenges" / CHALLENGE / "stub.py"  # not AC (RE)
FINISHED = ("done", "error")


def slowed(code: str, *, at_import: float = 4, first_call: float = 6) -> str:
    """``code`` (softmax-cross-entropy) that sleeps at import and in its first log_softmax call, within the
    import limit and the wall-clock cap: a grading that cannot be over before a test acts on it mid-way."""
    return code + (f"\n\nimport time as _time\n\n_time.sleep({at_import})\n_first = [True]\n"
                   "_log_softmax = log_softmax\n\n\ndef log_softmax(*args, **kwargs):\n    if _first:\n"
                   f"        _first.clear()\n        _time.sleep({first_call})\n"
                   "    return _log_softmax(*args, **kwargs)\n")


def grading_pid(log: Path, submission_id: int) -> int | None:
    """The grading process of ``submission_id``, as the server's (or a worker's) log names it."""
    import re

    found = re.findall(rf"grading submission-{submission_id}\.py in process (\d+)", log.read_text())
    return int(found[-1]) if found else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mlj_group() -> click.Group:
    """The `mlj` commands these tests need: `submit` and the server's, as cli.py wires them."""
    import cli

    group = click.Group("mlj")
    for command in (cli.submit, cli.serve, cli.admin_group, cli.login, cli.logout, cli.whoami, cli.leaderboard):
        group.add_command(command)
    return group


def run_mlj(*args: str, config: Path | None = None, env: dict[str, str] | None = None) -> Any:
    """Run an `mlj` command in-process; ``config`` is the person's XDG_CONFIG_HOME."""
    env = dict(env or {})
    if config is not None:
        env["XDG_CONFIG_HOME"] = str(config)
    env.setdefault("MLJ_TOKEN", "")
    return CliRunner().invoke(mlj_group(), list(args), env=env, catch_exceptions=False)


class Server:
    """`python -m cli serve` (what `mlj serve` runs) in its own process group."""

    def __init__(self, workdir: Path, db: str | None, *, workers: int = 2, rate_limit: int = 10,
                 extra: tuple[str, ...] = (), env: dict[str, str] | None = None) -> None:
        """``db`` None: no --db, so the default ./.mlj/server.db under ``workdir``; ``extra``: more options."""
        self.workdir, self.workers, self.rate_limit = workdir, workers, rate_limit
        self.extra, self.env = list(extra), dict(env or {})
        self.db_flag = [] if db is None else ["--db", db]
        self.db = db or str(workdir / ".mlj" / "server.db")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "server.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        cmd = [sys.executable, "-m", "cli", "serve", *self.db_flag, "--port", str(self.port),
               "--sandbox", "process", "--workers", str(self.workers), "--rate-limit", str(self.rate_limit),
               *self.extra]
        if "--sandbox" in self.extra:  # the test chose another backend
            cmd[cmd.index("--sandbox"):cmd.index("--sandbox") + 2] = []
        with self.log.open("a") as log:
            env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
            self.proc = subprocess.Popen(cmd, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"the server exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill()
        pytest.fail(f"the server did not answer within {timeout}s:\n{self.log.read_text()}")

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, as a service manager would; the exit status."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self.kill()

    def close(self) -> None:
        """Teardown: a clean stop if it still runs, then nothing left behind."""
        if self.proc is not None and self.proc.poll() is None:
            self.stop()
        self.kill()

    def kill(self) -> None:
        """Kill the server and everything left in its process group."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)

    def add_user(self, name: str, *, admin: bool = False) -> str:
        result = run_mlj("admin", "add-user", name, "--db", self.db, *(["--admin"] if admin else []))
        assert result.exit_code == 0, result.output
        return result.stdout.strip()

    def api(self, method: str, path: str, token: str | None = None, *, headers: dict[str, str] | None = None,
            **kwargs: Any) -> httpx.Response:
        headers = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        return httpx.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def browser_post(self, path: str, form: dict[str, str], cookies: dict[str, str] | None = None) -> httpx.Response:
        """A form POST as this site's own page sends it: its Origin, its CSRF cookie and field."""
        csrf = "t" * 32
        return self.api("POST", path, data={**form, "csrf": csrf}, headers={"Origin": self.url},
                        cookies={**(cookies or {}), "mlj_csrf": csrf})

    def submit(self, token: str, code: str, challenge: str = CHALLENGE) -> int:
        response = self.api("POST", "/api/submissions", token, json={"challenge": challenge, "code": code})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def wait_done(self, *ids: int, timeout: float = 240) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            found = [self.api("GET", f"/api/submissions/{i}").json() for i in ids]
            if all(s["status"] in FINISHED for s in found):
                return found
            if time.monotonic() > deadline:
                pytest.fail(f"not graded within {timeout}s: {found}\n{self.log.read_text()[-3000:]}")
            time.sleep(0.3)


class Board:
    """The shared SQLite server: alice (reference, AC), bob (stub, not AC), carol, and an admin."""

    def __init__(self, server: Server, home: Path) -> None:
        self.server = server
        self.tokens = {name: server.add_user(name) for name in ("alice", "bob", "carol")}
        self.tokens["root"] = server.add_user("root", admin=True)
        self.config = {name: home / name for name in self.tokens}
        self.outputs: dict[str, Any] = {}
        self.ids: dict[str, int] = {}
