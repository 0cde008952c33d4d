"""What the API and the pages show: submissions and boards as plain dicts, with the visibility rules.

Everyone sees verdicts, scores and per-test results. Only a submission's
author and admins see its code, the messages of its tests and the output it
printed (tracebacks and prints can quote the code).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from judge.server.models import ERROR, PENDING, QUEUED, Submission, User
from judge.server.ranking import challenge_board, overall_board, scored_rows


def known_challenges() -> list[str]:
    """The ids of the catalog's loadable challenges (a broken challenge.yaml is left out)."""
    from judge.challenge import Challenge, discover  # pydantic and yaml: loaded beside startup, see app.py

    return [c.id for c in discover() if isinstance(c, Challenge)]


def queue_position(session: Session, submission: Submission) -> int:
    """How many queued submissions are ahead of this one."""
    return session.scalar(select(func.count()).select_from(Submission)
                          .where(Submission.status == QUEUED, Submission.id < submission.id)) or 0


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def can_see_code(viewer: User | None, submission: Submission) -> bool:
    return viewer is not None and (viewer.is_admin or viewer.id == submission.user_id)


def _public_result(result: dict[str, Any]) -> dict[str, Any]:
    hidden = dict(result, log="", message="")
    hidden["tests"] = [dict(test, message="") for test in result.get("tests", [])]
    return hidden


def submission_dict(session: Session, submission: Submission, viewer: User | None,
                    *, with_result: bool = True) -> dict[str, Any]:
    visible = can_see_code(viewer, submission)
    data: dict[str, Any] = {
        "id": submission.id, "user": submission.user.name, "challenge": submission.challenge,
        "status": submission.status, "verdict": submission.verdict, "score": submission.score,
        "max_score": submission.max_score,
        "message": submission.message if visible or submission.status == ERROR else "",
        "created_at": iso(submission.created_at), "started_at": iso(submission.started_at),
        "finished_at": iso(submission.finished_at), "code_visible": visible,
    }
    if submission.status == QUEUED:
        data["queue_position"] = queue_position(session, submission)
    if with_result:
        result = json.loads(submission.result_json) if submission.result_json else None
        data["result"] = result if result is None or visible else _public_result(result)
        if visible:
            data["code"] = submission.code
    return data


def user_submissions(session: Session, user: User, viewer: User | None) -> list[dict[str, Any]]:
    rows = session.scalars(select(Submission).where(Submission.user_id == user.id)
                           .order_by(Submission.id.desc()))
    return [submission_dict(session, s, viewer, with_result=False) for s in rows]


def pending_count(session: Session, *, challenge: str | None = None, user: User | None = None) -> int:
    query = select(func.count()).select_from(Submission).where(Submission.status.in_(PENDING))
    if challenge is not None:
        query = query.where(Submission.challenge == challenge)
    if user is not None:
        query = query.where(Submission.user_id == user.id)
    return session.scalar(query) or 0


def overall_dict(session: Session, challenges: list[str]) -> dict[str, Any]:
    rows = scored_rows(session)
    seen = sorted({*challenges, *(r.challenge for r in rows)})
    return {
        "challenges": seen,
        "pending": pending_count(session),
        "rows": [{"rank": s.rank, "user": s.user, "total": s.total, "reached_at": iso(s.reached_at),
                  "submissions": s.submissions,
                  "challenges": {c: {"score": b.score, "max_score": b.max_score, "reached_at": iso(b.reached_at),
                                     "submission_id": b.submission_id} for c, b in sorted(s.best.items())}}
                 for s in overall_board(rows)],
    }


def challenge_dict(session: Session, challenge: str) -> dict[str, Any]:
    bests = challenge_board(scored_rows(session, challenge), challenge)
    return {
        "challenge": challenge,
        "pending": pending_count(session, challenge=challenge),
        "rows": [{"rank": i, "user": b.user, "score": b.score, "max_score": b.max_score,
                  "reached_at": iso(b.reached_at), "submission_id": b.submission_id, "submissions": b.submissions}
                 for i, b in enumerate(bests, 1)],
    }
