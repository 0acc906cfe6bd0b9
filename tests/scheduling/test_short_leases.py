"""Short leases, renewed while their sends are out: another instance takes a dead instance's rows within one lease
(not after minutes), a live instance keeps its rows however long the platform holds a send, and a row sent by both
(the platform had it, the dead process never recorded it) is one message, since the send is keyed by its row.

On SQLite and PostgreSQL: which rows are free is decided by the database. The dead instance is a real process
(`python -m tests.scheduling.worker`), SIGKILLed while the platform holds its sends; the other instance runs here,
its clock moved on by one lease rather than waited for."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.messages import Address, Reply
from bot.scheduling.dispatcher import LEASE, Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.store import SENT, ScheduleStore
from bot.storage.database import make_engine, make_sessionmaker
from bot.storage.models import utcnow
from tests.scheduling.test_multiprocess import ROOT, outbox_status, per_prompt, seed, sent_lines
from tests.scheduling.worker import KeyedFileTransport, TrivialPrompts

pytestmark = pytest.mark.storage


def no_limits() -> Pacer:
    return Pacer(platform_limits={}, channel_limits={})


async def killed_while_its_sends_are_out(url: str, outfile: Path) -> None:
    """A worker that claims and leases everything due, hands sends to the platform, and is SIGKILLed before
    recording any of them (its sends hang once the platform has them)."""
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.scheduling.worker", url, str(outfile), "--lease", str(LEASE.total_seconds()),
        "--keyed", "--hang-after-accepting", cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    try:
        assert worker.stdout is not None
        async with asyncio.timeout(60):
            assert (await worker.stdout.readline()).strip() == b"accepted"
    finally:
        if worker.returncode is None:
            os.kill(worker.pid, signal.SIGKILL)
        await asyncio.wait_for(worker.wait(), 10)
    assert worker.returncode == -signal.SIGKILL


async def test_another_instance_takes_a_killed_instances_rows_within_one_short_lease_and_each_prompt_goes_out_once(
        database_url: str, tmp_path: Path) -> None:
    assert LEASE.total_seconds() <= 15, "a dead instance's rows are free within seconds"
    expected = await seed(database_url, 40)
    outfile = tmp_path / "sent.jsonl"
    await killed_while_its_sends_are_out(database_url, outfile)
    accepted_before = per_prompt(sent_lines(outfile))
    assert accepted_before, "the platform had some of them when the process died"
    assert set((await outbox_status(database_url)).values()) == {"sending"}, "every row was leased, none recorded"

    engine = make_engine(database_url)
    later = timedelta(0)

    def clock() -> datetime:
        return utcnow() + later

    other = Dispatcher(ScheduleStore(make_sessionmaker(engine), clock=clock), TrivialPrompts(),
                       {"discord": KeyedFileTransport(str(outfile), 0.0)}, pacer=no_limits(), clock=clock,
                       instance="other")
    try:
        assert (await other.tick()).sent == 0, "a lease the dead instance renewed moments ago is still its own"
        later = LEASE + timedelta(milliseconds=100)
        stats = await other.tick()
    finally:
        await engine.dispose()

    assert stats.sent == len(expected), "one lease after the kill, the other instance has every row"
    delivered = per_prompt(sent_lines(outfile))
    assert set(delivered) == expected
    assert set(delivered.values()) == {1}, "a prompt the platform already had is not a second message"
    assert set((await outbox_status(database_url)).values()) == {SENT}


class HeldPlatform(KeyedFileTransport):
    """The platform holds every send until the test lets it go."""

    def __init__(self, path: str) -> None:
        super().__init__(path, 0.0)
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def send_keyed(self, address: Address, replies: Sequence[Reply], key: str, *,
                         maybe_sent_since: datetime | None) -> bool:
        self.holding.set()
        await self.release.wait()
        return await super().send_keyed(address, replies, key, maybe_sent_since=maybe_sent_since)


async def test_a_live_instance_keeps_its_rows_while_the_platform_holds_a_send_for_several_leases(
        database_url: str, tmp_path: Path, sessions: async_sessionmaker[AsyncSession]) -> None:
    expected = await seed(database_url, 1)
    outfile = tmp_path / "sent.jsonl"
    lease = timedelta(seconds=1.2)
    held = HeldPlatform(str(outfile))
    store = ScheduleStore(sessions)
    live = Dispatcher(store, TrivialPrompts(), {"discord": held}, pacer=no_limits(), lease_for=lease, instance="live")
    other = Dispatcher(store, TrivialPrompts(), {"discord": KeyedFileTransport(str(outfile), 0.0)},
                       pacer=no_limits(), lease_for=lease, instance="other")

    ticking = asyncio.create_task(live.tick())
    await asyncio.wait_for(held.holding.wait(), 30)
    for _ in range(4):  # the platform holds the send for about two leases: the real clock is the subject here
        await asyncio.sleep(lease.total_seconds() / 2)
        assert (await other.tick()).sent == 0, "the live instance renewed its lease"
    held.release.set()
    stats = await asyncio.wait_for(ticking, 30)

    assert stats.sent == 1
    assert per_prompt(sent_lines(outfile)) == {key: 1 for key in expected}
    assert set((await outbox_status(database_url)).values()) == {SENT}
