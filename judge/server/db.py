"""Database URLs, engines and schema migrations (Alembic, run programmatically at startup)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DB = Path(".mlj") / "server.db"
MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseError(Exception):
    """A database URL that cannot be used, with a message a person can act on."""


def normalize_url(db: str | None) -> str:
    """A SQLAlchemy URL; a plain path (or nothing) means an SQLite file, created with its folder."""
    if not db:
        db = str(DEFAULT_DB)
    if "://" not in db:
        path = Path(db).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    try:
        url = make_url(db)
    except Exception as exc:  # noqa: BLE001 - sqlalchemy raises ArgumentError and others
        raise DatabaseError(f"cannot parse the database URL {db!r}: {exc}") from None
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
    return db


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return url


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise DatabaseError(f"the driver for {redact(url)} is not installed ({exc.name}); for PostgreSQL use "
                            "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB with pip install 'psycopg[binary]'"
                            ) from None


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (``alembic upgrade head``)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(db: str | None) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory for ``db``, migrated to the newest schema."""
    url = normalize_url(db)
    engine = make_engine(url)
    try:
        upgrade(engine)
    except Exception as exc:  # noqa: BLE001 - connection refused, auth failed, missing database...
        engine.dispose()
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(f"cannot open the database {redact(url)}: {first}") from exc
    return engine, sessionmaker(engine, expire_on_commit=False)
