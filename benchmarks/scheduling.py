#!/usr/bin/env python
"""Scheduling at scale: people due together, claimed into the outbox over shared rules.

    python benchmarks/scheduling.py [--users 100000] [--with-million] [--backend sqlite|postgresql|both]
                                    [--cases rules20,minute,catchup] [--sizes 10000,...] [--instances 2]

For 10,000 and `--users` people (or `--sizes`; and 1,000,000 on PostgreSQL with --with-million) this seeds
identities, shared rules and schedules that are all due, for each case: rules20 (20 (days, times, zone)
rules over 8 zones, Zipf-shared: the earlier benchmark), minute (every IANA zone weighted roughly by
population, times clustered on :00/:30/:15, day sets, one to three times a day, all due this minute) and
catchup (the same kind of people, due over the last CATCHUP_MINUTES of an outage). Then, in a FRESH
subprocess per measurement so its peak RSS is its own:

- ours: `ScheduleStore.claim_due` until every due schedule is in the outbox (with --instances N, also N
  processes claiming the largest catch-up case on one PostgreSQL at once);
- the baseline (rules20, SQLite): APScheduler 3 `AsyncIOScheduler` with a `SQLAlchemyJobStore`, one
  date-trigger job per person, all due at the same instant; the time until every job has run or been
  marked missed.

Each measurement also runs a watchdog task (sleep 1 ms, keep the largest overshoot) for the longest
event-loop stall, times garbage collections, on SQLite runs a probe writer for the write lock's hold time,
and reads peak RSS from `getrusage`. Results: a markdown table on stdout and in
benchmarks/results/scheduling.md.

PostgreSQL: TEST_POSTGRES_DSN (default postgresql://postgres@127.0.0.1:5432/test) is the admin DSN;
each measurement gets its own database `bb_bench_<random>`, dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
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
from array import array
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
EVERY_DAY, WEEKDAYS, WEEKEND = 0b1111111, 0b0011111, 0b1100000

# Targets the design promises for scheduling; benchmarks/README.md lists them beside the results.
TARGET_100K_S = 3.0
TARGET_1M_S = 20.0
TARGET_LOCK_MS = 250.0
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


# ---------------------------------------------------------------- who is due: three populations

CASES = ("rules20", "minute", "catchup")
CASE_TITLES = {"rules20": "20 rules (8 zones, Zipf-shared)", "minute": "realistic, due this minute",
               "catchup": "realistic, catch-up after 2 h down"}

# Rough population, in millions, of the area each zone covers (hand-written from country and region sizes,
# rounded hard); every other zone in zone1970.tab gets OTHER_CANONICAL, and every other IANA name (aliases
# such as Asia/Calcutta, which people can type) gets OTHER_ALIAS.
ZONE_POPULATION = {
    "Asia/Shanghai": 1400, "Asia/Kolkata": 1400, "Asia/Jakarta": 150, "Asia/Makassar": 50, "Asia/Jayapura": 5,
    "Asia/Karachi": 240, "Africa/Lagos": 250, "Asia/Dhaka": 170, "America/Sao_Paulo": 120, "America/Bahia": 15,
    "America/Fortaleza": 25, "America/Recife": 20, "America/Manaus": 8, "America/Belem": 9,
    "America/New_York": 160, "America/Chicago": 110, "America/Denver": 25, "America/Phoenix": 7,
    "America/Los_Angeles": 55, "America/Anchorage": 1, "Pacific/Honolulu": 1.4, "America/Toronto": 24,
    "America/Vancouver": 5, "America/Edmonton": 5, "America/Winnipeg": 1.5, "America/Halifax": 1,
    "America/St_Johns": 0.5, "America/Mexico_City": 90, "America/Monterrey": 10, "America/Tijuana": 5,
    "Europe/Moscow": 110, "Asia/Yekaterinburg": 20, "Asia/Novosibirsk": 15, "Asia/Vladivostok": 5,
    "Asia/Tokyo": 125, "Asia/Manila": 115, "Africa/Nairobi": 260, "Africa/Cairo": 110, "Asia/Ho_Chi_Minh": 60,
    "Asia/Bangkok": 110, "Africa/Maputo": 180, "Asia/Tehran": 88, "Europe/Istanbul": 85, "Europe/Berlin": 110,
    "Europe/London": 67, "Europe/Paris": 68, "Europe/Rome": 59, "Africa/Johannesburg": 65, "Asia/Yangon": 54,
    "Asia/Seoul": 52, "America/Bogota": 52, "Europe/Madrid": 47, "America/Argentina/Buenos_Aires": 46,
    "Africa/Algiers": 45, "Asia/Baghdad": 44, "Europe/Kyiv": 38, "Europe/Warsaw": 38, "Africa/Casablanca": 37,
    "Asia/Riyadh": 60, "Asia/Tashkent": 35, "America/Lima": 34, "Asia/Kuala_Lumpur": 33, "Asia/Kathmandu": 30,
    "America/Caracas": 28, "Australia/Sydney": 8, "Australia/Melbourne": 7, "Australia/Brisbane": 5,
    "Australia/Perth": 2.7, "Australia/Adelaide": 1.4, "Asia/Taipei": 23, "Asia/Colombo": 22,
    "America/Santiago": 19, "Europe/Brussels": 30, "Asia/Almaty": 19, "Europe/Bucharest": 19,
    "America/Guatemala": 17, "America/Guayaquil": 18, "Europe/Athens": 10, "Europe/Lisbon": 10,
    "Europe/Zurich": 9, "Europe/Vienna": 9, "Europe/Prague": 11, "Europe/Budapest": 10, "Europe/Belgrade": 20,
    "Europe/Sofia": 7, "Europe/Helsinki": 5.5, "Europe/Dublin": 5, "Europe/Minsk": 9, "Asia/Singapore": 6,
    "Asia/Hong_Kong": 7.5, "Pacific/Auckland": 5, "America/Havana": 11, "America/Santo_Domingo": 11,
    "America/Puerto_Rico": 3, "Asia/Dubai": 15, "Asia/Jerusalem": 9, "Asia/Kabul": 40, "Asia/Pyongyang": 26,
    "Asia/Ulaanbaatar": 3, "Africa/Khartoum": 46, "Africa/Abidjan": 120, "Africa/Tripoli": 7,
    "Africa/Tunis": 12, "Asia/Amman": 11, "Asia/Beirut": 5, "Asia/Damascus": 22, "Asia/Baku": 10,
    "Asia/Tbilisi": 4, "Asia/Yerevan": 3, "America/La_Paz": 12, "America/Asuncion": 7, "America/Montevideo": 3.5,
    "America/Panama": 4, "America/Costa_Rica": 5, "America/El_Salvador": 6, "America/Tegucigalpa": 10,
    "America/Managua": 7, "America/Regina": 1, "Asia/Qatar": 3, "Asia/Kuwait": 4, "Asia/Muscat": 5,
    "Africa/Accra": 33, "Africa/Kinshasa": 60, "Africa/Addis_Ababa": 120, "Africa/Dar_es_Salaam": 65,
    "Europe/Amsterdam": 18, "Europe/Stockholm": 10, "Europe/Oslo": 5.5, "Europe/Copenhagen": 6,
}
# Due in the last two hours, less 5 minutes: seeding 1,000,000 people takes about a minute, and a slot more
# than two hours (the grace) old when the claim runs is skipped, not queued.
CATCHUP_MINUTES = 115
OTHER_CANONICAL = 0.3
OTHER_ALIAS = 0.02
# When people choose to be asked: by local hour (mornings and evenings), and by minute (:00, :30, :15/:45).
HOUR_WEIGHTS = [0.2, 0.1, 0.05, 0.05, 0.05, 0.2, 1, 3, 5, 3, 1.5, 1, 2, 1, 0.8, 0.8, 1, 2, 3, 3, 4, 4, 2.5, 0.8]
MINUTE_WEIGHTS = [0.40 if minute == 0 else 0.20 if minute == 30 else 0.075 if minute in (15, 45) else 0.25 / 56
                  for minute in range(60)]
CUSTOM_DAYS = 0.17  # every day 50%, weekdays 25%, weekends 8%, any other set of days 17%
TIMES_A_DAY = ((1, 0.65), (2, 0.25), (3, 0.10))


def zone_weights() -> tuple[list[str], list[float]]:
    """Every IANA zone name, weighted roughly by how many people live in it (see ZONE_POPULATION)."""
    from zoneinfo import available_timezones

    from bot.scheduling.rules import _zones

    canonical = set(_zones())
    names = sorted(zone for zone in available_timezones() if zone not in ("Factory", "localtime")
                   and not zone.startswith(("SystemV/", "posix/", "right/")))
    weights = [ZONE_POPULATION.get(zone, OTHER_CANONICAL if zone in canonical else OTHER_ALIAS) for zone in names]
    return names, weights


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


@dataclass
class Population:
    """Rules (id, days, times, zone, next firing, slot) and, for schedule id i + 1, the id of its rule."""

    rules: list[tuple[int, int, str, str, datetime, str]]
    members: Any  # array('i')


class _Draw:
    """A person's choices, drawn from the weights above."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.clock = [(hour, minute) for hour in range(24) for minute in range(60)]
        self.clock_cum = list(itertools.accumulate(HOUR_WEIGHTS[hour] * MINUTE_WEIGHTS[minute]
                                                   for hour, minute in self.clock))

    def days(self, weekday: int) -> int:
        """A day set that includes `weekday` (the day the person is due), drawn as people choose them."""
        for _ in range(50):
            pick = self.rng.random()
            if pick < 0.50:
                days = EVERY_DAY
            elif pick < 0.75:
                days = WEEKDAYS
            elif pick < 0.83:
                days = WEEKEND
            else:
                days = self.rng.randrange(1, EVERY_DAY)
            if days >> weekday & 1:
                return days
        return EVERY_DAY

    def times(self, due: str) -> str:
        count = self.rng.choices([count for count, _ in TIMES_A_DAY], [weight for _, weight in TIMES_A_DAY])[0]
        chosen = {due}
        while len(chosen) < count:
            hour, minute = self.rng.choices(self.clock, cum_weights=self.clock_cum)[0]
            chosen.add(f"{hour:02d}:{minute:02d}")
        return ",".join(sorted(chosen))


