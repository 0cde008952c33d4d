"""Leases and dispatch on a real database (SQLite): who may grade and write, sweeping, fair dispatch, routing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from judge.server import leases, manage
from judge.server.dispatch import BrokerGrader, queue_for
from judge.server.models import DONE, QUEUED, Submission, User, utcnow

LEASE = timedelta(seconds=30)
DONE_VALUES = {"status": DONE, "verdict": "AC", "score": 20.0, "max_score": 20.0, "message": "", "result_json": "{}"}


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    from judge.server.db import open_database

    engine, factory = open_database(str(tmp_path / "board.db"))
    with factory() as session:
        session.add_all([User(name=n, token_hash=n * 8) for n in ("alice", "bob")])
        session.commit()
    yield factory
    engine.dispose()


def _submit(sessions: sessionmaker[Session], user_id: int = 1, challenge: str = "softmax-cross-entropy") -> int:
    with sessions() as session:
        row = Submission(user_id=user_id, challenge=challenge, code="x = 1\n", created_at=utcnow())
        session.add(row)
        session.commit()
        return row.id


def _row(sessions: sessionmaker[Session], submission_id: int) -> Submission:
    with sessions() as session:
        return session.get(Submission, submission_id)


def test_one_claim_one_write_and_a_duplicate_changes_nothing(sessions: sessionmaker[Session]) -> None:
    sid = _submit(sessions)
    with sessions() as session:
        claim = leases.claim(session, sid, "w1", LEASE)
        assert claim is not None and claim.attempt == 1 and claim.user == "alice"
        assert leases.claim(session, sid, "w2", LEASE) is None  # held, lease valid: a duplicate delivery
        assert leases.finish(session, claim, "w1", DONE_VALUES)
        assert leases.claim(session, sid, "w2", LEASE) is None  # finished: a late duplicate
        assert not leases.finish(session, claim, "w1", {**DONE_VALUES, "score": 99.0})  # written once only
    row = _row(sessions, sid)
    assert (row.status, row.score, row.attempts, row.lease_worker, row.lease_expires) == (DONE, 20.0, 1, "w1", None)


def test_a_late_worker_cannot_write_once_another_took_over(sessions: sessionmaker[Session]) -> None:
    sid = _submit(sessions)
    with sessions() as session:
        slow = leases.claim(session, sid, "w1", LEASE)
        session.execute(update(Submission).values(lease_expires=utcnow() - timedelta(seconds=1)))
        session.commit()
        assert not leases.extend(session, leases.Claim(sid, 1, "", "", ""), "w2", LEASE)  # not w2's lease
        fresh = leases.claim(session, sid, "w2", LEASE)  # the lease ran out: another worker may take it
        assert fresh is not None and fresh.attempt == 2
        assert not leases.extend(session, slow, "w1", LEASE)
        assert not leases.finish(session, slow, "w1", {**DONE_VALUES, "verdict": "WA", "score": 0.0})
        assert leases.finish(session, fresh, "w2", DONE_VALUES)
    row = _row(sessions, sid)
    assert (row.verdict, row.lease_worker, row.attempts) == ("AC", "w2", 2)


def test_the_attempt_is_part_of_the_lease(sessions: sessionmaker[Session]) -> None:
    """The same lane may claim a row again after its lease ran out; its older claim is then void."""
    sid = _submit(sessions)
    with sessions() as session:
        first = leases.claim(session, sid, "w1", timedelta(seconds=-1))
        second = leases.claim(session, sid, "w1", LEASE)
        assert (first.attempt, second.attempt) == (1, 2)
        assert not leases.finish(session, first, "w1", {**DONE_VALUES, "verdict": "WA"})
        assert leases.finish(session, second, "w1", DONE_VALUES)
    assert _row(sessions, sid).verdict == "AC"


def test_sweep_requeues_an_expired_lease_and_ends_it_je_after_max_attempts(sessions: sessionmaker[Session]) -> None:
    sid = _submit(sessions)
    for attempt in range(1, leases.MAX_ATTEMPTS + 1):
        with sessions() as session:
            claim = leases.claim(session, sid, f"w{attempt}", timedelta(seconds=-1))  # dies at once
            assert claim is not None and claim.attempt == attempt
            changed = leases.sweep(session)
        if attempt < leases.MAX_ATTEMPTS:
            assert changed["requeued"] == [sid]
            assert _row(sessions, sid).status == QUEUED
    assert changed["failed"] == [sid]
    row = _row(sessions, sid)
    assert (row.status, row.verdict, row.score) == ("error", "JE", None)
    assert f"lost {leases.MAX_ATTEMPTS} times" in row.message and "w3" in row.message
    with sessions() as session:
        assert leases.claim(session, sid, "w9", LEASE) is None  # never loops
        manage.rejudge(session, by="test", submission_id=sid)  # an admin's rejudge is a new grading
        assert leases.claim(session, sid, "w9", LEASE).attempt == 1


def test_sweep_resends_an_id_nobody_took_and_release_does_not_count(sessions: sessionmaker[Session]) -> None:
    lost, held = _submit(sessions), _submit(sessions)
    with sessions() as session:
        session.execute(update(Submission).where(Submission.id == lost)
                        .values(dispatched_at=utcnow() - leases.DISPATCH_TIMEOUT - timedelta(seconds=1)))
        session.commit()
        claim = leases.claim(session, held, "w1", LEASE)
        assert leases.sweep(session) == {"requeued": [], "failed": [], "resent": [lost]}
        assert leases.release(session, claim, "w1")
    assert _row(sessions, lost).dispatched_at is None
    row = _row(sessions, held)
    assert (row.status, row.attempts, row.lease_expires) == (QUEUED, 0, None)


class _Broker:
    """Stands in for the Celery app's producer: records what would be published."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    def send_task(self, name: str, args: list[Any], queue: str, retry: bool) -> None:
        assert name == "mlj.grade" and retry is False
        self.sent.append((args[0], queue))


