"""Migration 0012 (where a pulse invitation was posted) goes down and up cleanly on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import _alembic_config

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL


async def _columns(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: {c["name"] for c in inspect(sync).get_columns("pulse_rounds")})


async def test_pulse_invitation_migration_down_and_up_again(raw_engine: AsyncEngine) -> None:
    assert "invitation_id" in await _columns(raw_engine)
    async with raw_engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO pulse_rounds (id, platform, workspace_id, channel_id, item_set, opens_at, closes_at, "
            "min_respondents, status, reminded, published) VALUES ('kept', 'slack', 'T1', 'C1', 'team-safety', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 5, 'open', false, false)"))
        # Down past 0013 and 0012.
        await connection.run_sync(lambda sync: command.downgrade(_alembic_config(sync), "0011_safety_plans"))
    assert "invitation_id" not in await _columns(raw_engine)
    async with raw_engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), "head"))
        kept = (await connection.execute(text("SELECT count(*) FROM pulse_rounds WHERE id = 'kept'"))).scalar_one()
    assert kept == 1
    assert "invitation_id" in await _columns(raw_engine)
