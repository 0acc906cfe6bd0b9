"""Claiming due schedules into the outbox, on SQLite and PostgreSQL: one row per chosen slot, whatever
the clock, the calendar or an outage does."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.messages import Address
from bot.scheduling.rules import EVERY_DAY, Rule
from bot.scheduling.store import ScheduleStore
from bot.storage.models import Delivery, ScheduleRule
from bot.storage.repository import Repository
from tests.conftest import FakeClock

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

GRACE = timedelta(hours=2)
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone).astimezone(UTC)


async def person(repository: Repository, name: str = "ana") -> int:
    return await repository.identity_id(Address("console", "local", name, "console"))


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[Delivery]:
    async with sessions() as db:
        return list((await db.scalars(select(Delivery).order_by(Delivery.due_at, Delivery.id))).all())


async def slots(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    return [row.slot for row in await outbox(sessions)]


def daily(at: str, zone: str = "Europe/Berlin", *times: str) -> Rule:
    return Rule(EVERY_DAY, tuple(time.fromisoformat(part) for part in (at, *times)), zone)


async def claim_every(step: timedelta, first: datetime, last: datetime, schedules: ScheduleStore,
                      sessions: async_sessionmaker[AsyncSession], clock: FakeClock, *, claims: int = 1) -> None:
    """Claim as a poller does every `step`, at first, first + step, … up to `last`; `claims` claims a tick.

    The ticks at which no rule is due are jumped over, except the last one before each due tick, where the
    claim must find nothing: a claim that finds nothing due changes nothing, so the outbox ends as if every tick
    had claimed, in a fraction of the queries."""
    at = first
    while at <= last:
        async with sessions() as db:
            next_fire_at = await db.scalar(select(func.min(ScheduleRule.next_fire_at)))
            queueing = await db.scalar(select(func.count()).where(ScheduleRule.queue_due.is_not(None)))
        if next_fire_at is None and not queueing:
            return
        if not queueing and next_fire_at is not None and next_fire_at > at:
            ticks = math.ceil((next_fire_at - at) / step)  # to the first tick at or after the firing
            before = at + step * (ticks - 1)
            if before <= last:
                clock.now = before
                assert await schedules.claim_due(grace=GRACE) == 0, "nothing is due before its time"
            at += step * ticks
            if at > last:
                return
        clock.now = at
        for _ in range(claims):
            await schedules.claim_due(grace=GRACE)
        at += step


async def test_a_due_schedule_gets_exactly_one_outbox_row_and_moves_on(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    ana = await person(repository)
    saved = await schedules.save(ana, daily("09:00"), "daily")
    assert saved.next_fire_at == local(BERLIN, 2026, 11, 27, 9)
    assert saved.next_slot == "2026-11-27T09:00"

    clock.now = local(BERLIN, 2026, 11, 27, 8, 59)
    assert await schedules.claim_due(grace=GRACE) == 0
    assert await outbox(sessions) == [], "nothing before the chosen time"

    clock.now = local(BERLIN, 2026, 11, 27, 9, 0)
    assert await schedules.claim_due(grace=GRACE) == 1
    rows = await outbox(sessions)
    assert [(row.slot, row.kind, row.status, row.identity_id) for row in rows] == \
        [("2026-11-27T09:00", "prompt", "pending", ana)]
    assert rows[0].due_at == local(BERLIN, 2026, 11, 27, 9)

    for _ in range(3):
        clock.advance(seconds=20)
        assert await schedules.claim_due(grace=GRACE) == 0
    assert await slots(sessions) == ["2026-11-27T09:00"], "repeated claims add nothing"

    record = await schedules.get(ana)
    assert record is not None
    assert record.next_fire_at == local(BERLIN, 2026, 11, 28, 9)
    assert record.next_slot == "2026-11-28T09:00"


async def test_a_week_of_claims_every_ten_minutes_gives_one_row_per_day(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    await schedules.save(await person(repository), daily("09:00"), "daily")
    step = timedelta(minutes=10)
    await claim_every(step, clock.now + step, clock.now + timedelta(days=7), schedules, sessions, clock)
    assert await slots(sessions) == [f"2026-{day}T09:00" for day in
                                     ("11-27", "11-28", "11-29", "11-30", "12-01", "12-02", "12-03")]


async def test_a_second_instance_claiming_the_same_moment_adds_nothing(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    for name in ("ana", "ben", "cem"):
        await schedules.save(await person(repository, name), daily("09:00"), "daily")
    other = ScheduleStore(sessions, clock)
    clock.now = local(BERLIN, 2026, 11, 27, 9, 0, 30)
    claimed = await asyncio.gather(schedules.claim_due(grace=GRACE), other.claim_due(grace=GRACE))
    assert sum(claimed) == 3
    assert await slots(sessions) == ["2026-11-27T09:00"] * 3
    assert len({row.identity_id for row in await outbox(sessions)}) == 3


async def test_a_rule_another_instance_is_claiming_is_left_to_it(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock, database_url: str) -> None:
    """PostgreSQL: instances split the due rules between them; a rule another instance holds is skipped
    (no waiting, no double work) and claimed by whoever comes next once it is free."""
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer")
    for name in ("ana", "ben", "cem"):
        await schedules.save(await person(repository, name), daily("09:00"), "daily")
    clock.now = local(BERLIN, 2026, 11, 27, 9, 0, 30)
    async with sessions() as other_instance, other_instance.begin():
        held = (await other_instance.execute(text("SELECT id FROM schedule_rules FOR UPDATE"))).all()
        assert len(held) == 1, "the three share one rule"
        assert await schedules.claim_due(grace=GRACE, batch_size=1000) == 0
        assert await outbox(sessions) == []
    assert await schedules.claim_due(grace=GRACE, batch_size=1000) == 3
    assert await slots(sessions) == ["2026-11-27T09:00"] * 3


async def test_new_york_fall_back_night_gives_one_row_for_the_ambiguous_time(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    clock.now = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    ana = await person(repository)
    await schedules.save(ana, daily("01:30", "America/New_York"), "daily")
    # every 5 minutes from 00:00 EDT to 03:55 EST, through both 01:30s
    await claim_every(timedelta(minutes=5), datetime(2026, 11, 1, 4, 0, tzinfo=UTC),
                      datetime(2026, 11, 1, 8, 55, tzinfo=UTC), schedules, sessions, clock)
    rows = await outbox(sessions)
    assert [row.slot for row in rows] == ["2026-11-01T01:30"]
    assert rows[0].due_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "the first 01:30 (EDT)"
    record = await schedules.get(ana)
    assert record is not None
    assert record.next_slot == "2026-11-02T01:30"


async def test_berlin_fall_back_day_yields_one_row_per_configured_time(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    clock.now = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    await schedules.save(await person(repository), daily("02:30", "Europe/Berlin", "09:00"), "daily")
    step = timedelta(minutes=10)
    await claim_every(step, clock.now + step, datetime(2026, 10, 25, 12, 0, tzinfo=UTC), schedules, sessions, clock)
    assert await slots(sessions) == ["2026-10-25T02:30", "2026-10-25T09:00"]


async def test_spring_forward_gap_still_gets_its_row(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    clock.now = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    await schedules.save(await person(repository), daily("02:30", "America/New_York"), "daily")
    step = timedelta(minutes=10)
    await claim_every(step, clock.now + step, datetime(2026, 3, 9, 12, 0, tzinfo=UTC), schedules, sessions, clock)
    rows = await outbox(sessions)
    assert [row.slot for row in rows] == ["2026-03-08T02:30", "2026-03-09T02:30"]
    assert rows[0].due_at == local(NEW_YORK, 2026, 3, 8, 3, 0), "03:00 EDT, the first instant after 02:30"


async def test_after_a_short_outage_only_the_latest_missed_slot_is_queued(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    await schedules.save(await person(repository), daily("09:00"), "daily")
    clock.now = local(BERLIN, 2026, 11, 29, 10, 30)  # down since Thursday; back 90 minutes after Sunday's slot
    assert await schedules.claim_due(grace=GRACE) == 1
    rows = await outbox(sessions)
    assert [row.slot for row in rows] == ["2026-11-29T09:00"], "no pile of Friday's and Saturday's prompts"
    assert rows[0].due_at == local(BERLIN, 2026, 11, 29, 9)
    await schedules.claim_due(grace=GRACE)
    assert len(await outbox(sessions)) == 1


async def test_after_a_long_outage_nothing_is_queued_and_the_schedule_moves_on(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    ana = await person(repository)
    await schedules.save(ana, daily("09:00"), "daily")
    clock.now = local(BERLIN, 2026, 11, 27, 11, 1)  # 2h01 after the slot
    assert await schedules.claim_due(grace=GRACE) == 1, "the schedule is still claimed, to move it on"
    assert await outbox(sessions) == []
    record = await schedules.get(ana)
    assert record is not None
    assert record.next_fire_at == local(BERLIN, 2026, 11, 28, 9)
    clock.now = local(BERLIN, 2026, 11, 28, 9, 0, 10)
    await schedules.claim_due(grace=GRACE)
    assert await slots(sessions) == ["2026-11-28T09:00"], "and the next day's prompt comes as usual"


async def test_overdue_exactly_at_the_grace_limit_is_still_queued(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    await schedules.save(await person(repository), daily("09:00"), "daily")
    clock.now = local(BERLIN, 2026, 11, 27, 10, 59)
    await schedules.claim_due(grace=GRACE)
    assert await slots(sessions) == ["2026-11-27T09:00"]


async def test_a_paused_schedule_gets_no_row_but_still_moves_on(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    ana = await person(repository)
    await schedules.save(ana, daily("09:00"), "daily")
    await schedules.set_pause(ana, local(BERLIN, 2026, 11, 29, 0), "vacation")
    for day in (27, 28, 29):
        clock.now = local(BERLIN, 2026, 11, day, 9, 1)
        await schedules.claim_due(grace=GRACE)
    assert await slots(sessions) == ["2026-11-29T09:00"], "held on Friday and Saturday; Sunday the pause is over"
    record = await schedules.get(ana)
    assert record is not None
    assert record.next_slot == "2026-11-30T09:00"


async def test_paused_people_are_held_while_others_in_the_same_rhythm_are_queued(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    ana, ben = await person(repository, "ana"), await person(repository, "ben")
    await schedules.save(ana, daily("09:00"), "daily")
    await schedules.save(ben, daily("09:00"), "daily")
    await schedules.set_pause(ana, datetime(9999, 1, 1, tzinfo=UTC), "pause")
    clock.now = local(BERLIN, 2026, 11, 27, 9, 1)
    assert await schedules.claim_due(grace=GRACE) == 2
    assert [row.identity_id for row in await outbox(sessions)] == [ben]


async def test_three_times_a_day_give_three_rows_a_day(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    ana = await person(repository)
    await schedules.save(ana, daily("08:00", "Europe/Berlin", "13:00", "20:00"), "daily")
    step = timedelta(minutes=15)
    await claim_every(step, clock.now + step, local(BERLIN, 2026, 11, 29, 0), schedules, sessions, clock, claims=2)
    assert await slots(sessions) == ["2026-11-26T20:00",  # saved at 19:00 local: tonight's 20:00 still counts
                                     "2026-11-27T08:00", "2026-11-27T13:00", "2026-11-27T20:00",
                                     "2026-11-28T08:00", "2026-11-28T13:00", "2026-11-28T20:00"]


async def test_three_times_a_day_after_an_outage_queue_only_the_latest(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    ana = await person(repository)
    await schedules.save(ana, daily("08:00", "Europe/Berlin", "13:00", "20:00"), "daily")
    clock.now = local(BERLIN, 2026, 11, 27, 13, 45)
    await schedules.claim_due(grace=GRACE)
    assert await slots(sessions) == ["2026-11-27T13:00"], "08:00 is not sent late on top of 13:00"
    record = await schedules.get(ana)
    assert record is not None
    assert record.next_slot == "2026-11-27T20:00"


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Lord_Howe", "Australia/Sydney", "UTC"])
async def test_claims_around_the_year_in_other_zones(
        zone: str, repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    """Through both DST changes of the zone (or none): one row per local day, at the chosen wall time."""
    tz = ZoneInfo(zone)
    for month, day in ((4, 2), (10, 1), (10, 30), (3, 6)):
        year = 2027 if month == 3 else 2026
        start = datetime(year, month, day, 12, tzinfo=tz).astimezone(UTC)
        async with sessions() as db, db.begin():
            await db.execute(Delivery.__table__.delete())
        clock.now = start
        await schedules.save(await person(repository), daily("09:00", zone), "daily")
        step = timedelta(minutes=30)
        await claim_every(step, start + step, start + timedelta(days=5), schedules, sessions, clock)
        rows = await outbox(sessions)
        assert len(rows) == 5
        assert len({row.slot for row in rows}) == 5
        assert {row.due_at.astimezone(tz).strftime("%H:%M") for row in rows} == {"09:00"}
