"""What an operator sees of the Slack adapter: the acknowledgement latency of signed requests, /readyz while
the app serves and after, and a prompt's 429 and 5xx from the fake Web API in the response classes."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters import rate_limits
from bot.conversation import Conversation
from bot.events import Command
from bot.ops.metrics import Metrics
from bot.ops.server import Readiness, serving, shared
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.store import ScheduleStore
from tests.adapters.slack.conftest import ME, SECRET, Slack, make_adapter
from tests.conftest import FakeClock
from tests.fakes.slack_server import (
    APP_TOKEN,
    USER_ID,
    FakeSlackApi,
    SlackRequests,
    app_home_opened,
    serve_app,
    slash_command,
)
from tests.ops.conftest import closed_port, get, value


async def test_each_acknowledged_request_is_one_ack_latency_sample(fake: FakeSlackApi, service: Conversation) -> None:
    metrics = Metrics()
    adapter = make_adapter(service, fake, ack_observer=metrics.ack_observer("slack"))
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        slack = Slack(fake, adapter, url, http, SlackRequests(SECRET))
        assert await slack.command("help") == 200
        assert await slack.command("tip") == 200
        await adapter.drain()
    assert value(metrics, "boundary_ack_seconds_count", platform="slack") == 2
    assert 0 < value(metrics, "boundary_ack_seconds_sum", platform="slack") < 6
    assert value(metrics, "boundary_ack_seconds_bucket", platform="slack", le="2.5") == 2, "both inside Slack's 3 s"


async def test_readyz_follows_the_app_serving(fake: FakeSlackApi, service: Conversation,
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
        fake: FakeSlackApi, service: Conversation, schedules: ScheduleStore, clock: FakeClock) -> None:
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


async def test_health_readiness_and_metrics_share_the_apps_port_in_http_mode(
        fake: FakeSlackApi, service: Conversation, raw_engine: AsyncEngine) -> None:
    metrics = Metrics()
    adapter = make_adapter(service, fake, ack_observer=metrics.ack_observer("slack"))
    readiness = Readiness(raw_engine, metrics, adapter.serving.is_set, 10.0, delivering=lambda: False)
    port = closed_port()
    async with shared(metrics, readiness) as ops, aiohttp.ClientSession() as http:
        adapter.share_port_with(ops)
        app = asyncio.ensure_future(adapter.serve_http("127.0.0.1", port))
        await asyncio.wait_for(adapter.serving.wait(), 10)
        url = f"http://127.0.0.1:{port}"
        slack = Slack(fake, adapter, url, http, SlackRequests(SECRET))
        assert await slack.command("help") == 200, "Slack's requests still land on the same port"
        await adapter.drain()
        health = await asyncio.to_thread(get, port, "/healthz")
        ready = await asyncio.to_thread(get, port, "/readyz")
        scraped = await asyncio.to_thread(get, port, "/metrics")
        app.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app
    assert (health.status, health.json()["status"]) == (200, "ok")
    assert (ready.status, ready.json()) == (200, {"ready": True})
    assert scraped.status == 200
    assert scraped.content_type.startswith("text/plain")
    assert 'boundary_ack_seconds_count{platform="slack"} 1.0' in scraped.body.decode()
    assert "boundary_outbox_depth 0.0" in scraped.body.decode()


async def test_readyz_on_the_apps_port_names_what_is_not_ready(
        fake: FakeSlackApi, service: Conversation, raw_engine: AsyncEngine) -> None:
    metrics = Metrics()
    adapter = make_adapter(service, fake)
    connected = {"slack": True}
    readiness = Readiness(raw_engine, metrics, lambda: connected["slack"], 10.0, delivering=lambda: True)
    port = closed_port()
    async with shared(metrics, readiness) as ops:
        adapter.share_port_with(ops)
        app = asyncio.ensure_future(adapter.serve_http("127.0.0.1", port))
        await asyncio.wait_for(adapter.serving.wait(), 10)
        connected["slack"] = False
        answer = await asyncio.to_thread(get, port, "/readyz")
        app.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app
    assert answer.status == 503
    assert answer.json()["not_ready"] == {"platform": "not connected", "dispatcher": "has not run yet"}


async def test_socket_mode_records_each_envelopes_ack_latency(fake: FakeSlackApi, service: Conversation) -> None:
    metrics = Metrics()
    adapter = make_adapter(service, fake, app_token=APP_TOKEN, ack_observer=metrics.ack_observer("slack"))
    async with adapter.socket_mode():
        first = await fake.push_envelope("slash_commands", slash_command(
            text="help", response_url=fake.response_url("socket-1")))
        second = await fake.push_envelope("events_api", app_home_opened(USER_ID, event_id="Ev0SOCKACK1"))
        acks = [await fake.wait_for_ack(first), await fake.wait_for_ack(second)]
        await adapter.drain()
    assert value(metrics, "boundary_ack_seconds_count", platform="slack") == 2, "one per acknowledged envelope"
    total = value(metrics, "boundary_ack_seconds_sum", platform="slack")
    assert 0 < total <= sum(ack.latency for ack in acks), "no longer than the fake saw from sending to the ack"
    assert value(metrics, "boundary_ack_seconds_bucket", platform="slack", le="2.5") == 2
