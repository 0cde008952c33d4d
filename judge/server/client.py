"""The CLI's HTTP client of the leaderboard server: stored tokens, `mlj submit --server`, login, leaderboard.

It imports httpx and rich, never the server's web stack or database.

Tokens live in ``$XDG_CONFIG_HOME/mlj/credentials.json`` (default
``~/.config/mlj/``, mode 0600), keyed by server URL, with the server of the
latest login as the default (``--server`` may then be left out); ``MLJ_TOKEN``
overrides them. Challenge ids given with ``--server`` are checked against that
server's catalog (``GET /api/challenges``), not the local checkout.

Exit codes: 0 accepted, 1 graded but not accepted, 2 usage, network,
server or judge errors (with a message saying what to do).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from rich.text import Text

from judge.verdict import EXIT_ERROR, EXIT_OK, SubmissionResult, exit_code

POLL_SECONDS = 1.0
UNREACHABLE_PATIENCE = 120.0  # keep waiting this long through a server restart


class ClientError(Exception):
    """Something the person has to fix or know about; printed as 'error: ...', exit 2."""


def normalize_server(server: str) -> str:
    server = server.strip().rstrip("/")
    return server if "://" in server else f"http://{server}"


def credentials_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mlj" / "credentials.json"


def _load_credentials() -> dict[str, Any]:
    path = credentials_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ClientError(f"cannot read {path}: {exc}; delete it and run `mlj login` again") from None
    return data if isinstance(data, dict) else {}


def save_token(server: str, token: str, user: str) -> Path:
    """Store the token for ``server``, now the default server (file mode 0600, written atomically)."""
    data = _load_credentials()
    data.setdefault("servers", {})[normalize_server(server)] = {"token": token, "user": user}
    data["default"] = normalize_server(server)
    return _write_credentials(data)


def forget_token(server: str) -> bool:
    """Drop ``server``'s token (and the default, if it was that server); whether there was one."""
    data = _load_credentials()
    server = normalize_server(server)
    had = data.get("servers", {}).pop(server, None) is not None
    if data.get("default") == server:
        data.pop("default")
    if had:
        _write_credentials(data)
    return had


def default_server() -> str | None:
    """The server of the latest ``mlj login``, if any."""
    value = _load_credentials().get("default")
    return value if isinstance(value, str) else None


def resolve_server(server: str | None) -> str:
    """``--server``, else the remembered default; ClientError when there is neither."""
    if server:
        return normalize_server(server)
    remembered = default_server()
    if remembered is None:
        raise ClientError("no server given and none remembered: pass --server URL, or run "
                          "`mlj login --server URL` once")
    return remembered


def _write_credentials(data: dict[str, Any]) -> Path:
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def stored_token(server: str) -> str | None:
    if os.environ.get("MLJ_TOKEN"):
        return os.environ["MLJ_TOKEN"]
    entry = _load_credentials().get("servers", {}).get(normalize_server(server))
    return entry.get("token") if isinstance(entry, dict) else None


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str):
        return detail
    if detail is not None:
        return json.dumps(detail)
    return response.text.strip()[:300] or response.reason_phrase