def population(case: str, n: int, at: datetime, seed: int = 7) -> Population:
    """Who is due at `at` (a minute): rules20 — today's 20-rule mix; minute — people all over the world whose
    chosen time is this minute where they live; catchup — people whose time fell in the last two hours (the
    bot was down): every rule due, from its first firing after the outage began."""
    from bot.scheduling.rules import Rule, next_firing

    rng = random.Random(seed)
    members = array("i")
    rules: dict[tuple[int, str, str], int] = {}
    if case == "rules20":
        groups, weights = rule_mix(at)
        found = [(index + 1, group.days, group.times, group.zone, at, group.slot)
                 for index, group in enumerate(groups)]
        for start in range(0, n, 10_000):
            members.extend(rng.choices(range(1, len(groups) + 1), weights, k=min(10_000, n - start)))
        return Population(found, members)
    names, weights = zone_weights()
    cum = list(itertools.accumulate(weights))
    draw = _Draw(rng)
    windows: dict[str, tuple[list[tuple[str, int]], list[float]]] = {}

    def window(zone: str) -> tuple[list[tuple[str, int]], list[float]]:
        """The local minutes (and weekday) this zone's people may be due at, and how likely each is."""
        if zone not in windows:
            span = 1 if case == "minute" else CATCHUP_MINUTES
            moments = [(at - timedelta(minutes=back)).astimezone(ZoneInfo(zone)) for back in range(span)]
            choices = [(f"{local:%H:%M}", local.weekday()) for local in moments]
            windows[zone] = (choices, list(itertools.accumulate(
                HOUR_WEIGHTS[local.hour] * MINUTE_WEIGHTS[local.minute] for local in moments)))
        return windows[zone]

    for _ in range(n):
        zone = rng.choices(names, cum_weights=cum)[0]
        choices, choice_cum = window(zone)
        due, weekday = choices[0] if len(choices) == 1 else rng.choices(choices, cum_weights=choice_cum)[0]
        key = (draw.days(weekday), draw.times(due), zone)
        members.append(rules.setdefault(key, len(rules) + 1))
    since = at - (timedelta(microseconds=1) if case == "minute" else timedelta(hours=2))
    found = []
    for (days, times, zone), rule_id in rules.items():
        rule = Rule(days, tuple(datetime.strptime(part, "%H:%M").time() for part in times.split(",")), zone, None)
        first = next_firing(rule, since)
        found.append((rule_id, days, times, zone, min(first.at, at), first.slot))
    return Population(found, members)


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


