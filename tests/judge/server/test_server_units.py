"""Fast checks without a server: ranking rules, users and tokens, stored credentials, startup errors."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from server_helpers import run_mlj
from sqlalchemy import text

from judge.server import client
from judge.server.auth import user_for_token
from judge.server.db import open_database
from judge.server.ranking import Scored, challenge_board, overall_board

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _row(user: str, challenge: str, score: float, minutes: int, sid: int) -> Scored:
    return Scored(user, challenge, score, 10.0, T0 + timedelta(minutes=minutes), sid)


def test_best_score_counts_and_ties_go_to_who_reached_it_first() -> None:
    rows = [
        _row("ann", "a", 6, 0, 1), _row("ann", "a", 10, 5, 2), _row("ann", "a", 10, 9, 3),  # best 10 at minute 5
        _row("ben", "a", 10, 7, 4), _row("ben", "a", 2, 8, 5),  # best 10 at minute 7: after ann
        _row("cy", "a", 8, 1, 6),
    ]
    board = challenge_board(rows, "a")
    assert [(b.user, b.score, b.submission_id, b.submissions) for b in board] == [
        ("ann", 10, 2, 3), ("ben", 10, 4, 2), ("cy", 8, 6, 1)]


def test_overall_is_the_sum_of_bests_with_ties_to_the_earlier_total() -> None:
    rows = [_row("ann", "a", 10, 0, 1), _row("ann", "b", 5, 30, 2),
            _row("ben", "a", 5, 1, 3), _row("ben", "b", 10, 2, 4),  # ben reached 15 at minute 2, ann at 30
            _row("cy", "a", 3, 0, 5), _row("cy", "a", 0, 1, 6)]
    ranked = overall_board(rows)
    assert [(s.rank, s.user, s.total) for s in ranked] == [(1, "ben", 15), (2, "ann", 15), (3, "cy", 3)]
    assert ranked[2].submissions == 2


def test_commands_module_imports_no_web_stack_or_torch() -> None:
    code = ("import sys, cli; "
            "print([m for m in ('fastapi', 'sqlalchemy', 'uvicorn', 'torch', 'httpx') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_users_and_tokens(tmp_path: Path) -> None:
    db = str(tmp_path / "users.db")
    first = run_mlj("admin", "add-user", "ann", "--db", db)
    assert first.exit_code == 0 and first.stdout.startswith("mlj_") and "shown only now" in first.stderr
    token = first.stdout.strip()
    again = run_mlj("admin", "add-user", "ann", "--db", db)
    assert again.exit_code == 2 and "already exists" in again.stderr
    bad = run_mlj("admin", "add-user", "<b>", "--db", db)
    assert bad.exit_code == 2 and "invalid user name" in bad.stderr
    new = run_mlj("admin", "reset-token", "ann", "--db", db).stdout.strip()
    engine, sessions = open_database(db)
    with sessions() as session:
        stored = session.execute(text("SELECT token_hash FROM users")).scalar_one()
        assert token not in stored and new not in stored and len(stored) == 64
        assert user_for_token(session, token) is None
        assert user_for_token(session, new).name == "ann"
        assert user_for_token(session, "") is None
    engine.dispose()


def test_credentials_file_is_private_and_keyed_by_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("MLJ_TOKEN", raising=False)
    path = client.save_token("http://board:8000/", "mlj_a", "ann")
    client.save_token("board.example:9000", "mlj_b", "ann")
    assert path == tmp_path / "mlj" / "credentials.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert client.stored_token("http://board:8000") == "mlj_a"
    assert client.stored_token("http://board.example:9000/") == "mlj_b"
    assert json.loads(path.read_text())["servers"]["http://board:8000"]["user"] == "ann"
    monkeypatch.setenv("MLJ_TOKEN", "mlj_env")
    assert client.stored_token("http://board:8000") == "mlj_env"


def test_unusable_databases_are_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg2", None)  # not installed, whatever this machine has
    old_driver = run_mlj("serve", "--db", "postgresql+psycopg2://u@127.0.0.1/x")
    assert old_driver.exit_code == 2 and "not installed (psycopg2)" in old_driver.stderr
    assert "postgresql+psycopg://" in old_driver.stderr
    refused = run_mlj("admin", "add-user", "ann", "--db", "postgresql+psycopg://u:secret@127.0.0.1:1/x")
    assert refused.exit_code == 2 and "cannot open the database" in refused.stderr
    assert "secret" not in refused.stderr


def test_server_unreachable_is_a_clear_error(tmp_path: Path) -> None:
    out = run_mlj("leaderboard", "--server", "http://127.0.0.1:1")
    assert out.exit_code == 2 and "cannot reach the server at http://127.0.0.1:1" in out.stderr


def test_find_known_takes_catalog_names_only() -> None:
    from judge.challenge import CHALLENGES_DIR, ChallengeError, catalog_ids, find_known

    assert find_known("softmax-cross-entropy").id == "softmax-cross-entropy"
    messages = set()
    for spelling in ("softmax-cross-entropy/", "./softmax-cross-entropy", "../challenges/softmax-cross-entropy",
                     str(CHALLENGES_DIR / "softmax-cross-entropy"), "nope", 3, None):
        with pytest.raises(ChallengeError) as caught:
            find_known(spelling)
        messages.add(caught.value.errors[0].replace(repr(str(spelling)), "ID"))
    assert len(messages) == 1 and "softmax-cross-entropy" in catalog_ids()


def test_forgetting_test_modules_follows_an_aliased_folder(tmp_path: Path) -> None:
    import importlib.util

    from judge.grading import _forget_test_modules

    real = tmp_path / "pkg" / "tests"
    real.mkdir(parents=True)
    (real / "test_alias_probe.py").write_text("X = 1\n")
    before = set(sys.modules)
    spec = importlib.util.spec_from_file_location("mlj_alias_probe", real / "test_alias_probe.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["mlj_alias_probe"] = module
    spec.loader.exec_module(module)
    _forget_test_modules(before, tmp_path / "other" / ".." / "pkg")  # the grading saw the package by an alias
    assert "mlj_alias_probe" not in sys.modules


def test_the_queue_takes_members_in_turn_fewest_slot_seconds_first() -> None:
    from judge.server.schedule import Load, Queued, next_eligible, order, per_member_slots

    queued = [Queued(1, 10), Queued(2, 10), Queued(3, 10), Queued(4, 20), Queued(5, 30), Queued(6, 20)]
    loads = {10: Load(seconds=0), 20: Load(seconds=500), 30: Load(seconds=100)}
    assert [q.id for q in order(queued, loads)] == [1, 5, 4, 2, 6, 3]
    # a member holding their share of the slots waits; the next member's oldest goes first
    busy = {10: Load(seconds=0, running=1), 20: Load(seconds=500)}
    assert next_eligible(queued, busy, per_member_slots(2)).id == 5
    assert next_eligible([Queued(1, 10)], busy, 1) is None
    assert per_member_slots(1) == 1 and per_member_slots(4) == 2


def test_the_overall_board_keeps_names_whole_when_many_challenges_have_scores() -> None:
    from rich.console import Console

    from judge.server.client import _overall_table

    names = [f"challenge-number-{i}" for i in range(12)]
    full = {"score": 10.0, "max_score": 10.0}
    data = {"challenges": names + ["never-tried"], "maximum": 130.0, "rows": [
        {"rank": 1, "user": "a-rather-long-user-name", "total": 25.0, "submissions": 3,
         "challenges": {names[0]: full, names[1]: full, names[2]: {"score": 5.0, "max_score": 10.0}}},
        {"rank": 2, "user": "bob", "total": 10.0, "submissions": 1, "challenges": {n: full for n in names[3:4]}}]}
    console = Console(width=80, record=True)
    table, hint = _overall_table(data, "http://board", 80)
    console.print(table)
    text = console.export_text()
    assert "a-rather-long-user-name" in text and "solved" in text and "never-tried" not in text
    assert "mlj leaderboard --challenge ID" in hint
    few, hint = _overall_table({**data, "rows": data["rows"][1:]}, "http://board", 80)
    console.print(few)
    assert hint == "" and "challenge-number-3" in console.export_text() and "never-tried" not in console.export_text()
