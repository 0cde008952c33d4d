"""Server-rendered HTML pages (no JavaScript): boards, a user's history, one submission, login.

Templates are Jinja2 with autoescaping on; pages refresh themselves with
``<meta http-equiv="refresh">`` while something they show is queued or running.
The login form trades a token for an HttpOnly cookie.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from judge import __version__
from judge.server.auth import COOKIE, user_for_token
from judge.server.deps import get_session, viewer
from judge.server.models import PENDING, Submission, User
from judge.server.views import (
    challenge_dict,
    known_challenges,
    overall_dict,
    pending_count,
    submission_dict,
    user_submissions,
)

router = APIRouter()
REFRESH_SECONDS = 3
COOKIE_DAYS = 30

env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                  autoescape=select_autoescape(default=True, default_for_string=True))
env.filters["points"] = lambda value: "–" if value is None else f"{value:g}"
env.filters["when"] = lambda iso: (iso or "").replace("T", " ").replace("+00:00", " UTC")
env.filters["seconds"] = lambda value: "" if value is None else f"{value:.2f}s"


def render(request: Request, template: str, status: int = 200, *, user: User | None = None,
           refresh: bool = False, **context: Any) -> HTMLResponse:
    html = env.get_template(template).render(viewer=user, refresh=REFRESH_SECONDS if refresh else None,
                                             version=__version__, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


def not_found(request: Request, user: User | None, what: str) -> HTMLResponse:
    return render(request, "error.html", 404, user=user, title="Not found", message=what)


@router.get("/", response_class=HTMLResponse)
def board(request: Request, session: Session = Depends(get_session)) -> HTMLResponse:
    data = overall_dict(session, known_challenges())
    return render(request, "board.html", user=viewer(request, session), refresh=data["pending"] > 0,
                  title="Leaderboard", board=data)


@router.get("/challenges/{challenge_id}", response_class=HTMLResponse)
def challenge_page(challenge_id: str, request: Request, session: Session = Depends(get_session)) -> HTMLResponse:
    user = viewer(request, session)
    if challenge_id not in known_challenges():
        return not_found(request, user, f"There is no challenge {challenge_id!r} on this server.")
    data = challenge_dict(session, challenge_id)
    return render(request, "challenge.html", user=user, refresh=data["pending"] > 0,
                  title=challenge_id, board=data)


@router.get("/users/{name}", response_class=HTMLResponse)
def user_page(name: str, request: Request, session: Session = Depends(get_session)) -> HTMLResponse:
    user = viewer(request, session)
    owner = session.scalar(select(User).where(User.name == name))
    if owner is None:
        return not_found(request, user, f"There is no user {name!r}.")
    return render(request, "user.html", user=user, refresh=pending_count(session, user=owner) > 0,
                  title=owner.name, owner=owner.name, submissions=user_submissions(session, owner, user))


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(submission_id: int, request: Request, session: Session = Depends(get_session)) -> HTMLResponse:
    user = viewer(request, session)
    submission = session.get(Submission, submission_id)
    if submission is None:
        return not_found(request, user, f"There is no submission {submission_id}.")
    data = submission_dict(session, submission, user)
    return render(request, "submission.html", user=user, refresh=submission.status in PENDING,
                  title=f"Submission {submission_id}", s=data)


def _safe_next(target: str) -> str:
    """Only paths on this site (no //host or scheme), so the form cannot redirect elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", session: Session = Depends(get_session)) -> HTMLResponse:
    return render(request, "login.html", user=viewer(request, session), title="Log in", next=_safe_next(next),
                  error=None)


@router.post("/login", response_model=None)
async def login(request: Request) -> HTMLResponse | RedirectResponse:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    token = (form.get("token") or [""])[0].strip()
    target = _safe_next((form.get("next") or ["/"])[0])
    user = await run_in_threadpool(_user_for, request, token)
    if user is None:
        return render(request, "login.html", 401, title="Log in", next=target,
                      error="That token is not valid on this server.")
    if target == "/":
        target = f"/users/{quote(user.name)}"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, token, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")
    return response


def _user_for(request: Request, token: str) -> User | None:
    with request.app.state.sessions() as session:
        return user_for_token(session, token)


@router.post("/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
