"""The same board on PostgreSQL: a throwaway cluster (initdb + pg_ctl) and a real server on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_helpers import REFERENCE, STUB, Server, free_port

from tests.conftest import unavailable

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _bindir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A fresh cluster on a free port (as the postgres user when we are root); the URL of a new database."""
    bindir = _bindir()
    if bindir is None:
        unavailable("no PostgreSQL binaries (apt-get install -y postgresql)")
    import psycopg

    base = Path(tempfile.mkdtemp(prefix="mlj-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres", "postgres")
    data, port = base / "data", free_port()
    try:
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "mlj", "--auth=trust",
                        "--no-sync", "--no-locale", "-E", "UTF8"], check=True, capture_output=True)
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "postgres.log"), "-w",
                        "-t", "60", "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off",
                        "start"], check=True, capture_output=True)
        with psycopg.connect(f"host=127.0.0.1 port={port} user=mlj dbname=postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE mlj_board")
        yield f"postgresql+psycopg://mlj@127.0.0.1:{port}/mlj_board"
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"{exc.cmd[len(as_user)]} failed: {exc.stderr.decode(errors='replace')}")
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_two_users_ranked_on_postgres(postgres: str, tmp_path: Path) -> None:
    import psycopg

    server = Server(tmp_path, postgres, workers=2)
    server.start()
    try:
        alice, bob = server.add_user("alice"), server.add_user("bob")
        # bob submits first: the ranking follows the score, not the order of submission
        ids = [server.submit(bob, STUB.read_text()), server.submit(alice, REFERENCE.read_text())]
        graded = server.wait_done(*ids)
        assert [(s["user"], s["status"], s["verdict"]) for s in graded] == [("bob", "done", "RE"),
                                                                          ("alice", "done", "AC")]
        rows = server.api("GET", "/api/leaderboard").json()["rows"]
        assert [(r["rank"], r["user"], r["total"]) for r in rows] == [(1, "alice", 20.0), (2, "bob", 0.0)]
        assert server.api("GET", f"/api/submissions/{ids[1]}/code", bob).status_code == 403
        assert server.api("GET", f"/api/submissions/{ids[1]}/code", alice).text == REFERENCE.read_text()
    finally:
        server.close()
    with psycopg.connect(postgres.replace("postgresql+psycopg", "postgresql")) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0004",)
        stored = conn.execute("SELECT status, verdict, length(result_json) > 0 FROM submissions ORDER BY id").fetchall()
        assert stored == [("done", "RE", True), ("done", "AC", True)]
