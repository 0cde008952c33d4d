"""`mlj grade FILES --server URL`: a batch graded on a board's slots or workers, as results of a local batch.

The client opens a batch (one seed for all, ``--seed`` or drawn by the board),
uploads each submission (a notebook is turned into its module here, as a
local grading does), and polls until every one is finished. Each result is the
board's own ``SubmissionResult`` with the local path put back, so the JSON,
JUnit, Markdown and CSV reports are those of a local batch. A submission the
board could not grade (its JE, with the reason) stays JE here. The batch's
gradings are kept off the leaderboard (``judge.server.batches``).
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from judge import __version__
from judge.challenge import Challenge
from judge.server.client import ClientError, get_patiently, request, resolve_server, stored_token
from judge.verdict import SubmissionResult, Verdict

POLL_SECONDS = 1.0


class BatchInterrupted(Exception):  # noqa: N818 - what happened
    """Ctrl-C while waiting: ``results`` are those finished, in input order; the board grades the rest."""

    def __init__(self, results: list[SubmissionResult], batch_id: int) -> None:
        super().__init__(f"interrupted waiting for batch {batch_id}")
        self.results, self.batch_id = results, batch_id


def _source(path: Path) -> tuple[str | None, str]:
    """(code, "") or (None, why it cannot be sent: a compile error of a notebook, an unreadable file)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or exc}"
    if path.suffix == ".ipynb":
        from judge.notebook import to_script

        script = to_script(data, path.name)
        return (script.source, "") if script.source is not None else (None, script.error or "not a notebook")
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as exc:
        return None, f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"


def _local(challenge: Challenge, path: Path, verdict: Verdict, message: str, seed: int | None,
           sandbox: str) -> SubmissionResult:
    """A result with no tests: what could not be sent (CE), or what the board could not grade (JE)."""
    return SubmissionResult(challenge=challenge.id, submission=str(path), suite="hidden", verdict=verdict,
                            score=0.0, max_score=0.0, tests=(), groups=(), sandbox=sandbox,
                            judge_version=__version__, seed=seed, duration=0.0, message=message)


def _result(item: dict[str, Any], challenge: Challenge, path: Path, seed: int, sandbox: str) -> SubmissionResult:
    if item["result"] is None:  # status error: the board's judge could not grade it
        return _local(challenge, path, Verdict.JE, item.get("message") or "the board could not grade it", seed,
                      sandbox)
    result = SubmissionResult.from_dict(item["result"])
    return dataclasses.replace(result, submission=str(path))


def grade_remote(pairs: list[tuple[Challenge, Path]], *, server: str | None, seed: int | None,
                 console: Console) -> tuple[list[SubmissionResult], str]:
    """The results, in input order, and the sandbox label (``board URL``); ClientError for what to fix."""
    server = resolve_server(server)
    token = stored_token(server)
    if not token:
        raise ClientError(f"not logged in to {server}: run `mlj login --server {server}` with an admin's token "
                          "(or set MLJ_TOKEN)")
    label = f"board {server}"
    catalog = set(request("GET", server, "/api/challenges"))
    missing = sorted({c.id for c, _ in pairs} - catalog)
    if missing:
        raise ClientError(f"the board {server} has no challenge {', '.join(map(repr, missing))}; "
                          f"its challenges: {', '.join(sorted(catalog)) or 'none'}")
    batch = request("POST", server, "/api/batches", token=token, json={"seed": seed})
    results: list[SubmissionResult | None] = [None] * len(pairs)
    sent: dict[int, int] = {}  # submission id -> index in pairs
    with console.status(f"batch {batch['id']}: uploading") as status:
        for index, (challenge, path) in enumerate(pairs):
            code, problem = _source(path)
            if code is None:
                results[index] = _local(challenge, path, Verdict.CE, problem, batch["seed"], label)
                continue
            stored = request("POST", server, f"/api/batches/{batch['id']}/submissions", token=token,
                             json={"challenge": challenge.id, "name": str(path)[-255:], "code": code})
            sent[stored["id"]] = index
            status.update(f"batch {batch['id']}: uploaded {index + 1} of {len(pairs)}")
        try:
            _wait(server, token, batch, sent, pairs, results, status, label)
        except KeyboardInterrupt:
            raise BatchInterrupted([r for r in results if r is not None], batch["id"]) from None
    return [r for r in results if r is not None], label


def _wait(server: str, token: str, batch: dict[str, Any], sent: dict[int, int],
          pairs: list[tuple[Challenge, Path]], results: list[SubmissionResult | None], status: Any,
          label: str) -> None:
    started = time.monotonic()
    while sent:
        data = get_patiently(server, f"/api/batches/{batch['id']}", token, lambda: status.update(
            f"batch {batch['id']}: the board does not answer; retrying (the batch is stored)"))
        for item in data["submissions"]:
            index = sent.get(item["id"])
            if index is not None and item["status"] in ("done", "error"):
                challenge, path = pairs[index]
                results[index] = _result(item, challenge, path, batch["seed"], label)
                del sent[item["id"]]
        status.update(f"batch {batch['id']}: {len(pairs) - len(sent)} of {len(pairs)} graded "
                      f"({time.monotonic() - started:.0f}s)")
        if sent:
            time.sleep(POLL_SECONDS)
