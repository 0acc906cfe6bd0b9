"""Composition root: settings -> database -> content -> conversation -> adapter. Nothing is global."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.community.anonymity import load_pseudonyms
from bot.community.circles import Circles
from bot.community.common import ChannelPost
from bot.community.pulses import Pulses
from bot.community.store import CommunityStore
from bot.config import Settings
from bot.content.loader import Content, load_content
from bot.conversation import Conversation, build_conversation
from bot.features.community import ChannelPoster
from bot.insights import prepare_charts
from bot.logsafe import JsonFormatter, describe_exception
from bot.ops.metrics import Metrics
from bot.ops.server import OpsServer, Readiness, SharedOps, serving, shared
from bot.ports import Transport
from bot.privacy.crypto import Cipher, load_cipher
from bot.privacy.retention import schedule_retention
from bot.safety.responder import Screens
from bot.safety.screening import Screener
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.instance import InstanceIdentity, claim_identity
from bot.scheduling.outage import DatabaseWatch
from bot.scheduling.pacing import Pacer
from bot.scheduling.snoozes import PendingSnoozes
from bot.scheduling.store import ScheduleStore
from bot.storage.database import make_engine, make_sessionmaker, migrate
from bot.storage.repository import Repository
from bot.storage.urls import normalize_database_url

log = logging.getLogger(__name__)

COMMUNITY_INTERVAL_SECONDS = 60.0


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    content: Content
    repository: Repository
    conversation: Conversation
    schedules: ScheduleStore
    scheduler: AsyncIOScheduler
    metrics: Metrics = field(default_factory=Metrics)
    delivering: bool = False
    identity: InstanceIdentity | None = None
    database: DatabaseWatch | None = None  # one outage state for every job that uses the database

    def database_watch(self) -> DatabaseWatch:
        if self.database is None:
            self.database = DatabaseWatch(self.schedules.ping)
        return self.database

    def start_delivery(self, transports: Mapping[str, Transport], pacer: Pacer | None = None) -> Dispatcher:
        """Claim and send scheduled prompts for these platforms, every DISPATCH_INTERVAL_SECONDS, as fast as
        `pacer` lets them go (the platforms' own limits, adapters/__init__.py)."""
        if self.identity is None:  # held for the life of the process: a restart takes the same one back
            self.identity = claim_identity(self.settings.data_dir, self.settings.instance_id)
        dispatcher = Dispatcher(self.schedules, self.conversation, transports, pacer=pacer,
                                grace=timedelta(minutes=self.settings.grace_minutes),
                                crisis_pause=timedelta(hours=self.settings.crisis_pause_hours),
                                look_again_every=self.settings.dispatch_interval_seconds, metrics=self.metrics,
                                instance=self.identity.id, database=self.database_watch())
        self.delivering = True
        self.scheduler.add_job(guarded("dispatch", dispatcher.tick), "interval",
                               seconds=self.settings.dispatch_interval_seconds, id="dispatch",
                               next_run_time=datetime.now(UTC), coalesce=True, max_instances=1,
                               replace_existing=True, misfire_grace_time=None)
        return dispatcher

    def readiness(self, platform_ready: Callable[[], bool]) -> Readiness:
        return Readiness(self.engine, self.metrics, platform_ready, self.settings.dispatch_interval_seconds,
                         delivering=lambda: self.delivering)

    @asynccontextmanager
    async def ops(self, platform_ready: Callable[[], bool]) -> AsyncIterator[OpsServer | None]:
        """/healthz, /readyz and /metrics on METRICS_PORT while inside; nothing when it is not set."""
        if not self.settings.metrics_port:
            yield None
            return
        async with serving(self.metrics, self.readiness(platform_ready), host=self.settings.metrics_host,
                           port=self.settings.metrics_port) as server:
            yield server

    @asynccontextmanager
    async def ops_on_app_port(self, platform_ready: Callable[[], bool]) -> AsyncIterator[SharedOps]:
        """The same answers for the platform's own web server to serve (HTTP mode, METRICS_PORT == PORT)."""
        async with shared(self.metrics, self.readiness(platform_ready)) as ops:
            yield ops

    def start_community(self, posters: Mapping[str, ChannelPoster]) -> None:
        """About every minute: weekly circle prompts and pulse openings, reminders and results, each posted
        through the adapter of its platform. Only what this process can post is claimed: another instance
        running the other platform's adapter takes the rest."""

        retry: list[_Retry] = []
        database = self.database_watch()

        async def tick() -> None:
            try:
                await community_tick(self.conversation, posters, retry)
            except Exception as exc:
                if not await database.failed(exc):
                    raise
                # The database is away: the watch said so once, and the delivery rounds say when it is back.

        self.scheduler.add_job(guarded("community", tick), "interval", seconds=COMMUNITY_INTERVAL_SECONDS,
                               id="community", next_run_time=datetime.now(UTC), coalesce=True, max_instances=1,
                               replace_existing=True, misfire_grace_time=None)


COMMUNITY_RETRIES = 30  # a claimed post that could not go out is tried again each tick, for about half an hour


@dataclass
class _Retry:
    post: ChannelPost
    tries_left: int


async def community_tick(conversation: Conversation, posters: Mapping[str, ChannelPoster],
                         retry: list[_Retry] | None = None) -> int:
    """Claim what is due in community channels and post it; returns how many posts went out. A post the
    platform refused (an outage, a rate limit) was already claimed, so no other instance will take it: it goes
    back on `retry` and is tried again on the next ticks (a weekly prompt or a round's results are not lost to
    one bad minute)."""
    waiting = [*(retry or [])]
    if retry is not None:
        retry.clear()
    fresh = await conversation.community_posts(platforms=list(posters))
    sent = 0
    for item in [*waiting, *(_Retry(post, COMMUNITY_RETRIES) for post in fresh)]:
        poster = posters.get(item.post.platform)
        if poster is None:
            log.warning("community post %s for %s dropped: that adapter is not running here", item.post.kind,
                        item.post.platform)
            continue
        if await conversation.publish([item.post], poster):
            if retry is not None and item.tries_left > 0:
                retry.append(_Retry(item.post, item.tries_left - 1))
            else:
                log.error("community post %s on %s given up", item.post.kind, item.post.platform)
            continue
        sent += 1
    return sent


async def warm_charts() -> None:
    if not await asyncio.to_thread(prepare_charts):
        log.info("charts are off: install the [charts] extra for /history charts")


async def warm_up() -> None:
    """Start-up work done once, off the path of the first requests: matplotlib, then the heap settled."""
    await warm_charts()
    settle_heap()


def settle_heap() -> None:
    """Collect once, then hide everything still alive from the garbage collector (`gc.freeze`).

    What is alive once the bot has started — modules, content, the libraries' tables, matplotlib — lives as long
    as the process, yet every full collection walks all of it again, one event-loop stall that lands on whatever
    burst of requests is being answered at the time. Frozen, it is no longer walked; full collections look only
    at what was made since start-up (the stall before and after: docs/reliability.md, item 8)."""
    gc.collect()
    gc.freeze()


def guarded(name: str, job: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
    """A scheduled job that logs its failure without its message (which could quote someone's words)."""

    async def run() -> None:
        try:
            await job()
        except Exception as exc:
            log.error("scheduled job %s failed: %s", name, describe_exception(exc))

    return run


class ConfigurationError(RuntimeError):
    pass


def cipher_for(settings: Settings, url: str) -> Cipher:
    """A shared database gets configured keys; only the embedded default may make its own key file."""
    keys = settings.encryption_keys.get_secret_value()
    if not keys.strip() and not url.startswith("sqlite"):
        raise ConfigurationError(
            "ENCRYPTION_KEYS must be set when DATABASE_URL is not SQLite: every instance needs the same keys. "
            "Make one with `boundary-bot keygen`."
        )
    return load_cipher(keys, settings.data_dir, settings.key_folder())


@asynccontextmanager
async def build_app(settings: Settings, *, run_migrations: bool = True, start_jobs: bool = True,
                    screener: Screens | None = None, metrics: Metrics | None = None,
                    warm: bool = True, platforms: Sequence[str] = ()) -> AsyncIterator[App]:
    """`screener` reads every free text for danger; the phrase screen of the content unless one is given.
    `metrics`: this app's counters (a fresh registry unless one is given, with a series at zero for each of
    `platforms`: the registry's names, which the core does not know). `warm`: with the jobs, the start-up
    warm-up (`warm_up`); a script piped into the terminal has no first /history to make quick."""
    content = load_content(settings.content_dir)
    # one screener for the conversation and both community gates
    screen: Screens = screener or Screener(content.phrases, content.screening_head)
    url = normalize_database_url(settings.database_url, settings.data_dir)
    cipher = cipher_for(settings, url)
    engine = make_engine(url)
    scheduler = AsyncIOScheduler(timezone="UTC")
    metrics = metrics or Metrics(platforms)
    warming: asyncio.Task[None] | None = None
    try:
        if run_migrations:
            await migrate(engine, cipher)
        sessions = make_sessionmaker(engine)
        repository = Repository(sessions, cipher)
        schedules = ScheduleStore(sessions)
        crisis_pause = timedelta(hours=settings.crisis_pause_hours)
        pseudonyms = load_pseudonyms(settings.community_secret.get_secret_value(), settings.data_dir,
                                     settings.key_folder())
        store = CommunityStore(sessions, cipher)
        circles = Circles(content, store, repository, pseudonyms, default_country=settings.default_country,
                          screener=screen)
        pulses = Pulses(content, store, repository, pseudonyms, default_country=settings.default_country,
                        pulse_min_respondents=settings.pulse_min_respondents, crisis_pause=crisis_pause,
                        screener=screen)
        conversation = build_conversation(content, repository, tip_history_size=settings.tip_history_size,
                                          screener=screen, default_country=settings.default_country,
                                          crisis_pause=crisis_pause, retention_days=settings.retention_days,
                                          schedules=schedules, default_zone=settings.default_timezone,
                                          circles=circles, pulses=pulses, snoozes=PendingSnoozes(sessions),
                                          metrics=metrics)
        if start_jobs:
            schedule_retention(scheduler, repository, settings.retention_days, conversation.traces, crisis_pause,
                               exports_dir=settings.data_dir / "exports")
            scheduler.start()
            if warm:
                # Import matplotlib and draw once in a worker thread now, so the first /history does not pay ~1 s;
                # then settle the heap.
                warming = asyncio.ensure_future(guarded("warm-up", warm_up)())
        yield App(settings, engine, content, repository, conversation, schedules, scheduler, metrics)
    finally:
        if warming is not None:
            warming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await warming
        if scheduler.running:
            scheduler.pause()  # no new rounds; the ones running finish what they are doing (a query, a send)
            running = _running_jobs(scheduler)
            if running:
                await asyncio.wait(running, timeout=SHUTDOWN_GRACE_SECONDS)
            running = _running_jobs(scheduler)
            scheduler.shutdown(wait=False)  # cancels what is still running (quietly: see CancelledJobFilter)
            if running:  # let them unwind before the engine they use goes
                await asyncio.wait(running, timeout=SHUTDOWN_GRACE_SECONDS)
        await engine.dispose()


SHUTDOWN_GRACE_SECONDS = 5.0


def _running_jobs(scheduler: AsyncIOScheduler) -> list[asyncio.Future[object]]:
    """The tasks of the jobs running now (APScheduler 3 keeps them on its asyncio executor)."""
    executors = getattr(scheduler, "_executors", {})
    pending = getattr(executors.get("default"), "_pending_futures", ())
    return [future for future in pending if not future.done()]


class SkippedRoundFilter(logging.Filter):
    """Drops APScheduler's "skipped: maximum number of running instances reached" warning. Every job here runs
    one round at a time on purpose: a dispatch round goes on while sends are still out (and looks for newly due
    prompts itself), so a skipped start is the design, not a fault, and would otherwise be logged every interval."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("Execution of job")
                    and "maximum number of running instances" in record.msg)


class CancelledJobFilter(logging.Filter):
    """Drops APScheduler's error for a job cancelled by shutdown: stopping is not a fault, and a newcomer
    should not read "Job raised an exception ... CancelledError" at the end of an ordinary run."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and record.exc_info[0] is not None
                    and issubclass(record.exc_info[0], asyncio.CancelledError))


def configure_logging(level: str, log_format: str = "text") -> None:
    """Logs go to stderr, so a terminal adapter's stdout holds only the conversation. `json`: one object a line
    for log shippers."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    for noisy in ("alembic", "aiosqlite", "asyncio", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(existing, SkippedRoundFilter) for existing in scheduler_log.filters):
        scheduler_log.addFilter(SkippedRoundFilter())
    for name in ("apscheduler.executors.default", "sqlalchemy.pool.impl.AsyncAdaptedQueuePool"):
        cancelled_log = logging.getLogger(name)  # a query cut short by shutdown is not an error either
        if not any(isinstance(existing, CancelledJobFilter) for existing in cancelled_log.filters):
            cancelled_log.addFilter(CancelledJobFilter())
