"""Alembic environment: runs on the connection that ``judge.server.db.upgrade`` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from judge.server.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic -x url=... upgrade head` from a shell
    url = context.get_x_argument(as_dictionary=True)["url"]
    with create_engine(url).begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