def request(method: str, server: str, path: str, *, token: str | None = None, **kwargs: Any) -> Any:
    """One API call; the decoded JSON, or ClientError with a message a person can act on."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = httpx.request(method, server + path, headers=headers, timeout=30, **kwargs)
    except httpx.ConnectError as exc:
        raise ClientError(f"cannot reach the server at {server} ({exc}); is `mlj serve` running there?") from None
    except httpx.HTTPError as exc:
        raise ClientError(f"request to {server}{path} failed: {exc}") from None
    if response.is_success:
        return response.json()
    detail = _detail(response)
    code = response.status_code
    if code == 401:
        raise ClientError(f"the server refused the token: {detail}\nlog in with: mlj login --server {server}")
    if code == 403:
        raise ClientError(f"not allowed: {detail}")
    if code == 413:
        raise ClientError(f"too large: {detail}")
    if code == 429:
        retry = response.headers.get("retry-after")
        raise ClientError(f"rate limited: {detail}" + (f" (Retry-After: {retry} s)" if retry else ""))
    if code == 404:
        raise ClientError(f"not found: {detail}")
    raise ClientError(f"the server answered {code}: {detail}")


def login(*, server: str, token: str, console: Console) -> int:
    server = normalize_server(server)
    try:
        me = request("GET", server, "/api/me", token=token)
        path = save_token(server, token, me["name"])
    except ClientError as exc:
        console.print(Text(f"error: {exc}", style="bold red"))
        return EXIT_ERROR
    console.print(f"logged in to {server} as [bold]{me['name']}[/]" + (" (admin)" if me["is_admin"] else "")
                  + f"; token stored in {path}")
    return EXIT_OK


def logout(*, server: str | None, console: Console) -> int:
    try:
        server = resolve_server(server)
        had = forget_token(server)
    except ClientError as exc:
        Console(stderr=True).print(Text(f"error: {exc}", style="bold red"))
        return EXIT_ERROR
    console.print(f"logged out of {server}" if had else f"no token was stored for {server}")
    return EXIT_OK


def whoami(*, server: str | None, console: Console, as_json: bool = False) -> int:
    try:
        server = resolve_server(server)
        token = stored_token(server)
        if not token:
            raise ClientError(f"not logged in to {server}: run `mlj login --server {server}`")
        me = request("GET", server, "/api/me", token=token)
    except ClientError as exc:
        Console(stderr=True).print(Text(f"error: {exc}", style="bold red"))
        return EXIT_ERROR
    if as_json:
        console.print_json(data=dict(me, server=server))
    else:
        console.print(Text(f"{me['name']}{' (admin)' if me['is_admin'] else ''} on {server}"))
    return EXIT_OK


def check_challenge(server: str, challenge_id: str) -> None:
    """ClientError unless ``challenge_id`` is in the server's catalog."""
    catalog = request("GET", server, "/api/challenges")
    if challenge_id not in catalog:
        raise ClientError(f"the server {server} has no challenge {challenge_id!r}; its challenges: "
                          f"{', '.join(catalog) or 'none'}")


def get_patiently(server: str, path: str, token: str, on_retry: Callable[[], None]) -> Any:
    """``GET path``, retrying for UNREACHABLE_PATIENCE while the server does not answer (a restart loses
    nothing stored); ``on_retry`` says so before each retry."""
    unreachable_since: float | None = None
    while True:
        try:
            return request("GET", server, path, token=token)
        except ClientError as exc:
            if "cannot reach" not in str(exc):
                raise
            unreachable_since = unreachable_since or time.monotonic()
            if time.monotonic() - unreachable_since > UNREACHABLE_PATIENCE:
                raise
            on_retry()
            time.sleep(2)


def _wait(server: str, token: str, submission_id: int, status_console: Console) -> dict[str, Any]:
    started = time.monotonic()
    with status_console.status("submitted; waiting for the server") as status:
        while True:
            data = get_patiently(server, f"/api/submissions/{submission_id}", token, lambda: status.update(
                f"the server does not answer; retrying (submission {submission_id} is stored)"))
            elapsed = time.monotonic() - started
            if data["status"] == "queued":
                status.update(f"submission {submission_id}: queued, {data.get('queue_position', 0)} ahead "
                              f"({elapsed:.0f}s)")
            elif data["status"] == "running":
                status.update(f"submission {submission_id}: grading ({elapsed:.0f}s)")
            else:
                return data
            time.sleep(POLL_SECONDS)


