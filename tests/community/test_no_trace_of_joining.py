"""Answering a pulse leaves no trace of the person in the database, on SQLite and PostgreSQL: no identity,
no row with a time, no DM channel; only the keyed participation hash, and that is gone at close."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.community.circles import Circles
from bot.community.pulses import PulseForm, Pulses
from bot.content.loader import Content
from bot.conversation import Conversation, build_conversation
from bot.events import ChoicePicked, Command, TextSubmitted
from bot.messages import Address, Reply
from bot.response import Roles
from bot.storage.repository import Repository
from tests.conftest import FakeClock
from tests.storage.test_repository import every_stored_value

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

ADMIN = Address("slack", "T1", "U-admin", "C-team")
OPEN_ROUND = Command(ADMIN, "pulse", "open 7d min 3")


def member(number: int) -> Address:
    return Address("slack", "T1", f"U{number:03d}", "C-team")


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    def tables(sync: Connection) -> list[str]:
        return inspect(sync).get_table_names()

    async with engine.connect() as connection:
        return {table: (await connection.execute(text(f'SELECT count(*) FROM "{table}"'))).scalar_one()
                for table in await connection.run_sync(tables)}


async def click(service: Conversation, who: Address, reply: Reply, label: str | None = None) -> list[Reply]:
    question = reply.question
    assert question is not None
    choice = question.choices[0] if label is None else next(c for c in question.choices if c.label == label)
    return (await service.handle(ChoicePicked(who, question.token(choice.value)))).replies


async def test_answering_creates_no_identity_no_timestamp_and_no_dm_record(
        content: Content, repository: Repository, clock: FakeClock, circles: Circles, pulses: Pulses,
        raw_engine: AsyncEngine) -> None:
    service = build_conversation(content, repository, clock=clock, circles=circles, pulses=pulses)
    opened = await service.handle(OPEN_ROUND, Roles(admin=True))
    [announcement] = opened.posts
    await service.remember_dm_channel(ADMIN, "D-admin")
    before = await row_counts(raw_engine)
    for number in range(4):
        who = member(number)
        replies = await click(service, who, announcement.reply)
        for score in "4242424":
            replies = await click(service, who, replies[-1], score)
        await service.remember_dm_channel(who, f"D{number:03d}")  # what an adapter reports after opening a DM
        note = replies[-1].question
        assert note is not None
        done = (await service.handle(TextSubmitted(who, "More time for reviews, please", token=note.token()))).replies
        assert done[-1].text == content.texts.get("pulse_comment_saved")
    after = await row_counts(raw_engine)
    # Only the anonymous answer rows and the keyed participation hashes are new.
    assert {table: after.get(table, 0) - before.get(table, 0) for table in after
            if after.get(table, 0) != before.get(table, 0)} == {"pulse_answers": 4, "pulse_participation": 4}
    stored = await every_stored_value(raw_engine)
    # A Fernet token (ciphertext, base64) can hold "D00" by chance; what must not be stored is an id in the clear.
    assert not [value for _, _, value in stored
                if not value.startswith("gAAAAA") and ("U00" in value or "D00" in value)]
    async with raw_engine.connect() as connection:
        identities = (await connection.execute(text("SELECT user_id FROM identities"))).scalars().all()
    assert "U000" not in identities

    clock.advance(days=7, seconds=1)
    await service.community_posts()
    async with raw_engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM pulse_participation"))).scalar_one() == 0
        assert (await connection.execute(text("SELECT count(*) FROM pulse_answers"))).scalar_one() == 0


async def test_the_private_form_creates_no_identity_no_timestamp_and_no_dm_record(
        content: Content, repository: Repository, clock: FakeClock, circles: Circles, pulses: Pulses,
        raw_engine: AsyncEngine) -> None:
    """The path Slack's modal and Discord's ephemeral form take: the whole form, then sent again (a change)."""
    service = build_conversation(content, repository, clock=clock, circles=circles, pulses=pulses)
    [announcement] = (await service.handle(OPEN_ROUND, Roles(admin=True))).posts
    round_id = announcement.ref
    before = await row_counts(raw_engine)
    for number in range(4):
        who = member(number)
        for scores in ([4, 2, 4, 2, 4, 2, 4], [5, 5, 5, 5, 5, 5, 5]):  # the second form replaces the first
            form = await service.pulse_form(who, round_id)
            assert isinstance(form, PulseForm)
            result = await service.submit_pulse_form(who, round_id, scores, "More time for reviews, please")
            assert result.saved
            assert content.texts.get("pulse_comment_saved") in [reply.text for reply in result.replies]
        again = await service.pulse_form(who, round_id)
        assert isinstance(again, PulseForm)
        assert content.texts.get("pulse_form_again") in again.notes
    after = await row_counts(raw_engine)
    assert {table: after.get(table, 0) - before.get(table, 0) for table in after
            if after.get(table, 0) != before.get(table, 0)} == {"pulse_answers": 4, "pulse_participation": 4}
    stored = await every_stored_value(raw_engine)
    assert not [value for _, _, value in stored if "U00" in value]
    assert [await repository.find_identity(member(number)) for number in range(4)] == [None] * 4

    # A form left half-filled records nothing and names what is missing; another channel is refused.
    half = await service.submit_pulse_form(member(9), round_id, [3, None, 3, 3, None, 3, 3])
    assert half.missing == (2, 5)
    assert not half.saved
    elsewhere = Address("slack", "T1", "U-elsewhere", "C-other")
    assert isinstance(await service.pulse_form(elsewhere, round_id), list)
    refused = await service.submit_pulse_form(elsewhere, round_id, [3] * 7)
    assert [reply.text for reply in refused.replies] == [content.texts.get("pulse_wrong_place")]
    assert await row_counts(raw_engine) == after


async def test_answering_twice_still_counts_once_without_an_identity(
        content: Content, repository: Repository, clock: FakeClock, circles: Circles, pulses: Pulses) -> None:
    service = build_conversation(content, repository, clock=clock, circles=circles, pulses=pulses)
    [announcement] = (await service.handle(OPEN_ROUND, Roles(admin=True))).posts
    who = member(1)
    for _ in range(2):
        replies = await click(service, who, announcement.reply)
        for score in "5555555":
            replies = await click(service, who, replies[-1], score)
    again = await click(service, who, announcement.reply)
    assert content.texts.get("pulse_already") in [reply.text for reply in again]
    assert await repository.find_identity(who) is None



async def test_pulse_messages_carry_their_own_introduction_not_the_check_in_greeting(
        content: Content, repository: Repository, clock: FakeClock, circles: Circles, pulses: Pulses) -> None:
    service = build_conversation(content, repository, clock=clock, circles=circles, pulses=pulses)
    greeting = content.texts.get("intro")
    opened = await service.handle(OPEN_ROUND, Roles(admin=True))  # an admin new to the bot
    assert greeting not in [reply.text for reply in opened.replies]
    assert opened.replies[0].text.startswith("Pulse round set")
    [announcement] = opened.posts
    about = content.texts.get("pulse_about", minimum=3, distribution=10)
    assert about in announcement.reply.text
    assert "at least 3 people answer" in announcement.reply.text
    first = await click(service, member(1), announcement.reply)
    shown = [reply.text for reply in first]
    assert greeting not in shown
    assert about in shown[0]
