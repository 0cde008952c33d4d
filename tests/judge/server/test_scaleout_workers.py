"""The scale-out for real: redis-server, PostgreSQL, `mlj serve --broker` and two `mlj worker`s on loopback.

Each test asserts on the database rows (attempts, who held the lease), the
workers' logs (who graded what) and the board, so "exactly once" means: one
claim per submission, one result, whichever worker and however delivered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scaleout_helpers import Redis, Worker
from server_helpers import CHALLENGE, REFERENCE, STUB, Server, slowed
from test_server_postgres import postgres  # noqa: F401 - the throwaway PostgreSQL cluster, as a fixture

from judge import ROOT
from judge.server.tasks import TASK, longest_grading, make_app

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


class Scaled:
    """The board: one server (no local slots), workers a and b, and what the tests learned on the way."""

    def __init__(self, work: Path, db: str) -> None:
        self.db = db
        self.redis = Redis(work)
        self.redis.start()
        self.server = Server(work, db, extra=("--broker", self.redis.url))
        self.workers = {name: Worker(work, name, broker=self.redis.url, db=db) for name in ("a", "b")}
        self.finished: list[int] = []

    def rows(self, *ids: int) -> dict[int, tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.db.replace("postgresql+psycopg", "postgresql")) as conn:
            found = conn.execute("SELECT id, status, verdict, score, attempts, lease_worker, finished_at, "
                                 "result_json FROM submissions WHERE id = ANY(%s) ORDER BY id", (list(ids),))
            return {row[0]: row[1:] for row in found}

    def close(self) -> None:
        for worker in self.workers.values():
            worker.kill()
        self.server.close()
        self.redis.stop()


@pytest.fixture(scope="module")
def board(postgres: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scaled]:  # noqa: F811
    board = Scaled(tmp_path_factory.mktemp("scaleout"), postgres)
    try:
        board.server.start(timeout=240)
        for worker in board.workers.values():
            worker.start()
        yield board
    finally:
        board.close()


def _wait_for(what: str, check: Any, timeout: float = 240) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.3)
    return found


def test_the_running_workers_take_json_only(board: Scaled) -> None:
    """Asked over the broker, each running worker reports the delivery settings it runs with."""
    confs = make_app(board.redis.url).control.inspect(timeout=10).conf() or {}
    assert len(confs) == 2, confs
    for conf in confs.values():
        assert conf["accept_content"] == ["json"] and conf["task_serializer"] == "json"
        assert conf["worker_prefetch_multiplier"] == 1
        assert conf["task_acks_late"] is True and conf["task_reject_on_worker_lost"] is True
        assert conf["broker_transport_options"]["visibility_timeout"] >= 4 * longest_grading()



def test_the_admin_page_lists_the_workers(board: Scaled) -> None:
    token = board.server.add_user("root", admin=True)
    page = board.server.api("GET", "/admin", cookies={"mlj_token": token})
    assert page.status_code == 200
    for worker in board.workers.values():
        assert f"<td>{worker.id_prefix}0</td>" in page.text
    assert page.text.count("idle</td>") == 2


def test_submissions_across_two_workers_are_graded_exactly_once(board: Scaled) -> None:
    users = {name: board.server.add_user(name) for name in ("carol", "dave", "erin")}
    expected: dict[int, str] = {}
    for token in users.values():
        expected[board.server.submit(token, REFERENCE.read_text())] = "AC"
        expected[board.server.submit(token, STUB.read_text())] = "RE"
    graded = board.server.wait_done(*expected, timeout=600)
    assert {s["id"]: (s["status"], s["verdict"]) for s in graded} == {i: ("done", v) for i, v in expected.items()}
    rows = board.rows(*expected)
    assert {i: row[3] for i, row in rows.items()} == dict.fromkeys(expected, 1)  # one claim each
    by_worker = {name: w.graded() for name, w in board.workers.items()}
    assert sorted(by_worker["a"] + by_worker["b"]) == sorted(expected)  # every one started once, in all
    assert by_worker["a"] and by_worker["b"], by_worker  # both workers took a share
    prefixes = {name: w.id_prefix for name, w in board.workers.items()}
    for name, ids in by_worker.items():
        assert all(rows[i][4].startswith(prefixes[name]) for i in ids)
    totals = {r["user"]: r["total"] for r in board.server.api("GET", "/api/leaderboard").json()["rows"]}
    assert totals == {"carol": 20.0, "dave": 20.0, "erin": 20.0}
    board.finished = sorted(expected)


def test_a_batch_runs_on_the_workers_on_its_seed_at_half_the_lanes_and_off_the_board(board: Scaled,
                                                                                    tmp_path: Path) -> None:
    """`mlj grade DIR --server`: the batch's owner holds one of the two lanes at most, so a member who submits
    while it runs starts before the batch's rest; every result carries the batch's seed; the board stays."""
    import psycopg
    from test_server_batch import SEED

    folder = tmp_path / "subs"
    folder.mkdir()
    for n in range(4):
        (folder / f"s{n}.py").write_text(REFERENCE.read_text())
    teacher = board.server.add_user("teacher", admin=True)
    standings = board.server.api("GET", "/api/leaderboard").json()["rows"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MLJ_TOKEN": teacher, "XDG_CONFIG_HOME": str(tmp_path)}
    batch = subprocess.Popen([sys.executable, "-m", "cli", "grade", CHALLENGE, "subs", "--server", board.server.url,
                              "--seed", str(SEED), "--json-file", "batch.json"], cwd=tmp_path, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    dsn = board.db.replace("postgresql+psycopg", "postgresql")

    def batch_rows() -> list[tuple[Any, ...]]:
        with psycopg.connect(dsn) as conn:
            return conn.execute("SELECT id, status, started_at, finished_at, lease_worker FROM submissions "
                                "WHERE batch_id IS NOT NULL ORDER BY id").fetchall()

    _wait_for("the batch's first grading running", lambda: any(r[1] == "running" for r in batch_rows()))
    member = board.server.submit(board.server.add_user("jill"), REFERENCE.read_text())
    output, _ = batch.communicate(timeout=600)
    assert batch.returncode == 0, output
    (graded,) = board.server.wait_done(member, timeout=300)
    assert graded["verdict"] == "AC"
    report = json.loads((tmp_path / "batch.json").read_text())
    assert [(s["verdict"], s["seed"]) for s in report["submissions"]] == [("AC", SEED)] * 4
    rows = batch_rows()
    spans = sorted((r[2], r[3]) for r in rows)
    assert all(end <= start for (_, end), (start, _) in zip(spans, spans[1:])), spans  # never two at once
    with psycopg.connect(dsn) as conn:
        (member_start,) = conn.execute("SELECT started_at FROM submissions WHERE id = %s", (member,)).fetchone()
    assert member_start < spans[-1][0], (member_start, spans)  # before the batch's last one
    users = {r["user"] for r in board.server.api("GET", "/api/leaderboard").json()["rows"]}
    assert users == {r["user"] for r in standings} | {"jill"}  # the batch is not on it
    board.finished += [r[0] for r in rows] + [member]


def test_a_worker_killed_mid_grading_is_replaced_and_grades_it_once(board: Scaled) -> None:
    before = board.rows(*board.finished)
    sid = board.server.submit(board.server.add_user("frank"), slowed(REFERENCE.read_text()))
    prefixes = {name: w.id_prefix for name, w in board.workers.items()}

    def holder() -> str | None:
        status, *_, worker, _, _ = board.rows(sid)[sid]
        return next((n for n, p in prefixes.items() if status == "running" and (worker or "").startswith(p)), None)

    victim = _wait_for("the submission running on a worker", holder)
    survivor = next(n for n in prefixes if n != victim)
    time.sleep(1)  # in the middle of the grading (it sleeps 4 s at import and 6 s in its first call)
    assert board.rows(sid)[sid][0] == "running"
    board.workers[victim].kill()

    (graded,) = board.server.wait_done(sid, timeout=400)
    assert (graded["status"], graded["verdict"], graded["score"]) == ("done", "AC", 20.0)
    status, verdict, score, attempts, worker, _, _ = board.rows(sid)[sid]
    assert attempts == 2 and worker.startswith(prefixes[survivor])
    assert board.workers[victim].graded().count(sid) == 1 and board.workers[survivor].graded().count(sid) == 1
    assert board.rows(*board.finished) == before  # nothing else changed
    rows = board.server.api("GET", f"/api/challenges/{CHALLENGE}/leaderboard").json()["rows"]
    assert [r["submission_id"] for r in rows if r["user"] == "frank"] == [sid]


def test_a_duplicate_delivery_and_a_pickled_message_change_nothing(board: Scaled) -> None:
    live = [w for w in board.workers.values() if w.proc is not None and w.proc.poll() is None]
    assert live, "no worker left running"
    sid = board.finished[0]
    before, board_before = board.rows(sid), board.server.api("GET", "/api/leaderboard").json()
    app = make_app(board.redis.url)
    app.send_task(TASK, args=[sid], queue="cpu")  # the very message the server sent, again
    _wait_for("the duplicate seen", lambda: any(f"#{sid}: nothing to do" in w.log.read_text() for w in live))
    app.send_task(TASK, args=[sid], queue="cpu", serializer="pickle")
    _wait_for("the pickled message refused",
              lambda: any("Refusing to deserialize untrusted content of type pickle" in w.log.read_text()
                          for w in live), timeout=60)
    assert board.rows(sid) == before
    assert board.server.api("GET", "/api/leaderboard").json() == board_before
    assert sum(w.log.read_text().count(f"#{sid}: nothing to do") for w in live) == 1  # the pickle never ran


def test_sigterm_finishes_the_grading_in_hand_then_the_worker_leaves(board: Scaled) -> None:
    for worker in board.workers.values():
        if worker.proc is None or worker.proc.poll() is not None:
            worker.start()  # the one the SIGKILL test killed
    sid = board.server.submit(board.server.add_user("ivy"), slowed(REFERENCE.read_text()))  # still grading at SIGTERM
    prefixes = {name: w.id_prefix for name, w in board.workers.items()}

    def holder() -> str | None:
        status, *_, worker, _, _ = board.rows(sid)[sid]
        return next((n for n, p in prefixes.items() if status == "running" and (worker or "").startswith(p)), None)

    name = _wait_for("the submission running on a worker", holder)
    worker = board.workers[name]
    assert worker.stop(timeout=300) == 0  # returns once the grading is written
    status, verdict, score, attempts, lease_worker, _, _ = board.rows(sid)[sid]
    assert (status, verdict, score, attempts) == ("done", "AC", 20.0, 1) and lease_worker.startswith(prefixes[name])
    assert "finishing the 1 in hand" in worker.log.read_text()
    import psycopg

    with psycopg.connect(board.db.replace("postgresql+psycopg", "postgresql")) as conn:
        left = conn.execute("SELECT id FROM workers WHERE id LIKE %s", (prefixes[name] + "%",)).fetchall()
    assert left == []  # its lanes left the workers table


def test_a_broker_restart_with_ids_queued_and_a_server_restart_lose_nothing(board: Scaled) -> None:
    import psycopg
    import redis

    for worker in board.workers.values():  # no consumer: what the server sends stays in Redis
        if worker.proc is not None and worker.proc.poll() is None:
            assert worker.stop() == 0
    dsn = board.db.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(dsn) as conn:
        # a clean stop leaves the table; the lanes of the worker killed earlier stay, silent, until forgotten
        assert conn.execute("SELECT count(*) FROM workers WHERE last_heartbeat > now() - interval '20 seconds'"
                            ).fetchone() == (0,)
        # two lanes that look alive, so the server sends ids that nobody takes
        conn.execute("INSERT INTO workers (id, host, queues, sandbox, started_at, last_heartbeat, graded) "
                     "SELECT 'idle/' || n, 'idle', 'cpu', 'process', now(), now() + interval '1 hour', 0 "
                     "FROM generate_series(0, 1) AS n")
    ids = [board.server.submit(board.server.add_user("gina"), REFERENCE.read_text()),
           board.server.submit(board.server.add_user("hank"), STUB.read_text())]
    queue = redis.Redis(port=board.redis.port)
    _wait_for("both ids in the broker's cpu queue", lambda: queue.llen("cpu") == 2, timeout=60)

    board.redis.stop()  # no persistence: the two messages are gone
    board.redis.start()
    assert queue.llen("cpu") == 0
    board.server.stop()
    board.server.start(timeout=240)
    with psycopg.connect(dsn) as conn:
        conn.execute("DELETE FROM workers WHERE host = 'idle'")
    for worker in board.workers.values():
        worker.start()

    graded = board.server.wait_done(*ids, timeout=600)
    assert [(s["status"], s["verdict"]) for s in graded] == [("done", "AC"), ("done", "RE")]
    assert [row[3] for row in board.rows(*ids).values()] == [1, 1]  # each claimed once
    assert sum(w.graded().count(i) for w in board.workers.values() for i in ids) == 2
    assert "sent to the broker but never taken; sending it again" in board.server.log.read_text()
