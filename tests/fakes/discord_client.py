"""Running the real discord.py client against FakeDiscord: shared by the fake's own tests and the adapter's."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from tests.fakes.discord_server import FakeDiscord

TOKEN = "fake-bot-token"
USER_ID = 400_000_000_000_000_001
GUILD_ID = 300_000_000_000_000_001
TIMEOUT = 10.0


@contextlib.asynccontextmanager
async def started(client: discord.Client, fake: FakeDiscord | None = None) -> AsyncIterator[None]:
    """Start the client, wait (bounded) until it is ready, and close it cleanly afterwards."""
    async with client:
        runner = asyncio.create_task(client.start(TOKEN), name="discord-client")
        ready = asyncio.create_task(client.wait_until_ready(), name="discord-ready")
        try:
            done, _ = await asyncio.wait({runner, ready}, timeout=TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
            if runner in done:
                runner.result()  # re-raises a login or gateway error
                raise AssertionError("the client stopped before it was ready")
            seen = f"; requests: {fake.requests}" if fake is not None else ""
            assert ready in done, f"the client was not ready within {TIMEOUT}s{seen}"
            yield
        finally:
            ready.cancel()
            await client.close()
            await asyncio.wait_for(runner, TIMEOUT)


@contextlib.asynccontextmanager
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A FakeDiscord with one guild, discord.py pointed at it; afterwards, nothing unknown was called."""
    async with FakeDiscord(token=TOKEN) as server:
        server.add_guild(GUILD_ID, name="Boundaries circle", member_ids=[USER_ID])
        monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
        yield server
        assert server.unhandled == [], f"the client called routes the fake does not know: {server.unhandled}"
        assert server.errors == [], f"the fake failed on a request: {server.errors}"
