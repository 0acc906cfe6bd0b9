"""Migration 0005 goes up and down cleanly on SQLite and PostgreSQL, leaving earlier tables alone."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import _alembic_config
from bot.storage.models import Base

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

COMMUNITY_TABLES = {"circles", "circle_posts", "circle_shares", "circle_share_quota", "pulse_rounds",
                    "pulse_answers", "pulse_participation"}


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_community_migration_down_and_up_again(raw_engine: AsyncEngine) -> None:
    assert await _tables(raw_engine) >= COMMUNITY_TABLES
    async with raw_engine.begin() as connection:
        await connection.execute(text("INSERT INTO identities (platform, workspace_id, user_id, created_at, "
                                      "store_notes) VALUES ('console', 'local', 'kept', CURRENT_TIMESTAMP, true)"))
        await connection.run_sync(lambda sync: command.downgrade(_alembic_config(sync), "0004_dm_channel"))
    remaining = await _tables(raw_engine)
    assert remaining & COMMUNITY_TABLES == set()
    assert {"identities", "checkins", "schedules", "deliveries"} <= remaining

    async with raw_engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "head"))

    def differences(sync: Connection) -> list[Any]:
        context = MigrationContext.configure(sync, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, Base.metadata))

    async with raw_engine.connect() as connection:
        assert await connection.run_sync(differences) == []
        kept = (await connection.execute(text("SELECT count(*) FROM identities WHERE user_id = 'kept'"))).scalar_one()
    assert kept == 1
    assert await _tables(raw_engine) >= COMMUNITY_TABLES
