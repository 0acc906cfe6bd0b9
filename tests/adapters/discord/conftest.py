"""The local fake Discord and the real adapter started against it, for every Discord test module (a module
that needs a differently built service overrides `service`, or `bot` itself)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.content.loader import Content
from bot.conversation import Conversation
from tests.adapters.discord.test_adapter import make_adapter, running
from tests.fakes.discord_client import TIMEOUT, fake_discord
from tests.fakes.discord_server import FakeDiscord


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with fake_discord(monkeypatch) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeDiscord, service: Conversation, content: Content) -> AsyncIterator[DiscordAdapter]:
    async with running(make_adapter(service, content)) as adapter:
        await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
        yield adapter
        await adapter.dm_cleanups_done()  # a /forget's DM clean-up ends before the client closes