def seed_sqlite(path: Path, case: str, n: int, at: datetime) -> None:
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    people = population(case, n, at)
    now = _sqlite_time(datetime.now(UTC))
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executemany(
                "INSERT INTO schedule_rules (id, days, times, zone, next_fire_at, next_slot, queued_through) "
                "VALUES (?, ?, ?, ?, ?, ?, 0)",
                ((i, days, times, zone, _sqlite_time(due), slot) for i, days, times, zone, due, slot in people.rules))
            connection.executemany(
                "INSERT INTO identities (id, platform, workspace_id, user_id, created_at, store_notes) "
                "VALUES (?, 'discord', '', ?, ?, 1)",
                ((i, str(10**17 + i), now) for i in range(1, n + 1)))
            connection.executemany(
                "INSERT INTO schedules (id, identity_id, rule_id, platform, kind, flow_id, quiet, fires_from, "
                "unanswered, dialdown_asked, created_at, updated_at) "
                "VALUES (?, ?, ?, 'discord', 'checkin', 'daily', '21:00-08:00', NULL, 0, 0, ?, ?)",
                ((i + 1, i + 1, rule, now, now) for i, rule in enumerate(people.members)))
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


async def seed_postgres(dsn: str, case: str, n: int, at: datetime) -> None:
    import asyncpg

    await _migrate(sqlalchemy_pg_url(dsn))
    people = population(case, n, at)
    now = datetime.now(UTC)
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.copy_records_to_table(
            "schedule_rules", columns=["id", "days", "times", "zone", "next_fire_at", "next_slot", "queued_through"],
            records=((*rule, 0) for rule in people.rules))
        await connection.copy_records_to_table(
            "identities", columns=["id", "platform", "workspace_id", "user_id", "created_at", "store_notes"],
            records=((i, "discord", "", str(10**17 + i), now, True) for i in range(1, n + 1)))
        await connection.copy_records_to_table(
            "schedules", columns=["id", "identity_id", "rule_id", "platform", "kind", "flow_id", "quiet",
                                  "fires_from", "unanswered", "dialdown_asked", "created_at", "updated_at"],
            records=((i + 1, i + 1, rule, "discord", "checkin", "daily", "21:00-08:00", None, 0, False, now, now)
                     for i, rule in enumerate(people.members)))
        await connection.execute("SELECT setval('schedule_rules_id_seq', $1)", len(people.rules))
        await connection.execute("SELECT setval('identities_id_seq', $1)", n)
        await connection.execute("SELECT setval('schedules_id_seq', $1)", n)
        # A running database has statistics and settled hint bits; a bulk load has neither.
        for table_name in ("schedule_rules", "identities", "schedules", "deliveries"):
            await connection.execute(f"VACUUM ANALYZE {table_name}")
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


