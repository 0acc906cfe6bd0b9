"""A prompt whose send may be repeated (its process died after Discord accepted it) reaches the person once:
every message carries a nonce derived from its outbox row, with `enforce_nonce`, through the real discord.py
client against the fake's nonce window."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.transport import prompt_nonce
from bot.conversation import Conversation
from bot.messages import Address, Reply
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.store import ScheduleStore
from bot.storage.models import Delivery
from bot.storage.repository import Repository
from tests.adapters.discord.test_adapter import followups, is_prompt, scheduled_prompt_due
from tests.conftest import FakeClock
from tests.fakes.discord_client import USER_ID
from tests.fakes.discord_server import FakeDiscord
from tests.scheduling.dying import dies_after_the_platform_accepts


async def test_a_prompt_whose_process_died_after_discord_took_it_is_one_message(
        fake: FakeDiscord, bot: DiscordAdapter, service: Conversation, schedules: ScheduleStore,
        repository: Repository, clock: FakeClock, sessions: async_sessionmaker[AsyncSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    await scheduled_prompt_due(fake, bot, service, schedules, repository, clock)
    first = Dispatcher(schedules, service, {"discord": bot}, pacer=Pacer(clock=lambda: clock.now.timestamp()),
                       clock=clock, instance="bot-1")
    dm = fake.dm_channel_id(USER_ID)
    before, posts = len(fake.dms(USER_ID)), fake.count("POST", f"/channels/{dm}/messages")

    await dies_after_the_platform_accepts(first, schedules, monkeypatch)
    restarted = Dispatcher(schedules, service, {"discord": bot}, pacer=Pacer(clock=lambda: clock.now.timestamp()),
                           clock=clock, instance="bot-1")
    stats = await restarted.tick()

    assert stats.sent == 1
    assert fake.count("POST", f"/channels/{dm}/messages") == posts + 2, "the prompt was sent twice"
    [prompt] = fake.dms(USER_ID)[before:]
    assert is_prompt(prompt), "and the person has it once"
    assert fake.nonce_replays == 1
    async with sessions() as db:
        [row] = (await db.scalars(select(Delivery))).all()
    assert (row.status, row.attempts) == ("sent", 2)
    assert prompt.payload["nonce"] == prompt_nonce(str(row.id), 0)

    safety = next(cid for cid in prompt.custom_ids() if ":safety:" in cid)
    clicked = await fake.click_button(USER_ID, safety, prompt)
    [answered] = await followups(fake, clicked.id, 1)
    assert any(c["type"] == 3 for c in answered.walk_components()), "the copy they have is the live check-in"


async def test_each_message_of_a_keyed_send_has_its_own_nonce_and_a_repeat_creates_none(
        fake: FakeDiscord, bot: DiscordAdapter) -> None:
    address = Address("discord", "dm", str(USER_ID))
    replies = [Reply(text="a" * 1900), Reply(text="b" * 1900)]  # two messages: over 2,000 characters together
    await bot.send_keyed(address, replies, "1234567890123456789", maybe_sent_since=None)
    await bot.send_keyed(address, replies, "1234567890123456789", maybe_sent_since=datetime.now(UTC))
    sent = fake.dms(USER_ID)
    assert [m.payload["nonce"] for m in sent] == ["bb1234567890123456789.0", "bb1234567890123456789.1"]
    assert all(len(m.payload["nonce"]) <= 25 for m in sent)
    assert fake.nonce_replays == 2
    await bot.send(address, [Reply(text="a follow-up")])  # unkeyed sends are not held back by any nonce
    await bot.send(address, [Reply(text="a follow-up")])
    assert len(fake.dms(USER_ID)) == 4
