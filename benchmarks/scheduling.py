#!/usr/bin/env python
"""Scheduling at scale: everyone due in the same minute, claimed into the outbox.

    python benchmarks/scheduling.py [--users 100000] [--with-million] [--backend sqlite|postgresql|both]

For 10,000 and `--users` people (and 1,000,000 on PostgreSQL with --with-million) this seeds identities
and schedules that are all due in the same minute (20 distinct (days, times, zone) rules over 8 zones,
shared the way real people share them: a few rules hold most people), then, in a FRESH subprocess per
measurement so its peak RSS is its own:

- ours: `ScheduleStore.claim_due` until every due schedule is in the outbox;
- the baseline: APScheduler 3 `AsyncIOScheduler` with a `SQLAlchemyJobStore`, one date-trigger job per
  person, all due at the same instant; the time until every job has run or been marked missed.

Each measurement also runs a watchdog task (sleep 1 ms, keep the largest overshoot) for the longest
event-loop stall, and reads peak RSS from `getrusage`. Results: a markdown table on stdout and in
benchmarks/results/scheduling.md.

PostgreSQL: TEST_POSTGRES_DSN (default postgresql://postgres@127.0.0.1:5432/test) is the admin DSN;
each measurement gets its own database `bb_bench_<random>`, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pickle
import platform
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PG_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
GRACE = timedelta(hours=2)
BASELINE_CAP = 100_000
BASELINE_TIME_LIMIT = 300.0
CLAIM_TIME_LIMIT = 600.0

ZONES = ("America/New_York", "America/Los_Angeles", "America/Sao_Paulo", "Europe/London", "Europe/Berlin",
         "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney")
EVERY_DAY, WEEKDAYS = 0b1111111, 0b0011111

# Targets the design promises for scheduling; benchmarks/README.md lists them beside the results.
TARGET_100K_S = 3.0
TARGET_1M_S = 30.0
TARGET_STALL_MS = 50.0
TARGET_RSS_MB = 150.0
TARGET_RSS_GROWTH = 0.20


# ---------------------------------------------------------------- the machine


def machine_info() -> dict[str, str]:
    info: dict[str, str] = {}
    info["cpus (nproc)"] = str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu model"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    info["os"] = f"{platform.system()} {platform.release()}"
    info["python"] = platform.python_version()
    info["sqlite"] = sqlite3.sqlite_version
    try:
        import asyncpg

        async def version() -> str:
            connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
            try:
                return str(await connection.fetchval("SHOW server_version"))
            finally:
                await connection.close()

        info["postgresql"] = asyncio.run(version())
    except Exception as exc:  # reported, not fatal: the SQLite half still runs
        info["postgresql"] = f"unreachable ({type(exc).__name__})"
    for package in ("SQLAlchemy", "asyncpg", "aiosqlite", "APScheduler", "aiohttp"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            info[package] = metadata.version(package)
    return info


def machine_markdown(info: dict[str, str]) -> str:
    return "\n".join(f"- {key}: {value}" for key, value in info.items())


# ---------------------------------------------------------------- what is due


@dataclass(frozen=True)
class Group:
    days: int
    times: str
    zone: str
    slot: str


def rule_mix(at: datetime) -> tuple[list[Group], list[float]]:
    """20 (days, times, zone) rules over 8 zones, each with a firing exactly at `at`, and how many people
    hold each one (Zipf-like: the top three rules hold about half of everyone)."""
    groups: list[Group] = []
    for variant in range(3):
        for zone in ZONES:
            local = at.astimezone(ZoneInfo(zone))
            hhmm = local.strftime("%H:%M")
            today = 1 << local.weekday()
            if variant == 0:
                days, times = EVERY_DAY, hhmm
            elif variant == 1:
                days, times = WEEKDAYS | today, hhmm
            else:
                other = (local + timedelta(hours=9)).strftime("%H:%M")
                days, times = EVERY_DAY, ",".join(sorted((hhmm, other)))
            groups.append(Group(days, times, zone, f"{local.date().isoformat()}T{hhmm}"))
    groups = groups[:20]
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(groups))]
    return groups, weights


def due_minute() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


def assignments(n: int, at: datetime, seed: int = 7) -> Iterator[tuple[int, Group]]:
    groups, weights = rule_mix(at)
    rng = random.Random(seed)
    chunk = 10_000
    for start in range(0, n, chunk):
        picks = rng.choices(groups, weights, k=min(chunk, n - start))
        for offset, group in enumerate(picks):
            yield start + offset + 1, group


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# ---------------------------------------------------------------- databases


async def _migrate(url: str) -> None:
    from bot.storage.database import make_engine, migrate

    engine = make_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


def seed_sqlite(path: Path, n: int, at: datetime) -> None:
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    now = _sqlite_time(datetime.now(UTC))
    due = _sqlite_time(at)
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executemany(
                "INSERT INTO identities (id, platform, workspace_id, user_id, created_at, store_notes) "
                "VALUES (?, 'discord', '', ?, ?, 1)",
                ((i, str(10**17 + i), now) for i in range(1, n + 1)))
            connection.executemany(
                "INSERT INTO schedules (id, identity_id, platform, kind, flow_id, days, times, zone, quiet, "
                "next_fire_at, next_slot, unanswered, dialdown_asked, created_at, updated_at) "
                "VALUES (?, ?, 'discord', 'checkin', 'daily', ?, ?, ?, '21:00-08:00', ?, ?, 0, 0, ?, ?)",
                ((i, i, g.days, g.times, g.zone, due, g.slot, now, now) for i, g in assignments(n, at)))
    finally:
        connection.close()


async def create_pg_database() -> tuple[str, str]:
    import asyncpg

    name = f"bb_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{name}", name


async def drop_pg_database(name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def sqlalchemy_pg_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


async def seed_postgres(dsn: str, n: int, at: datetime) -> None:
    import asyncpg

    await _migrate(sqlalchemy_pg_url(dsn))
    now = datetime.now(UTC)
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.copy_records_to_table(
            "identities", columns=["id", "platform", "workspace_id", "user_id", "created_at", "store_notes"],
            records=((i, "discord", "", str(10**17 + i), now, True) for i in range(1, n + 1)))
        await connection.copy_records_to_table(
            "schedules", columns=["id", "identity_id", "platform", "kind", "flow_id", "days", "times", "zone",
                                  "quiet", "next_fire_at", "next_slot", "unanswered", "dialdown_asked",
                                  "created_at", "updated_at"],
            records=((i, i, "discord", "checkin", "daily", g.days, g.times, g.zone, "21:00-08:00", at, g.slot, 0,
                      False, now, now) for i, g in assignments(n, at)))
        await connection.execute("SELECT setval('identities_id_seq', $1)", n)
        await connection.execute("SELECT setval('schedules_id_seq', $1)", n)
        # A running database has statistics and settled hint bits; a bulk load has neither.
        await connection.execute("VACUUM ANALYZE identities")
        await connection.execute("VACUUM ANALYZE schedules")
        await connection.execute("VACUUM ANALYZE deliveries")
        # Nor a bulk load's dirty pages waiting to be written: without this the measurement pays for the
        # seeding's checkpoint (needs superuser, as the CI and bench database user is; skipped otherwise).
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


# ---------------------------------------------------------------- measuring, inside the fresh subprocess


class Watchdog:
    """Sleeps 1 ms over and over and keeps the largest overshoot: the longest the loop was not ours."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.worst_cpu = 0.0  # CPU the loop's thread used during the worst stall: ~0 means it was waiting
        self.last_tick = time.perf_counter()
        self._stop = False
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while not self._stop:
            started, cpu = time.perf_counter(), time.thread_time()
            await asyncio.sleep(0.001)
            self.last_tick = time.perf_counter()
            overshoot = self.last_tick - started - 0.001
            if overshoot > self.worst:
                self.worst, self.worst_cpu = overshoot, time.thread_time() - cpu

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> float:
        self._stop = True
        if self._task is not None:
            await self._task
        return self.worst

    def current_worst(self) -> float:
        """Safe from another thread: includes a stall still going on."""
        return max(self.worst, time.perf_counter() - self.last_tick)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _vm_hwm_mb() -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


