"""Server-rendered HTML pages (no JavaScript): boards, challenges with a submit form, members, submissions,
login, and the admin pages.

Templates are Jinja2 with autoescaping on; pages refresh themselves with
``<meta http-equiv="refresh">`` while something they show is queued or running.
Every form carries the CSRF token (``security.csrf_token``) and every POST
handler checks it; the same-origin check already ran in ``security.Guard``.
Cookies are HttpOnly and SameSite=Strict, and Secure when the site is https.
"""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from sqlalchemy import select
from sqlalchemy.orm import Session

from judge import __version__
from judge.server import manage
from judge.server.auth import COOKIE, UserError, user_for_token
from judge.server.deps import get_session, viewer
from judge.server.models import PENDING, Rejudge, Submission, User
from judge.server.security import CSRF_COOKIE, CSRF_FIELD, csrf_ok, csrf_token, is_https
from judge.server.submitting import known, parse_id, store
from judge.server.views import (
    challenge_dict,
    challenge_stats,
    known_challenges,
    overall_dict,
    pending_count,
    progress,
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
env.filters["percent"] = lambda value: "–" if value is None else f"{value * 100:.0f}%"
_markdown = MarkdownIt("commonmark", {"html": False})  # the statement's own HTML is shown as text


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    settings = request.app.state.settings
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/",
                        secure=is_https(request, secure_cookies=settings.secure_cookies,
                                        trust_proxy=settings.trust_proxy))


def render(request: Request, template: str, status: int = 200, *, user: User | None = None,
           refresh: bool = False, **context: Any) -> HTMLResponse:
    token, new = csrf_token(request)
    html = env.get_template(template).render(viewer=user, refresh=REFRESH_SECONDS if refresh else None,
                                             version=__version__, path=request.url.path, csrf=token,
                                             csrf_field=CSRF_FIELD, **context)
    response = HTMLResponse(html, status_code=status)
    if new:
        _cookie(response, request, CSRF_COOKIE, token, COOKIE_DAYS * 86400)
    return response


def not_found(request: Request, user: User | None, what: str) -> HTMLResponse:
    return render(request, "error.html", 404, user=user, title="Not found", message=what)


def refused(request: Request, user: User | None, status: int, what: str) -> HTMLResponse:
    return render(request, "error.html", status, user=user, title="Refused", message=what)


async def read_form(request: Request) -> dict[str, str]:
    """A form's fields (urlencoded, or multipart with a file's text), or 400. The body is capped by Guard."""
    body = await request.body()
    kind = request.headers.get("content-type", "")
    if kind.split(";")[0].strip().lower() == "multipart/form-data":
        message = BytesParser(policy=policy.HTTP).parsebytes(
            b"MIME-Version: 1.0\r\nContent-Type: " + kind.encode("latin-1", "replace") + b"\r\n\r\n" + body)
        if not message.is_multipart():
            raise HTTPException(400, "a multipart form without its boundary")
        fields: dict[str, str] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if not isinstance(name, str) or name in fields:
                continue
            try:
                fields[name] = data.decode("utf-8")
            except UnicodeDecodeError:
                raise HTTPException(400, f"the form field {name!r} is not UTF-8 text") from None
        return fields
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "the form is not UTF-8") from None
    return {k: v[0] for k, v in parse_qs(text, max_num_fields=20).items()}


def _checked(request: Request, form: dict[str, str]) -> None:
    if not csrf_ok(request, form.get(CSRF_FIELD)):
        raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page and send it again")


async def _form(request: Request) -> dict[str, str] | HTMLResponse:
    """The checked form, or the error page to answer with."""
    try:
        form = await read_form(request)
        _checked(request, form)
    except HTTPException as exc:
        return await run_in_threadpool(_error_page, request, exc)
    return form


def _error_page(request: Request, exc: HTTPException) -> HTMLResponse:
    with request.app.state.sessions() as session:
        return refused(request, viewer(request, session), exc.status_code, str(exc.detail))


