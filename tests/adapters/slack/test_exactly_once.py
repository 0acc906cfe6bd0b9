"""A prompt whose send may be repeated reaches the person once on Slack: every prompt names its outbox row in its
message metadata, and an attempt after one whose outcome is unknown first looks in the DM (conversations.history
with include_all_metadata) and records the prompt as sent when it is there. Real slack_sdk client, fake Slack."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters import rate_limits
from adapters.slack.adapter import SlackAdapter
from adapters.slack.transport import HISTORY_MARGIN, prompt_metadata
from bot.conversation import Conversation
from bot.messages import Address
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.store import ScheduleStore
from bot.storage.models import Delivery
from tests.adapters.slack.test_delivery import prompt_due
from tests.conftest import FakeClock
from tests.fakes.slack_server import BOT_TOKEN, USER_ID, FakeSlackApi
from tests.scheduling.dying import dies_after_the_platform_accepts


def dispatcher_of(schedules: ScheduleStore, service: Conversation, adapter: SlackAdapter, clock: FakeClock,
                  instance: str) -> Dispatcher:
    return Dispatcher(schedules, service, {"slack": adapter}, pacer=Pacer(clock=lambda: clock.now.timestamp()),
                      clock=clock, instance=instance)


async def test_a_prompt_whose_record_was_lost_is_found_in_the_dm_and_recorded_not_repeated(
        fake: FakeSlackApi, service: Conversation, schedules: ScheduleStore, clock: FakeClock,
        sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch) -> None:
    adapter, _ = await prompt_due(fake, service, schedules, clock)
    await dies_after_the_platform_accepts(dispatcher_of(schedules, service, adapter, clock, "bot-1"), schedules,
                                          monkeypatch)
    assert len(fake.calls_to("chat.postMessage")) == 1

    stats = await dispatcher_of(schedules, service, adapter, clock, "bot-1").tick()  # the restarted process

    assert stats.sent == 1
    assert len(fake.calls_to("chat.postMessage")) == 1, "not posted again"
    assert len(fake.messages_in(fake.dm_channel_for(USER_ID))) == 1
    [looked] = fake.calls_to("conversations.history")
    assert str(looked.args["include_all_metadata"]).lower() in ("1", "true")
    async with sessions() as db:
        [row] = (await db.scalars(select(Delivery))).all()
    assert row.status == "sent"
    [message] = fake.messages_in(fake.dm_channel_for(USER_ID))
    assert message["metadata"] == prompt_metadata(str(row.id))
    assert row.session_id is not None
    assert row.session_id in str(message["blocks"]), "recorded with the check-in its buttons answer"


async def test_a_retry_after_a_failure_that_posted_nothing_looks_and_then_posts_once(
        fake: FakeSlackApi, service: Conversation, schedules: ScheduleStore, clock: FakeClock) -> None:
    _, dispatcher = await prompt_due(fake, service, schedules, clock)
    fake.fail_next("chat.postMessage", status=503)
    assert (await dispatcher.tick()).retried == 1
    clock.advance(seconds=10)
    assert (await dispatcher.tick()).sent == 1
    assert len(fake.calls_to("conversations.history")) == 1
    assert len(fake.messages_in(fake.dm_channel_for(USER_ID))) == 1
    assert fake.messages_in(fake.dm_channel_for(USER_ID))[0]["metadata"]["event_type"] == "boundary_prompt"


async def test_the_fake_returns_metadata_only_when_asked_for_it(fake: FakeSlackApi) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    channel = fake.dm_channel_for(USER_ID)
    await client.chat_postMessage(channel=channel, text="hello", metadata=prompt_metadata("7"))
    plain = await client.conversations_history(channel=channel)
    assert "metadata" not in plain["messages"][0]
    full = await client.conversations_history(channel=channel, include_all_metadata=True)
    assert full["messages"][0]["metadata"] == prompt_metadata("7")


async def test_a_lost_record_is_found_behind_a_busy_dm_reading_only_what_came_since_the_prompt_was_due(
        fake: FakeSlackApi, service: Conversation, schedules: ScheduleStore, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    adapter, _ = await prompt_due(fake, service, schedules, clock)
    await dies_after_the_platform_accepts(dispatcher_of(schedules, service, adapter, clock, "bot-1"), schedules,
                                          monkeypatch)
    channel = fake.dm_channel_for(USER_ID)
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    for number in range(250):  # the conversation went on meanwhile: the prompt is far from the newest messages
        await client.chat_postMessage(channel=channel, text=f"later {number}")
    posted = len(fake.calls_to("chat.postMessage"))

    stats = await dispatcher_of(schedules, service, adapter, clock, "bot-1").tick()

    assert stats.sent == 1
    assert len(fake.calls_to("chat.postMessage")) == posted, "found, not posted again"
    looks = fake.calls_to("conversations.history")
    assert len(looks) == 2, "page by page"
    due = clock.now.replace(second=0)
    assert {float(str(look.args["oldest"])) for look in looks} == {(due - HISTORY_MARGIN).timestamp()}


def test_looks_for_earlier_copies_are_paced_by_their_own_limit() -> None:
    """conversations.history has its own limit per workspace (Tier 3), apart from chat.postMessage's."""
    pacer = Pacer(clock=lambda: 1000.0, **rate_limits())
    address = Address("slack", "T1", USER_ID, "D1")
    lookup = rate_limits()["lookup_limits"]["slack"]
    for _ in range(int(lookup.burst)):
        assert pacer.delay(address, lookup=True) == 0
    assert pacer.delay(address, lookup=True) == pytest.approx(1 / lookup.rate)
    assert pacer.delay(address) == 0, "a look-up's budget is not a send's"
