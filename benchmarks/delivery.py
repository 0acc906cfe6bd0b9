#!/usr/bin/env python
"""Delivery against a rate-limited platform: the real Dispatcher and Pacer, a local fake Discord-like API.

    python benchmarks/delivery.py [--prompts 2000]

The fake platform (an aiohttp server on 127.0.0.1, a random port, in its own process so its clock is not
the client's) enforces 50 requests per second over a sliding one-second window and answers 429 with
Retry-After beyond it. A DM is two calls, like Discord's: POST /users/@me/channels opens (or returns) the
person's DM channel, POST /channels/{id}/messages posts into it.

The Transport here implements bot.ports.Transport with one aiohttp ClientSession and a DM-channel cache,
so a person's channel is opened once; a 429 becomes RateLimited(retry_after). The extra channel-open call
is paced by the same Pacer the Dispatcher uses (the message after it takes a second token), so the Pacer
counts requests, not prompts.

Per configuration: N prompts due at once in a fresh SQLite database, delivered by a real Dispatcher
(round 1, channels unknown), then N more to the same people (round 2, channels known). Reported per round:
sustained request and prompt rates (server-side clock) against 50/s, 429s, requests per prompt.
Results: a markdown table on stdout and in benchmarks/results/delivery.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
LIMIT_PER_SECOND = 50
WINDOW = 1.0
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney")


# ---------------------------------------------------------------- the fake platform (its own process)


class FakePlatform:
    """A Discord-like API with one global limit: LIMIT_PER_SECOND accepted requests in any WINDOW."""

    def __init__(self, limit: int = LIMIT_PER_SECOND, window: float = WINDOW) -> None:
        self.limit = limit
        self.window = window
        self.recent: deque[float] = deque()
        self.log: list[tuple[float, str, int]] = []  # (monotonic time, "open" | "message", status)
        self.channels: dict[str, str] = {}
        self.messages: Counter[str] = Counter()

    def admit(self) -> tuple[float, float]:
        """(when, wait): wait is 0 if the request may proceed (it then counts at `when`), else the seconds
        until it could."""
        now = time.monotonic()
        while self.recent and self.recent[0] <= now - self.window:
            self.recent.popleft()
        if len(self.recent) >= self.limit:
            return now, self.recent[0] + self.window - now
        self.recent.append(now)
        return now, 0.0

    def app(self) -> Any:
        from aiohttp import web

        def reply(payload: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Any:
            # exactly application/json, as Discord sends it
            return web.Response(text=json.dumps(payload), status=status, content_type="application/json",
                                headers=headers)

        def limited(kind: str, when: float, wait: float) -> Any:
            self.log.append((when, kind, 429))
            retry = f"{max(wait, 0.001):.3f}"
            return reply({"message": "You are being rate limited.", "retry_after": float(retry), "global": True},
                         429, {"Retry-After": retry, "X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"})

        async def open_channel(request: Any) -> Any:
            when, wait = self.admit()
            if wait > 0:
                return limited("open", when, wait)
            body = await request.json()
            user = str(body["recipient_id"])
            channel = self.channels.setdefault(user, str(900_000_000_000 + len(self.channels)))
            self.log.append((when, "open", 200))
            return reply({"id": channel, "type": 1, "recipients": [{"id": user}]})

        async def post_message(request: Any) -> Any:
            when, wait = self.admit()
            if wait > 0:
                return limited("message", when, wait)
            channel = request.match_info["channel"]
            body = await request.json()
            self.messages[channel] += 1
            self.log.append((when, "message", 200))
            return reply({"id": str(len(self.log)), "channel_id": channel, "content": body.get("content", "")})

        async def stats(request: Any) -> Any:
            """The log since the last call (the rate window itself carries on)."""
            log, self.log = self.log, []
            return reply({"log": log, "channels": len(self.channels),
                          "max_per_channel": max(self.messages.values(), default=0)})

        app = web.Application()
        app.router.add_post("/users/@me/channels", open_channel)
        app.router.add_post("/channels/{channel}/messages", post_message)
        app.router.add_get("/_stats", stats)
        return app


def serve_fake() -> None:
    from aiohttp import web

    async def main() -> None:
        runner = web.AppRunner(FakePlatform().app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        print(f"PORT {port}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


# ---------------------------------------------------------------- the Transport under test


@dataclass
class TransportCounts:
    requests: Counter[str] = field(default_factory=Counter)  # "open", "message"
    rate_limited: int = 0


class FakePlatformTransport:
    """bot.ports.Transport for the fake: one ClientSession, a bounded DM-channel cache, 429 -> RateLimited."""

    def __init__(self, session: Any, *, pacer: Any | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, cache_size: int = 100_000) -> None:
        self._session = session
        self._pacer = pacer
        self._sleep = sleep
        self._channels: OrderedDict[str, str] = OrderedDict()
        self._cache_size = cache_size
        self.counts = TransportCounts()

    async def send(self, address: Any, replies: Sequence[Any]) -> None:
        """The Dispatcher took one Pacer token just before calling this; the first request spends it. A
        second request (opening the DM channel first) takes its own token right before it goes, so every
        request leaves right after its token was taken (a token taken early and spent late is a burst)."""
        channel = self._channels.get(address.user_id)
        if channel is not None:
            self._channels.move_to_end(address.user_id)
        else:
            channel = await self._open_channel(address)
            if self._pacer is not None:
                while (wait := self._pacer.delay(address)) > 0:
                    await self._sleep(wait)
        text = "\n\n".join(reply.text for reply in replies)
        await self._post("message", f"/channels/{channel}/messages", {"content": text})

    async def _open_channel(self, address: Any) -> str:
        body = await self._post("open", "/users/@me/channels", {"recipient_id": address.user_id})
        channel = str(body["id"])
        self._channels[address.user_id] = channel
        if len(self._channels) > self._cache_size:
            self._channels.popitem(last=False)
        return channel

    async def _post(self, kind: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        import aiohttp

        from bot.ports import DeliveryError, RateLimited, TemporaryFailure, Unreachable

        self.counts.requests[kind] += 1
        try:
            async with self._session.post(path, json=payload) as response:
                body = await response.json(content_type=None)
                if response.status == 429:
                    self.counts.rate_limited += 1
                    header = response.headers.get("Retry-After")
                    retry_after = float(header) if header else float(body.get("retry_after", 1.0))
                    raise RateLimited(retry_after)
                if response.status == 403 and body.get("code") == 50007:
                    raise Unreachable("cannot send messages to this user")
                if response.status >= 500:
                    raise TemporaryFailure(f"platform answered {response.status}")
                if response.status >= 400:
                    raise DeliveryError(f"platform answered {response.status}: {body}")
                return dict(body)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TemporaryFailure(str(exc) or type(exc).__name__) from exc


# ---------------------------------------------------------------- the database


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


async def seed(path: Path, n: int) -> None:
    """n people on 'discord', each with a schedule due in this minute (no quiet hours, so all go out)."""
    from zoneinfo import ZoneInfo

    from bot.storage.database import make_engine, migrate

    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    at = datetime.now(UTC).replace(second=0, microsecond=0)
    now = _sqlite_time(datetime.now(UTC))

    def rule(index: int) -> tuple[Any, ...]:  # one shared rule per zone, firing this minute
        zone = ZONES[index]
        local = at.astimezone(ZoneInfo(zone))
        hhmm = local.strftime("%H:%M")
        return (index + 1, 0b1111111, hhmm, zone, _sqlite_time(at), f"{local.date().isoformat()}T{hhmm}")

    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executemany(
                "INSERT INTO schedule_rules (id, days, times, zone, next_fire_at, next_slot, queued_through) "
                "VALUES (?, ?, ?, ?, ?, ?, 0)", (rule(index) for index in range(len(ZONES))))
            connection.executemany(
                "INSERT INTO identities (id, platform, workspace_id, user_id, created_at, store_notes) "
                "VALUES (?, 'discord', '', ?, ?, 1)", ((i, str(10**17 + i), now) for i in range(1, n + 1)))
            connection.executemany(
                "INSERT INTO schedules (id, identity_id, rule_id, platform, kind, flow_id, quiet, fires_from, "
                "unanswered, dialdown_asked, created_at, updated_at) "
                "VALUES (?, ?, ?, 'discord', 'checkin', 'daily', NULL, ?, 0, 0, ?, ?)",
                ((i, i, i % len(ZONES) + 1, _sqlite_time(at), now, now) for i in range(1, n + 1)))
    finally:
        connection.close()


def queue_second_prompt(path: Path, slot: str) -> None:
    """One more due prompt per person (a second slot), straight into the outbox."""
    now = _sqlite_time(datetime.now(UTC))
    connection = sqlite3.connect(path, timeout=30)
    try:
        with connection:
            connection.execute(
                "INSERT INTO deliveries (schedule_id, identity_id, platform, slot, kind, due_at, status, attempts, "
                "next_attempt_at, created_at) SELECT id, identity_id, platform, ?, 'prompt', ?, 'pending', 0, ?, ? "
                "FROM schedules", (slot, now, now, now))
    finally:
        connection.close()


# ---------------------------------------------------------------- one configuration


class Prompts:
    async def prompt_for(self, job: Any) -> Any:
        from bot.messages import Reply
        from bot.scheduling.dispatcher import Prompt

        return Prompt([Reply("Time for a short check-in?")])


@dataclass
class RoundResult:
    config: str
    round: str
    prompts: int
    seconds: float
    accepted: int
    limited: int
    opens: int
    messages: int
    request_rate: float
    prompt_rate: float
    peak_window: int
    retried: int
    failed: int


def summarize(config: str, label: str, log: list[list[Any]], prompts: int, seconds: float, retried: int,
              failed: int) -> RoundResult:
    accepted = sorted(t for t, _kind, status in log if status == 200)
    messages = sorted(t for t, kind, status in log if status == 200 and kind == "message")
    limited = sum(1 for _t, _kind, status in log if status == 429)
    opens = sum(1 for _t, kind, status in log if status == 200 and kind == "open")

    def rate(times: list[float]) -> float:
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0

    peak = 0
    window: deque[float] = deque()
    for moment in accepted:  # the most accepted requests in any one-second window, by the server's clock
        window.append(moment)
        while window[0] <= moment - WINDOW:
            window.popleft()
        peak = max(peak, len(window))
    return RoundResult(config, label, prompts, seconds, len(accepted), limited, opens, len(messages),
                       rate(accepted), rate(messages), peak, retried, failed)


async def run_config(config: str, base_url: str, n: int, limits: dict[str, Any] | None) -> list[RoundResult]:
    import aiohttp

    from adapters import rate_limits
    from bot.scheduling.dispatcher import Dispatcher, DispatchStats
    from bot.scheduling.pacing import Pacer
    from bot.scheduling.store import PENDING, SENDING, SENT, ScheduleStore
    from bot.storage.database import make_engine, make_sessionmaker

    workdir = Path(tempfile.mkdtemp(prefix="bb_delivery_"))
    results: list[RoundResult] = []
    try:
        path = workdir / "bot.db"
        await seed(path, n)
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        store = ScheduleStore(make_sessionmaker(engine))
        pacer = Pacer(**rate_limits()) if limits is None else Pacer(platform_limits=limits)
        async with aiohttp.ClientSession(base_url=base_url) as session:
            transport = FakePlatformTransport(session, pacer=pacer)
            dispatcher = Dispatcher(store, Prompts(), {"discord": transport}, pacer=pacer)
            await asyncio.sleep(WINDOW + 0.5)  # the previous configuration's requests leave the server's window
            await session.get("/_stats")  # start each round with an empty log

            for label in ("1: channels unknown", "2: channels known"):
                if label.startswith("2"):
                    queue_second_prompt(path, "bench-second")
                sent_before = (await store.counts()).get(SENT, 0)
                totals = DispatchStats()
                started = time.perf_counter()
                while True:
                    stats = await dispatcher.tick()
                    totals.retried += stats.retried
                    totals.failed += stats.failed
                    counts = await store.counts()
                    if counts.get(PENDING, 0) + counts.get(SENDING, 0) == 0:
                        break
                    if stats.sent + stats.retried + stats.failed + stats.skipped == 0:
                        await asyncio.sleep(0.05)  # only retries, not yet due again
                seconds = time.perf_counter() - started
                async with session.get("/_stats") as response:
                    server = await response.json()
                delivered = (await store.counts()).get(SENT, 0) - sent_before
                result = summarize(config, label, server["log"], delivered, seconds, totals.retried, totals.failed)
                results.append(result)
                print(f"{config}, round {label}: {delivered} prompts in {seconds:.1f}s, "
                      f"{result.limited} x 429", file=sys.stderr, flush=True)
        await engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return results


# ---------------------------------------------------------------- report


def machine_info() -> dict[str, str]:
    """The same machine block as the other reports (benchmarks/scheduling.py reads it)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    scheduling = importlib.import_module("scheduling")
    info: dict[str, str] = scheduling.machine_info()
    return info


