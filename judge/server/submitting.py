"""Taking a submission in, for the API and the submit form alike: every check, then one stored row.

Checks, in order: the code is text (valid UTF-8: no lone surrogate) within
``max_upload`` bytes; the challenge id is a catalog name (``find_known``:
never a path; one message for every unknown id); the member is under the rate
limit and has fewer than ``max_pending`` submissions queued or running. Each
refusal is an HTTPException with a message a person can act on.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy import func, select

from judge.server.models import PENDING, Submission, on_board, utcnow
from judge.server.views import submission_dict

RATE_WINDOW = timedelta(minutes=1)
MAX_ID = 2**63 - 1  # the largest id a database integer holds


def parse_id(text: str, what: str = "submission") -> int:
    """A path's id, or 404 for anything that is not one (letters, 10**23, ...)."""
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID or int(text) < 1:
        raise HTTPException(404, f"no {what} {text[:40]!r}")
    return int(text)


def known(challenge_id: object) -> str:
    """The catalog id itself, or 404 with the one message an unknown id gets."""
    from judge.challenge import ChallengeError, catalog_ids, find_known

    try:
        return find_known(challenge_id).id
    except ChallengeError:
        raise HTTPException(404, f"no challenge {str(challenge_id)[:80]!r} on this server; "
                                 f"its challenges: {', '.join(catalog_ids()) or 'none'}") from None


def json_object(body: bytes, shape: str) -> dict[str, Any]:
    """A request body that must be a JSON object, or 400 saying what is wrong (``shape``: what it should be)."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise HTTPException(400, f"the body must be JSON: {shape}; this body is nested too deeply") from None
    except ValueError as exc:
        raise HTTPException(400, f"the body must be JSON: {shape}; it is not JSON ({str(exc)[:100]})") from None
    if not isinstance(data, dict):
        raise HTTPException(400, f"the body must be a JSON object: {shape}")
    return data


def check_code(code: str, max_upload: int) -> None:
    try:
        size = len(code.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise HTTPException(400, f"the code is not valid text: character {exc.start} is a lone surrogate "
                                 f"({code[exc.start]!a}); send UTF-8 source") from None
    if size > max_upload:
        raise HTTPException(413, f"the submission is {size} bytes; this server accepts at most "
                                 f"{max_upload} bytes ({max_upload / 1024:g} KiB)")


def store(request: Request, user_id: int, challenge_id: str, code: str) -> dict[str, Any]:
    """Check, store (queued) and wake the grader; the stored submission as the API shows it."""
    settings = request.app.state.settings
    check_code(code, settings.max_upload)
    challenge_id = known(challenge_id)
    with request.app.state.submit_lock, request.app.state.sessions() as session:
        now = utcnow()
        if settings.rate_limit:
            limit = settings.rate_limit
            recent = list(session.scalars(select(Submission.created_at)
                                          .where(Submission.user_id == user_id,
                                                 Submission.created_at > now - RATE_WINDOW)
                                          .order_by(Submission.created_at)))
            if len(recent) >= limit:
                wait = max(1, math.ceil((recent[-limit] + RATE_WINDOW - now).total_seconds()))
                raise HTTPException(429, f"too many submissions: at most {limit} per minute per user; "
                                         f"try again in {wait} s", headers={"Retry-After": str(wait)})
        if settings.max_pending:
            pending = session.scalar(select(func.count()).select_from(Submission)
                                     .where(Submission.user_id == user_id, Submission.status.in_(PENDING),
                                            on_board())) or 0
            if pending >= settings.max_pending:
                raise HTTPException(429, f"you have {pending} submission(s) queued or being graded; this server "
                                         f"takes at most {settings.max_pending} at once per member: wait for "
                                         "one to finish", headers={"Retry-After": "10"})
        submission = Submission(user_id=user_id, challenge=challenge_id, code=code, created_at=now)
        session.add(submission)
        session.commit()
        request.app.state.grader.enqueue(submission.id)
        return submission_dict(session, submission, submission.user, with_result=False)
