"""What an operator sees of the Discord adapter: /readyz follows the gateway, and prompts sent through the real
discord.py client to the fake move the delivery metrics (2xx, 429, closed DMs)."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters import rate_limits
from adapters.discord.adapter import DiscordAdapter
from bot.content.loader import Content
from bot.conversation import Conversation
from bot.messages import Address
from bot.ops.metrics import Metrics
from bot.ops.server import Readiness, serving
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.rules import Rule, parse_days, parse_time
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from tests.adapters.discord.test_adapter import intro_done, make_adapter, running
from tests.conftest import FakeClock
from tests.fakes.discord_client import TIMEOUT, TOKEN, USER_ID
from tests.fakes.discord_server import FakeDiscord
from tests.ops.conftest import get, value


async def test_readyz_says_the_platform_is_down_when_the_gateway_goes(
        fake: FakeDiscord, service: Conversation, content: Content, raw_engine: AsyncEngine) -> None:
    metrics = Metrics()
    async with running(make_adapter(service, content)) as bot:
        readiness = Readiness(raw_engine, metrics, bot.connected, 10.0, delivering=lambda: False)
        async with serving(metrics, readiness, host="127.0.0.1", port=0) as server:
            up = await asyncio.to_thread(get, server.port, "/readyz")
            gone = asyncio.ensure_future(bot.client.wait_for("disconnect", timeout=TIMEOUT))
            await fake.stop()  # Discord unreachable: the gateway closes and reconnecting is refused
            await gone
            down = await asyncio.to_thread(get, server.port, "/readyz")
            alive = await asyncio.to_thread(get, server.port, "/healthz")
    assert (up.status, up.json()) == (200, {"ready": True})
    assert (down.status, down.json()) == (503, {"ready": False, "not_ready": {"platform": "not connected"}})
    assert alive.status == 200, "the process itself is fine: restarting it would not bring Discord back"


async def test_prompts_through_discord_move_sent_2xx_429_and_unreachable(
        fake: FakeDiscord, service: Conversation, content: Content, schedules: ScheduleStore,
        repository: Repository, clock: FakeClock) -> None:
    metrics = Metrics()

    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    async with running(make_adapter(service, content)) as bot:
        await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
        await intro_done(fake)
        identity = await repository.identity_id(Address("discord", "dm", str(USER_ID)))
        await schedules.save(identity, Rule(parse_days("daily"), (parse_time("19:00"),), "UTC", None), "daily")
        dispatcher = Dispatcher(schedules, service, {"discord": bot},
                                pacer=Pacer(clock=lambda: clock.now.timestamp(), **rate_limits()),
                                clock=clock, sleep=fake_sleep, metrics=metrics)
        clock.advance(hours=1, minutes=1)
        assert (await dispatcher.tick()).sent == 1
        assert value(metrics, "boundary_platform_responses_total", platform="discord", **{"class": "2xx"}) == 1
        assert value(metrics, "boundary_dispatch_lag_seconds_count", platform="discord") == 1

        dm = fake.dm_channel_id(USER_ID)
        fake.fail_next(f"/channels/{dm}/messages", 429, retry_after=30, method="POST", via=False)
        clock.advance(days=1)
        assert (await dispatcher.tick()).retried == 1
        assert value(metrics, "boundary_platform_responses_total", platform="discord", **{"class": "429"}) == 1
        assert value(metrics, "boundary_prompts_retried_total", platform="discord", reason="rate-limited") == 1

        fake.block_dms(USER_ID)
        clock.advance(minutes=1)
        assert (await dispatcher.tick()).unreachable == 1
    assert value(metrics, "boundary_prompts_unreachable_total", platform="discord") == 1
    assert value(metrics, "boundary_platform_responses_total", platform="discord", **{"class": "4xx"}) == 1
    assert value(metrics, "boundary_prompts_sent_total", platform="discord") == 1


async def test_a_429_discord_py_waits_out_by_itself_is_still_counted(
        fake: FakeDiscord, service: Conversation, content: Content, schedules: ScheduleStore,
        repository: Repository, clock: FakeClock) -> None:
    """The prompt goes out (discord.py slept on the 429 and asked again), so delivery sees one success; the
    operator's count of Discord's answers still shows the 429, which is what the "429s above zero" alert reads."""
    metrics = Metrics()

    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    adapter = DiscordAdapter(service, content, TOKEN, guild_ready_timeout=0.05,
                             http_observer=metrics.http_observer("discord"))
    async with running(adapter) as bot:
        await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
        await intro_done(fake)
        identity = await repository.identity_id(Address("discord", "dm", str(USER_ID)))
        await schedules.save(identity, Rule(parse_days("daily"), (parse_time("19:00"),), "UTC", None), "daily")
        dispatcher = Dispatcher(schedules, service, {"discord": bot},
                                pacer=Pacer(clock=lambda: clock.now.timestamp(), **rate_limits()),
                                clock=clock, sleep=fake_sleep, metrics=metrics)
        fake.fail_next("/messages", 429, retry_after=0.01, method="POST")  # discord.py retries this one itself
        clock.advance(hours=1, minutes=1)
        assert (await dispatcher.tick()).sent == 1
    answered = {cls: value(metrics, "boundary_platform_http_responses_total", platform="discord", **{"class": cls})
                for cls in ("2xx", "429", "5xx")}
    assert answered["429"] == 1
    assert answered["2xx"] >= 3, "login, command sync, the DM and the message"
    assert value(metrics, "boundary_platform_responses_total", platform="discord", **{"class": "429"}) == 0
    assert value(metrics, "boundary_platform_responses_total", platform="discord", **{"class": "2xx"}) == 1
