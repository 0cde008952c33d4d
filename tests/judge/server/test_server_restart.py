"""Nothing is lost: a stop with submissions pending, a restart, a grading process killed mid-way."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_helpers import CHALLENGE, REFERENCE, STUB, Server, grading_pid, run_mlj, slowed

pytestmark = pytest.mark.slow
XSS = "# </pre><script>alert(1)</script>\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("restart")
    server = Server(work, str(work / "server.db"), workers=2, rate_limit=2)
    server.start()
    yield server
    server.close()


def _statuses(db: str) -> list[str]:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("SELECT status FROM submissions ORDER BY id")]


def test_rate_limit_then_stop_and_restart_grades_everything(server: Server, tmp_path: Path) -> None:
    token = server.add_user("dave")
    assert run_mlj("login", "--server", server.url, "--token", token, config=tmp_path).exit_code == 0
    # each grading takes 4 s to import and sleeps 6 s in its first call (within the import limit and the
    # wall-clock cap), so neither can be done before the stop below, however fast the machine
    ids = [server.submit(token, slowed(REFERENCE.read_text())), server.submit(token, slowed(XSS + STUB.read_text()))]
    refused = server.api("POST", "/api/submissions", token, json={"challenge": CHALLENGE, "code": "x = 1\n"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert "at most 2 per minute" in refused.json()["detail"]
    cli = run_mlj("submit", CHALLENGE, str(REFERENCE), "--server", server.url, config=tmp_path)
    assert cli.exit_code == 2 and "rate limited" in cli.output and "Retry-After" in cli.output

    started = time.monotonic()
    assert server.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after a clean shutdown
    assert time.monotonic() - started < 20 and "Application shutdown complete" in server.log.read_text()
    assert set(_statuses(server.db)) <= {"queued", "running"} and len(_statuses(server.db)) == 2

    server.start()
    graded = server.wait_done(*ids)
    assert [(s["status"], s["verdict"]) for s in graded] == [("done", "AC"), ("done", "RE")]
    assert "re-queued 2 submission(s)" in server.log.read_text()
    page = server.api("GET", f"/submissions/{ids[1]}", cookies={"mlj_token": token}).text
    assert "<script>alert(1)</script>" not in page and "# &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_crashed_grading_is_a_judge_error_and_the_others_go_on(server: Server) -> None:
    if server.proc is None or server.proc.poll() is not None:
        server.start()
    # two members: one member holds at most half of the slots (schedule.per_member_slots)
    ids = [server.submit(server.add_user(name), slowed(REFERENCE.read_text())) for name in ("erin", "frank")]
    deadline = time.monotonic() + 180
    while True:  # both running, each in its own grading process
        states = [server.api("GET", f"/api/submissions/{i}").json()["status"] for i in ids]
        busy = [grading_pid(server.log, i) for i in ids]
        if states == ["running", "running"] and all(busy):
            break
        assert time.monotonic() < deadline, f"never both running: {states}"
        time.sleep(0.2)
    os.kill(busy[0], signal.SIGKILL)

    graded = sorted(server.wait_done(*ids), key=lambda s: s["status"])
    assert [(s["status"], s["verdict"]) for s in graded] == [("done", "AC"), ("error", "JE")]
    assert "the grading process died (killed by SIGKILL)" in graded[1]["message"]
    board = server.api("GET", f"/api/challenges/{CHALLENGE}/leaderboard").json()["rows"]
    assert {r["user"]: r["submission_id"] for r in board}[graded[0]["user"]] == graded[0]["id"]
    assert graded[1]["user"] not in {r["user"] for r in board}  # the JE does not count