class GcPauses:
    """The longest cyclic garbage collection while measuring (any thread's: it holds the GIL throughout)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.worst = max(self.worst, time.perf_counter() - self._started)

    def stop(self) -> float:
        gc.callbacks.remove(self._callback)
        return self.worst * 1000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _vm_hwm_mb() -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return peak_rss_mb()


LOCK_PROBE = """
import signal, sqlite3, sys, time
path = sys.argv[1]
connection = sqlite3.connect(path, timeout=0, isolation_level=None)
worst = waits = 0.0
count = 0
stop = False
def end(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, end)
print("ready", flush=True)
while not stop:
    started = time.perf_counter()
    while True:
        try:
            connection.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError:
            if stop:
                break
            time.sleep(0.0005)
    if stop:
        break
    waited = time.perf_counter() - started
    connection.execute("COMMIT")
    worst, waits, count = max(worst, waited), waits + waited, count + 1
    time.sleep(0.002)
print(f"{worst * 1000:.3f} {count}", flush=True)
"""


class WriteLockProbe:
    """Another SQLite writer, in its own process: every 2 ms it takes the write lock (BEGIN IMMEDIATE,
    polling every 0.5 ms, no busy handler) and lets it go. Its longest wait is how long a claim transaction
    held the lock: what a person's answer would wait behind a claim."""

    def __init__(self, path: str) -> None:
        self._process = subprocess.Popen([sys.executable, "-c", LOCK_PROBE, path], stdout=subprocess.PIPE, text=True)
        assert self._process.stdout is not None
        assert self._process.stdout.readline().strip() == "ready"

    def stop(self) -> tuple[float, int]:
        self._process.terminate()
        out, _ = self._process.communicate(timeout=30)
        worst, count = out.split()
        return float(worst), int(count)