async def measure_claim(url: str, n: int) -> dict[str, Any]:
    from sqlalchemy import func, select, text

    from bot.scheduling.store import ScheduleStore
    from bot.storage.database import make_engine, make_sessionmaker
    from bot.storage.models import Delivery, Schedule, utcnow

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    store = ScheduleStore(sessions)
    async with engine.connect() as connection:  # a running bot has its pool connected already
        await connection.execute(text("SELECT 1"))
    watchdog = Watchdog()
    watchdog.start()
    await asyncio.sleep(0.01)
    started = time.perf_counter()
    claimed = rounds = 0
    while claimed < n and time.perf_counter() - started < CLAIM_TIME_LIMIT:
        moved = await store.claim_due(grace=GRACE)
        claimed += moved
        rounds += 1
        if moved == 0:
            break
    elapsed = time.perf_counter() - started
    stall = await watchdog.stop()
    load = os.getloadavg()[0]
    async with sessions() as db:
        queued = int(await db.scalar(select(func.count()).select_from(Delivery)) or 0)
        still_due = int(await db.scalar(select(func.count()).select_from(Schedule)
                                        .where(Schedule.next_fire_at <= utcnow())) or 0)
    await engine.dispose()
    return {"done": queued, "claimed": claimed, "still_due": still_due, "rounds": rounds, "seconds": elapsed,
            "stall_ms": stall * 1000, "stall_cpu_ms": watchdog.worst_cpu * 1000, "load": load,
            "rss_mb": peak_rss_mb(), "vm_hwm_mb": _vm_hwm_mb(), "finished": queued == n and still_due == 0}


