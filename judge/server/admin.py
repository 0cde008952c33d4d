"""What ``mlj serve`` and ``mlj admin ...`` do: host the leaderboard, add users, reset tokens.

Plain functions called by cli.py's click commands (which only parse options).
Each prints what the person needs and returns an exit status: 0, or 2 with
an ``error: ...`` line on stderr. ``mlj admin`` works on the database
directly, so it loads no web stack: ``serve`` imports uvicorn and the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import click
from sqlalchemy.orm import Session

from judge.server import auth
from judge.server.db import DatabaseError, normalize_url, open_database, redact
from judge.verdict import EXIT_ERROR, EXIT_OK


def _error(message: str) -> int:
    click.secho(f"error: {message}", fg="red", bold=True, err=True)
    return EXIT_ERROR


def serve(*, db: str | None, host: str, port: int, sandbox: str, workers: int, max_upload_kib: int,
          rate_limit: int, log_level: str) -> int:
    """Open (and migrate) the database, then serve until stopped."""
    import uvicorn  # the web stack, only for the command that serves

    from judge.server.app import Settings, create_app

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = Settings(db=db, sandbox=sandbox, workers=workers, max_upload=max_upload_kib * 1024,
                        rate_limit=rate_limit)
    try:
        app = create_app(settings)
    except (DatabaseError, ValueError, RuntimeError) as exc:
        return _error(str(exc))
    click.echo(f"mlj leaderboard on http://{host}:{port}  (database {redact(normalize_url(db))}, "
               f"sandbox {app.state.sandbox}, {workers} grading worker(s))", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5)
    return EXIT_OK


def _print_token(name: str, token: str, what: str) -> None:
    click.echo(f"{what} {name}. The token (shown only now; the server keeps only its hash):", err=True)
    click.echo(token)
    click.echo(f"they log in with: mlj login --server URL --token {token[:8]}...", err=True)


def _new_token(db: str | None, change: Callable[[Session], str]) -> str | None:
    """The token ``change(session)`` made; None once a database error or a ``UserError`` is printed."""
    try:
        engine, sessions = open_database(db)
    except DatabaseError as exc:
        _error(str(exc))
        return None
    try:
        with sessions() as session:
            return change(session)
    except auth.UserError as exc:
        _error(str(exc))
        return None
    finally:
        engine.dispose()


def add_user(*, name: str, admin: bool, db: str | None) -> int:
    """Create a user and print their token once."""
    token = _new_token(db, lambda session: auth.add_user(session, name, admin=admin))
    if token is None:
        return EXIT_ERROR
    _print_token(name, token, "created admin" if admin else "created user")
    return EXIT_OK


def reset_token(*, name: str, db: str | None) -> int:
    """Give a user a new token (the old one stops working) and print it once."""
    token = _new_token(db, lambda session: auth.reset_token(session, name))
    if token is None:
        return EXIT_ERROR
    _print_token(name, token, "new token for")
    return EXIT_OK
