"""What an operator sees of the Slack adapter: the acknowledgement latency of signed requests, /readyz while
the app serves and after, and a prompt's 429 and 5xx from the fake Web API in the response classes."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters import rate_limits
from bot.events import Command
from bot.ops.metrics import Metrics
from bot.ops.server import Readiness, serving
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.store import ScheduleStore
from bot.service import CheckinService
from tests.adapters.slack.conftest import ME, SECRET, Slack, make_adapter
from tests.conftest import FakeClock
from tests.fakes.slack_server import FakeSlackApi, SlackRequests, serve_app
from tests.ops.conftest import closed_port, get, value


async def test_each_acknowledged_request_is_one_ack_latency_sample(fake: FakeSlackApi, service: CheckinService) -> None:
    metrics = Metrics()
    adapter = make_adapter(service, fake, ack_observer=metrics.ack_latency.observe)
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        slack = Slack(fake, adapter, url, http, SlackRequests(SECRET))
        assert await slack.command("help") == 200
        assert await slack.command("tip") == 200
        await adapter.drain()
    assert value(metrics, "boundary_slack_ack_seconds_count") == 2
    assert 0 < value(metrics, "boundary_slack_ack_seconds_sum") < 6
    assert value(metrics, "boundary_slack_ack_seconds_bucket", le="2.5") == 2, "both inside Slack's 3 s"


async def test_readyz_follows_the_app_serving(fake: FakeSlackApi, service: CheckinService,
                                              raw_engine: AsyncEngine) -> None:
    metrics = Metrics()
    adapter = make_adapter(service, fake)
    readiness = Readiness(raw_engine, metrics, adapter.serving.is_set, 10.0, delivering=lambda: False)
    async with serving(metrics, readiness, host="127.0.0.1", port=0) as server:
        before = await asyncio.to_thread(get, server.port, "/readyz")
        app = asyncio.ensure_future(adapter.serve_http("127.0.0.1", closed_port()))
        await asyncio.wait_for(adapter.serving.wait(), 10)
        up = await asyncio.to_thread(get, server.port, "/readyz")
        app.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app
        after = await asyncio.to_thread(get, server.port, "/readyz")
    assert before.json()["not_ready"] == {"platform": "not connected"}
    assert (up.status, up.json()) == (200, {"ready": True})
    assert after.json()["not_ready"] == {"platform": "not connected"}


async def test_a_prompt_refused_with_429_then_500_then_sent_moves_each_class(
        fake: FakeSlackApi, service: CheckinService, schedules: ScheduleStore, clock: FakeClock) -> None:
    metrics = Metrics()

    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    adapter = make_adapter(service, fake)
    await service.handle(Command(ME, "schedule", "daily 09:00 in Europe/Berlin"))
    clock.now = clock.now.replace(day=27, hour=8, minute=0, second=30)
    dispatcher = Dispatcher(schedules, service, {"slack": adapter},
                            pacer=Pacer(clock=lambda: clock.now.timestamp(), **rate_limits()),
                            clock=clock, sleep=fake_sleep, metrics=metrics)
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    await dispatcher.tick()
    fake.fail_next("chat.postMessage", status=500)
    clock.advance(seconds=8)
    await dispatcher.tick()
    clock.advance(minutes=5)
    await dispatcher.tick()
    classes = {cls: value(metrics, "boundary_platform_responses_total", platform="slack", **{"class": cls})
               for cls in ("2xx", "429", "5xx")}
    assert classes == {"2xx": 1, "429": 1, "5xx": 1}
    assert value(metrics, "boundary_prompts_sent_total", platform="slack") == 1
    assert value(metrics, "boundary_prompts_retried_total", platform="slack", reason="rate-limited") == 1
    assert value(metrics, "boundary_prompts_retried_total", platform="slack", reason="temporary") == 1
