"""Leases on submissions, for the scale-out workers: the database decides who grades what, and who may write.

The broker only carries submission ids; every decision is a conditional UPDATE
on the submission's row, so it holds whatever the broker delivers, twice or
late:

- ``claim``: a worker lane takes a row only if it is queued, or running under
  a lease that has expired, and has attempts left; that bumps ``attempts``.
- ``extend``: heartbeats push the lease forward while the lane holds it.
- ``finish``: the result is written only while the lane still holds that very
  lease (its worker id and attempt): a duplicate delivery or a worker that
  lost its lease changes nothing, so no score is counted twice.
- ``sweep`` (the server's sweeper): a running row whose lease expired goes
  back to the queue, or ends JE once it has used ``MAX_ATTEMPTS``; a row whose
  id went to the broker but was never claimed (a lost message, a broker
  restart) is sent again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from judge.server.models import ERROR, QUEUED, RUNNING, Submission, User, Worker, utcnow

log = logging.getLogger("mlj.server")
MAX_ATTEMPTS = 3  # claims of one submission whose lease was lost each time, before it ends JE
DISPATCH_TIMEOUT = timedelta(seconds=60)  # a sent id not claimed by then was lost: send it again
FORGET_WORKERS = timedelta(hours=1)  # a worker silent this long leaves the workers table


@dataclass(frozen=True)
class Claim:
    """What a lane needs to grade the row it now holds."""

    submission_id: int
    attempt: int
    challenge: str
    code: str
    user: str
    seed: int | None = None  # a batch's seed; None: drawn for this grading


def claim(session: Session, submission_id: int, worker_id: str, lease: timedelta, queue: str | None = None
          ) -> Claim | None:
    """Take the row for ``worker_id``; None when it is not there to take (finished, held, out of attempts)."""
    now = utcnow()
    taken = session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.attempts < MAX_ATTEMPTS,
               or_(Submission.status == QUEUED,
                   and_(Submission.status == RUNNING,
                        or_(Submission.lease_expires.is_(None), Submission.lease_expires < now))))
        .values(status=RUNNING, attempts=Submission.attempts + 1, lease_worker=worker_id,
                lease_expires=now + lease, started_at=now, dispatched_at=None,
                **({"queue": queue} if queue else {}))
        .returning(Submission.attempts, Submission.challenge, Submission.code, Submission.user_id,
                   Submission.seed)).first()
    if taken is None:
        session.rollback()
        return None
    attempt, challenge, code, user_id, seed = taken
    session.execute(update(Worker).where(Worker.id == worker_id).values(current_submission=submission_id))
    session.commit()
    user = session.scalar(select(User.name).where(User.id == user_id)) or "?"
    return Claim(submission_id, attempt, challenge, code, user, seed)


def _held(submission_id: int, worker_id: str, attempt: int) -> Any:
    return and_(Submission.id == submission_id, Submission.status == RUNNING,
                Submission.lease_worker == worker_id, Submission.attempts == attempt)


def extend(session: Session, claim_: Claim, worker_id: str, lease: timedelta) -> bool:
    """Push the lease forward; False once the lane no longer holds it."""
    moved = session.execute(update(Submission).where(_held(claim_.submission_id, worker_id, claim_.attempt))
                            .values(lease_expires=utcnow() + lease)).rowcount
    session.commit()
    return moved == 1


def finish(session: Session, claim_: Claim, worker_id: str, values: dict[str, Any]) -> bool:
    """Write the result if the lane still holds the lease; False (nothing written) otherwise."""
    written = session.execute(update(Submission).where(_held(claim_.submission_id, worker_id, claim_.attempt))
                              .values(finished_at=utcnow(), lease_expires=None, **values)).rowcount
    session.execute(update(Worker).where(Worker.id == worker_id)
                    .values(current_submission=None, graded=Worker.graded + int(written == 1)))
    session.commit()
    return written == 1


def release(session: Session, claim_: Claim, worker_id: str) -> bool:
    """Give the row back to the queue, attempt not counted: the worker stopped before it could finish."""
    given = session.execute(update(Submission).where(_held(claim_.submission_id, worker_id, claim_.attempt))
                            .values(status=QUEUED, attempts=Submission.attempts - 1, lease_expires=None,
                                    started_at=None, dispatched_at=None)).rowcount
    session.execute(update(Worker).where(Worker.id == worker_id).values(current_submission=None))
    session.commit()
    return given == 1


def heartbeat(session: Session, worker_ids: list[str]) -> None:
    session.execute(update(Worker).where(Worker.id.in_(worker_ids)).values(last_heartbeat=utcnow()))
    session.commit()


def register(session: Session, worker_ids: list[str], *, host: str, queues: list[str], sandbox: str) -> None:
    now = utcnow()
    session.execute(delete(Worker).where(Worker.id.in_(worker_ids)))
    session.add_all(Worker(id=w, host=host, queues=",".join(queues), sandbox=sandbox, started_at=now,
                           last_heartbeat=now) for w in worker_ids)
    session.commit()


def unregister(session: Session, worker_ids: list[str]) -> None:
    session.execute(delete(Worker).where(Worker.id.in_(worker_ids)))
    session.commit()


def sweep(session: Session, now: datetime | None = None) -> dict[str, list[int]]:
    """Re-queue expired leases (or end them JE past ``MAX_ATTEMPTS``), resend lost ids; what changed."""
    now = now or utcnow()
    expired = session.execute(
        select(Submission.id, Submission.attempts, Submission.lease_worker)
        .where(Submission.status == RUNNING,
               or_(Submission.lease_expires.is_(None), Submission.lease_expires < now))).all()
    changed: dict[str, list[int]] = {"requeued": [], "failed": [], "resent": []}
    for submission_id, attempts, worker in expired:
        still = and_(Submission.id == submission_id, Submission.status == RUNNING,
                     Submission.attempts == attempts,
                     or_(Submission.lease_expires.is_(None), Submission.lease_expires < now))
        if attempts >= MAX_ATTEMPTS:
            values: dict[str, Any] = {
                "status": ERROR, "verdict": "JE", "score": None, "max_score": None, "result_json": None,
                "finished_at": now, "lease_expires": None,
                "message": f"judge error: the grading was lost {attempts} times in a row (its worker died or "
                           f"stopped sending heartbeats; last held by {worker or 'no worker'}); it is not "
                           "tried again"}
            kind = "failed"
        else:
            values = {"status": QUEUED, "lease_expires": None, "started_at": None, "dispatched_at": None}
            kind = "requeued"
        if session.execute(update(Submission).where(still).values(**values)).rowcount == 1:
            changed[kind].append(submission_id)
    changed["resent"] = list(session.scalars(
        update(Submission).where(Submission.status == QUEUED, Submission.dispatched_at < now - DISPATCH_TIMEOUT)
        .values(dispatched_at=None).returning(Submission.id)))
    session.execute(update(Worker).where(Worker.current_submission.is_not(None),
                                         Worker.last_heartbeat < now - timedelta(minutes=5))
                    .values(current_submission=None))
    session.execute(delete(Worker).where(Worker.last_heartbeat < now - FORGET_WORKERS))
    session.commit()
    for submission_id in changed["requeued"]:
        log.warning("submission #%s: its worker's lease expired; queued again", submission_id)
    for submission_id in changed["failed"]:
        log.error("submission #%s: lost %d times; it ends JE", submission_id, MAX_ATTEMPTS)
    for submission_id in changed["resent"]:
        log.warning("submission #%s: sent to the broker but never taken; sending it again", submission_id)
    return changed


def workers_report(session: Session, alive: timedelta, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every known lane: host, queues, what it grades, its last heartbeat and whether that is recent."""
    now = now or utcnow()
    return [{"id": w.id, "host": w.host, "queues": w.queues.split(","), "sandbox": w.sandbox,
             "current_submission": w.current_submission, "graded": w.graded,
             "started_at": w.started_at.isoformat(timespec="seconds"),
             "last_heartbeat": w.last_heartbeat.isoformat(timespec="seconds"),
             "seconds_since_heartbeat": round((now - w.last_heartbeat).total_seconds(), 1),
             "alive": w.last_heartbeat > now - alive}
            for w in session.scalars(select(Worker).order_by(Worker.host, Worker.id))]


def live_capacity(session: Session, alive: timedelta, now: datetime | None = None) -> dict[str, int]:
    """Grading lanes per queue among the workers heard from within ``alive``."""
    now = now or utcnow()
    capacity: dict[str, int] = {}
    for (queues,) in session.execute(select(Worker.queues).where(Worker.last_heartbeat > now - alive)):
        for queue in queues.split(","):
            capacity[queue] = capacity.get(queue, 0) + 1
    return capacity


def in_flight(session: Session) -> tuple[dict[str, int], dict[int, int]]:
    """Rows sent and not yet finished, per queue and per member (sent-not-claimed and running alike)."""
    busy = or_(Submission.status == RUNNING,
               and_(Submission.status == QUEUED, Submission.dispatched_at.is_not(None)))
    per_queue: dict[str, int] = {}
    for queue, count in session.execute(select(Submission.queue, func.count()).where(busy)
                                        .group_by(Submission.queue)):
        per_queue[queue or "cpu"] = per_queue.get(queue or "cpu", 0) + count
    sent = {u: n for u, n in session.execute(
        select(Submission.user_id, func.count())
        .where(Submission.status == QUEUED, Submission.dispatched_at.is_not(None)).group_by(Submission.user_id))}
    return per_queue, sent
