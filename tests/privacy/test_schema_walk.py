"""Every table of the schema, read from the models' metadata (a new table is covered, or this test fails until it
is classified): after /forget nothing keyed to the person survives, and after the retention job nothing older
than RETENTION_DAYS does, except what is named below with the reason. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import ForeignKey, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.community.anonymity import Pseudonyms
from bot.community.circles import Circles
from bot.community.pulses import Pulses
from bot.community.store import CommunityStore
from bot.content.loader import Content
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.events import ChoicePicked, Command, TextSubmitted
from bot.messages import Address
from bot.privacy.crypto import Cipher
from bot.privacy.retention import purge_expired_words
from bot.scheduling.store import ScheduleStore
from bot.storage.models import Base, Identity
from bot.storage.repository import Repository
from tests.community.test_pulses import answer_by_clicking
from tests.conftest import FakeClock

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

ADMIN = Address("slack", "T1", "U-admin", "C-team")
ANA = Address("slack", "T1", "U-ana", "C-team")
BEN = Address("slack", "T1", "U-ben", "C-team")
NOTE = "Quillwort-8841 my sister reads my diary"
RETENTION_DAYS = 30
PURPOSES = ("share-author", "share-quota", "pulse-joined", "pulse-answer")

# Tables that hold nothing keyed to a person, with the reason. Every other table must hold something of Ben's
# before the erase (so the walk is not vacuous) and nothing of Ana's after hers.
NOT_PERSONAL = {
    "circles": "a channel's circle settings; who set it up is not kept",
    "circle_posts": "a channel's weekly prompt",
    "pulse_rounds": "a channel's round; `results` holds only the published aggregate of a round above its "
                    "threshold, which no answer can be traced back out of",
    "seen_events": "Slack event ids, forgotten after hours",
    "schedule_rules": "a calendar rule (days, times, zone) shared by everyone who chose it; it names no one, and "
                      "a person's link to it is their own `schedules` row",
}
# Columns that may still be older than RETENTION_DAYS after the retention job, with the reason.
OLD_AND_KEPT = {
    ("identities", "created_at"): "the person themselves, while they use the bot",
    ("identities", "introduced_at"): "that the one-time introduction was shown",
    ("checkins", "created_at"): "the person's numbers stay for their own history; their words go (checked below)",
    ("schedules", "created_at"): "the person's live schedule",
    ("schedules", "updated_at"): "the person's live schedule",
    ("schedules", "fires_from"): "from when the person's shared rule may prompt them; the live schedule",
    ("schedule_rules", "next_fire_at"): "when a shared rule fires next; a running bot moves it on (none ran here)",
    ("circles", "next_post_at"): "when the next weekly prompt is due; a running bot moves it on",
    ("circles", "created_at"): "a channel's setting",
    ("circle_posts", "posted_at"): "a channel's weekly prompt",
    ("circle_shares", "created_on"): "the row lets its author take the post down; its words go (checked below)",
    ("pulse_rounds", "opens_at"): "a channel's round and its aggregate",
    ("pulse_rounds", "closes_at"): "a channel's round and its aggregate",
}


class RecordingTraces:
    """The platform side of /forget and retention, as an adapter does it: which files went."""

    def __init__(self) -> None:
        self.removed: list[str] = []
        self.forgotten: list[Address] = []

    async def remove_files(self, workspace_id: str, refs: Sequence[str]) -> list[str]:
        self.removed.extend(refs)
        return list(refs)

    async def forget_person(self, address: Address) -> None:
        self.forgotten.append(address)


@pytest.fixture
def pseudonyms() -> Pseudonyms:
    return Pseudonyms(b"a test secret that is long enough!!")


@pytest.fixture
def community(content: Content, sessions: async_sessionmaker[AsyncSession], cipher: Cipher, repository: Repository,
              pseudonyms: Pseudonyms, clock: FakeClock) -> tuple[Circles, Pulses]:
    store = CommunityStore(sessions, cipher)
    return (Circles(content, store, repository, pseudonyms, clock=clock),
            Pulses(content, store, repository, pseudonyms, clock=clock, rng=random.Random(3)))


@pytest.fixture
def everything(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore,
               community: tuple[Circles, Pulses]) -> Conversation:
    circles, pulses = community
    return build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                          schedules=schedules, circles=circles, pulses=pulses, retention_days=RETENTION_DAYS)


async def use_everything(service: Conversation, pulses: Pulses, schedules: ScheduleStore, clock: FakeClock,
                         who: Address, round_id: str) -> None:
    """A person who uses every feature that stores something."""
    await service.handle(Command(who, "schedule", "daily 19:30 in UTC"))
    await service.handle(Command(who, "checkin"))
    for answer in ("2", "1,3", NOTE):
        await service.handle(TextSubmitted(who, answer))
    await service.handle(Command(who, "tip"))
    await service.handle(Command(who, "plan"))  # each part of a safety plan is saved as it is answered
    await service.handle(TextSubmitted(who, "Sorrel-1122 I stop answering my friends"))
    await service.handle(Command(who, "cancel"))
    await service.handle(Command(who, "checkin", "prepare"))  # left unfinished
    await service.handle(TextSubmitted(who, "Tansy-0093 the unfinished one"))
    await service.remember_dm_channel(who, f"D-{who.user_id}")
    await service.traces.remember_file(who, f"F-{who.user_id}")
    await service.handle(Command(who, "share", f"{who.user_id} said no to the late call"))
    await answer_by_clicking(pulses, who, round_id, "1234512")
    await service.handle(Command(who, "export"))
    await service.handle(TextSubmitted(who, "I want to die"))  # last: a crisis reply pauses pulses for a while


async def rows(engine: AsyncEngine, table: Table) -> list[dict[str, Any]]:
    async with engine.connect() as db:
        return [dict(row._mapping) for row in (await db.execute(select(table))).all()]


def identity_columns(table: Table) -> set[str]:
    """Columns that hold an identity id: a foreign key to identities.id, or named so (deliveries keep no keys)."""
    found = {column.name for column in table.columns if column.name == "identity_id"
             or any(isinstance(key, ForeignKey) and key.target_fullname == "identities.id"
                    for key in column.foreign_keys)}
    return found | ({"id"} if table.name == Identity.__tablename__ else set())


async def traces_of(engine: AsyncEngine, pseudonyms: Pseudonyms, who: Address, identity: int,
                    today: date) -> dict[str, list[str]]:
    """Per table, the columns whose value is keyed to `who`: their identity id, user id, DM channel, file id,
    any of the keyed hashes the bot could compute for them (every purpose, every share, round and day), or
    their words."""
    tables = Base.metadata.tables
    scopes = [str(row["id"]) for name in ("circle_shares", "pulse_rounds") for row in await rows(engine, tables[name])]
    scopes += [(today - timedelta(days=back)).isoformat() for back in range(3)]
    keys = {who.user_id, f"D-{who.user_id}", f"F-{who.user_id}"}
    keys |= {pseudonyms.person(purpose, scope, who) for purpose in PURPOSES for scope in scopes}
    found: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        ids = identity_columns(table)
        for row in await rows(engine, table):
            for column, value in row.items():
                if (column in ids and value == identity) or (isinstance(value, str) and (
                        value in keys or NOTE in value)):
                    found.setdefault(table.name, []).append(column)
    return found


async def erase(service: Conversation, who: Address) -> None:
    [asked] = [reply for reply in (await service.handle(Command(who, "forget"))).replies if reply.question is not None]
    assert asked.question is not None
    await service.handle(ChoicePicked(who, asked.question.token("erase")))


async def test_nothing_keyed_to_a_person_survives_forget(
        everything: Conversation, community: tuple[Circles, Pulses], schedules: ScheduleStore, clock: FakeClock,
        raw_engine: AsyncEngine, pseudonyms: Pseudonyms, repository: Repository) -> None:
    circles, pulses = community
    traces = RecordingTraces()
    everything.traces.keep_with("slack", traces)
    await circles.setup_circle(ADMIN, True, weekday="mon", local_time="18:00", zone="UTC")
    opened = await pulses.open_round(ADMIN, True, closes_at=clock.now + timedelta(days=7))
    [announcement] = opened.posts
    assert announcement.reply.question is not None
    round_id = announcement.reply.question.choices[0].value
    for who in (ANA, BEN):
        await use_everything(everything, pulses, schedules, clock, who, round_id)
    clock.advance(hours=2)
    assert await schedules.claim_due(grace=timedelta(minutes=30)) == 2  # both prompts in the outbox
    ana, ben = [await repository.find_identity(who) for who in (ANA, BEN)]
    assert ana is not None
    assert ben is not None
    today = clock.now.date()

    before = await traces_of(raw_engine, pseudonyms, BEN, ben, today)
    personal = {table.name for table in Base.metadata.sorted_tables} - set(NOT_PERSONAL)
    assert set(NOT_PERSONAL) <= set(Base.metadata.tables)
    assert personal - set(before) == set(), "every table not named NOT_PERSONAL held something of Ben's"
    assert set(before) - personal == set(), "a table named NOT_PERSONAL held something keyed to a person"

    await erase(everything, ANA)

    assert await traces_of(raw_engine, pseudonyms, ANA, ana, today) == {}
    assert traces.removed == ["F-U-ana"], "the file the bot put on the platform for Ana is deleted there"
    assert traces.forgotten == [ANA]
    assert await traces_of(raw_engine, pseudonyms, BEN, ben, today) == before, "Ben keeps everything"
    assert await repository.find_identity(ANA) is None


async def test_nothing_older_than_the_retention_period_survives_retention(
        everything: Conversation, community: tuple[Circles, Pulses], schedules: ScheduleStore, clock: FakeClock,
        raw_engine: AsyncEngine, repository: Repository) -> None:
    circles, pulses = community
    traces = RecordingTraces()
    everything.traces.keep_with("slack", traces)
    await circles.setup_circle(ADMIN, True, weekday="mon", local_time="18:00", zone="UTC")
    opened = await pulses.open_round(ADMIN, True, closes_at=clock.now + timedelta(days=7))
    [announcement] = opened.posts
    assert announcement.reply.question is not None
    await use_everything(everything, pulses, schedules, clock, ANA, announcement.reply.question.choices[0].value)
    clock.advance(hours=2)
    assert await schedules.claim_due(grace=timedelta(minutes=30)) == 1
    clock.advance(days=8)
    await pulses.close_due_rounds()

    later = clock.now + timedelta(days=RETENTION_DAYS + 1)
    await purge_expired_words(repository, RETENTION_DAYS, clock=lambda: later, traces=everything.traces)

    cutoff = later - timedelta(days=RETENTION_DAYS)
    old: list[tuple[str, str]] = []
    for table in Base.metadata.sorted_tables:
        for row in await rows(raw_engine, table):
            for column, value in row.items():
                stamp = value.date() if isinstance(value, datetime) else value
                if isinstance(stamp, date) and stamp < cutoff.date() and (table.name, column) not in OLD_AND_KEPT:
                    old.append((table.name, column))
    assert old == [], old
    assert set(OLD_AND_KEPT) <= {(table.name, column.name) for table in Base.metadata.sorted_tables
                                 for column in table.columns}
    tables = Base.metadata.tables
    assert [row["words_enc"] for row in await rows(raw_engine, tables["checkins"])] == [None]
    assert [row["text_enc"] for row in await rows(raw_engine, tables["circle_shares"])] == [None]
    assert traces.removed == ["F-U-ana"]


async def test_the_clear_crisis_moment_goes_once_the_pause_is_over_and_the_encrypted_one_stays(
        everything: Conversation, repository: Repository, clock: FakeClock) -> None:
    await everything.handle(TextSubmitted(ANA, "I want to die"))
    identity = await repository.find_identity(ANA)
    assert identity is not None
    shown = clock.now

    await purge_expired_words(repository, RETENTION_DAYS, clock=lambda: shown + timedelta(hours=71),
                              crisis_pause=timedelta(hours=72))
    assert (await repository.profile(identity)).crisis_at == shown, "still inside the pause: the scheduler needs it"

    await purge_expired_words(repository, RETENTION_DAYS, clock=lambda: shown + timedelta(hours=73),
                              crisis_pause=timedelta(hours=72))
    assert (await repository.profile(identity)).crisis_at is None
    assert (await repository.export(identity))["crisis_resources_shown"] == [shown.isoformat()], \
        "the person's own record of it stays (encrypted) until the retention period"