@router.get("/", response_class=HTMLResponse)
def board(request: Request, session: Session = Depends(get_session)) -> HTMLResponse:
    data = overall_dict(session, known_challenges())
    return render(request, "board.html", user=viewer(request, session), refresh=data["pending"] > 0,
                  title="Leaderboard", board=data)


def _challenge_page(request: Request, session: Session, challenge_id: str, *, status: int = 200,
                    error: str | None = None, code: str = "") -> HTMLResponse:
    from judge.challenge import find_known

    user = viewer(request, session)
    try:
        challenge_id = known(challenge_id)
    except HTTPException as exc:
        return not_found(request, user, str(exc.detail))
    challenge = find_known(challenge_id)
    try:
        statement = _markdown.render(challenge.statement_path.read_text(encoding="utf-8"))
    except OSError:
        statement = ""
    data = challenge_dict(session, challenge_id)
    return render(request, "challenge.html", status, user=user, refresh=data["pending"] > 0, title=challenge_id,
                  board=data, stats=challenge_stats(session, challenge_id), statement=statement,
                  spec=challenge.spec, error=error, code=code)


@router.get("/challenges/{challenge_id}", response_class=HTMLResponse)
def challenge_page(challenge_id: str, request: Request, session: Session = Depends(get_session)) -> HTMLResponse:
    return _challenge_page(request, session, challenge_id)


@router.post("/challenges/{challenge_id}/submit", response_model=None)
async def submit_form(challenge_id: str, request: Request) -> Response:
    form = await _form(request)
    if isinstance(form, Response):
        return form
    return await run_in_threadpool(_submit, request, challenge_id, form)


def _submit(request: Request, challenge_id: str, form: dict[str, str]) -> Response:
    code = form.get("code", "")
    if not code.strip():
        code = form.get("file", "")
    with request.app.state.sessions() as session:
        user = viewer(request, session)
        if user is None:
            return RedirectResponse(f"/login?next={quote(request.url.path.removesuffix('/submit'))}", 303)
        user_id = user.id
    try:
        if not code.strip():
            raise HTTPException(400, "paste the code or choose a file")
        stored = store(request, user_id, challenge_id, code)
    except HTTPException as exc:
        with request.app.state.sessions() as session:
            return _challenge_page(request, session, challenge_id, status=exc.status_code, error=str(exc.detail),
                                   code=code if exc.status_code != 413 else "")
    return RedirectResponse(f"/submissions/{stored['id']}", status_code=303)


@router.get("/users/{name}", response_class=HTMLResponse)
def user_page(name: str, request: Request, session: Session = Depends(get_session)) -> HTMLResponse:
    user = viewer(request, session)
    owner = session.scalar(select(User).where(User.name == name[:64]))
    if owner is None:
        return not_found(request, user, f"There is no user {name[:64]!r}.")
    rows = progress(session, owner, known_challenges())
    return render(request, "user.html", user=user, refresh=pending_count(session, user=owner) > 0,
                  title=owner.name, owner=owner.name, progress=rows,
                  total=sum(r["score"] or 0 for r in rows), maximum=sum(r["max_score"] or 0 for r in rows),
                  submissions=user_submissions(session, owner, user))


def _limits(challenge_id: str) -> Any:
    from judge.challenge import ChallengeError, find_known

    try:
        return find_known(challenge_id).spec.limits
    except ChallengeError:
        return None


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(submission_id: str, request: Request, session: Session = Depends(get_session)) -> HTMLResponse:
    user = viewer(request, session)
    try:
        number = parse_id(submission_id)
    except HTTPException as exc:
        return not_found(request, user, str(exc.detail))
    submission = session.get(Submission, number)
    if submission is None:
        return not_found(request, user, f"There is no submission {number}.")
    data = submission_dict(session, submission, user)
    return render(request, "submission.html", user=user, refresh=submission.status in PENDING,
                  title=f"Submission {number}", s=data, limits=_limits(submission.challenge))


