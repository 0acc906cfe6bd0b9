"""Discord's global limit of 50 requests a second holds for every request, discord.py's own retries included."""

from __future__ import annotations

import asyncio

import pytest
from yarl import URL

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.global_pace import GlobalPace, paced
from bot.content.loader import Content
from bot.conversation import Conversation
from bot.messages import Address, Reply
from tests.fakes.discord_client import TIMEOUT, TOKEN, USER_ID, fake_discord, started


def busiest_second(moments: list[float]) -> int:
    """The most requests any one-second window held."""
    moments = sorted(moments)
    most, first = 0, 0
    for last, moment in enumerate(moments):
        while moment - moments[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 6))


async def test_a_burst_gets_its_allowance_at_once_and_the_rest_in_turn() -> None:
    clock = Clock()
    pace = GlobalPace(45, 5, clock=clock, sleep=clock.sleep)
    for _ in range(8):
        await pace.take()
    assert clock.waits == [round(1 / 45, 6), round(2 / 45, 6), round(3 / 45, 6)]
    clock.now += 10.0  # a quiet spell: the allowance is back, but no more than it
    clock.waits.clear()
    for _ in range(6):
        await pace.take()
    assert clock.waits == [round(1 / 45, 6)]


@pytest.mark.parametrize(("url", "counted"), [
    ("http://127.0.0.1:1/api/v10/channels/1/messages", True),
    ("https://discord.com/api/v10/users/@me/channels", True),
    ("https://discord.com/api/v10/interactions/1/token/callback", False),
    ("https://discord.com/api/v10/webhooks/1/token", False),
    ("wss://gateway.discord.gg/?v=10&encoding=json", False),
])
def test_interaction_answers_and_the_gateway_are_not_counted(url: str, counted: bool) -> None:
    assert paced(URL(url)) is counted


async def test_sends_and_discord_pys_own_retries_stay_within_the_limit(
        monkeypatch: pytest.MonkeyPatch, service: Conversation, content: Content) -> None:
    """30 prompts at once while Discord refuses 10 requests with a short 429 (discord.py sleeps and sends them
    again by itself): at a pace of 20 a second with 2 at once, no second sees more than 22 requests."""
    async with fake_discord(monkeypatch) as fake:
        adapter = DiscordAdapter(service, content, TOKEN, guild_ready_timeout=0.05, global_pace=GlobalPace(20, 2))
        async with started(adapter.client):
            await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
            people = [USER_ID + 100 + index for index in range(30)]
            for person in people:
                fake.add_user(person)
            addresses = [Address("discord", "dm", str(person), str(fake.dm_channel_id(person))) for person in people]
            fake.fail_next("/messages", 429, retry_after=0.01, times=10)
            began = len(fake.request_log)
            await asyncio.wait_for(asyncio.gather(*(adapter.send(address, [Reply("A gentle prompt")])
                                                    for address in addresses)), 30)
    moments = [entry["at"] for entry in fake.request_log[began:]]
    assert len(moments) == 40  # 30 messages and 10 of them again
    assert all(fake.dms(person)[-1].content == "A gentle prompt" for person in people)
    assert busiest_second(moments) <= 22
    assert adapter.global_pace.held > 0


def test_the_adapter_paces_at_discords_limit_by_default(service: Conversation, content: Content) -> None:
    adapter = DiscordAdapter(service, content, TOKEN)
    assert isinstance(adapter.global_pace, GlobalPace)
    assert adapter.client.http.http_trace is not None
