"""Schedules share rules: what storage decides about them, on SQLite and PostgreSQL. People with one calendar
share one rule row; what is each person's own (skip, pause, joining late) is kept per person; a claim cut short
is finished, each prompt once; two instances split the work; and the claim's SQL does not grow with the number
of rules."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.messages import Address
from bot.scheduling.rules import EVERY_DAY, Rule
from bot.scheduling.store import ScheduleStore
from bot.storage.database import make_engine, make_sessionmaker
from bot.storage.models import Delivery, ScheduleRule
from bot.storage.repository import Repository
from tests.conftest import FakeClock

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

GRACE = timedelta(hours=2)
BERLIN = ZoneInfo("Europe/Berlin")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN).astimezone(UTC)


def daily(*times: str, zone: str = "Europe/Berlin", quiet: tuple[time, time] | None = None) -> Rule:
    return Rule(EVERY_DAY, tuple(time.fromisoformat(at) for at in times), zone, quiet)


async def people(repository: Repository, count: int, prefix: str = "p") -> list[int]:
    return [await repository.identity_id(Address("console", "local", f"{prefix}{index}", "console"))
            for index in range(count)]


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, str]]:
    async with sessions() as db:
        rows = (await db.execute(select(Delivery.identity_id, Delivery.slot)
                                 .order_by(Delivery.identity_id, Delivery.slot))).all()
        return [(row.identity_id, row.slot) for row in rows]


async def rule_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(ScheduleRule)) or 0)


async def test_people_with_one_calendar_share_one_rule_and_keep_their_own_quiet_hours(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession]) -> None:
    ana, ben, cem = await people(repository, 3)
    await schedules.save(ana, daily("09:00"), "daily")
    await schedules.save(ben, daily("09:00", quiet=(time(22), time(7))), "daily")
    await schedules.save(cem, daily("09:00", "18:00"), "daily")
    assert await rule_count(sessions) == 2
    record = await schedules.get(ben)
    assert record is not None
    assert record.rule.quiet == (time(22), time(7))
    assert (await schedules.get(ana) or record).rule.quiet is None


async def test_one_person_skipping_leaves_everyone_else_in_the_rule_alone(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    ana, ben = await people(repository, 2)
    for who in (ana, ben):
        await schedules.save(who, daily("09:00"), "daily")
    following = await schedules.skip_next(ana)
    assert following is not None
    assert following.slot == "2026-11-28T09:00"
    record = await schedules.get(ana)
    assert record is not None
    assert record.next_slot == "2026-11-28T09:00"
    clock.now = local(2026, 11, 27, 9, 0, 30)
    assert await schedules.claim_due(grace=GRACE) == 1, "only ben was due"
    clock.now = local(2026, 11, 28, 9, 0, 30)
    await schedules.claim_due(grace=GRACE)
    assert await outbox(sessions) == [(ana, "2026-11-28T09:00"), (ben, "2026-11-27T09:00"), (ben, "2026-11-28T09:00")]


async def test_joining_a_rule_after_its_firing_does_not_get_that_firing(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    """The rule is due and not yet claimed (the bot was busy or down): someone who chooses it now starts with
    its next firing, as a schedule of their own would."""
    ana, ben = await people(repository, 2)
    await schedules.save(ana, daily("09:00"), "daily")
    clock.now = local(2026, 11, 27, 9, 30)
    await schedules.save(ben, daily("09:00"), "daily")
    await schedules.claim_due(grace=GRACE)
    assert await outbox(sessions) == [(ana, "2026-11-27T09:00")]


async def test_a_large_rule_is_queued_in_windows_each_prompt_once(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    everyone = await people(repository, 7)
    for who in everyone:
        await schedules.save(who, daily("09:00"), "daily")
    await schedules.save(everyone[3], daily("09:00"), "daily")  # saved twice: still one schedule
    await schedules.set_pause(everyone[5], datetime(9999, 1, 1, tzinfo=UTC), "pause")
    clock.now = local(2026, 11, 27, 9, 1)
    assert await schedules.claim_due(grace=GRACE, batch_size=2) == 7, "paused people are handled too (held)"
    assert await outbox(sessions) == [(who, "2026-11-27T09:00") for who in everyone if who != everyone[5]]
    assert await schedules.claim_due(grace=GRACE, batch_size=2) == 0


async def test_a_claim_cut_short_is_finished_by_the_next_one_without_repeating_anything(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    """A crash after the rule moved on but before all its members were queued: the rule still says which
    slot it was queueing and up to whom; the next claim queues the rest, once."""
    everyone = await people(repository, 5)
    for who in everyone:
        await schedules.save(who, daily("09:00"), "daily")
    clock.now = local(2026, 11, 27, 9, 1)
    assert await schedules.claim_due(grace=GRACE, batch_size=2) == 5
    queued = await outbox(sessions)
    async with sessions() as db, db.begin():  # as if the crash came after the first two were queued
        ids = list((await db.scalars(text("SELECT id FROM schedules ORDER BY id"))).all())
        await db.execute(Delivery.__table__.delete().where(Delivery.schedule_id.in_(ids[2:])))
        await db.execute(update(ScheduleRule).values(queue_slot="2026-11-27T09:00", queue_due=local(2026, 11, 27, 9),
                                                     queued_through=ids[1]))
    clock.advance(seconds=30)
    assert await schedules.claim_due(grace=GRACE) == 3
    assert await outbox(sessions) == queued
    async with sessions() as db:
        rule = (await db.scalars(select(ScheduleRule))).one()
    assert (rule.queue_slot, rule.queue_due, rule.next_slot) == (None, None, "2026-11-28T09:00")


async def test_a_rule_nobody_holds_any_more_goes_when_it_falls_due(
        repository: Repository, schedules: ScheduleStore, sessions: async_sessionmaker[AsyncSession],
        clock: FakeClock) -> None:
    ana, ben = await people(repository, 2)
    await schedules.save(ana, daily("09:00"), "daily")
    await schedules.save(ben, daily("09:00"), "daily")
    await schedules.save(ana, daily("10:00"), "daily")  # ana moves; ben still holds 09:00
    await schedules.delete(ben)
    assert await rule_count(sessions) == 2
    clock.now = local(2026, 11, 27, 10, 1)
    await schedules.claim_due(grace=GRACE)
    assert await rule_count(sessions) == 1
    assert await outbox(sessions) == [(ana, "2026-11-27T10:00")]
    await schedules.save(ben, daily("09:00"), "daily")  # and comes back as a new row when chosen again
    assert await rule_count(sessions) == 2


async def test_two_instances_claiming_together_queue_every_prompt_once(
        repository: Repository, sessions: async_sessionmaker[AsyncSession], clock: FakeClock,
        database_url: str) -> None:
    """Two stores on engines of their own (two instances) claim 600 people over 60 rules at once, in small
    windows: every prompt is queued exactly once, and their counts add up to everyone."""
    store = ScheduleStore(sessions, clock)
    everyone = await people(repository, 600)
    zones = ("Europe/Berlin", "Europe/Paris", "Europe/Rome", "Africa/Lagos", "Europe/Oslo", "Europe/Vienna")
    for index, who in enumerate(everyone):  # 09:00 (all in UTC+1) and one of ten evening times: 60 rules
        kind = index % 60
        await store.save(who, daily("09:00", f"{12 + kind // 6}:{kind % 6 * 10:02d}", zone=zones[kind % 6]), "daily")
    assert await rule_count(sessions) == 60
    clock.now = local(2026, 11, 27, 9, 0, 30)
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        stores = [ScheduleStore(make_sessionmaker(engine), clock) for engine in engines]
        claimed = await asyncio.gather(*(instance.claim_due(grace=GRACE, batch_size=25) for instance in stores))
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(claimed) == 600
    rows = await outbox(sessions)
    assert len(rows) == 600
    assert sorted(who for who, _ in rows) == sorted(everyone)


async def test_the_claims_sql_does_not_grow_with_the_number_of_rules(
        repository: Repository, database_url: str, clock: FakeClock) -> None:
    """The same statements whether 3 or 40 rules are due: nothing is built per rule."""

    async def statements_for(rules: int) -> set[str]:
        engine = make_engine(database_url)
        seen: set[str] = set()

        def remember(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            seen.add(" ".join(statement.split()))

        event.listen(engine.sync_engine, "before_cursor_execute", remember)
        try:
            store = ScheduleStore(make_sessionmaker(engine), clock)
            clock.now = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
            for index, who in enumerate(await people(repository, rules, prefix=f"r{rules}-")):
                await store.save(who, daily(f"09:{index:02d}"), "daily")
            clock.now = local(2026, 11, 27, 9, 59)
            seen.clear()
            await store.claim_due(grace=GRACE)
        finally:
            await engine.dispose()
        return seen

    few = await statements_for(3)
    many = await statements_for(40)
    assert few == many
    assert max(len(statement) for statement in many) < 2000
