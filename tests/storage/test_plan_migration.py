"""Migration 0011 (the safety plan) goes down and up cleanly on SQLite and PostgreSQL, leaving people alone."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import _alembic_config

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL


async def _shape(engine: AsyncEngine) -> tuple[set[str], set[str]]:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: (
            set(inspect(sync).get_table_names()), {c["name"] for c in inspect(sync).get_columns("identities")}))


async def test_plan_migration_down_and_up_again(raw_engine: AsyncEngine) -> None:
    tables, columns = await _shape(raw_engine)
    assert "safety_plans" in tables
    assert "plan_offered_at" in columns
    async with raw_engine.begin() as connection:
        await connection.execute(text("INSERT INTO identities (platform, workspace_id, user_id, created_at, "
                                      "store_notes) VALUES ('console', 'local', 'kept', CURRENT_TIMESTAMP, true)"))
        await connection.run_sync(lambda sync: command.downgrade(_alembic_config(sync), "0010_encrypt_checkin_answers"))
    tables, columns = await _shape(raw_engine)
    assert "safety_plans" not in tables
    assert "plan_offered_at" not in columns

    async with raw_engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "head"))
        kept = (await connection.execute(text("SELECT count(*) FROM identities WHERE user_id = 'kept'"))).scalar_one()
    assert kept == 1
    tables, columns = await _shape(raw_engine)
    assert "safety_plans" in tables
    assert "plan_offered_at" in columns