def submit_remote(*, server: str, challenge_id: str, file: Path, wait: bool, console: Console,
                  as_json: bool) -> int:
    """Upload ``file`` for ``challenge_id`` (checked against the server's catalog); with ``wait``, show
    progress and then the verdict table."""
    server = url = normalize_server(server)
    err = Console(stderr=True)
    try:
        check_challenge(server, challenge_id)
        token = stored_token(server)
        if not token:
            raise ClientError(f"not logged in to {server}: run `mlj login --server {server}` "
                              "with the token an admin gave you")
        try:
            code = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ClientError(f"cannot read {file}: {exc}") from None
        submission = request("POST", server, "/api/submissions", token=token,
                             json={"challenge": challenge_id, "code": code})
        url = f"{server}/submissions/{submission['id']}"
        if not wait:
            if as_json:
                console.print_json(data=dict(submission, url=url))
            else:
                console.print(f"submission {submission['id']} stored ({submission['status']}); follow it at {url}",
                              soft_wrap=True)  # a URL is never broken across lines
            return EXIT_OK
        data = _wait(server, token, submission["id"], err if as_json else console)
    except ClientError as exc:
        err.print(Text(f"error: {exc}", style="bold red"))
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.print(f"stopped waiting; the submission is stored and will be graded: {url}", soft_wrap=True)
        return EXIT_ERROR
    if data["result"] is None:  # the grading itself failed (status error)
        if as_json:
            console.print_json(data=dict(data, url=url))
        else:
            console.print(Text(f"JE  {data['message']}", style="bold white on red"))
            console.print(f"submission {data['id']}: {url}", soft_wrap=True)
        return EXIT_ERROR
    result = SubmissionResult.from_dict(data["result"])
    if as_json:
        console.print_json(data=dict(data["result"], submission_id=data["id"], submission_url=url))
    else:
        from judge.reports import print_result

        print_result(console, result)
        console.print(f"submission {data['id']}: {url}", soft_wrap=True)
    return exit_code([result])


def _overall_table(data: dict[str, Any], server: str, width: int) -> tuple[Table, str]:
    """The board: a column per challenge that someone has a score on, while they fit the terminal (a
    user's name is never squeezed); past that, how many challenges each user solved and scored on."""
    attempted = [name for name in data["challenges"] if any(name in row["challenges"] for row in data["rows"])]
    columns = attempted if 40 + 9 * len(attempted) + sum(len(n) for n in attempted) <= width else []
    table = Table("#", title=f"leaderboard · {server}", title_justify="left")
    table.add_column("user", no_wrap=True)
    table.add_column(f"total/{data.get('maximum', 0):g}", justify="right")
    for name in columns:
        table.add_column(name, justify="right")
    if not columns and attempted:
        table.add_column("solved", justify="right")
        table.add_column("scored", justify="right")
    table.add_column("submissions", justify="right")
    for row in data["rows"]:
        scores = row["challenges"]
        if columns or not attempted:
            cells = [f"{b['score']:g}/{b['max_score']:g}" if (b := scores.get(name)) else "–" for name in columns]
        else:
            solved = sum(b["score"] == b["max_score"] > 0 for b in scores.values())
            cells = [str(solved), str(len(scores))]
        table.add_row(str(row["rank"]), Text(row["user"]), Text(f"{row['total']:g}", style="bold"), *cells,
                      str(row["submissions"]))
    hint = "" if columns or not attempted else (f"{len(attempted)} challenges have scores: one board each with "
                                                f"`mlj leaderboard --challenge ID`, or --json")
    return table, hint


def leaderboard(*, server: str | None, challenge: str | None, console: Console, as_json: bool) -> int:
    try:
        server = resolve_server(server)
        if challenge:
            check_challenge(server, challenge)
        path = f"/api/challenges/{challenge}/leaderboard" if challenge else "/api/leaderboard"
        data = request("GET", server, path, token=stored_token(server))
    except ClientError as exc:
        Console(stderr=True).print(Text(f"error: {exc}", style="bold red"))
        return EXIT_ERROR
    if as_json:
        console.print_json(data=data)
        return EXIT_OK
    if challenge:
        table = Table("#", "user", "best score", "reached", "submissions", "best submission",
                      title=f"{challenge} · {server}", title_justify="left")
        for row in data["rows"]:
            table.add_row(str(row["rank"]), Text(row["user"]), f"{row['score']:g}/{row['max_score']:g}",
                          row["reached_at"], str(row["submissions"]), str(row["submission_id"]))
    else:
        table, hint = _overall_table(data, server, console.width)
    console.print(table if data["rows"] else Text("no graded submissions yet", style="dim"))
    if data["rows"] and not challenge and hint:
        console.print(Text(hint, style="dim"))
    if data.get("pending"):
        console.print(Text(f"{data['pending']} submission(s) queued or being graded", style="dim"))
    return EXIT_OK
