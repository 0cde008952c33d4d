"""What the routes depend on: a database session per request, and who is asking.

Both routers (``api``, ``pages``) import this module; it knows nothing of
them or of ``app``. The session factory is the one ``app.create_app`` put on
``app.state.sessions``.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from judge.server.auth import COOKIE, user_for_token
from judge.server.models import User


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def request_token(request: Request) -> str | None:
    """``Authorization: Bearer TOKEN`` (the CLI), else the login cookie (the browser)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE)


def viewer(request: Request, session: Session) -> User | None:
    return user_for_token(session, request_token(request))


def bearer(request: Request) -> bool:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(value.strip())


def require_api_writer(request: Request, session: Session) -> User:
    """The user of a state-changing API call: a Bearer token, or the login cookie on a JSON request.

    The same-origin check already ran (``security.Guard``); a JSON content type is what no plain HTML
    form of another site can send.
    """
    if not bearer(request) and request.cookies.get(COOKIE):
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise HTTPException(415, "with the login cookie the API takes only Content-Type: application/json; "
                                     "the CLI sends 'Authorization: Bearer TOKEN'")
    return require_user(request, session)


def require_user(request: Request, session: Session) -> User:
    token = request_token(request)
    if not token:
        raise HTTPException(401, "authentication required: send 'Authorization: Bearer TOKEN' "
                                 "(run `mlj login --server URL` for the CLI)", headers={"WWW-Authenticate": "Bearer"})
    user = user_for_token(session, token)
    if user is None:
        raise HTTPException(401, "invalid token: ask an admin for a new one (`mlj admin reset-token NAME`)",
                            headers={"WWW-Authenticate": "Bearer"})
    return user