async def measure_claim(url: str, n: int, start_at: float = 0.0) -> dict[str, Any]:
    from sqlalchemy import func, select, text

    from bot.scheduling.store import ScheduleStore
    from bot.storage.database import make_engine, make_sessionmaker
    from bot.storage.models import Delivery, ScheduleRule, utcnow

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    store = ScheduleStore(sessions)
    async with sessions() as db:  # a running bot has its pool connected already
        rules_due = int(await db.scalar(select(func.count()).select_from(ScheduleRule)
                                        .where(ScheduleRule.next_fire_at <= utcnow())) or 0)
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    # A running bot settles its heap once started (bot.app.settle_heap: collect, then gc.freeze), so a full
    # collection walks only what was made since; without it one walks every module and table (the stall).
    gc.collect()
    gc.freeze()
    probe = WriteLockProbe(url.split(":///", 1)[1]) if url.startswith("sqlite") else None
    if start_at:  # several instances start together
        await asyncio.sleep(max(0.0, start_at - time.time()))
    watchdog = Watchdog()
    watchdog.start()
    collections = GcPauses()
    await asyncio.sleep(0.01)
    started, started_at = time.perf_counter(), utcnow()
    claimed = rounds = 0
    while claimed < n and time.perf_counter() - started < CLAIM_TIME_LIMIT:
        moved = await store.claim_due(grace=GRACE)
        claimed += moved
        rounds += 1
        if moved == 0:
            break
    elapsed = time.perf_counter() - started
    stall = await watchdog.stop()
    gc_ms = collections.stop()
    lock_ms, probes = probe.stop() if probe is not None else (None, 0)
    load = os.getloadavg()[0]
    async with sessions() as db:
        queued = int(await db.scalar(select(func.count()).select_from(Delivery)) or 0)
        keys = int(await db.scalar(select(func.count()).select_from(
            select(Delivery.schedule_id, Delivery.slot).distinct().subquery())) or 0)
        # Due when the claim began and still not moved on (a rule whose next firing came during the claim is
        # the next claim's work).
        still_due = int(await db.scalar(select(func.count()).select_from(ScheduleRule)
                                        .where(ScheduleRule.next_fire_at <= started_at)) or 0)
    await engine.dispose()
    return {"gc_ms": gc_ms, "done": queued,
            "keys": keys, "claimed": claimed, "still_due": still_due, "rules_due": rules_due,
            "rounds": rounds, "seconds": elapsed, "stall_ms": stall * 1000, "stall_cpu_ms": watchdog.worst_cpu * 1000,
            "lock_ms": lock_ms, "probes": probes, "load": load, "rss_mb": peak_rss_mb(), "vm_hwm_mb": _vm_hwm_mb(),
            "finished": queued >= n and keys == queued and still_due == 0}


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
    case: str
    users: int
    system: str
    result: dict[str, Any]
    note: str = ""


