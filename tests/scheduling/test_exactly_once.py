"""No waiting out a dead lease, and a database outage as a state: through the dispatcher and the real store, on
SQLite and PostgreSQL, with the fake clock."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.console.adapter import ConsoleAdapter
from bot.conversation import Conversation
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.instance import claim_identity
from bot.scheduling.pacing import Pacer
from bot.scheduling.store import ScheduleStore
from tests.conftest import CollectingTransport, FakeClock
from tests.scheduling.dying import dies_after_the_platform_accepts
from tests.scheduling.test_delivery import berlin, outbox

LEASE = timedelta(seconds=120)


def dispatcher_for(schedules: ScheduleStore, service: Conversation, transport: CollectingTransport,
                   clock: FakeClock, instance: str) -> Dispatcher:
    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    return Dispatcher(schedules, service, {"console": transport}, pacer=Pacer(clock=lambda: clock.now.timestamp()),
                      clock=clock, sleep=fake_sleep, instance=instance, lease_for=LEASE, look_again_every=0.5)


async def prompt_due(service: Conversation, clock: FakeClock, tmp_path: Path) -> None:
    console = ConsoleAdapter(service, "person0", interactive=False, files_dir=tmp_path)
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    clock.now = berlin(11, 27, 9, 0, 30)


@pytest.mark.storage  # which rows a restarted instance may release is decided by the database
async def test_a_lease_held_by_a_process_that_died_is_taken_back_at_restart(
        service: Conversation, schedules: ScheduleStore, transport: CollectingTransport, clock: FakeClock,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sessions: async_sessionmaker[AsyncSession]) -> None:
    await prompt_due(service, clock, tmp_path)
    await dies_after_the_platform_accepts(dispatcher_for(schedules, service, transport, clock, "bot-1"), schedules,
                                          monkeypatch)
    assert len(transport.sent) == 1
    clock.advance(seconds=3)  # the restart: the lease has almost two minutes left

    other = await dispatcher_for(schedules, service, transport, clock, "bot-2").tick()
    assert other.sent == 0, "another instance leaves a live lease alone"
    restarted = await dispatcher_for(schedules, service, transport, clock, "bot-1").tick()

    assert restarted.sent == 1, "the restarted instance took its lease back at once"
    [row] = await outbox(sessions)
    assert (row.status, row.attempts) == ("sent", 2)


def test_an_identity_outlives_its_process_and_is_never_shared_by_two_living_ones(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from bot.scheduling.instance import claim_identity; "
         f"held = claim_identity(Path({str(tmp_path)!r})); print(held.id, flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout is not None
        dead_id = holder.stdout.readline().strip()
        alongside = claim_identity(tmp_path)
        assert alongside.id != dead_id, "two living processes hold two identities"
        holder.kill()  # SIGKILL: no clean-up
        holder.wait(timeout=10)
        restarted = claim_identity(tmp_path)
        assert restarted.id == dead_id, "the restart is the process that died"
        restarted.close()
        alongside.close()
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert claim_identity(tmp_path, "bot-7").id == "bot-7"


class Outage:
    """The database as the dispatcher sees it: every store call fails while `down` is set."""

    def __init__(self, schedules: ScheduleStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.down = False
        for name in ("ping", "claim_due", "lease", "hold", "finish", "retry", "take_back"):
            monkeypatch.setattr(schedules, name, self._guard(getattr(schedules, name)))

    def _guard(self, call: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise ConnectionRefusedError("connection refused")
            return await call(*args, **kwargs)
        return guarded


async def test_a_database_outage_is_two_log_lines_and_the_sends_it_took_are_recorded_once_it_is_back(
        service: Conversation, schedules: ScheduleStore, transport: CollectingTransport, clock: FakeClock,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        sessions: async_sessionmaker[AsyncSession]) -> None:
    await prompt_due(service, clock, tmp_path)
    outage = Outage(schedules, monkeypatch)
    dispatcher = dispatcher_for(schedules, service, transport, clock, "bot-1")
    original = transport.send

    async def database_goes_during_the_send(*args: Any) -> None:
        await original(*args)
        outage.down = True  # the platform took it; the database is gone before `sent` is written

    monkeypatch.setattr(transport, "send", database_goes_during_the_send)
    caplog.set_level(logging.INFO, logger="bot")
    for _ in range(5):  # a round a second while it is away: nothing more is sent, nothing more is logged
        clock.advance(seconds=1)
        await dispatcher.tick()
    assert len(transport.sent) == 1
    monkeypatch.setattr(transport, "send", original)
    outage.down = False
    clock.advance(seconds=1)
    await asyncio.wait_for(dispatcher.tick(), timeout=5)

    assert len(transport.sent) == 1, "sent once, recorded late"
    [row] = await outbox(sessions)
    assert row.status == "sent"
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("bot.scheduling")]
    assert len(lines) == 2, lines
    assert lines[0].startswith("database unreachable (builtins.ConnectionRefusedError")
    assert lines[1].startswith("database back after 5.0 s; 1 sends recorded late")
