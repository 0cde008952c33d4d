"""The JSON API: submit, poll a submission, boards, a user's history. Errors are {"detail": "..."}."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from judge import __version__
from judge.server.deps import get_session, require_user, viewer
from judge.server.models import Submission, User, utcnow
from judge.server.views import challenge_dict, known_challenges, overall_dict, submission_dict, user_submissions

router = APIRouter(prefix="/api")
RATE_WINDOW = timedelta(minutes=1)


def check_challenge(challenge_id: str) -> None:
    from judge.challenge import ChallengeError, find

    try:
        find(challenge_id)
    except ChallengeError as exc:
        raise HTTPException(404, "; ".join(exc.errors)) from None


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    return {"status": "ok", "version": __version__, "sandbox": request.app.state.sandbox,
            "workers": request.app.state.settings.workers}


@router.get("/me")
def me(request: Request, session: Session = Depends(get_session)) -> dict[str, Any]:
    user = require_user(request, session)
    return {"name": user.name, "is_admin": user.is_admin}


@router.get("/challenges")
def challenges() -> list[str]:
    return known_challenges()


async def _read_body(request: Request, cap: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise HTTPException(413, f"the request is {int(declared)} bytes; this server accepts at most {cap} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise HTTPException(413, f"the request is more than {cap} bytes; this server accepts no more")
    return bytes(body)


@router.post("/submissions", status_code=201)
async def submit(request: Request) -> dict[str, Any]:
    """Body: {"challenge": ID, "code": SOURCE}. Stored first (queued), then graded in the background."""
    settings = request.app.state.settings
    user_id = await run_in_threadpool(_user_id, request)
    body = await _read_body(request, settings.max_upload * 6 + 64 * 1024)  # JSON escaping can grow text
    try:
        data = json.loads(body)
        challenge_id, code = data["challenge"], data["code"]
        if not isinstance(challenge_id, str) or not isinstance(code, str):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise HTTPException(400, 'the body must be JSON: {"challenge": "ID", "code": "SOURCE"}') from None
    size = len(code.encode("utf-8"))
    if size > settings.max_upload:
        raise HTTPException(413, f"the submission is {size} bytes; this server accepts at most "
                                 f"{settings.max_upload} bytes ({settings.max_upload / 1024:g} KiB)")
    await run_in_threadpool(check_challenge, challenge_id)
    return await run_in_threadpool(_store, request, user_id, challenge_id, code)


def _user_id(request: Request) -> int:
    with request.app.state.sessions() as session:
        return require_user(request, session).id


def _store(request: Request, user_id: int, challenge_id: str, code: str) -> dict[str, Any]:
    limit = request.app.state.settings.rate_limit
    with request.app.state.submit_lock, request.app.state.sessions() as session:
        now = utcnow()
        if limit:
            recent = list(session.scalars(select(Submission.created_at)
                                          .where(Submission.user_id == user_id,
                                                 Submission.created_at > now - RATE_WINDOW)
                                          .order_by(Submission.created_at)))
            if len(recent) >= limit:
                wait = max(1, math.ceil((recent[-limit] + RATE_WINDOW - now).total_seconds()))
                raise HTTPException(429, f"too many submissions: at most {limit} per minute per user; "
                                         f"try again in {wait} s", headers={"Retry-After": str(wait)})
        submission = Submission(user_id=user_id, challenge=challenge_id, code=code, created_at=now)
        session.add(submission)
        session.commit()
        request.app.state.grader.enqueue(submission.id)
        return submission_dict(session, submission, submission.user, with_result=False)


def _submission(session: Session, submission_id: int) -> Submission:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise HTTPException(404, f"no submission {submission_id}")
    return submission


@router.get("/submissions/{submission_id}")
def get_submission(submission_id: int, request: Request, session: Session = Depends(get_session)) -> dict[str, Any]:
    """Verdict and per-test results for everyone; code, messages and output for its author and admins."""
    submission = _submission(session, submission_id)
    return submission_dict(session, submission, viewer(request, session))


@router.get("/submissions/{submission_id}/code", response_class=PlainTextResponse)
def get_code(submission_id: int, request: Request, session: Session = Depends(get_session)) -> str:
    submission = _submission(session, submission_id)
    user = require_user(request, session)
    if not (user.is_admin or user.id == submission.user_id):
        raise HTTPException(403, f"submission {submission_id} belongs to {submission.user.name}; "
                                 "only its author and admins see its code")
    return submission.code


@router.get("/users/{name}/submissions")
def get_user_submissions(name: str, request: Request, session: Session = Depends(get_session)) -> dict[str, Any]:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise HTTPException(404, f"no user {name!r}")
    return {"user": user.name, "submissions": user_submissions(session, user, viewer(request, session))}


@router.get("/leaderboard")
def leaderboard(session: Session = Depends(get_session)) -> dict[str, Any]:
    return overall_dict(session, known_challenges())


@router.get("/challenges/{challenge_id}/leaderboard")
def challenge_leaderboard(challenge_id: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    if challenge_id not in known_challenges():
        check_challenge(challenge_id)  # raises 404 with the known ids
    return challenge_dict(session, challenge_id)