def table(results: list[RoundResult]) -> str:
    lines = ["| Pacer | Round | Prompts sent | Time (s) | Accepted req/s (limit 50) | Prompts/s "
             "| Most accepted in any 1 s | 429s | Requests per prompt (all / accepted) | Channel opens "
             "| Retries | Failed |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for r in results:
        total = r.accepted + r.limited
        lines.append(f"| {r.config} | {r.round} | {r.prompts:,} | {r.seconds:.1f} | {r.request_rate:.1f} "
                     f"| {r.prompt_rate:.1f} | {r.peak_window} | {r.limited} "
                     f"| {total / max(r.prompts, 1):.3f} / {r.accepted / max(r.prompts, 1):.3f} | {r.opens:,} "
                     f"| {r.retried} | {r.failed} |")
    return "\n".join(lines)


def verdicts(results: list[RoundResult]) -> list[str]:
    lines = []
    for config in dict.fromkeys(r.config for r in results):
        rounds = [r for r in results if r.config == config]
        limited = sum(r.limited for r in rounds)
        warm = rounds[-1]
        best = max(r.request_rate for r in rounds)
        lines.append(f"- {config}: sustained {best:.1f} accepted requests/s against a limit of {LIMIT_PER_SECOND}/s "
                     f"({best / LIMIT_PER_SECOND:.0%}); 429s: {limited} (target 0: "
                     f"{'MET' if limited == 0 else 'NOT MET'}); requests per prompt once the channel is known: "
                     f"{(warm.accepted + warm.limited) / max(warm.prompts, 1):.3f} all, "
                     f"{warm.accepted / max(warm.prompts, 1):.3f} accepted (target 1: "
                     f"{'MET' if warm.accepted == warm.prompts and warm.opens == 0 else 'NOT MET'})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=2000)
    parser.add_argument("--only-default", action="store_true", help="skip the rate 50/s, burst 50 comparison")
    options = parser.parse_args()

    from adapters.discord.platform import LIMIT as DISCORD_LIMIT
    from bot.scheduling.pacing import Limit

    fake = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "_fake"], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT)
    try:
        assert fake.stdout is not None
        port = int(fake.stdout.readline().split()[1])
        base_url = f"http://127.0.0.1:{port}"
        default = DISCORD_LIMIT
        configs: list[tuple[str, dict[str, Any] | None]] = [
            (f"default Pacer (discord rate {default.rate:g}/s, burst {default.burst:g})", None)]
        if not options.only_default:
            # A token bucket lets burst + rate requests into one second; the window allows 50. For comparison,
            # the other side of that line (and the default this project shipped first).
            full = Limit(50.0, 50.0, per_workspace=False)
            if (default.rate, default.burst) != (full.rate, full.burst):
                configs.append((f"for comparison: Pacer(discord rate {full.rate:g}/s, burst {full.burst:g})",
                                {"discord": full}))
        results: list[RoundResult] = []
        for name, limits in configs:
            results.extend(asyncio.run(run_config(name, base_url, options.prompts, limits)))
    finally:
        fake.terminate()
        fake.wait(timeout=10)

    report = "\n".join([
        "# Delivery benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python benchmarks/delivery.py "
        f"{' '.join(sys.argv[1:])}".rstrip() + "`.",
        "",
        f"{options.prompts:,} prompts due at once, SQLite outbox, the real `Dispatcher` (concurrency 32, batches "
        "of 200) and `Pacer`, against a local fake platform that allows 50 requests in any sliding one-second "
        "window and answers 429 + Retry-After beyond it. Round 1 opens each person's DM channel (2 requests "
        "per prompt); round 2 sends a second prompt to the same people through the channel cache. Rates and "
        "windows are measured on the server's clock.",
        "",
        table(results),
        "",
        "Targets:",
        "",
        *verdicts(results),
        "",
        "Machine:",
        "",
        "\n".join(f"- {key}: {value}" for key, value in machine_info().items()),
        "",
    ])
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "delivery.md").write_text(report)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_fake":
        serve_fake()
    else:
        main()