def _safe_next(target: str) -> str:
    """Only paths on this site (no //host or scheme), so the form cannot redirect elsewhere."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/", session: Session = Depends(get_session)) -> HTMLResponse:
    return render(request, "login.html", user=viewer(request, session), title="Log in", next=_safe_next(next),
                  error=None)


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    form = await _form(request)
    if isinstance(form, Response):
        return form
    token = form.get("token", "").strip()
    target = _safe_next(form.get("next", "/"))
    user = await run_in_threadpool(_user_for, request, token)
    if user is None:
        return render(request, "login.html", 401, title="Log in", next=target,
                      error="That token is not valid on this server.")
    if target == "/":
        target = f"/users/{quote(user.name)}"
    response = RedirectResponse(target, status_code=303)
    _cookie(response, request, COOKIE, token, COOKIE_DAYS * 86400)
    return response


def _user_for(request: Request, token: str) -> User | None:
    with request.app.state.sessions() as session:
        return user_for_token(session, token)


@router.post("/logout", response_model=None)
async def logout(request: Request) -> Response:
    form = await _form(request)
    if isinstance(form, Response):
        return form
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# --- admin pages: every handler checks the viewer is an admin ------------------------------------------

def _admin(request: Request, session: Session) -> User | HTMLResponse:
    user = viewer(request, session)
    if user is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)  # type: ignore[return-value]
    if not user.is_admin:
        return refused(request, user, 403, "Only admins can open the admin pages.")
    return user


@router.get("/admin", response_class=HTMLResponse, response_model=None)
def admin_page(request: Request, session: Session = Depends(get_session)) -> Response:
    user = _admin(request, session)
    if not isinstance(user, User):
        return user
    rejudges = [manage.changes(session, r) for r in
                session.scalars(select(Rejudge.id).order_by(Rejudge.id.desc()).limit(20))]
    from judge.server.dispatch import ALIVE
    from judge.server.leases import workers_report

    return render(request, "admin.html", user=user, title="Admin", users=manage.list_users(session),
                  challenges=known_challenges(), rejudges=rejudges, workers=workers_report(session, ALIVE))


@router.post("/admin/{action}", response_model=None)
async def admin_action(action: str, request: Request) -> Response:
    form = await _form(request)
    if isinstance(form, Response):
        return form
    return await run_in_threadpool(_admin_action, request, action, form)


def _admin_action(request: Request, action: str, form: dict[str, str]) -> Response:
    with request.app.state.sessions() as session:
        user = _admin(request, session)
        if not isinstance(user, User):
            return user
        try:
            if action == "remove-user":
                if form.get("name") == user.name:
                    raise UserError("you cannot remove yourself")
                manage.remove_user(session, form.get("name", ""))
            elif action == "make-admin":
                manage.set_admin(session, form.get("name", ""), True)
            elif action == "rejudge":
                if form.get("submission"):
                    record, _ = manage.rejudge(session, by=user.name, submission_id=parse_id(form["submission"]))
                else:
                    record, _ = manage.rejudge(session, by=user.name, challenge=known(form.get("challenge", "")))
                request.app.state.grader.enqueue()
                return RedirectResponse(f"/admin/rejudges/{record.id}", status_code=303)
            else:
                return not_found(request, user, f"There is no admin action {action[:40]!r}.")
        except UserError as exc:
            return refused(request, user, 400, str(exc))
        except HTTPException as exc:
            return refused(request, user, exc.status_code, str(exc.detail))
    return RedirectResponse("/admin", status_code=303)


@router.get("/admin/rejudges/{rejudge_id}", response_class=HTMLResponse, response_model=None)
def rejudge_page(rejudge_id: str, request: Request, session: Session = Depends(get_session)) -> Response:
    user = _admin(request, session)
    if not isinstance(user, User):
        return user
    try:
        data = manage.changes(session, parse_id(rejudge_id, "rejudge"))
    except HTTPException as exc:
        return not_found(request, user, str(exc.detail))
    if data is None:
        return not_found(request, user, f"There is no rejudge {rejudge_id[:40]!r}.")
    return render(request, "rejudge.html", user=user, refresh=data["pending"] > 0, title=f"Rejudge {data['id']}",
                  r=data)
