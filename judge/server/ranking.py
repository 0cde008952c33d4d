"""Ranking: per challenge each user's best score, ties broken by who reached it first.

The time a best score was reached is the submission time of the first
submission that scored it (grading order does not matter). Overall, a user's
total is the sum of their best scores; ties go to whoever reached their last
best score first. Judge errors never count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from judge.server.models import DONE, Submission, User, on_board


@dataclass(frozen=True)
class Scored:
    """One graded submission, as far as ranking is concerned."""

    user: str
    challenge: str
    score: float
    max_score: float
    submitted_at: datetime
    submission_id: int


@dataclass
class Best:
    user: str
    challenge: str
    score: float
    max_score: float
    reached_at: datetime
    submission_id: int
    submissions: int = 0


@dataclass
class Standing:
    rank: int
    user: str
    total: float
    reached_at: datetime
    best: dict[str, Best] = field(default_factory=dict)
    submissions: int = 0


def best_scores(rows: list[Scored]) -> dict[tuple[str, str], Best]:
    """(user, challenge) -> that user's best on that challenge."""
    best: dict[tuple[str, str], Best] = {}
    for row in sorted(rows, key=lambda r: (r.submitted_at, r.submission_id)):
        key = (row.user, row.challenge)
        current = best.get(key)
        if current is None or row.score > current.score:
            count = current.submissions if current else 0
            best[key] = Best(row.user, row.challenge, row.score, row.max_score, row.submitted_at,
                             row.submission_id, count)
        best[key].submissions += 1
    return best


def challenge_board(rows: list[Scored], challenge: str) -> list[Best]:
    """Ranked bests for one challenge: higher score first, then earlier time, then name."""
    bests = [b for (_, c), b in best_scores(rows).items() if c == challenge]
    return sorted(bests, key=lambda b: (-b.score, b.reached_at, b.submission_id))


def overall_board(rows: list[Scored]) -> list[Standing]:
    """Ranked users: higher total first, then the earlier time their total was reached."""
    standings: dict[str, Standing] = {}
    for (user, challenge), best in best_scores(rows).items():
        standing = standings.setdefault(user, Standing(0, user, 0.0, best.reached_at))
        standing.best[challenge] = best
        standing.total = round(standing.total + best.score, 6)
        standing.reached_at = max(standing.reached_at, best.reached_at)
        standing.submissions += best.submissions
    ranked = sorted(standings.values(), key=lambda s: (-s.total, s.reached_at, s.user))
    for i, standing in enumerate(ranked, 1):
        standing.rank = i
    return ranked


def scored_rows(session: Session, challenge: str | None = None, *, user: str | None = None) -> list[Scored]:
    """Every graded submission (judge errors left out), optionally for one challenge or one user."""
    query = (select(User.name, Submission.challenge, Submission.score, Submission.max_score,
                    Submission.created_at, Submission.id)
             .join(User, Submission.user_id == User.id)
             .where(Submission.status == DONE, Submission.verdict != "JE", Submission.score.is_not(None), on_board()))
    if challenge is not None:
        query = query.where(Submission.challenge == challenge)
    if user is not None:
        query = query.where(User.name == user)
    return [Scored(name, ch, score, max_score or 0.0, created, sid)
            for name, ch, score, max_score, created, sid in session.execute(query)]
