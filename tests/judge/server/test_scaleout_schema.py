"""The schema: the migrations yield the models' tables and upgrade a 0002 database (0003 scale-out, 0004 batches)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from judge.server.db import make_engine, normalize_url, open_database
from judge.server.models import Base


def test_migrations_match_the_models(tmp_path: Path) -> None:
    engine, _ = open_database(str(tmp_path / "board.db"))
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_upgrade_from_0002_keeps_the_rows_and_starts_attempts_at_zero(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from judge.server.db import MIGRATIONS

    db = tmp_path / "old.db"
    engine = make_engine(normalize_url(str(db)))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    engine.dispose()
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO users (name, token_hash, is_admin, created_at) VALUES ('a', 'h', 0, '2026-01-01')")
        conn.execute("INSERT INTO submissions (user_id, challenge, code, status, message, created_at) "
                     "VALUES (1, 'c', 'x = 1', 'done', '', '2026-01-01')")
    engine, _ = open_database(str(db))
    engine.dispose()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0004",)
        assert conn.execute("SELECT status, attempts, lease_worker, lease_expires FROM submissions").fetchall() == [
            ("done", 0, None, None)]
        assert conn.execute("SELECT count(*) FROM workers").fetchone() == (0,)
        assert conn.execute("SELECT batch_id, label, seed FROM submissions").fetchall() == [(None, None, None)]
        assert conn.execute("SELECT count(*) FROM batches").fetchone() == (0,)