_baseline_counts: dict[str, int] = {"ran": 0, "missed": 0, "error": 0}


async def baseline_job(user: int) -> None:
    """One APScheduler job per person; the body is empty, the listener counts that it ran."""


async def measure_baseline(url: str, n: int, due_at: float, limit: float, progress: Path) -> dict[str, Any]:
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
    from apscheduler.executors.asyncio import AsyncIOExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    finished = asyncio.Event()
    last_event = [0.0]

    def listener(event: Any) -> None:
        key = {EVENT_JOB_EXECUTED: "ran", EVENT_JOB_MISSED: "missed"}.get(event.code, "error")
        _baseline_counts[key] += 1
        last_event[0] = time.time()
        if sum(_baseline_counts.values()) >= n:
            finished.set()

    class CountingJobStore(SQLAlchemyJobStore):  # type: ignore[misc]
        """The stock store, counting jobs the scheduler has taken off it (submitted, or found missed)."""

        removed = 0

        def remove_job(self, job_id: str) -> None:
            super().remove_job(job_id)
            CountingJobStore.removed += 1

    scheduler = AsyncIOScheduler(timezone=UTC, jobstores={"default": CountingJobStore(url=url)},
                                 executors={"default": AsyncIOExecutor()})
    scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    watchdog = Watchdog()
    stop_reporting = threading.Event()

    def report() -> None:  # a thread, so progress is known even while the loop is blocked
        while not stop_reporting.wait(0.5):
            state = dict(_baseline_counts, taken=CountingJobStore.removed,
                         stall_ms=watchdog.current_worst() * 1000, rss_mb=_vm_hwm_mb(),
                         elapsed=max(0.0, time.time() - due_at))
            progress.write_text(json.dumps(state))

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    scheduler.start()
    watchdog.start()
    timed_out = False
    try:
        await asyncio.wait_for(finished.wait(), timeout=max(1.0, due_at + limit - time.time()))
    except TimeoutError:
        timed_out = True
    stall = await watchdog.stop()
    stop_reporting.set()
    scheduler.shutdown(wait=False)
    done = sum(_baseline_counts.values())
    end = last_event[0] if done >= n else time.time()
    return {"done": done, **_baseline_counts, "taken": CountingJobStore.removed, "seconds": max(0.0, end - due_at),
            "stall_ms": stall * 1000, "stall_cpu_ms": watchdog.worst_cpu * 1000, "load": os.getloadavg()[0],
            "rss_mb": peak_rss_mb(), "vm_hwm_mb": _vm_hwm_mb(), "finished": done >= n and not timed_out}


