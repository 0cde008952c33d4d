"""Users and their tokens: a random token is shown once, only its sha256 is stored."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from judge.server.models import User

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TOKEN_PREFIX = "mlj_"
COOKIE = "mlj_token"


class UserError(Exception):
    """A user that cannot be created or changed, with the reason."""


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(session: Session, name: str, *, admin: bool = False) -> str:
    """Create ``name`` and return its token (the only time it is known in clear)."""
    if not NAME_RE.match(name):
        raise UserError(f"invalid user name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
                        "starting with a letter or digit")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise UserError(f"user {name!r} already exists (`mlj admin reset-token {name}` issues a new token)")
    token = new_token()
    session.add(User(name=name, token_hash=hash_token(token), is_admin=admin))
    session.commit()
    return token


def reset_token(session: Session, name: str) -> str:
    """Replace ``name``'s token; the old one stops working at once."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise UserError(f"no user {name!r}")
    token = new_token()
    user.token_hash = hash_token(token)
    session.commit()
    return token


def user_for_token(session: Session, token: str | None) -> User | None:
    """The user a token belongs to, or None for a missing or unknown token."""
    if not token or len(token) > 256:
        return None
    digest = hash_token(token)
    # looked up by a hash of the token, so the query's timing says nothing about the token itself
    return session.scalar(select(User).where(User.token_hash == digest))
