"""The local history of attempts behind ``mlj status``: one JSON line per graded submission.

It lives in the user's data folder (``$XDG_DATA_HOME/mlj/history.jsonl``, by default
``~/.local/share/mlj/``; ``MLJ_DATA_DIR`` overrides), never in a repository. Only what the
status table needs is kept: no source, no output. A line that does not parse is skipped, so a
file damaged by hand never stops a grading.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from judge.verdict import SubmissionResult

FILE_NAME = "history.jsonl"


def history_path() -> Path:
    override = os.environ.get("MLJ_DATA_DIR")
    if override:
        return Path(override) / FILE_NAME
    from platformdirs import user_data_path

    return user_data_path("mlj") / FILE_NAME


def record(result: SubmissionResult, path: Path | None = None) -> None:
    """Append one attempt; a history that cannot be written is not the grading's failure."""
    path = path or history_path()
    line = {"challenge": result.challenge, "suite": result.suite, "verdict": str(result.verdict),
            "score": result.score, "max_score": result.max_score, "submission": str(Path(result.submission).resolve()),
            "at": datetime.now(UTC).isoformat(timespec="seconds")}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
    except OSError:
        pass


@dataclass(frozen=True)
class Standing:
    challenge: str
    attempts: int
    best_score: float  # on the hidden tests (``mlj submit``); the public ones score nothing
    max_score: float
    last_verdict: str
    last_suite: str
    last_at: str


def standings(path: Path | None = None) -> dict[str, Standing]:
    """Challenge id -> its attempts so far."""
    path = path or history_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    out: dict[str, Standing] = {}
    for text in lines:
        try:
            item = json.loads(text)
            challenge, suite, verdict, at = item["challenge"], item["suite"], item["verdict"], item["at"]
            score, max_score = float(item["score"]), float(item["max_score"])
        except (ValueError, KeyError, TypeError):
            continue
        before = out.get(challenge)
        hidden = suite == "hidden"
        best = max(before.best_score if before else 0.0, score if hidden else 0.0)
        top = max_score if hidden else (before.max_score if before else 0.0)
        out[challenge] = Standing(challenge, (before.attempts if before else 0) + 1, best, top, verdict, suite, at)
    return out
