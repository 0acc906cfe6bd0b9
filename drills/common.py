"""What every drill shares: results, throwaway databases, real bot processes, the fake Discord, seeding, and
the final count of what people received against what the outbox says.

The drills run the bot the way it runs in production (`python -m bot run --adapter discord`, its own
process, the real clock) and play the platform themselves: the fake Discord lives in the drill's process,
so every message the bot sends is seen and timed there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg  # type: ignore[import-untyped]
from aiohttp import web

from tests.fakes.discord_server import FakeDiscord, SentMessage, _Failure

ROOT = Path(__file__).resolve().parent.parent
ADMIN_DSN = os.environ.get("DRILL_POSTGRES_DSN",
                           os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"))
TOKEN = "drill-bot-token"
EVERY_DAY = 0b1111111
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
FIRST_USER = 500_000_000_000_000_000
PROMPT_BUTTON = re.compile(r"^ci:([A-Za-z0-9_-]+):safety:")
# Settings every drilled bot runs with: claim every second instead of every ten, so a drill takes minutes.
LEASE_S = 10.0  # Dispatcher's default lease_for (renewed while sends are out)
CONCURRENCY = 32  # Dispatcher's default: the most sends in flight at one moment
BOT_SETTINGS = {"DISPATCH_INTERVAL_SECONDS": "1", "LOG_LEVEL": "INFO", "ADAPTER": "discord"}


# ---------------------------------------------------------------- results


@dataclass
class Check:
    promise: str
    passed: bool
    detail: str


@dataclass
class DrillResult:
    key: str
    title: str
    what: str
    numbers: dict[str, str] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)
    seconds: float = 0.0
    quick: bool = False
    load: str = ""
    date: str = ""
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and bool(self.checks) and all(check.passed for check in self.checks)

    def check(self, promise: str, passed: bool, detail: str) -> bool:
        self.checks.append(Check(promise, passed, detail))
        return passed

    def block(self) -> str:
        lines = [f"=== drill {self.key}: {self.title} — {'PASS' if self.passed else 'FAIL'} "
                 f"({self.seconds:.0f} s{', quick' if self.quick else ''}; load {self.load}) ==="]
        lines += [f"  {name}: {value}" for name, value in self.numbers.items()]
        lines += [f"  [{'pass' if c.passed else 'FAIL'}] {c.promise}: {c.detail}" for c in self.checks]
        lines += [f"  finding: {finding}" for finding in self.findings]
        if self.error:
            lines.append(f"  error: {self.error}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "what": self.what, "numbers": self.numbers,
                "checks": [c.__dict__ for c in self.checks], "findings": self.findings, "limits": self.limits,
                "seconds": round(self.seconds, 1), "quick": self.quick, "load": self.load, "date": self.date,
                "error": self.error, "passed": self.passed}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DrillResult:
        result = cls(str(data["key"]), str(data["title"]), str(data["what"]), dict(data["numbers"]),
                     [Check(**c) for c in data["checks"]], list(data["findings"]), list(data["limits"]),
                     float(data["seconds"]), bool(data["quick"]), str(data["load"]), str(data["date"]),
                     str(data.get("error", "")))
        return result


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def spread(values: Sequence[float], unit: str = "s", digits: int = 2) -> str:
    if not values:
        return "n/a"
    return (f"p50 {percentile(values, 50):.{digits}f} {unit}, p95 {percentile(values, 95):.{digits}f} {unit}, "
            f"p99 {percentile(values, 99):.{digits}f} {unit}, max {max(values):.{digits}f} {unit} "
            f"(mean {statistics.fmean(values):.{digits}f}, n={len(values)})")


class DrillDiscord(FakeDiscord):
    """The fake Discord, timing every REST call; once `faults_on` is set, with random faults on every REST call:
    a share of 429s (with Retry-After), of 5xx, and of requests that get no answer at all (held for `hang_s`,
    then the connection is dropped without the request being processed)."""

    def __init__(self, *, rate_429: float = 0.0, rate_5xx: float = 0.0, rate_hang: float = 0.0,
                 hang_s: float = 0.0, seed: int | None = None, ratelimit_headers: bool = False,
                 **options: Any) -> None:
        super().__init__(**options)
        self.ratelimit_headers = ratelimit_headers
        self.rate_429, self.rate_5xx, self.rate_hang, self.hang_s = rate_429, rate_5xx, rate_hang, hang_s
        self.rng = random.Random(seed)
        self.faults_on = False
        self.faults: Counter[str] = Counter()
        self.times: list[tuple[float, str, str, int]] = []  # (arrival, method, path, status), every REST call
        self.hung: list[tuple[float, float, str]] = []  # (start, end, path) of requests held without an answer
        self._decision = ""

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path.removeprefix("/api/v10")
        arrived = time.time()
        decision = ""
        if self.faults_on:
            draw = self.rng.random()
            if draw < self.rate_429:
                decision = "429"
            elif draw < self.rate_429 + self.rate_5xx:
                decision = self.rng.choice(("500", "502", "503"))
            elif draw < self.rate_429 + self.rate_5xx + self.rate_hang:
                decision = "hang"
        if decision == "hang":
            self.faults["no answer (held, then connection dropped)"] += 1
            await asyncio.sleep(self.hang_s)
            self.hung.append((arrived, time.time(), path))
            self.times.append((arrived, request.method, path, 0))
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=599)
        self._decision = decision  # read by _take_failure below, with no await in between
        response = await super()._rest(request)
        self.times.append((arrived, request.method, path, response.status))
        if self.ratelimit_headers and response.status < 400:
            # As Discord does: without these discord.py keeps every bucket at one request at a time.
            bucket = re.sub(r"\d{6,}", "{id}", f"{request.method} {path}")
            response.headers.update({"X-RateLimit-Bucket": f"b{abs(hash(bucket)) % 10**12:x}",
                                     "X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "49",
                                     "X-RateLimit-Reset-After": "1.000", "X-RateLimit-Reset": f"{time.time() + 1:.3f}"})
        return response

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        decision, self._decision = self._decision, ""
        if decision == "429":
            self.faults["429 with Retry-After"] += 1
            return _Failure(path, 429, round(self.rng.uniform(0.2, 2.0), 2), None, None, None, 1, False, True)
        if decision:
            self.faults[decision] += 1
            return _Failure(path, int(decision), None, None, None, None, 1, False, True)
        return super()._take_failure(method, path)


async def finished(dsn: str, expected: int) -> tuple[bool, dict[str, int]]:
    """Whether `expected` outbox rows have reached an end state (sent, skipped, failed, unreachable)."""
    rows = await query(dsn, "SELECT status, count(*) AS n FROM deliveries GROUP BY status")
    counts = {str(row["status"]): int(row["n"]) for row in rows}
    settled = sum(n for status, n in counts.items() if status not in ("pending", "sending"))
    return settled >= expected, counts


# ---------------------------------------------------------------- PostgreSQL


@contextlib.asynccontextmanager
async def fresh_database(admin_dsn: str = ADMIN_DSN) -> AsyncIterator[str]:
    """A database `bb_drill_<random>` on the given server, dropped afterwards; yields its DSN."""
    name = f"bb_drill_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"{admin_dsn.rsplit('/', 1)[0]}/{name}"
    finally:
        admin = await asyncpg.connect(admin_dsn, timeout=10)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def migrate(dsn: str) -> None:
    from bot.storage.database import make_engine
    from bot.storage.database import migrate as run_migrations

    engine = make_engine(dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    try:
        await run_migrations(engine)
    finally:
        await engine.dispose()


async def query(dsn: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


# ---------------------------------------------------------------- people and schedules


@dataclass(frozen=True)
class Person:
    identity_id: int
    user_id: int
    zone: str
    due: datetime  # UTC, on a minute
    dm_channel: int | None  # known to the bot in advance (identities.dm_channel_id), or opened on first send
    seeded_at: float = 0.0  # when the drill made it due (a prompt due "this minute" may be seeded 59 s late)

    @property
    def due_from(self) -> float:
        return max(self.due.timestamp(), self.seeded_at)

    @property
    def slot(self) -> str:
        local = self.due.astimezone(ZoneInfo(self.zone))
        return f"{local.date().isoformat()}T{local:%H:%M}"

    @property
    def times(self) -> str:
        return f"{self.due.astimezone(ZoneInfo(self.zone)):%H:%M}"


def make_people(fake: FakeDiscord, count: int, *, minutes: int = 1, known_dm_share: float = 0.5,
                first_id: int = 1) -> list[Person]:
    """`count` people due in the current minute and the `minutes - 1` after it; a share of them with their DM
    channel already known (one request per prompt), the rest opened on the first send (three requests)."""
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    seeded_at = time.time()
    people = []
    for index in range(count):
        identity = first_id + index
        user = FIRST_USER + identity
        known = (index % 100) < known_dm_share * 100
        people.append(Person(identity, user, ZONES[index % len(ZONES)], start + timedelta(minutes=index % minutes),
                             fake.dm_channel_id(user) if known else None, seeded_at))
        fake.add_user(user)
    return people


def discord_user(person: Person) -> str:
    return str(person.user_id)


def discord_dm(person: Person) -> str | None:
    return str(person.dm_channel) if person.dm_channel else None


async def seed(dsn: str, people: Sequence[Person], *, platform: str = "discord", workspace_id: str = "dm",
               user_of: Callable[[Person], str] = discord_user,
               dm_of: Callable[[Person], str | None] = discord_dm) -> None:
    """Bulk-insert identities and daily schedules (COPY, as benchmarks/scheduling.py does): no bot involved."""
    now = datetime.now(UTC)
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.copy_records_to_table(
            "identities", columns=["id", "platform", "workspace_id", "user_id", "created_at", "store_notes",
                                   "dm_channel_id", "introduced_at"],
            records=[(p.identity_id, platform, workspace_id, user_of(p), now, True, dm_of(p), now) for p in people])
        async with connection.transaction():  # a running bot never sees a due rule without its members
            rules: dict[tuple[str, str], int] = {}  # people who chose the same time and zone share a rule
            for p in people:
                if (p.times, p.zone) in rules:
                    continue
                rules[(p.times, p.zone)] = await connection.fetchval(
                    "INSERT INTO schedule_rules (days, times, zone, next_fire_at, next_slot, queued_through) "
                    "VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (days, times, zone) DO UPDATE SET "
                    "next_slot = CASE WHEN excluded.next_fire_at < schedule_rules.next_fire_at THEN excluded.next_slot "
                    "ELSE schedule_rules.next_slot END, "
                    "next_fire_at = LEAST(excluded.next_fire_at, schedule_rules.next_fire_at) RETURNING id",
                    EVERY_DAY, p.times, p.zone, p.due, p.slot)
            await connection.copy_records_to_table(
                "schedules", columns=["id", "identity_id", "rule_id", "platform", "kind", "flow_id", "quiet",
                                      "fires_from", "unanswered", "dialdown_asked", "created_at", "updated_at"],
                records=[(p.identity_id, p.identity_id, rules[(p.times, p.zone)], platform, "checkin", "daily", None,
                          p.due, 0, False, now, now) for p in people])
        top = max(p.identity_id for p in people)
        await connection.execute("SELECT setval('identities_id_seq', GREATEST($1, (SELECT max(id) FROM identities)))",
                                 top)
        await connection.execute("SELECT setval('schedules_id_seq', GREATEST($1, (SELECT max(id) FROM schedules)))",
                                 top)
        await connection.execute("ANALYZE identities")
        await connection.execute("ANALYZE schedules")
        await connection.execute("ANALYZE schedule_rules")
    finally:
        await connection.close()


# ---------------------------------------------------------------- the bot, as a real process


async def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """A bot's /metrics as {(sample name, sorted labels): value}, the way Prometheus would read it."""
    import aiohttp
    from prometheus_client.parser import text_string_to_metric_families

    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/metrics",
                                                         timeout=aiohttp.ClientTimeout(total=10)) as response:
        text = await response.text()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def metric_sum(samples: Mapping[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    """The sum of every sample of `name` whose labels include `labels`."""
    return sum(value for (sample, sample_labels), value in samples.items()
               if sample == name and set(labels.items()) <= set(sample_labels))


async def check_metrics_agree(result: DrillResult, dsn: str, scrapes: Sequence[Mapping[
        tuple[str, tuple[tuple[str, str], ...]], float]]) -> None:
    """The delivery figures an operator's Prometheus would show (summed over the bot processes, none of which
    restarted) against what the deliveries table says."""
    rows = await query(dsn, "SELECT status, count(*) AS n FROM deliveries GROUP BY status")
    table = {str(row["status"]): int(row["n"]) for row in rows}
    seen = {
        "sent": sum(metric_sum(one, "boundary_prompts_sent_total") for one in scrapes),
        "unreachable": sum(metric_sum(one, "boundary_prompts_unreachable_total") for one in scrapes),
        "failed": sum(metric_sum(one, "boundary_prompts_failed_total") for one in scrapes),
        "skipped": sum(metric_sum(one, "boundary_prompts_skipped_total") - metric_sum(
            one, "boundary_prompts_skipped_total", reason="lease-lost") for one in scrapes),
    }
    claimed = sum(metric_sum(one, "boundary_prompts_claimed_total") for one in scrapes)
    result.numbers["/metrics: claimed / sent / unreachable / failed / skipped"] = (
        f"{claimed:.0f} / {seen['sent']:.0f} / {seen['unreachable']:.0f} / {seen['failed']:.0f} / "
        f"{seen['skipped']:.0f} (deliveries table: {dict(sorted(table.items()))})")
    disagree = {status: (int(count), table.get(status, 0)) for status, count in seen.items()
                if int(count) != table.get(status, 0)}
    result.check("the bot's /metrics agree with the deliveries table", not disagree and claimed == sum(table.values()),
                 "sent, unreachable, failed and skipped match; claimed = rows in the outbox" if not disagree
                 and claimed == sum(table.values()) else f"(metrics, table) differ: {disagree}; claimed {claimed:.0f} "
                 f"vs {sum(table.values())} rows")


def keygen() -> str:
    return subprocess.run([sys.executable, "-m", "bot", "keygen"], check=True, capture_output=True, text=True,
                          cwd=ROOT).stdout.strip()


def bot_environment(fake: FakeDiscord, dsn: str, keys: str, data_dir: Path,
                    extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DISCORD_", "SLACK_", "DATABASE_", "ENCRYPTION_", "ADAPTER", "PORT"))}
    env.update(BOT_SETTINGS)
    env.update({"DISCORD_TOKEN": TOKEN, "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url,
                "DATABASE_URL": dsn, "ENCRYPTION_KEYS": keys, "DATA_DIR": str(data_dir),
                "PYTHONUNBUFFERED": "1"})
    env.update(extra or {})
    return env


RUNNING: set[BotProcess] = set()  # every bot process a drill started, so none outlives a drill that failed


def kill_leftovers() -> int:
    """SIGKILL every bot process the drills started that is still running; returns how many."""
    killed = 0
    for bot in list(RUNNING):
        if bot.process is not None and bot.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(bot.process.pid, signal.SIGKILL)
                killed += 1
        RUNNING.discard(bot)
    return killed


SLACK_LISTENING = "slack HTTP mode listening"  # what the Slack adapter logs once its HTTP server is up


class BotProcess:
    """`python -m bot run --adapter …` as a child process; output goes to a log file per start."""

    def __init__(self, name: str, env: Mapping[str, str], workdir: Path, adapter: str = "discord") -> None:
        self.name = name
        self.env = dict(env)
        self.workdir = workdir
        self.adapter = adapter
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills: list[float] = []  # wall-clock times of SIGKILLs
        self.log_paths: list[Path] = []

    async def start(self) -> None:
        self.starts += 1
        log_path = self.workdir / f"{self.name}-{self.starts}.log"
        self.log_paths.append(log_path)
        with log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--adapter", self.adapter, cwd=self.workdir, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        RUNNING.add(self)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine or the OOM killer takes it."""
        if self.process is None or self.process.returncode is not None:
            return
        os.kill(self.process.pid, signal.SIGKILL)
        self.kills.append(time.time())
        await asyncio.wait_for(self.process.wait(), 20)

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            await self.kill()

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.log_paths if path.exists())

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    async def logged(self, marker: str, within: float = 90.0, *, this_start: bool = False) -> None:
        """Wait until the log holds `marker` (in the log of the latest start alone with `this_start`, as after a
        restart); fails with the log's tail if the process ends or `within` seconds pass first."""
        deadline = time.monotonic() + within
        while marker not in (self.log_paths[-1].read_text(errors="replace") if this_start else self.log_text()):
            if not self.alive or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: {marker!r} was not logged in time:\n{self.log_tail()}")
            await asyncio.sleep(0.2)

    def error_lines(self) -> list[str]:
        return [line for line in self.log_text().splitlines() if " ERROR " in line or "Traceback" in line]


async def wait_for_identify(fake: FakeDiscord, count: int, bots: Iterable[BotProcess], within: float = 90.0) -> None:
    """Until the fake has seen `count` IDENTIFYs in total (a bot that identified has synced its commands)."""
    deadline = time.monotonic() + within
    while fake.identify_count < count:
        for bot in bots:
            if bot.process is not None and bot.process.returncode is not None:
                raise RuntimeError(f"{bot.name} exited with {bot.process.returncode} before it connected:\n"
                                   f"{bot.log_tail()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no IDENTIFY #{count} within {within:.0f} s")
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def workspace(prefix: str) -> AsyncIterator[Path]:
    """A temp folder for the bot's DATA_DIR and logs; removed afterwards unless DRILL_KEEP_LOGS is set."""
    path = Path(tempfile.mkdtemp(prefix=f"bb_drill_{prefix}_"))
    try:
        yield path
    finally:
        if not os.environ.get("DRILL_KEEP_LOGS"):
            shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------- what people received, against the outbox


@dataclass
class Received:
    """What one person got in their DMs: prompts (by the session their first question belongs to)."""

    sessions: dict[str, float] = field(default_factory=dict)  # session id -> when its question was accepted
    greetings: list[float] = field(default_factory=list)  # every prompt starts with a greeting message
    messages: int = 0


def received(fake: FakeDiscord, people: Sequence[Person], greeting: str) -> dict[int, Received]:
    by_user: dict[int, Received] = {}
    for person in people:
        got = Received()
        channel = fake.dm_channels.get(person.user_id)
        for message in fake.messages.get(channel, []) if channel is not None else []:
            got.messages += 1
            accepted = accepted_at(message)
            for custom_id in message.custom_ids():
                match = PROMPT_BUTTON.match(custom_id)
                if match:
                    got.sessions.setdefault(match.group(1), accepted)
            if greeting and greeting[:40] in message.content:  # after the flow's title
                got.greetings.append(accepted)
        by_user[person.user_id] = got
    return by_user


def accepted_at(message: SentMessage) -> float:
    return datetime.fromisoformat(str(message.payload["timestamp"])).timestamp()


def greeting_text() -> str:
    from bot.config import PROJECT_CONTENT
    from bot.content.loader import load_content

    return str(load_content(PROJECT_CONTENT).texts.get("prompt_greeting"))


@dataclass
class Tally:
    expected: int
    once: int
    lost: list[int]  # identity ids that received nothing
    extra: dict[int, int]  # identity id -> prompts beyond the first
    partial: int  # greetings without a question: a prompt cut off between its messages
    status: Counter[str]
    sent_not_received: list[int]
    received_not_sent: list[int]
    window_s: list[float]  # platform accepted -> `sent` recorded, per prompt
    latency_s: list[float]  # due -> platform accepted, per prompt (first copy)
    duplicates_near_kill: int = 0

    def summary(self) -> str:
        return (f"{self.expected} expected, {self.once} exactly once, {len(self.lost)} lost, "
                f"{sum(self.extra.values())} extra copies to {len(self.extra)} people, "
                f"{self.partial} partial prompts; outbox {dict(self.status)}")


async def tally(fake: FakeDiscord | None, dsn: str, people: Sequence[Person], greeting: str,
                got: Mapping[int, Received] | None = None) -> Tally:
    """What people received (`got`, by user id; else read from the fake Discord) against the outbox."""
    rows = await query(dsn, "SELECT identity_id, status, reason, due_at, sent_at, session_id FROM deliveries "
                            "WHERE kind = 'prompt'")
    by_identity: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        by_identity[int(row["identity_id"])].append(row)
    if got is None:
        assert fake is not None
        got = received(fake, people, greeting)
    result = Tally(len(people), 0, [], {}, 0, Counter(str(r["status"]) for r in rows), [], [], [], [])
    for person in people:
        mine = got[person.user_id]
        count = len(mine.sessions)
        if count == 0:
            result.lost.append(person.identity_id)
        elif count == 1:
            result.once += 1
        else:
            result.extra[person.identity_id] = count - 1
        result.partial += max(0, len(mine.greetings) - count)
        deliveries = by_identity.get(person.identity_id, [])
        sent = [r for r in deliveries if r["status"] == "sent"]
        if sent and count == 0:
            result.sent_not_received.append(person.identity_id)
        if count and not sent:
            result.received_not_sent.append(person.identity_id)
        if mine.sessions:
            result.latency_s.append(min(mine.sessions.values()) - person.due_from)
        for row in sent:
            session = row["session_id"]
            greeting_at = max((g for g in mine.greetings if g <= mine.sessions.get(session, 0) + 0.001), default=None)
            if session in mine.sessions and row["sent_at"] is not None:
                first = greeting_at if greeting_at is not None else mine.sessions[session]
                result.window_s.append(row["sent_at"].timestamp() - first)
    return result


def requests_by_channel(fake: FakeDiscord) -> Counter[int]:
    """POSTs of messages per channel, whatever the fake answered (faults included)."""
    counts: Counter[int] = Counter()
    for entry in fake.request_log:
        match = re.fullmatch(r"/channels/(\d+)/messages", str(entry["path"]))
        if entry["method"] == "POST" and match:
            counts[int(match.group(1))] += 1
    return counts


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def busiest_second(times: Iterable[float]) -> int:
    counts = Counter(int(moment) for moment in times)
    return max(counts.values(), default=0)
