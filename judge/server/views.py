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

from judge.server import schedule
from judge.server.models import DONE, ERROR, PENDING, QUEUED, Submission, User, on_board
from judge.server.ranking import best_scores, challenge_board, overall_board, scored_rows


def known_challenges() -> list[str]:
    """The ids of the catalog's loadable challenges (a broken challenge.yaml is left out)."""
    from judge.challenge import catalog_ids  # pydantic and yaml: loaded beside startup, see app.py

    return catalog_ids()


def queue_position(session: Session, submission: Submission) -> int:
    """How many queued submissions will start before this one, in the grader's own order (``schedule``)."""
    return schedule.position(session, submission.id) or 0


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
    rows = session.scalars(select(Submission).where(Submission.user_id == user.id, on_board())
                           .order_by(Submission.id.desc()))
    return [submission_dict(session, s, viewer, with_result=False) for s in rows]


def pending_count(session: Session, *, challenge: str | None = None, user: User | None = None) -> int:
    query = select(func.count()).select_from(Submission).where(Submission.status.in_(PENDING), on_board())
    if challenge is not None:
        query = query.where(Submission.challenge == challenge)
    if user is not None:
        query = query.where(Submission.user_id == user.id)
    return session.scalar(query) or 0


def max_scores(session: Session, challenges: list[str]) -> dict[str, float | None]:
    """Each challenge's maximum score, as its latest grading reported it (None before any grading)."""
    found: dict[str, float | None] = dict.fromkeys(challenges)
    query = (select(Submission.challenge, Submission.max_score).where(Submission.status == DONE,
                                                                      Submission.max_score.is_not(None))
             .order_by(Submission.finished_at))
    for challenge, top in session.execute(query):
        if challenge in found:
            found[challenge] = top
    return found


def overall_dict(session: Session, challenges: list[str]) -> dict[str, Any]:
    rows = scored_rows(session)
    maxima = max_scores(session, challenges)
    known = set(challenges)
    return {
        "challenges": sorted(challenges),
        "max_scores": maxima,
        "maximum": round(sum(v for v in maxima.values() if v is not None), 6),
        "pending": pending_count(session),
        "rows": [{"rank": s.rank, "user": s.user, "reached_at": iso(s.reached_at),
                  "total": round(sum(b.score for c, b in s.best.items() if c in known), 6),
                  "submissions": s.submissions,
                  "challenges": {c: {"score": b.score, "max_score": b.max_score, "reached_at": iso(b.reached_at),
                                     "submission_id": b.submission_id} for c, b in sorted(s.best.items())
                                 if c in known}}
                 for s in overall_board([r for r in rows if r.challenge in known])],
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


def challenge_stats(session: Session, challenge: str) -> dict[str, Any]:
    """Members who solved it (a full score), members who tried, and the share of gradings accepted."""
    graded = list(session.execute(select(Submission.user_id, Submission.verdict, Submission.score,
                                         Submission.max_score)
                                  .where(Submission.challenge == challenge, Submission.status == DONE, on_board())))
    solved = {u for u, verdict, score, top in graded if verdict == "AC" and top and score == top}
    accepted = sum(verdict == "AC" for _, verdict, _, _ in graded)
    return {"graded": len(graded), "accepted": accepted, "members_tried": len({u for u, *_ in graded}),
            "members_solved": len(solved),
            "acceptance_rate": round(accepted / len(graded), 4) if graded else None}


def progress(session: Session, user: User, challenges: list[str]) -> list[dict[str, Any]]:
    """A member's standing on every catalog challenge: best score, maximum, attempts, solved."""
    bests = {c: b for (_, c), b in best_scores(scored_rows(session, user=user.name)).items()}
    attempts = dict(session.execute(select(Submission.challenge, func.count())
                                    .where(Submission.user_id == user.id, on_board())
                                    .group_by(Submission.challenge)).all())
    maxima = max_scores(session, challenges)
    rows = []
    for challenge in challenges:
        best = bests.get(challenge)
        top = best.max_score if best else maxima.get(challenge)
        rows.append({"challenge": challenge, "score": best.score if best else None, "max_score": top,
                     "submission_id": best.submission_id if best else None, "attempts": attempts.get(challenge, 0),
                     "solved": bool(best and top and best.score == top)})
    return rows