def seed_in_child(mode: str, target: str, n: int, at: datetime, case: str = "rules20") -> None:
    """Seeding runs in a child too: the parent must stay small, because on Linux a child's ru_maxrss
    starts from its parent's resident size at fork/exec, and would not be the child's own peak."""
    subprocess.run([sys.executable, str(Path(__file__).resolve()), mode, target, str(n), at.isoformat(), case],
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


def bench_sqlite(n: int, case: str, with_baseline: bool) -> list[Row]:
    rows: list[Row] = []
    workdir = Path(tempfile.mkdtemp(prefix="bb_bench_"))
    try:
        path = workdir / "bot.db"
        at = due_minute()
        log(f"sqlite {case}: seeding {n:,} schedules due by {at:%H:%M} UTC")
        seed_in_child("_seed_sqlite", str(path), n, at, case)
        result = run_child(["_claim", f"sqlite+aiosqlite:///{path}", str(n)], CLAIM_TIME_LIMIT + 60)
        log(f"sqlite {case}: {n:,} claimed in {result.get('seconds', 0):.2f}s over "
            f"{result.get('rules_due', 0):,} rules")
        rows.append(Row("SQLite", case, n, "ours: claim_due", result))
        if with_baseline and case == "rules20":
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
    return Row("SQLite", "rules20", count, "baseline: APScheduler 3 + SQLAlchemyJobStore", result, note)


def bench_postgres(n: int, case: str, instances: int = 1) -> list[Row]:
    dsn, name = asyncio.run(create_pg_database())
    try:
        at = due_minute()
        log(f"postgresql {case}: seeding {n:,} schedules due by {at:%H:%M} UTC")
        started = time.perf_counter()
        seed_in_child("_seed_postgresql", dsn, n, at, case)
        log(f"postgresql {case}: seeded in {time.perf_counter() - started:.1f}s")
        url = sqlalchemy_pg_url(dsn)
        if instances == 1:
            result = run_child(["_claim", url, str(n)], CLAIM_TIME_LIMIT + 60)
            log(f"postgresql {case}: {n:,} claimed in {result.get('seconds', 0):.2f}s over "
                f"{result.get('rules_due', 0):,} rules")
            return [Row("PostgreSQL", case, n, "ours: claim_due", result)]
        return [bench_instances(url, n, case, instances)]
    finally:
        asyncio.run(drop_pg_database(name))


def bench_instances(url: str, n: int, case: str, instances: int) -> Row:
    """`instances` claiming processes on one database, started at the same instant; each reports what it
    claimed, and the outbox afterwards must hold every prompt once."""
    start_at = time.time() + 5.0  # time for every interpreter to start and connect
    command = [sys.executable, str(Path(__file__).resolve()), "_claim", url, str(n), str(start_at)]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
                 for _ in range(instances)]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=CLAIM_TIME_LIMIT + 60)
        if process.returncode != 0:
            raise RuntimeError(f"instance failed ({process.returncode}):\n{err[-4000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    last = max(results, key=lambda result: float(result["seconds"]))
    shares = [int(result["claimed"]) for result in results]
    combined = {**last, "claimed": sum(shares), "shares": shares,
                "gc_ms": max(float(result["gc_ms"]) for result in results),
                "stall_ms": max(float(result["stall_ms"]) for result in results),
                "rss_mb": max(float(result["rss_mb"]) for result in results),
                "rules_due": max(int(result["rules_due"]) for result in results)}
    combined["finished"] = combined["done"] >= n and combined["keys"] == combined["done"] and combined["still_due"] == 0
    log(f"postgresql {case} x{instances}: {n:,} claimed in {combined['seconds']:.2f}s, shares {shares}")
    return Row("PostgreSQL", case, n, f"ours: {instances} instances", combined,
               f"claimed per instance: {' / '.join(f'{share:,}' for share in shares)}")


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
    text = f"{result.get('done', 0):,} queued"
    if result.get("keys", result.get("done")) != result.get("done"):
        text += f" ({result['keys']:,} distinct)"
    return text + (f", {result['still_due']:,} rules still due" if result.get("still_due") else "")


def table(rows: list[Row]) -> str:
    lines = ["| Backend | Case | People | Distinct rules due | System | Outcome | Time until all handled (s) "
             "| Longest loop stall, ms (loop thread's CPU in it; longest GC pause) "
             "| Longest SQLite write-lock hold, ms | Peak RSS (MB) | Load avg | Note |",
             "|---|---|---:|---:|---|---|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        result = row.result
        stall = result.get("stall_ms")
        rss = result.get("rss_mb")
        cpu = result.get("stall_cpu_ms")
        stall_text = "?" if stall is None else f"{stall:,.1f}" + (f" ({cpu:,.1f} CPU)" if cpu is not None else "")
        if result.get("gc_ms") is not None:
            stall_text += f"; GC {result['gc_ms']:,.1f}"
        rss_text = "?" if rss is None else f"{rss:,.0f}"
        lock = result.get("lock_ms")
        lock_text = "—" if lock is None else f"{lock:,.1f}"
        rules = result.get("rules_due")
        load = f"{result['load']:.1f}" if "load" in result else "?"
        lines.append(f"| {row.backend} | {CASE_TITLES[row.case]} | {row.users:,} | "
                     f"{'—' if rules is None else f'{rules:,}'} | {row.system} | {_fmt_done(row)} | {_fmt_time(row)} "
                     f"| {stall_text} | {lock_text} | {rss_text} | {load} | {row.note} |")
    return "\n".join(lines)


def verdicts(rows: list[Row], users: int) -> list[str]:
    ours = [row for row in rows if row.system.startswith("ours")]
    lines: list[str] = []

    def find(backend: str, case: str, n: int, system: str = "ours: claim_due") -> Row | None:
        return next((row for row in ours if row.backend == backend and row.case == case and row.users == n
                     and row.system == system), None)

    def verdict(row: Row, limit: float, rules: int) -> str:
        seconds, due = float(row.result["seconds"]), int(row.result.get("rules_due") or 0)
        ok = row.result.get("finished") and seconds <= limit and due >= rules
        return (f"{'MET' if ok else 'NOT MET'} ({seconds:.2f} s, {seconds / limit:.0%} of the budget, "
                f"{due:,} distinct rules due)")

    for backend in ("SQLite", "PostgreSQL"):
        for case in ("minute", "catchup"):
            row = find(backend, case, users)
            if row is not None:
                lines.append(f"- {users:,} people over >= 5,000 distinct rules ({CASE_TITLES[case]}) within "
                             f"{TARGET_100K_S:.0f} s on {backend}: {verdict(row, TARGET_100K_S, 5_000)}")
    for case in ("minute", "catchup"):
        row = find("PostgreSQL", case, 1_000_000)
        if row is not None:
            lines.append(f"- 1,000,000 over >= 20,000 distinct rules ({CASE_TITLES[case]}) within "
                         f"{TARGET_1M_S:.0f} s on PostgreSQL: {verdict(row, TARGET_1M_S, 20_000)}")
    for row in ours:
        if row.system != "ours: claim_due" and row.backend == "PostgreSQL":
            ok = row.result.get("finished") and row.result["claimed"] == row.result["done"]
            lines.append(f"- {row.system} on one PostgreSQL, {row.users:,} ({CASE_TITLES[row.case]}): every prompt "
                         f"queued once: {'MET' if ok else 'NOT MET'} ({row.result['done']:,} outbox rows, "
                         f"{row.result['keys']:,} distinct (schedule, slot), {row.note}; "
                         f"{float(row.result['seconds']):.2f} s)")
    if ours:
        worst = max(ours, key=lambda row: row.result["stall_ms"])
        stall = worst.result["stall_ms"]
        met = "MET" if stall <= TARGET_STALL_MS else "NOT MET"
        lines.append(f"- no loop stall over {TARGET_STALL_MS:.0f} ms: {met}"
                     f" (worst {stall:.1f} ms, {worst.backend} {CASE_TITLES[worst.case]} {worst.users:,})")
        locked = [row for row in ours if row.result.get("lock_ms") is not None]
        if locked:
            longest = max(locked, key=lambda row: row.result["lock_ms"])
            hold = longest.result["lock_ms"]
            lines.append(f"- SQLite write lock held at most {TARGET_LOCK_MS:.0f} ms by a claim transaction: "
                         f"{'MET' if hold <= TARGET_LOCK_MS else 'NOT MET'} (longest {hold:.1f} ms, "
                         f"{CASE_TITLES[longest.case]} {longest.users:,})")
        biggest = max(ours, key=lambda row: row.result["rss_mb"])
        rss = biggest.result["rss_mb"]
        lines.append(f"- peak RSS under {TARGET_RSS_MB:.0f} MB: {'MET' if rss < TARGET_RSS_MB else 'NOT MET'}"
                     f" (largest {rss:.0f} MB, {biggest.backend} {CASE_TITLES[biggest.case]} {biggest.users:,})")
    for backend in ("SQLite", "PostgreSQL"):
        for case in CASES:
            sized = sorted((row for row in ours if row.backend == backend and row.case == case
                            and row.system == "ours: claim_due"), key=lambda row: row.users)
            if len(sized) < 2:
                continue
            small, large = sized[0], sized[-1]
            growth = large.result["rss_mb"] / small.result["rss_mb"] - 1
            lines.append(f"- peak RSS within {TARGET_RSS_GROWTH:.0%} from {small.users:,} to {large.users:,} on "
                         f"{backend} ({CASE_TITLES[case]}): {'MET' if growth <= TARGET_RSS_GROWTH else 'NOT MET'} "
                         f"({small.result['rss_mb']:.0f} MB -> {large.result['rss_mb']:.0f} MB, {growth:+.0%})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--with-million", action="store_true", help="also 1,000,000 users (PostgreSQL only)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, of {', '.join(CASES)}")
    parser.add_argument("--sizes", default="", help="comma-separated people counts instead of 10,000 and --users")
    parser.add_argument("--instances", type=int, default=0,
                        help="also N claiming processes on one PostgreSQL, at the largest size, catch-up case")
    parser.add_argument("--no-baseline", action="store_true", help="skip the APScheduler baseline")
    options = parser.parse_args()
    cases = [case for case in options.cases.split(",") if case]
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")

    info = machine_info()
    sizes = sorted({int(size) for size in options.sizes.split(",") if size} or {10_000, options.users})
    pg_sizes = sizes + ([1_000_000] if options.with_million and 1_000_000 not in sizes else [])
    rows: list[Row] = []
    baseline_pg_note = ""
    if options.backend in ("sqlite", "both"):
        for case in cases:
            for n in sizes:
                rows.extend(bench_sqlite(n, case, with_baseline=not options.no_baseline))
    if options.backend in ("postgresql", "both"):
        for case in cases:
            for n in pg_sizes:
                rows.extend(bench_postgres(n, case))
        if options.instances > 1:
            rows.extend(bench_postgres(max(pg_sizes), "catchup", options.instances))
        if not options.no_baseline:
            if find_spec("psycopg2") is None:
                baseline_pg_note = ("The baseline ran on SQLite only: SQLAlchemyJobStore is synchronous and no sync "
                                    "PostgreSQL driver (psycopg2) is installed here.")
            else:
                baseline_pg_note = ("psycopg2 is installed, but this script measures the baseline on SQLite only; "
                                    "the SQLite numbers are the comparison.")
    order = {"SQLite": 0, "PostgreSQL": 1}
    rows.sort(key=lambda row: (order[row.backend], CASES.index(row.case), row.users, row.system))

    report = "\n".join([
        "# Scheduling benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python benchmarks/scheduling.py "
        f"{' '.join(sys.argv[1:])}".rstrip() + "`.",
        "",
        "Cases: *20 rules* — everyone due this minute over 20 (days, times, zone) rules in 8 zones, Zipf-shared "
        "(the earlier benchmark); *realistic, due this minute* — people in every IANA zone weighted roughly by "
        "population, one to three times a day at any minute (clustered on :00, :30, :15/:45), every day, weekdays, "
        "weekends or custom days, all of whom chose this minute where they live; *realistic, catch-up* — the same "
        f"kind of people, each with a time in the last {CATCHUP_MINUTES} minutes (the bot was down): every rule due "
        "from its first firing after the outage began. Each row is a fresh subprocess: time until every due "
        "schedule is in the outbox (ours) or every APScheduler job has run or been marked missed (baseline, default "
        "misfire_grace_time of 1 s, jobs due at one instant), the longest event-loop stall (a 1 ms watchdog's worst "
        "overshoot; in brackets the CPU time the loop's thread used during that stall: near zero means the loop "
        "was runnable but waiting for a core or the GIL, not busy; then the longest garbage collection), "
        "on SQLite the longest another writer waited "
        "for the write lock (a probe process taking it every 2 ms), and the process's peak RSS (getrusage "
        "ru_maxrss; seeding runs in a process of its own). Load avg: the machine's 1-minute load average when the "
        "row finished (other work shares this machine).",
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
        target, n, at, case = sys.argv[2], int(sys.argv[3]), datetime.fromisoformat(sys.argv[4]), sys.argv[5]
        if mode == "_seed_sqlite":
            seed_sqlite(Path(target), case, n, at)
        elif mode == "_seed_baseline":
            seed_baseline_sqlite(Path(target), n, at)
        else:
            asyncio.run(seed_postgres(target, case, n, at))
        return
    if mode == "_claim":
        url, n = sys.argv[2], int(sys.argv[3])
        result = asyncio.run(measure_claim(url, n, float(sys.argv[4]) if len(sys.argv) > 4 else 0.0))
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
