"""Migration 0008 moves schedules onto shared rules without losing or re-sending a prompt: a database at the
previous revision, with schedules in every state and outbox rows sent and still queued, is migrated and then
claimed; and it goes back down and up again the same way. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.scheduling.store import ScheduleStore
from bot.storage.database import _alembic_config, make_engine, make_sessionmaker
from bot.storage.models import UTCDateTime
from tests.conftest import FakeClock

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

PREVIOUS = "0007_show_streaks"
BERLIN = ZoneInfo("Europe/Berlin")
GRACE = timedelta(hours=2)
NEVER = datetime(9999, 1, 1, tzinfo=UTC)


def berlin(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN).astimezone(UTC)


# (name, kind, days, times, zone, quiet, paused_until, next_fire_at, next_slot, delivered today as)
PEOPLE: list[tuple[Any, ...]] = [
    ("ana", "checkin", 127, "09:00", "Europe/Berlin", None, None, berlin(2026, 11, 27, 9), "2026-11-27T09:00", None),
    ("ben", "checkin", 127, "09:00", "Europe/Berlin", None, None, berlin(2026, 11, 28, 9), "2026-11-28T09:00", "sent"),
    ("cem", "checkin", 127, "09:00", "Europe/Berlin", None, None, berlin(2026, 11, 28, 9), "2026-11-28T09:00",
     "pending"),
    ("dan", "checkin", 127, "09:00", "Europe/Berlin", None, None, berlin(2026, 11, 28, 9), "2026-11-28T09:00", None),
    ("eve", "checkin", 127, "03:00", "America/New_York", None, None, datetime(2026, 11, 27, 8, tzinfo=UTC),
     "2026-11-27T03:00", None),
    ("fay", "checkin", 127, "09:00", "Europe/Berlin", None, NEVER, berlin(2026, 11, 27, 9), "2026-11-27T09:00", None),
    ("gus", "summary", 64, "18:00", "Europe/Berlin", "21:00-08:00", None, berlin(2026, 11, 29, 18),
     "2026-11-29T18:00", None),
    ("hal", "checkin", 127, "09:00", "Europe/Berlin", "21:00-08:00", None, berlin(2026, 11, 28, 9),
     "2026-11-28T09:00", "sent"),
]


def _typed(statement: str, *names: str) -> sa.TextClause:
    return sa.text(statement).bindparams(*(sa.bindparam(name, type_=UTCDateTime()) for name in names))


async def _at_previous_revision_with_schedules(engine: AsyncEngine) -> dict[str, int]:
    now = berlin(2026, 11, 26, 19)
    ids: dict[str, int] = {}
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), PREVIOUS))
        for index, (name, kind, days, times, zone, quiet, paused, next_at, slot, delivered) in enumerate(PEOPLE, 1):
            ids[name] = index
            await connection.execute(_typed(
                "INSERT INTO identities (id, platform, workspace_id, user_id, created_at, store_notes, show_streaks) "
                "VALUES (:id, 'console', 'local', :name, :now, true, false)", "now"),
                {"id": index, "name": name, "now": now})
            await connection.execute(_typed(
                "INSERT INTO schedules (id, identity_id, platform, kind, flow_id, days, times, zone, quiet, "
                "paused_until, pause_kind, next_fire_at, next_slot, unanswered, dialdown_asked, created_at, "
                "updated_at) VALUES (:id, :id, 'console', :kind, 'daily', :days, :times, :zone, :quiet, :paused, "
                ":pause_kind, :next_at, :slot, 0, false, :now, :now)", "paused", "next_at", "now"),
                {"id": index, "kind": kind, "days": days, "times": times, "zone": zone, "quiet": quiet,
                 "paused": paused, "pause_kind": "pause" if paused else None, "next_at": next_at, "slot": slot,
                 "now": now})
            if delivered:
                due = berlin(2026, 11, 27, 9)
                await connection.execute(_typed(
                    "INSERT INTO deliveries (schedule_id, identity_id, platform, slot, kind, due_at, status, "
                    "attempts, next_attempt_at, created_at, sent_at) VALUES (:id, :id, 'console', "
                    "'2026-11-27T09:00', 'prompt', :due, :status, 1, :due, :due, :sent)", "due", "sent"),
                    {"id": index, "due": due, "status": delivered, "sent": due if delivered == "sent" else None})
    return ids


async def _outbox(engine: AsyncEngine) -> list[tuple[int, str]]:
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.text(
            "SELECT schedule_id, slot FROM deliveries ORDER BY schedule_id, slot"))).all()
    return [(int(row[0]), str(row[1])) for row in rows]


async def _migrate(engine: AsyncEngine, revision: str, *, down: bool = False) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: (command.downgrade if down else command.upgrade)(
            _alembic_config(sync), revision))


async def test_schedules_move_onto_shared_rules_and_every_prompt_comes_once(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        ids = await _at_previous_revision_with_schedules(engine)
        await _migrate(engine, "head")
        async with engine.connect() as connection:
            rules = (await connection.execute(sa.text(
                "SELECT days, times, zone, next_slot FROM schedule_rules ORDER BY zone, days"))).all()
        assert [tuple(rule) for rule in rules] == [
            (127, "03:00", "America/New_York", "2026-11-27T03:00"),
            (64, "18:00", "Europe/Berlin", "2026-11-29T18:00"),
            (127, "09:00", "Europe/Berlin", "2026-11-27T09:00")], "one rule per calendar, at its earliest firing"

        clock = FakeClock(berlin(2026, 11, 27, 9, 0, 30))
        store = ScheduleStore(make_sessionmaker(engine), clock)
        for name, *_ignored, slot, _delivered in PEOPLE:
            record = await store.get(ids[name], "summary" if name == "gus" else "checkin")
            assert record is not None
            assert record.next_slot == slot, f"{name} keeps their next firing"
        hal = await store.get(ids["hal"])
        assert hal is not None
        assert hal.rule.quiet == (time(21), time(8)), "quiet hours stay the person's own"

        assert await store.claim_due(grace=GRACE) == 3, "ana and eve queued, fay held (paused)"
        today = [(ids["ana"], "2026-11-27T09:00"), (ids["ben"], "2026-11-27T09:00"), (ids["cem"], "2026-11-27T09:00"),
                 (ids["eve"], "2026-11-27T03:00"), (ids["hal"], "2026-11-27T09:00")]
        assert await _outbox(engine) == today, "nobody delivered or queued before the migration gets it again"

        # Down and up again: each person's next firing survives both ways.
        await _migrate(engine, PREVIOUS, down=True)
        async with engine.connect() as connection:
            slots = dict((await connection.execute(sa.text("SELECT id, next_slot FROM schedules"))).all())
        assert slots == {ids[name]: ("2026-11-29T18:00" if name == "gus" else
                                     "2026-11-28T03:00" if name == "eve" else "2026-11-28T09:00")
                         for name, *_rest in PEOPLE}
        await _migrate(engine, "head")

        clock.now = berlin(2026, 11, 28, 9, 0, 30)
        assert await store.claim_due(grace=GRACE) == 7, "everyone but gus (Sundays); fay held"
        tomorrow = [(ids[name], "2026-11-28T03:00" if name == "eve" else "2026-11-28T09:00")
                    for name in ("ana", "ben", "cem", "dan", "eve", "hal")]
        assert await _outbox(engine) == sorted(today + tomorrow)
    finally:
        await engine.dispose()