def seed_baseline_sqlite(path: Path, n: int, due: datetime) -> None:
    """N jobs as `scheduler.add_job(func, 'date', run_date=due)` would store them, written in bulk (adding
    them one by one through the scheduler costs a transaction each and is not what is measured)."""
    from apscheduler.job import Job
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger
    from apscheduler.util import datetime_to_utc_timestamp

    store = SQLAlchemyJobStore(url=f"sqlite:///{path}")
    store.jobs_t.create(store.engine, checkfirst=True)
    store.engine.dispose()
    owner = AsyncIOScheduler(timezone=UTC)
    trigger = DateTrigger(run_date=due, timezone=UTC)
    timestamp = datetime_to_utc_timestamp(due)

    def rows() -> Iterator[tuple[str, float, bytes]]:
        for i in range(1, n + 1):
            job = Job(owner, id=f"prompt-{i}", func=baseline_job, args=(i,), kwargs={}, trigger=trigger,
                      executor="default", name="prompt", misfire_grace_time=1, coalesce=True, max_instances=1,
                      next_run_time=due)
            yield job.id, timestamp, pickle.dumps(job.__getstate__(), pickle.HIGHEST_PROTOCOL)

    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executemany("INSERT INTO apscheduler_jobs (id, next_run_time, job_state) VALUES (?, ?, ?)",
                                   rows())
    finally:
        connection.close()


# ---------------------------------------------------------------- orchestration, in the parent


@dataclass
class Row:
    backend: str
    users: int
    system: str
    result: dict[str, Any]
    note: str = ""


def seed_in_child(mode: str, target: str, n: int, at: datetime) -> None:
    """Seeding runs in a child too: the parent must stay small, because on Linux a child's ru_maxrss
    starts from its parent's resident size at fork/exec, and would not be the child's own peak."""
    subprocess.run([sys.executable, str(Path(__file__).resolve()), mode, target, str(n), at.isoformat()],
                   check=True, cwd=ROOT)


def run_child(args: list[str], timeout: float, progress: Path | None = None) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        state: dict[str, Any] = {}
        if progress is not None and progress.exists():
            with contextlib.suppress(ValueError):
                state = json.loads(progress.read_text())
        state.update(finished=False, killed=True)
        state.setdefault("done", sum(state.get(key, 0) for key in ("ran", "missed", "error")))
        return state
    if completed.returncode != 0:
        raise RuntimeError(f"measurement failed ({completed.returncode}):\n{completed.stderr[-4000:]}")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_sqlite(n: int, with_baseline: bool) -> list[Row]:
    rows: list[Row] = []
    workdir = Path(tempfile.mkdtemp(prefix="bb_bench_"))
    try:
        path = workdir / "bot.db"
        at = due_minute()
        log(f"sqlite: seeding {n:,} schedules due at {at:%H:%M} UTC")
        seed_in_child("_seed_sqlite", str(path), n, at)
        result = run_child(["_claim", f"sqlite+aiosqlite:///{path}", str(n)], CLAIM_TIME_LIMIT + 60)
        log(f"sqlite: {n:,} claimed in {result.get('seconds', 0):.2f}s")
        rows.append(Row("SQLite", n, "ours: claim_due", result))
        if with_baseline:
            rows.append(bench_baseline_sqlite(workdir, n))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


def bench_baseline_sqlite(workdir: Path, n: int) -> Row:
    count = min(n, BASELINE_CAP)
    margin = 10.0 + count / 4000
    for _attempt in range(3):
        path = workdir / f"apscheduler-{uuid.uuid4().hex[:6]}.db"
        due = datetime.now(UTC) + timedelta(seconds=margin)
        log(f"sqlite: seeding {count:,} APScheduler jobs due at {due:%H:%M:%S} UTC")
        seed_in_child("_seed_baseline", str(path), count, due)
        if (due - datetime.now(UTC)).total_seconds() >= 4:  # the child needs ~1 s to start and go idle
            break
        path.unlink(missing_ok=True)
        margin *= 2
    progress = workdir / "baseline-progress.json"
    result = run_child(["_baseline", f"sqlite:///{path}", str(count), str(due.timestamp()),
                        str(BASELINE_TIME_LIMIT), str(progress)],
                       timeout=margin + BASELINE_TIME_LIMIT + 30, progress=progress)
    seconds = result.get("seconds", result.get("elapsed", 0.0))
    log(f"sqlite baseline: {result.get('done', 0):,}/{count:,} done after {seconds:.1f}s")
    note = "" if count == n else f"capped at {count:,}"
    return Row("SQLite", count, "baseline: APScheduler 3 + SQLAlchemyJobStore", result, note)


