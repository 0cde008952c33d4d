"""The server's side of the scale-out (``mlj serve --broker``): hand queued submissions to Celery workers.

``BrokerGrader`` stands where ``grader.Grader`` stands (``start``, ``enqueue``,
``stop``), with one thread that, every tick or when a submission arrives:

- sweeps (``leases.sweep``): expired leases back to the queue or JE after
  ``leases.MAX_ATTEMPTS``, ids the broker lost sent again;
- dispatches: as many ids as the live workers have free lanes, each picked by
  the fair schedule (``schedule.next_eligible``), so the fairness rules hold
  across workers; nothing waits in the broker behind another member's backlog.

Routing: a challenge that runs on cuda goes to the ``gpu`` queue when a live
worker serves it, anything else to ``cpu``, so CPU challenges never wait
behind GPU gradings. The row is marked sent (``dispatched_at``) before its id
is published; whatever is lost between the two is sent again by the sweep.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from judge.server import leases, schedule
from judge.server.models import QUEUED, Submission

log = logging.getLogger("mlj.server")
TICK_SECONDS = 0.25  # a lane that finished is seen within a tick (at 1 s lanes idled ~0.5 s per grading)
ALIVE = timedelta(seconds=30)  # a worker heard from within this is counted (it beats every <= 10 s)


def queue_for(challenge_id: str, capacity: dict[str, int]) -> str:
    """``gpu`` for a challenge that runs on cuda when GPU lanes are up; ``cpu`` otherwise."""
    if not capacity.get("gpu"):
        return "cpu"
    from judge.challenge import ChallengeError, find_known

    try:
        return "gpu" if "cuda" in find_known(challenge_id).spec.devices else "cpu"
    except ChallengeError:
        return "cpu"  # gone from the catalog: a CPU worker ends it JE with the reason


class BrokerGrader:
    """Dispatcher and sweeper of a server whose gradings run on ``mlj worker`` processes."""

    def __init__(self, sessions: sessionmaker[Session], *, broker: str) -> None:
        from judge.server.tasks import make_app

        self.sessions = sessions
        self.app = make_app(broker)
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mlj-dispatch", daemon=True)
        self._idle_warned = False

    def start(self) -> int:
        """Start dispatching; the number of submissions waiting (queued, or running on a worker)."""
        with self.sessions() as session:
            pending = session.scalar(select(func.count()).select_from(Submission)
                                     .where(Submission.status == QUEUED)) or 0
        self._thread.start()
        return pending

    def enqueue(self, submission_id: int | None = None) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Stop dispatching; the workers go on with what they hold, the queue stays in the database."""
        self._stopping.set()
        self._wake.set()
        self._thread.join(10)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                with self.sessions() as session:
                    leases.sweep(session)
                    self.dispatch(session)
            except Exception:  # noqa: BLE001 - the database or the broker hiccuped: the next tick tries again
                log.exception("dispatching failed")
            self._wake.wait(TICK_SECONDS)
            self._wake.clear()

    def dispatch(self, session: Session) -> list[int]:
        """Send the ids that the free lanes can start now, fairly; the ids sent."""
        capacity = leases.live_capacity(session, ALIVE)
        busy, sent_by_user = leases.in_flight(session)
        queued, loads = schedule.snapshot(session)
        waiting = set(session.scalars(select(Submission.id).where(Submission.status == QUEUED,
                                                                  Submission.dispatched_at.is_(None))))
        queued = [q for q in queued if q.id in waiting]
        if not capacity:
            if queued and not self._idle_warned:
                log.warning("%d submission(s) wait: no live worker (start `mlj worker`)", len(queued))
            self._idle_warned = bool(queued)
            return []
        self._idle_warned = False
        for user_id, count in sent_by_user.items():  # sent but not yet started counts as running
            loads.setdefault(user_id, schedule.Load()).running += count
        per_member = schedule.per_member_slots(sum(capacity.values()))
        challenges = dict(session.execute(select(Submission.id, Submission.challenge)
                                          .where(Submission.id.in_(waiting))).all())
        routes = {c: queue_for(c, capacity) for c in set(challenges.values())}
        by_queue: dict[str, list[schedule.Queued]] = {}
        for item in queued:
            by_queue.setdefault(routes[challenges[item.id]], []).append(item)
        sent: list[int] = []
        for name, items in by_queue.items():
            while busy.get(name, 0) < capacity.get(name, 0):
                chosen = schedule.next_eligible(items, loads, per_member)
                if chosen is None:
                    break
                items.remove(chosen)
                if not self._send(session, chosen.id, name):
                    return sent
                busy[name] = busy.get(name, 0) + 1
                loads.setdefault(chosen.user_id, schedule.Load()).running += 1
                sent.append(chosen.id)
        return sent

    def _send(self, session: Session, submission_id: int, queue: str) -> bool:
        from judge.server.models import utcnow
        from judge.server.tasks import TASK

        marked = session.execute(update(Submission)
                                 .where(Submission.id == submission_id, Submission.status == QUEUED,
                                        Submission.dispatched_at.is_(None))
                                 .values(dispatched_at=utcnow(), queue=queue)).rowcount
        session.commit()
        if marked != 1:
            return True  # taken meanwhile: nothing to send
        try:
            self.app.send_task(TASK, args=[submission_id], queue=queue, retry=False)
        except Exception as exc:  # noqa: BLE001 - the broker is down: unmark, try again next tick
            session.execute(update(Submission).where(Submission.id == submission_id, Submission.status == QUEUED)
                            .values(dispatched_at=None))
            session.commit()
            log.warning("cannot reach the broker (%s); #%s waits", exc, submission_id)
            return False
        log.info("sent #%s to the %s queue", submission_id, queue)
        return True

    def config(self) -> dict[str, Any]:
        """The Celery configuration in use (what the tests assert: JSON only, never pickle)."""
        return dict(self.app.conf)
