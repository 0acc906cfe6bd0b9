"""Alembic environment: boundary-bot always hands in a live connection (see bot.storage.database)."""

from __future__ import annotations

from alembic import context

from bot.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `boundary-bot migrate`, which supplies the connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
