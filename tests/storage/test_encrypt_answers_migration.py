"""Migration 0010 encrypts what earlier versions kept in clear (a check-in's score, boundaries and choices; the
moment crisis resources were shown), on SQLite and PostgreSQL; afterwards the person's history reads the same."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.messages import Address
from bot.privacy.crypto import Cipher
from bot.storage.database import _alembic_config
from bot.storage.repository import Repository
from tests.conftest import FakeClock
from tests.storage.test_repository import every_stored_value

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

BEFORE = "0009_uploaded_files"
SHOWN = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


async def at_revision(engine: AsyncEngine, revision: str, cipher: Cipher | None) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(_alembic_config(sync, cipher), revision)
                                  if revision != "head" else command.upgrade(_alembic_config(sync, cipher), "head"))


async def columns(engine: AsyncEngine, table: str) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(
            lambda sync: [column["name"] for column in inspect(sync).get_columns(table)]))


async def old_rows(engine: AsyncEngine) -> None:
    """What version 0008 wrote: answers in clear."""
    async with engine.begin() as db:
        await db.execute(text("INSERT INTO identities (id, platform, workspace_id, user_id, created_at, store_notes, "
                              "show_streaks) VALUES (7, 'console', 'local', 'ana', :now, true, false)"),
                         {"now": datetime(2026, 1, 1, tzinfo=UTC)})
        for number, (score, boundaries) in enumerate(((2, '["saying_no", "guilt"]'), (None, '["none"]'))):
            await db.execute(text(
                "INSERT INTO checkins (identity_id, session_id, flow_id, created_at, safety_score, boundaries, "
                "has_note, answers, words_enc, tip_id) VALUES (7, :session, 'daily', :at, :score, :boundaries, "
                "false, :answers, NULL, NULL)"),
                {"session": f"s{number}", "at": SHOWN.replace(day=5 + number), "score": score,
                 "boundaries": boundaries, "answers": '{"unsafe_where": "Marigold-work-7711"}'})
        await db.execute(text("INSERT INTO crisis_events (identity_id, shown_at) VALUES (7, :at)"), {"at": SHOWN})


async def test_existing_answers_and_crisis_moments_are_encrypted_and_read_back(
        raw_engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], cipher: Cipher,
        clock: FakeClock) -> None:
    await at_revision(raw_engine, BEFORE, cipher)
    assert "safety_score" in await columns(raw_engine, "checkins")
    await old_rows(raw_engine)

    with pytest.raises(RuntimeError, match="encryption keys"):
        await at_revision(raw_engine, "head", None)
    await at_revision(raw_engine, "head", cipher)

    assert {"safety_score", "boundaries", "answers"} & await columns(raw_engine, "checkins") == set()
    assert "shown_at" not in await columns(raw_engine, "crisis_events")
    stored = " ".join(value for _, _, value in await every_stored_value(raw_engine))
    for clear in ("Marigold-work-7711", "saying_no", "guilt", SHOWN.isoformat()[:19], "2026-03-04 05:06"):
        assert clear not in stored, f"{clear!r} is still stored in clear"

    repository = Repository(sessions, cipher, clock)
    identity = await repository.find_identity(Address("console", "local", "ana"))
    assert identity == 7
    first, second = await repository.checkins(identity)
    assert (first.safety_score, first.boundaries) == (2, ("saying_no", "guilt"))
    assert (second.safety_score, second.boundaries) == (None, ("none",))
    exported = await repository.export(identity)
    assert exported["checkins"][0]["answers"] == {"unsafe_where": "Marigold-work-7711"}
    assert exported["crisis_resources_shown"] == [SHOWN.isoformat()]

    await at_revision(raw_engine, BEFORE, cipher)  # and back, for a rollback
    async with raw_engine.connect() as db:
        assert (await db.execute(text("SELECT safety_score FROM checkins ORDER BY id"))).scalars().all() == [2, None]
