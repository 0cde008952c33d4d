"""Database tables (SQLAlchemy 2 ORM). Schema changes go through an Alembic migration too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Submission.status values
QUEUED, RUNNING, DONE, ERROR = "queued", "running", "done", "error"
PENDING = (QUEUED, RUNNING)
FINISHED = (DONE, ERROR)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite hands naive ones back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use judge.server.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    submissions: Mapped[list[Submission]] = relationship(back_populates="user", cascade="all, delete-orphan")


class Rejudge(Base):
    """One admin's request to grade again one submission, or every submission of a challenge."""

    __tablename__ = "rejudges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge: Mapped[str] = mapped_column(String(128))
    submission_id: Mapped[int | None] = mapped_column(Integer, default=None)  # None: the whole challenge
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Submission(Base):
    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    challenge: Mapped[str] = mapped_column(String(128), index=True)
    code: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    verdict: Mapped[str | None] = mapped_column(String(8), default=None)
    score: Mapped[float | None] = mapped_column(Float, default=None)
    max_score: Mapped[float | None] = mapped_column(Float, default=None)
    message: Mapped[str] = mapped_column(Text, default="")
    result_json: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # set by the latest rejudge: what the submission had before it, to list the verdict changes
    rejudge_id: Mapped[int | None] = mapped_column(ForeignKey("rejudges.id"), default=None, index=True)
    previous_verdict: Mapped[str | None] = mapped_column(String(8), default=None)
    previous_score: Mapped[float | None] = mapped_column(Float, default=None)
    # scale-out (judge.server.tasks): how many times a worker claimed it, who holds it until when, when its id
    # last went to the broker and on which queue; the embedded grader leaves them alone
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_worker: Mapped[str | None] = mapped_column(String(128), default=None)
    lease_expires: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    queue: Mapped[str | None] = mapped_column(String(16), default=None)
    # `mlj grade --server`: the batch it belongs to (kept off the leaderboard and the members' pages), its name
    # there (the file's path as sent), and the seed every submission of the batch is graded on (None: drawn)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), default=None, index=True)
    label: Mapped[str | None] = mapped_column(String(255), default=None)
    seed: Mapped[int | None] = mapped_column(Integer, default=None)

    user: Mapped[User] = relationship(back_populates="submissions")


#: the rows the leaderboard, the members' pages and the per-member caps see: not those of a batch
def on_board() -> Any:
    return Submission.batch_id.is_(None)


class Batch(Base):
    """One `mlj grade --server` run: an admin's submissions graded on the board's slots or workers, one seed."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    seed: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Worker(Base):
    """One grading process of ``mlj worker`` (it grades one submission at a time), as its heartbeats report it."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    queues: Mapped[str] = mapped_column(String(64))  # comma-separated: cpu, gpu
    sandbox: Mapped[str] = mapped_column(String(16))
    current_submission: Mapped[int | None] = mapped_column(Integer, default=None)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_heartbeat: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    graded: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
