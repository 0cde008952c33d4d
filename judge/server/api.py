"""The JSON API: submit, poll a submission, boards, a user's history. Errors are {"detail": "..."}.

Every id from a request is checked at this edge: challenge ids against the
catalog (``submitting.known``), submission ids as database integers
(``submitting.parse_id``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from judge import __version__
from judge.server.deps import get_session, require_api_writer, require_user, viewer
from judge.server.models import Submission, User
from judge.server.submitting import json_object, known, parse_id, store
from judge.server.views import (
    challenge_dict,
    challenge_stats,
    known_challenges,
    overall_dict,
    progress,
    submission_dict,
    user_submissions,
)

router = APIRouter(prefix="/api")
SHAPE = '{"challenge": "ID", "code": "SOURCE"}'
BAD_BODY = f"the body must be JSON: {SHAPE}"


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


def parse_submission(body: bytes) -> tuple[str, str]:
    """(challenge, code) from a JSON body, or 400 saying what is wrong."""
    data = json_object(body, SHAPE)
    if not (isinstance(data.get("challenge"), str) and isinstance(data.get("code"), str)):
        raise HTTPException(400, BAD_BODY)
    return data["challenge"], data["code"]


@router.post("/submissions", status_code=201)
async def submit(request: Request) -> dict[str, Any]:
    """Body: {"challenge": ID, "code": SOURCE}. Stored first (queued), then graded in the background."""
    user_id = await run_in_threadpool(_writer_id, request)
    challenge_id, code = parse_submission(await request.body())  # capped by security.Guard
    return await run_in_threadpool(store, request, user_id, challenge_id, code)


def _writer_id(request: Request) -> int:
    with request.app.state.sessions() as session:
        return require_api_writer(request, session).id


def _submission(session: Session, submission_id: str) -> Submission:
    number = parse_id(submission_id)
    submission = session.get(Submission, number)
    if submission is None:
        raise HTTPException(404, f"no submission {number}")
    return submission


@router.get("/submissions/{submission_id}")
def get_submission(submission_id: str, request: Request, session: Session = Depends(get_session)) -> dict[str, Any]:
    """Verdict and per-test results for everyone; code, messages and output for its author and admins."""
    submission = _submission(session, submission_id)
    return submission_dict(session, submission, viewer(request, session))


@router.get("/submissions/{submission_id}/code", response_class=PlainTextResponse)
def get_code(submission_id: str, request: Request, session: Session = Depends(get_session)) -> str:
    submission = _submission(session, submission_id)
    user = require_user(request, session)
    if not (user.is_admin or user.id == submission.user_id):
        raise HTTPException(403, f"submission {submission.id} belongs to {submission.user.name}; "
                                 "only its author and admins see its code")
    return submission.code


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name[:64]))
    if user is None:
        raise HTTPException(404, f"no user {name[:64]!r}")
    return user


@router.get("/users/{name}/submissions")
def get_user_submissions(name: str, request: Request, session: Session = Depends(get_session)) -> dict[str, Any]:
    user = _user(session, name)
    return {"user": user.name, "submissions": user_submissions(session, user, viewer(request, session))}


@router.get("/users/{name}/progress")
def get_user_progress(name: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    user = _user(session, name)
    return {"user": user.name, "challenges": progress(session, user, known_challenges())}


@router.get("/leaderboard")
def leaderboard(session: Session = Depends(get_session)) -> dict[str, Any]:
    return overall_dict(session, known_challenges())


@router.get("/challenges/{challenge_id}/leaderboard")
def challenge_leaderboard(challenge_id: str, session: Session = Depends(get_session)) -> dict[str, Any]:
    challenge = known(challenge_id)
    return dict(challenge_dict(session, challenge), stats=challenge_stats(session, challenge))