def bench_postgres(n: int) -> list[Row]:
    dsn, name = asyncio.run(create_pg_database())
    try:
        at = due_minute()
        log(f"postgresql: seeding {n:,} schedules due at {at:%H:%M} UTC")
        started = time.perf_counter()
        seed_in_child("_seed_postgresql", dsn, n, at)
        log(f"postgresql: seeded in {time.perf_counter() - started:.1f}s")
        result = run_child(["_claim", sqlalchemy_pg_url(dsn), str(n)], CLAIM_TIME_LIMIT + 60)
        log(f"postgresql: {n:,} claimed in {result.get('seconds', 0):.2f}s")
        return [Row("PostgreSQL", n, "ours: claim_due", result)]
    finally:
        asyncio.run(drop_pg_database(name))


def _fmt_time(row: Row) -> str:
    result = row.result
    seconds = result.get("seconds", result.get("elapsed"))
    text = f"{seconds:.2f}" if isinstance(seconds, float) else "?"
    if not result.get("finished"):
        text = f"> {BASELINE_TIME_LIMIT:.0f} (stopped)" if result.get("killed") else f"{text} (unfinished)"
    return text


def _fmt_done(row: Row) -> str:
    result = row.result
    if "ran" in result:
        text = f"{result.get('ran', 0):,} ran, {result.get('missed', 0):,} missed" + (
            f", {result['error']:,} errors" if result.get("error") else "")
        if not result.get("finished"):
            text += (f"; {result.get('taken', 0):,} of {row.users:,} taken off the job store when stopped, "
                     "none of them run yet (the loop was blocked)" if result.get("killed") else "")
        return text
    return f"{result.get('done', 0):,} queued" + (f", {result['still_due']:,} still due" if result.get("still_due")
                                                   else "")


def table(rows: list[Row]) -> str:
    lines = ["| Backend | Users | System | Outcome | Time until all handled (s) "
             "| Longest loop stall, ms (loop thread's CPU in it) | Peak RSS (MB) | Load avg | Note |",
             "|---|---:|---|---|---:|---:|---:|---:|---|"]
    for row in rows:
        result = row.result
        stall = result.get("stall_ms")
        rss = result.get("rss_mb")
        cpu = result.get("stall_cpu_ms")
        stall_text = "?" if stall is None else f"{stall:,.1f}" + (f" ({cpu:,.1f} CPU)" if cpu is not None else "")
        rss_text = "?" if rss is None else f"{rss:,.0f}"
        load = f"{result['load']:.1f}" if "load" in result else "?"
        lines.append(f"| {row.backend} | {row.users:,} | {row.system} | {_fmt_done(row)} | {_fmt_time(row)} "
                     f"| {stall_text} | {rss_text} | {load} | {row.note} |")
    return "\n".join(lines)