def test_dispatch_fills_only_the_free_lanes_fairly(sessions: sessionmaker[Session]) -> None:
    grader = BrokerGrader(sessions, broker="redis://127.0.0.1:1/0")  # never connects: the producer is replaced
    grader.app = _Broker()
    alice = [_submit(sessions, 1) for _ in range(3)]
    bob = _submit(sessions, 2)
    with sessions() as session:
        assert grader.dispatch(session) == []  # no live worker: nothing leaves the database
        leases.register(session, ["h/1/0", "h/1/1"], host="h", queues=["cpu"], sandbox="process")
        sent = grader.dispatch(session)
        # two lanes, one each (a member holds at most half of them), members in turn
        assert sent == [alice[0], bob] and grader.app.sent == [(alice[0], "cpu"), (bob, "cpu")]
        assert grader.dispatch(session) == []  # both lanes are spoken for
        claim = leases.claim(session, alice[0], "h/1/0", LEASE)
        leases.finish(session, claim, "h/1/0", DONE_VALUES)
        assert grader.dispatch(session) == [alice[1]]
    assert [r for r in _rows(sessions) if r[1] == QUEUED and r[2] is None] == [(alice[2], QUEUED, None)]


def _rows(sessions: sessionmaker[Session]) -> list[tuple[int, str, Any]]:
    with sessions() as session:
        return [tuple(r) for r in session.execute(select(Submission.id, Submission.status, Submission.dispatched_at)
                                                  .order_by(Submission.id))]


def test_cuda_challenges_go_to_the_gpu_queue_only_when_gpu_workers_are_up() -> None:
    from judge.challenge import find_known

    cuda, cpu_only = "softmax-cross-entropy", "batch-norm"
    assert "cuda" in find_known(cuda).spec.devices and "cuda" not in find_known(cpu_only).spec.devices
    assert queue_for(cuda, {"cpu": 2}) == "cpu"
    assert queue_for(cuda, {"cpu": 2, "gpu": 1}) == "gpu"
    assert queue_for(cpu_only, {"cpu": 2, "gpu": 1}) == "cpu"
    assert queue_for("no-such-challenge", {"gpu": 1}) == "cpu"


def test_live_capacity_counts_only_workers_heard_from(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        leases.register(session, ["a/0", "a/1"], host="a", queues=["cpu"], sandbox="process")
        leases.register(session, ["g/0"], host="g", queues=["gpu"], sandbox="docker")
        assert leases.live_capacity(session, timedelta(seconds=30)) == {"cpu": 2, "gpu": 1}
        assert leases.live_capacity(session, timedelta(seconds=30), now=utcnow() + timedelta(seconds=31)) == {}


def test_admin_workers_lists_each_lane_and_what_it_grades(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    import json

    from server_helpers import run_mlj

    sid = _submit(sessions)
    with sessions() as session:
        leases.register(session, ["h/7/ab/0", "h/7/ab/1"], host="h", queues=["gpu"], sandbox="docker")
        leases.claim(session, sid, "h/7/ab/1", LEASE)
    listed = run_mlj("admin", "workers", "--db", str(tmp_path / "board.db"))
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert len(lines) == 2 and "idle" in lines[0] and f"grading #{sid}" in lines[1] and "(alive)" in lines[1]
    report = json.loads(run_mlj("admin", "workers", "--db", str(tmp_path / "board.db"), "--json").stdout)
    assert [(w["id"], w["queues"], w["current_submission"]) for w in report] == [
        ("h/7/ab/0", ["gpu"], None), ("h/7/ab/1", ["gpu"], sid)]


def test_gpu_workers_pin_one_lane_per_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    from judge.sandbox import gpus
    from judge.server.worker import lane_gpus

    assert lane_gpus(None, 3) == [None, None, None]
    assert lane_gpus("0,1", 5) == ["device=0", "device=1"]  # one lane per GPU, whatever --concurrency says
    assert lane_gpus("2", 1) == ["device=0", "device=1"]
    monkeypatch.setattr(gpus, "host_gpus", lambda: 3)
    assert lane_gpus("all", 1) == ["device=0", "device=1", "device=2"]
    monkeypatch.setattr(gpus, "host_gpus", lambda: 0)
    with pytest.raises(ValueError, match="no GPU"):
        lane_gpus("all", 1)
