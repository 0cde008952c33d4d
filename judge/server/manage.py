"""What an admin can do, for the admin pages and ``mlj admin``: users, and rejudging after a challenge changes.

A rejudge puts finished submissions back in the queue and keeps each one's
previous verdict and score beside it, so ``changes`` lists what the new
grading changed. Submissions still queued or running are left alone (they
will be graded by the current challenge anyway).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from judge.server.auth import UserError
from judge.server.models import DONE, ERROR, PENDING, QUEUED, Rejudge, Submission, User, on_board, utcnow


def list_users(session: Session) -> list[dict[str, Any]]:
    counts = dict(session.execute(select(Submission.user_id, func.count()).group_by(Submission.user_id)).all())
    return [{"name": u.name, "is_admin": u.is_admin, "created_at": u.created_at.isoformat(timespec="seconds"),
             "submissions": counts.get(u.id, 0)}
            for u in session.scalars(select(User).order_by(User.name))]


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise UserError(f"no user {name!r}")
    return user


def remove_user(session: Session, name: str) -> int:
    """Delete ``name``, their token and every submission of theirs; the number of submissions removed."""
    user = _user(session, name)
    count = len(user.submissions)
    session.delete(user)
    session.commit()
    return count


def set_admin(session: Session, name: str, admin: bool = True) -> None:
    user = _user(session, name)
    if not admin and user.is_admin:
        others = session.scalar(select(func.count()).select_from(User)
                                .where(User.is_admin.is_(True), User.id != user.id)) or 0
        if not others:
            raise UserError(f"{name!r} is the last admin; make someone else admin first")
    user.is_admin = admin
    session.commit()


def rejudge(session: Session, *, by: str, challenge: str | None = None, submission_id: int | None = None
            ) -> tuple[Rejudge, int]:
    """Queue again one finished submission, or every finished submission of ``challenge``.

    ``challenge`` must already be a catalog id (the caller checked it). Returns the rejudge and how
    many submissions it queued.
    """
    if submission_id is not None:
        submission = session.get(Submission, submission_id)
        if submission is None:
            raise UserError(f"no submission {submission_id}")
        if submission.status in PENDING:
            raise UserError(f"submission {submission_id} is {submission.status}: it will be graded anyway")
        challenge = submission.challenge
    if challenge is None:
        raise UserError("name a submission or a challenge to rejudge")
    record = Rejudge(challenge=challenge, submission_id=submission_id, requested_by=by, created_at=utcnow())
    session.add(record)
    session.flush()
    query = update(Submission).where(Submission.status.in_((DONE, ERROR)), Submission.challenge == challenge)
    # a whole challenge: the board's submissions, not a batch's (its owner grades it again with its seed)
    query = query.where(Submission.id == submission_id if submission_id is not None else on_board())
    queued = session.execute(query.values(
        rejudge_id=record.id, previous_verdict=Submission.verdict, previous_score=Submission.score,
        status=QUEUED, verdict=None, score=None, max_score=None, message="", result_json=None,
        started_at=None, finished_at=None,
        attempts=0, lease_worker=None, lease_expires=None, dispatched_at=None)).rowcount  # a new grading
    session.commit()
    return record, queued


def changes(session: Session, rejudge_id: int) -> dict[str, Any] | None:
    """A rejudge and its submissions: before and after, and whether the verdict or score changed."""
    record = session.get(Rejudge, rejudge_id)
    if record is None:
        return None
    rows = []
    for s in session.scalars(select(Submission).where(Submission.rejudge_id == rejudge_id).order_by(Submission.id)):
        pending = s.status in PENDING
        rows.append({"id": s.id, "user": s.user.name, "status": s.status,
                     "before": {"verdict": s.previous_verdict, "score": s.previous_score},
                     "after": {"verdict": s.verdict, "score": s.score},
                     "changed": not pending and (s.verdict, s.score) != (s.previous_verdict, s.previous_score)})
    return {"id": record.id, "challenge": record.challenge, "submission_id": record.submission_id,
            "requested_by": record.requested_by, "created_at": record.created_at.isoformat(timespec="seconds"),
            "pending": sum(r["status"] in PENDING for r in rows), "changed": sum(r["changed"] for r in rows),
            "submissions": rows}