def verdicts(rows: list[Row], users: int) -> list[str]:
    ours = [row for row in rows if row.system.startswith("ours")]
    lines: list[str] = []

    def find(backend: str, n: int) -> Row | None:
        return next((row for row in ours if row.backend == backend and row.users == n), None)

    for backend in ("SQLite", "PostgreSQL"):
        row = find(backend, users)
        if row is None:
            continue
        seconds = row.result["seconds"]
        ok = row.result.get("finished") and seconds <= TARGET_100K_S
        lines.append(f"- {users:,} claimed within {TARGET_100K_S:.0f} s on {backend}: "
                     f"{'MET' if ok else 'NOT MET'} ({seconds:.2f} s, "
                     f"{seconds / TARGET_100K_S:.0%} of the budget)")
    million = find("PostgreSQL", 1_000_000)
    if million is not None:
        seconds = million.result["seconds"]
        ok = million.result.get("finished") and seconds <= TARGET_1M_S
        lines.append(f"- 1,000,000 claimed within {TARGET_1M_S:.0f} s on PostgreSQL: {'MET' if ok else 'NOT MET'} "
                     f"({seconds:.2f} s, {seconds / TARGET_1M_S:.0%} of the budget)")
    if ours:
        worst = max(ours, key=lambda row: row.result["stall_ms"])
        stall = worst.result["stall_ms"]
        met = "MET" if stall <= TARGET_STALL_MS else "NOT MET"
        lines.append(f"- no loop stall over {TARGET_STALL_MS:.0f} ms: {met}"
                     f" (worst {stall:.1f} ms, {worst.backend} {worst.users:,})")
        biggest = max(ours, key=lambda row: row.result["rss_mb"])
        rss = biggest.result["rss_mb"]
        lines.append(f"- peak RSS under {TARGET_RSS_MB:.0f} MB: {'MET' if rss < TARGET_RSS_MB else 'NOT MET'}"
                     f" (largest {rss:.0f} MB, {biggest.backend} {biggest.users:,})")
    for backend in ("SQLite", "PostgreSQL"):
        small, large = find(backend, 10_000), find(backend, users)
        if small is None or large is None or small is large:
            continue
        growth = large.result["rss_mb"] / small.result["rss_mb"] - 1
        lines.append(f"- peak RSS within {TARGET_RSS_GROWTH:.0%} between 10,000 and {users:,} on {backend}: "
                     f"{'MET' if growth <= TARGET_RSS_GROWTH else 'NOT MET'} ({small.result['rss_mb']:.0f} MB -> "
                     f"{large.result['rss_mb']:.0f} MB, {growth:+.0%})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--with-million", action="store_true", help="also 1,000,000 users (PostgreSQL only)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--no-baseline", action="store_true", help="skip the APScheduler baseline")
    options = parser.parse_args()

    info = machine_info()
    sizes = sorted({10_000, options.users})
    rows: list[Row] = []
    baseline_pg_note = ""
    if options.backend in ("sqlite", "both"):
        for n in sizes:
            rows.extend(bench_sqlite(n, with_baseline=not options.no_baseline))
    if options.backend in ("postgresql", "both"):
        for n in sizes + ([1_000_000] if options.with_million else []):
            rows.extend(bench_postgres(n))
        if not options.no_baseline:
            if find_spec("psycopg2") is None:
                baseline_pg_note = ("The baseline ran on SQLite only: SQLAlchemyJobStore is synchronous and no sync "
                                    "PostgreSQL driver (psycopg2) is installed here.")
            else:
                baseline_pg_note = ("psycopg2 is installed, but this script measures the baseline on SQLite only; "
                                    "the SQLite numbers are the comparison.")
    order = {"SQLite": 0, "PostgreSQL": 1}
    rows.sort(key=lambda row: (order[row.backend], row.users, row.system))

    report = "\n".join([
        "# Scheduling benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python benchmarks/scheduling.py "
        f"{' '.join(sys.argv[1:])}".rstrip() + "`.",
        "",
        "Everyone due in the same minute (20 (days, times, zone) rules over 8 zones, Zipf-shared). Each row is "
        "a fresh subprocess: time until every due schedule is in the outbox (ours) or every APScheduler job has "
        "run or been marked missed (baseline, default misfire_grace_time of 1 s, jobs due at one instant), the "
        "longest event-loop stall (a 1 ms watchdog's worst overshoot; in brackets the CPU time the loop's "
        "thread used during that stall: near zero means the loop was runnable but waiting for a core or the GIL, "
        "not busy) and the process's peak RSS (getrusage ru_maxrss; seeding runs in a process of its own, since on "
        "Linux a child's ru_maxrss starts at its parent's size). Load avg: the machine's 1-minute load average "
        "when the row finished (other work shares this machine).",
        "",
        table(rows),
        "",
        *([baseline_pg_note, ""] if baseline_pg_note else []),
        "Targets:",
        "",
        *verdicts(rows, options.users),
        "",
        "Machine:",
        "",
        machine_markdown(info),
        "",
    ])
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scheduling.md").write_text(report)


def child() -> None:
    mode = sys.argv[1]
    if mode.startswith("_seed"):
        target, n, at = sys.argv[2], int(sys.argv[3]), datetime.fromisoformat(sys.argv[4])
        if mode == "_seed_sqlite":
            seed_sqlite(Path(target), n, at)
        elif mode == "_seed_baseline":
            seed_baseline_sqlite(Path(target), n, at)
        else:
            asyncio.run(seed_postgres(target, n, at))
        return
    if mode == "_claim":
        url, n = sys.argv[2], int(sys.argv[3])
        result = asyncio.run(measure_claim(url, n))
    else:
        url, n, due_at, limit, progress = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), \
            Path(sys.argv[6])
        result = asyncio.run(measure_baseline(url, n, due_at, limit, progress))
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("_claim", "_baseline", "_seed_sqlite", "_seed_baseline",
                                              "_seed_postgresql"):
        child()
    else:
        main()
