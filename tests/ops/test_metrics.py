"""Every metric moves when its event happens: driven through the console, the real service and the real
dispatcher on SQLite and PostgreSQL, with the collecting transport at the platform boundary."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.console.adapter import ConsoleAdapter
from bot.messages import Address
from bot.ops.metrics import Metrics
from bot.ops.server import Readiness, serving, watch_loop_lag
from bot.ports import RateLimited, TemporaryFailure, Unreachable
from bot.scheduling.dispatcher import Dispatcher
from tests.conftest import CollectingTransport, FakeClock
from tests.ops.conftest import get, value

NINE_BERLIN = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


async def due_at_nine(console: ConsoleAdapter, clock: FakeClock, late: timedelta = timedelta(seconds=30)) -> None:
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    clock.now = NINE_BERLIN + late


async def test_a_prompt_sent_moves_claimed_sent_lag_claim_duration_and_2xx(
        console: ConsoleAdapter, dispatcher: Dispatcher, clock: FakeClock, metrics: Metrics) -> None:
    await due_at_nine(console, clock, late=timedelta(minutes=12))
    await dispatcher.tick()
    assert value(metrics, "boundary_prompts_claimed_total") == 1
    assert value(metrics, "boundary_prompts_sent_total", platform="console") == 1
    assert value(metrics, "boundary_platform_responses_total", platform="console", **{"class": "2xx"}) == 1
    assert value(metrics, "boundary_dispatch_lag_seconds_count", platform="console") == 1
    assert value(metrics, "boundary_dispatch_lag_seconds_sum", platform="console") == pytest.approx(720, abs=1)
    # the alert "late by more than 10 minutes" sees it: nothing at or under 600 s, one above
    assert value(metrics, "boundary_dispatch_lag_seconds_bucket", platform="console", le="600.0") == 0
    assert value(metrics, "boundary_dispatch_lag_seconds_bucket", platform="console", le="1200.0") == 1
    assert value(metrics, "boundary_claim_duration_seconds_count") >= 1
    assert metrics.quiet_for() is not None


async def test_a_429_moves_the_429_class_and_the_retries(
        console: ConsoleAdapter, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock,
        metrics: Metrics) -> None:
    await due_at_nine(console, clock)
    transport.failures.append(RateLimited(2.0))
    await dispatcher.tick()
    assert value(metrics, "boundary_platform_responses_total", platform="console", **{"class": "429"}) == 1
    assert value(metrics, "boundary_prompts_retried_total", platform="console", reason="rate-limited") == 1
    assert value(metrics, "boundary_prompts_sent_total", platform="console") == 0


async def test_a_5xx_and_a_timeout_each_have_their_class(
        console: ConsoleAdapter, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock,
        metrics: Metrics) -> None:
    await due_at_nine(console, clock)
    transport.failures.extend([TemporaryFailure("502"), TimeoutError()])
    await dispatcher.tick()
    clock.advance(minutes=1)
    await dispatcher.tick()
    clock.advance(minutes=1)
    await dispatcher.tick()
    assert value(metrics, "boundary_platform_responses_total", platform="console", **{"class": "5xx"}) == 1
    assert value(metrics, "boundary_platform_responses_total", platform="console", **{"class": "timeout"}) == 1
    assert value(metrics, "boundary_prompts_retried_total", platform="console", reason="temporary") == 1
    assert value(metrics, "boundary_prompts_retried_total", platform="console", reason="timeout") == 1
    assert value(metrics, "boundary_prompts_sent_total", platform="console") == 1


async def test_closed_dms_move_unreachable(
        console: ConsoleAdapter, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock,
        metrics: Metrics) -> None:
    await due_at_nine(console, clock)
    transport.failures.append(Unreachable("50007"))
    await dispatcher.tick()
    assert value(metrics, "boundary_prompts_unreachable_total", platform="console") == 1
    assert value(metrics, "boundary_platform_responses_total", platform="console", **{"class": "4xx"}) == 1


async def test_a_held_prompt_is_skipped_by_its_reason(
        console: ConsoleAdapter, dispatcher: Dispatcher, clock: FakeClock, metrics: Metrics) -> None:
    await console.respond("/schedule 12:45 daily quiet 13:00-14:00 Europe/Berlin")
    clock.now = datetime(2026, 11, 27, 12, 20, tzinfo=UTC)  # 13:20 in Berlin: late, and inside quiet hours
    await dispatcher.tick()
    assert value(metrics, "boundary_prompts_skipped_total", reason="quiet-hours") == 1
    assert value(metrics, "boundary_prompts_sent_total", platform="console") == 0


async def test_a_finished_checkin_sos_and_a_crisis_reply_are_plain_counts(
        console: ConsoleAdapter, metrics: Metrics) -> None:
    await console.respond("/checkin")
    await console.respond("2")
    await console.respond("1,3")
    await console.respond("skip")
    assert value(metrics, "boundary_checkins_completed_total") == 1
    await console.respond("/sos")
    assert value(metrics, "boundary_sos_uses_total") == 1
    assert value(metrics, "boundary_crisis_replies_total") == 0, "/sos is counted once, as /sos"
    await console.respond("i want to kill myself")
    assert value(metrics, "boundary_crisis_replies_total") == 1


@pytest.fixture
async def ops_port(raw_engine: AsyncEngine, metrics: Metrics) -> AsyncIterator[int]:
    metrics.heartbeat()
    async with serving(metrics, Readiness(raw_engine, metrics, lambda: True, 10.0), host="127.0.0.1",
                       port=0) as server:
        yield server.port


@pytest.mark.storage
async def test_outbox_depth_is_what_waits_in_the_database(
        console: ConsoleAdapter, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock,
        ops_port: int) -> None:
    await due_at_nine(console, clock)
    transport.failures.append(RateLimited(600))
    await dispatcher.tick()
    waiting = await asyncio.to_thread(get, ops_port, "/metrics")
    clock.advance(minutes=11)
    await dispatcher.tick()
    drained = await asyncio.to_thread(get, ops_port, "/metrics")
    assert "boundary_outbox_depth 1.0" in waiting.text
    assert "boundary_outbox_depth 0.0" in drained.text


async def test_event_loop_lag_is_seen_when_the_loop_was_held(metrics: Metrics, ops_port: int) -> None:
    watcher = asyncio.ensure_future(watch_loop_lag(metrics, every=0.01))
    try:
        for _ in range(1000):  # let the watcher take its first timer
            await asyncio.sleep(0)
            if value(metrics, "boundary_event_loop_lag_seconds_count") >= 1:
                break
        before = value(metrics, "boundary_event_loop_lag_seconds_sum")
        assert get(ops_port, "/healthz").status == 503  # holds the loop for the 100 ms the probe waits
        for _ in range(1000):
            await asyncio.sleep(0)
            if value(metrics, "boundary_event_loop_lag_seconds_sum") - before >= 0.05:
                break
    finally:
        watcher.cancel()
    assert value(metrics, "boundary_event_loop_lag_seconds_sum") - before >= 0.05


async def test_metrics_after_a_checkin_with_a_marker_note_carry_no_id_and_no_word_of_it(
        console: ConsoleAdapter, dispatcher: Dispatcher, clock: FakeClock, ops_port: int) -> None:
    marker = "Zanzibar-marmalade-4471 told my sister no"
    await due_at_nine(console, clock)
    await dispatcher.tick()
    await console.respond("/checkin")
    await console.respond("2")
    await console.respond("1,3")
    await console.respond(marker)
    await console.respond("/sos")
    scraped = (await asyncio.to_thread(get, ops_port, "/metrics")).text
    assert "boundary_checkins_completed_total 1.0" in scraped
    words = {word.lower() for word in re.findall(r"[A-Za-z0-9]{3,}", marker)}
    found = {word.lower() for word in re.findall(r"[A-Za-z0-9]+", scraped)}
    assert words & found == set(), "no word of the note"
    labels = set(re.findall(r'="([^"]*)"', scraped))
    address: Address = console.address  # its channel id is "console", the platform's own name: not checked
    assert address.user_id not in scraped
    assert address.workspace_id not in labels
    assert labels <= {"console", "2xx", "4xx", "429", "5xx", "timeout", "discord", "slack"} | set(
        re.findall(r'le="([^"]*)"', scraped)), "every label value is a platform, a class or a bucket"
