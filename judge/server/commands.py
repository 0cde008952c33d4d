"""Click commands for the leaderboard server: serve, admin, login, leaderboard.

``register(main)`` adds them to the ``mlj`` group. This module imports only
click: the web stack, the database and torch load inside the commands.
"""

from __future__ import annotations

import sys

import click

DB_HELP = "database URL (postgresql+psycopg://USER:PASS@HOST/DB) or SQLite file path  [default: ./.mlj/server.db]"


def _fail(message: str) -> None:
    click.secho(f"error: {message}", fg="red", bold=True, err=True)
    sys.exit(2)


def _console():  # noqa: ANN202 - rich is imported lazily
    from rich.console import Console

    return Console()


@click.command()
@click.option("--db", envvar="MLJ_DB", default=None, help=DB_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--sandbox", type=click.Choice(["auto", "docker", "process"]), default="auto", show_default=True,
              help="where submissions run (auto: docker if it answers)")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="submissions graded at once (one grading process each)")
@click.option("--max-upload-kib", type=click.IntRange(1, 65536), default=256, show_default=True,
              help="largest submission accepted (413 beyond)")
@click.option("--rate-limit", type=click.IntRange(0, 10000), default=10, show_default=True,
              help="submissions per user per minute (429 beyond); 0: no limit")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True)
def serve(db: str | None, host: str, port: int, sandbox: str, workers: int, max_upload_kib: int,
          rate_limit: int, log_level: str) -> None:
    """Host the team leaderboard: web pages, JSON API, grading in sandboxes."""
    import logging

    import uvicorn

    from judge.server.app import Settings, create_app
    from judge.server.db import DatabaseError, normalize_url, redact

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = Settings(db=db, sandbox=sandbox, workers=workers, max_upload=max_upload_kib * 1024,
                        rate_limit=rate_limit)
    try:
        app = create_app(settings)
    except (DatabaseError, ValueError, RuntimeError) as exc:
        _fail(str(exc))
    click.echo(f"mlj leaderboard on http://{host}:{port}  (database {redact(normalize_url(db))}, "
               f"sandbox {app.state.sandbox}, {workers} grading worker(s))", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5)


@click.group()
def admin() -> None:
    """Manage the server's users (works on the database directly)."""


def _sessions(db: str | None):  # noqa: ANN202
    from judge.server.db import DatabaseError, open_database

    try:
        return open_database(db)
    except DatabaseError as exc:
        _fail(str(exc))


def _print_token(name: str, token: str, what: str) -> None:
    click.echo(f"{what} {name}. The token (shown only now; the server keeps only its hash):", err=True)
    click.echo(token)
    click.echo(f"they log in with: mlj login --server URL --token {token[:8]}...", err=True)


@admin.command("add-user")
@click.argument("name")
@click.option("--admin", "is_admin", is_flag=True, help="may see everyone's code")
@click.option("--db", envvar="MLJ_DB", default=None, help=DB_HELP)
def add_user_cmd(name: str, is_admin: bool, db: str | None) -> None:
    """Create a user and print their token once."""
    from judge.server.auth import UserError, add_user

    engine, sessions = _sessions(db)
    try:
        with sessions() as session:
            token = add_user(session, name, admin=is_admin)
    except UserError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    _print_token(name, token, "created admin" if is_admin else "created user")


@admin.command("reset-token")
@click.argument("name")
@click.option("--db", envvar="MLJ_DB", default=None, help=DB_HELP)
def reset_token_cmd(name: str, db: str | None) -> None:
    """Give a user a new token (the old one stops working) and print it once."""
    from judge.server.auth import UserError, reset_token

    engine, sessions = _sessions(db)
    try:
        with sessions() as session:
            token = reset_token(session, name)
    except UserError as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    _print_token(name, token, "new token for")


@click.command()
@click.option("--server", required=True, help="the leaderboard's URL, e.g. http://host:8000")
@click.option("--token", default=None, help="your token (asked for if left out)")
def login(server: str, token: str | None) -> None:
    """Check your token with the server and store it for `mlj submit --server`."""
    from judge import client

    if token is None:
        token = click.prompt("token", hide_input=True).strip()
    sys.exit(client.login(server=server, token=token, console=_console()))


@click.command()
@click.option("--server", required=True, help="the leaderboard's URL")
@click.option("--challenge", default=None, help="one challenge's board instead of the overall one")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def leaderboard(server: str, challenge: str | None, as_json: bool) -> None:
    """Print a server's leaderboard."""
    from judge import client

    sys.exit(client.leaderboard(server=server, challenge=challenge, console=_console(), as_json=as_json))


def register(main: click.Group) -> None:
    """Add serve, admin, login and leaderboard to ``main``."""
    for command in (serve, admin, login, leaderboard):
        main.add_command(command)
