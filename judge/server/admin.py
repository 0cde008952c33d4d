"""What ``mlj serve`` and ``mlj admin ...`` do: host the leaderboard; add, list, remove users; make admins;
reset tokens; rejudge.

Plain functions called by cli.py's click commands (which only parse options).
Each prints what the person needs and returns an exit status: 0, or 2 with
an ``error: ...`` line on stderr. ``mlj admin`` works on the database
directly, so it loads no web stack: ``serve`` imports uvicorn and the app.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import click
from sqlalchemy.orm import Session

from judge.server import auth, manage
from judge.server.db import DatabaseError, normalize_url, open_database, redact
from judge.verdict import EXIT_ERROR, EXIT_OK


def _error(message: str) -> int:
    click.secho(f"error: {message}", fg="red", bold=True, err=True)
    return EXIT_ERROR


def serve(*, db: str | None, host: str, port: int, sandbox: str, workers: int, max_upload_kib: int,
          rate_limit: int, log_level: str, max_pending: int = 3, secure_cookies: bool = False,
          trust_proxy: bool = False, broker: str | None = None) -> int:
    """Open (and migrate) the database, then serve until stopped."""
    import uvicorn  # the web stack, only for the command that serves

    from judge.server.app import Settings, create_app

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = Settings(db=db, sandbox=sandbox, workers=workers, max_upload=max_upload_kib * 1024,
                        rate_limit=rate_limit, max_pending=max_pending, secure_cookies=secure_cookies,
                        trust_proxy=trust_proxy, broker=broker)
    try:
        app = create_app(settings)
    except (DatabaseError, ValueError, RuntimeError) as exc:
        return _error(str(exc))
    click.echo(f"mlj leaderboard on http://{host}:{port}  (database {redact(normalize_url(db))}, "
               f"sandbox {app.state.sandbox}, "
               + (f"broker {redact(broker)})" if broker else f"{workers} grading worker(s))"), err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5)
    return EXIT_OK


def _print_token(name: str, token: str, what: str) -> None:
    click.echo(f"{what} {name}. The token (shown only now; the server keeps only its hash):", err=True)
    click.echo(token)
    click.echo(f"they log in with: mlj login --server URL --token {token[:8]}...", err=True)


def _new_token(db: str | None, change: Callable[[Session], Any]) -> Any:
    """What ``change(session)`` returned (a token...); None once a database error or a ``UserError`` is printed."""
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


def list_users(*, db: str | None, as_json: bool) -> int:
    users = _new_token(db, manage.list_users)
    if users is None:
        return EXIT_ERROR
    if as_json:
        click.echo(json.dumps(users, indent=2))
    for user in [] if as_json else users:
        click.echo(f"{user['name']:<24} {'admin' if user['is_admin'] else 'member':<7} "
                   f"{user['submissions']:>5} submission(s)  since {user['created_at']}")
    return EXIT_OK


def list_workers(*, db: str | None, as_json: bool) -> int:
    """The `mlj worker` lanes the database knows: queues, what each grades, its last heartbeat."""
    from judge.server.dispatch import ALIVE
    from judge.server.leases import workers_report

    workers = _new_token(db, lambda session: workers_report(session, ALIVE))
    if workers is None:
        return EXIT_ERROR
    if as_json:
        click.echo(json.dumps(workers, indent=2))
        return EXIT_OK
    for w in workers:
        doing = f"grading #{w['current_submission']}" if w["current_submission"] else "idle"
        state = "alive" if w["alive"] else "silent"
        click.echo(f"{w['id']:<40} {','.join(w['queues']):<8} {w['sandbox']:<8} {doing:<16} {w['graded']:>5} graded  "
                   f"heartbeat {w['seconds_since_heartbeat']:g}s ago ({state})")
    if not workers:
        click.echo("no workers (start one with: mlj worker --broker URL --db URL)", err=True)
    return EXIT_OK


def remove_user(*, name: str, db: str | None) -> int:
    removed = _new_token(db, lambda session: manage.remove_user(session, name))
    if removed is None:
        return EXIT_ERROR
    click.echo(f"removed {name}, their token and {removed} submission(s)")
    return EXIT_OK


def make_admin(*, name: str, db: str | None, admin: bool = True) -> int:
    if _new_token(db, lambda session: manage.set_admin(session, name, admin) or True) is None:
        return EXIT_ERROR
    click.echo(f"{name} is {'now an admin' if admin else 'no longer an admin'}")
    return EXIT_OK


def rejudge(*, db: str | None, challenge: str | None, submission: int | None, wait: float) -> int:
    """Queue the submissions again (a running server grades them), then, with ``wait``, list the changes."""
    if (challenge is None) == (submission is None):
        return _error("name one challenge (--challenge ID) or one submission (--submission N)")
    if challenge is not None:
        from judge.challenge import ChallengeError, catalog_ids, find_known

        try:
            challenge = find_known(challenge).id
        except ChallengeError:
            return _error(f"no challenge {challenge!r} in the catalog; its challenges: {', '.join(catalog_ids())}")
    made = _new_token(db, lambda session: manage.rejudge(session, by="mlj admin", challenge=challenge,
                                                         submission_id=submission))
    if made is None:
        return EXIT_ERROR
    record, queued = made
    click.echo(f"rejudge {record.id}: {queued} submission(s) of {record.challenge} queued again; "
               f"a running `mlj serve` on this database grades them", err=True)
    deadline = time.monotonic() + wait
    while True:
        report = _new_token(db, lambda session: manage.changes(session, record.id))
        if report is None:
            return EXIT_ERROR
        if not report["pending"] or time.monotonic() >= deadline:
            break
        time.sleep(1)
    return _print_changes(report)


def changes(*, db: str | None, rejudge_id: int) -> int:
    report = _new_token(db, lambda session: manage.changes(session, rejudge_id))
    if report is None:
        return _error(f"no rejudge {rejudge_id}")
    return _print_changes(report)


def _print_changes(report: dict[str, Any]) -> int:
    for row in report["submissions"]:
        before = f"{row['before']['verdict']} {_points(row['before']['score'])}"
        after = row["status"] if row["status"] in ("queued", "running") else \
            f"{row['after']['verdict']} {_points(row['after']['score'])}"
        mark = "  changed" if row["changed"] else ""
        click.echo(f"#{row['id']:<6} {row['user']:<20} {before:<12} -> {after:<12}{mark}")
    click.echo(f"rejudge {report['id']}: {report['changed']} changed, {report['pending']} still to grade, "
               f"of {len(report['submissions'])}", err=True)
    return EXIT_OK


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
