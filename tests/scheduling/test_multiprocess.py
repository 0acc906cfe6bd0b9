"""Several delivery processes on one PostgreSQL, and a crash in the middle: every prompt goes out, once.

Each worker is a real process (`python -m tests.scheduling.worker`) with the real store and dispatcher; what
it sends is appended to one shared file, one line per prompt, so the file is what the platform received.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select

from bot.scheduling.rules import EVERY_DAY
from bot.scheduling.store import SENT
from bot.storage.database import make_engine, make_sessionmaker, migrate
from bot.storage.models import Delivery, Identity, Schedule, ScheduleRule
from tests.conftest import Templates, _drop_postgres_database
from tests.scheduling.worker import CONCURRENCY

# Each test starts two delivery processes of its own: under pytest-xdist they run one after another.
pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("multiprocess")]

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 2000
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")


@pytest.fixture
async def pg_url(templates: Templates) -> AsyncIterator[str]:
    """A throwaway copy of the session's migrated template; an unreachable server skips locally and fails in CI
    (the conftest's rule)."""
    url, name = await templates.postgres_copy()
    try:
        yield url
    finally:
        await _drop_postgres_database(name)


async def seed(url: str, people: int) -> set[tuple[int, str]]:
    """`people` daily schedules, all due this minute; returns the (schedule, slot) keys to be delivered."""
    engine = make_engine(url)
    await migrate(engine)
    at = datetime.now(UTC).replace(second=0, microsecond=0)
    now = datetime.now(UTC)
    rules, identities, schedules, expected = [], [], [], set()
    for index, zone in enumerate(ZONES):  # one shared rule per zone, firing this minute
        local = at.astimezone(ZoneInfo(zone))
        rules.append({"id": index + 1, "days": EVERY_DAY, "times": f"{local:%H:%M}", "zone": zone,
                      "next_fire_at": at, "next_slot": f"{local.date().isoformat()}T{local:%H:%M}",
                      "queued_through": 0})
    for i in range(1, people + 1):
        rule = rules[i % len(ZONES)]
        identities.append({"id": i, "platform": "discord", "workspace_id": "", "user_id": str(10**17 + i),
                           "created_at": now, "store_notes": True})
        schedules.append({"id": i, "identity_id": i, "rule_id": rule["id"], "platform": "discord", "kind": "checkin",
                          "flow_id": "daily", "quiet": None, "fires_from": at, "unanswered": 0,
                          "dialdown_asked": False, "created_at": now, "updated_at": now})
        expected.add((i, str(rule["next_slot"])))
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            await db.execute(insert(ScheduleRule), rules)
            await db.execute(insert(Identity), identities)
            await db.execute(insert(Schedule), schedules)
    finally:
        await engine.dispose()
    return expected


async def start_worker(url: str, outfile: Path, *, lease: float = 2.0, send_ms: float = 5.0,
                       held: bool = False) -> asyncio.subprocess.Process:
    """A worker process; a `held` one connects, says "ready" and waits for `go()`."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.scheduling.worker", url, str(outfile), "--lease", str(lease), "--send-ms",
        str(send_ms), *(["--wait-for-go"] if held else []), cwd=ROOT, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    if held:
        assert process.stdout is not None
        async with asyncio.timeout(30):
            assert (await process.stdout.readline()).strip() == b"ready"
    return process


async def go(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        await process.stdin.drain()


async def finish(process: asyncio.subprocess.Process) -> None:
    """Wait for a worker to end by itself (bounded: a hung worker fails the test instead of hanging it)."""
    async with asyncio.timeout(60):
        _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()[-3000:]


def sent_lines(outfile: Path) -> list[dict[str, object]]:
    """Complete lines only: read while a worker appends, the last one may still be on its way."""
    if not outfile.exists():
        return []
    *complete, _partial = outfile.read_text().split("\n")
    return [json.loads(line) for line in complete]


def per_prompt(lines: list[dict[str, object]]) -> Counter[tuple[int, str]]:
    return Counter((int(str(line["schedule"])), str(line["slot"])) for line in lines)


async def outbox_status(url: str) -> dict[tuple[int, str], str]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            rows = (await db.execute(select(Delivery.schedule_id, Delivery.slot, Delivery.status))).all()
            return {(row.schedule_id, row.slot): row.status for row in rows}
    finally:
        await engine.dispose()


async def count_outbox(url: str) -> int:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            return int(await db.scalar(select(func.count()).select_from(Delivery)) or 0)
    finally:
        await engine.dispose()


async def test_two_processes_on_one_database_send_every_prompt_exactly_once(pg_url: str, tmp_path: Path) -> None:
    expected = await seed(pg_url, PEOPLE)
    outfile = tmp_path / "sent.jsonl"

    # Both start together (an interpreter can take seconds to start on a busy machine), with a lease long
    # enough for a whole leased batch: a lease that runs out mid-batch is the last test's subject.
    workers = [await start_worker(pg_url, outfile, lease=30, send_ms=10, held=True) for _ in range(2)]
    await go(*workers)
    await asyncio.gather(*(finish(worker) for worker in workers))

    lines = sent_lines(outfile)
    delivered = per_prompt(lines)
    assert set(delivered) == expected, "every due prompt was delivered, and nothing else"
    twice = {key: count for key, count in delivered.items() if count > 1}
    assert not twice, f"{len(twice)} prompts were sent more than once, e.g. {list(twice.items())[:3]}"
    shares = Counter(line["pid"] for line in lines)
    print(f"\nwork split between the two processes: {sorted(shares.values())}")
    # How the work splits depends on which process starts first; only exactly-once is the promise.
    status = await outbox_status(pg_url)
    assert len(status) == PEOPLE
    assert set(status.values()) == {SENT}


async def test_a_killed_worker_loses_nothing_and_duplicates_only_its_in_flight_sends(
        pg_url: str, tmp_path: Path) -> None:
    expected = await seed(pg_url, PEOPLE)
    outfile = tmp_path / "sent.jsonl"

    first = await start_worker(pg_url, outfile, send_ms=20)
    deadline = time.monotonic() + 30
    while len(sent_lines(outfile)) < 300:  # a cross-process wait: poll the file, bounded
        assert first.returncode is None, "the first worker ended before it could be killed"
        assert time.monotonic() < deadline, "the first worker did not get going within 30 s"
        await asyncio.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    await asyncio.wait_for(first.wait(), 10)
    assert first.returncode == -signal.SIGKILL

    before = per_prompt(sent_lines(outfile))
    status = await outbox_status(pg_url)
    assert len(before) < PEOPLE, "the kill came before the work was done"
    assert await count_outbox(pg_url) == PEOPLE, "the claim had put every prompt in the outbox"
    # Sent on the platform but not recorded as sent: the only prompts a restart can send again.
    in_flight = sum(1 for key in before if status.get(key) != SENT)
    assert in_flight <= CONCURRENCY

    second = await start_worker(pg_url, outfile)
    await finish(second)

    delivered = per_prompt(sent_lines(outfile))
    lost = expected - set(delivered)
    assert not lost, f"{len(lost)} prompts were never delivered, e.g. {sorted(lost)[:3]}"
    assert set(delivered) == expected
    duplicates = sum(count - 1 for count in delivered.values())
    print(f"\nkilled after {sum(before.values())} sends; in flight (sent, not yet recorded) at the kill: "
          f"{in_flight}; duplicates after the restart: {duplicates} (bound: concurrency {CONCURRENCY})")
    assert duplicates <= in_flight <= CONCURRENCY
    assert set((await outbox_status(pg_url)).values()) == {SENT}


async def test_a_lease_that_runs_out_while_its_batch_waits_is_not_sent_twice(pg_url: str, tmp_path: Path) -> None:
    """The dispatcher leases twice what it sends at once (64, 32 at a time), renews the leases while their sends
    are out, and holds each row again right before sending: a row whose lease another instance took (it ran out,
    the process stalled) is not sent by the first as well. The sends here are not keyed, so a row sent twice
    shows. On a machine loaded well past its cores a 1 s lease can lapse during a send itself; in production a
    keyed send makes that one message."""
    expected = await seed(pg_url, 200)
    outfile = tmp_path / "sent.jsonl"

    # 200 rows, 600 ms per send, 32 at a time: about 4 s of sending on a 2 s lease, renewed every third of it
    # (a 2 s lease leaves a busy machine room to renew before it runs out).
    second = await start_worker(pg_url, outfile, lease=2, send_ms=600, held=True)
    first = await start_worker(pg_url, outfile, lease=2, send_ms=600)
    deadline = time.monotonic() + 30
    while not sent_lines(outfile):  # the first has claimed and leased everything and is sending
        assert time.monotonic() < deadline, "the first worker did not get going within 30 s"
        await asyncio.sleep(0.05)
    await go(second)  # polls, and leases whatever of the first's batch outlives its lease
    await asyncio.gather(finish(first), finish(second))

    lines = sent_lines(outfile)
    delivered = per_prompt(lines)
    assert set(delivered) == expected
    twice = sum(1 for count in delivered.values() if count > 1)
    shares = Counter(line["pid"] for line in lines)
    print(f"\nsent twice after their lease ran out mid-batch: {twice} of {len(expected)}; "
          f"sends per process: {sorted(shares.values())}")
    assert twice == 0
