"""Which queued submission is graded next: round-robin over members, fewest slot-seconds first.

The database is the queue: every choice is made from the queued and running
rows, so the order a page shows (``order``) is the order the grader follows
(``next_eligible``), whichever server process asks. Rules:

- members take turns: a round takes each waiting member's oldest submission;
- within a round, members who have used the least grading time in the last
  ``WINDOW`` (finished gradings, and running ones so far) go first, then
  whoever was served longest ago; so a member whose submissions sleep to
  their time limit falls behind everyone who did not;
- a member holds at most ``per_member`` slots at once, so the others always
  find a slot free of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from judge.server.models import QUEUED, RUNNING, Submission, utcnow

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Queued:
    id: int
    user_id: int


@dataclass
class Load:
    """One member's recent use of the slots."""

    seconds: float = 0.0
    running: int = 0
    last_start: datetime | None = None


def per_member_slots(workers: int) -> int:
    """At most half the slots (at least one) for one member."""
    return max(1, workers // 2)


def order(queued: list[Queued], loads: dict[int, Load]) -> list[Queued]:
    """The queued submissions in the order they will start, if nothing new arrives."""
    by_user: dict[int, list[Queued]] = {}
    for item in sorted(queued, key=lambda q: q.id):
        by_user.setdefault(item.user_id, []).append(item)
    epoch = datetime.min.replace(tzinfo=utcnow().tzinfo)

    def priority(user_id: int) -> tuple[float, datetime, int]:
        load = loads.get(user_id, Load())
        return (load.seconds, load.last_start or epoch, user_id)

    users = sorted(by_user, key=priority)
    result: list[Queued] = []
    depth = max((len(v) for v in by_user.values()), default=0)
    for round_ in range(depth):
        result += [by_user[u][round_] for u in users if round_ < len(by_user[u])]
    return result


def next_eligible(queued: list[Queued], loads: dict[int, Load], per_member: int) -> Queued | None:
    """The first in ``order`` whose member has a slot left to take."""
    for item in order(queued, loads):
        if loads.get(item.user_id, Load()).running < per_member:
            return item
    return None


def snapshot(session: Session, now: datetime | None = None) -> tuple[list[Queued], dict[int, Load]]:
    """The queued submissions and every member's load, read from the database."""
    now = now or utcnow()
    since = now - WINDOW
    queued = [Queued(i, u) for i, u in session.execute(
        select(Submission.id, Submission.user_id).where(Submission.status == QUEUED))]
    loads: dict[int, Load] = {}
    rows = session.execute(select(Submission.user_id, Submission.status, Submission.started_at,
                                  Submission.finished_at)
                           .where(Submission.started_at.is_not(None),
                                  or_(Submission.status == RUNNING, Submission.finished_at > since)))
    for user_id, status, started, finished in rows:
        load = loads.setdefault(user_id, Load())
        end = now if status == RUNNING or finished is None else finished
        load.seconds += max(0.0, (end - max(started, since)).total_seconds())
        load.running += status == RUNNING
        load.last_start = started if load.last_start is None else max(load.last_start, started)
    return queued, loads


def position(session: Session, submission_id: int) -> int | None:
    """How many queued submissions will start before this one; None once it is not queued."""
    queued, loads = snapshot(session)
    for index, item in enumerate(order(queued, loads)):
        if item.id == submission_id:
            return index
    return None
