"""The delivery side: claim due schedules into the outbox, then drain it to the platforms.

Each outbox row is leased before it is sent, so a second instance cannot take it. Leases are short (`LEASE`) and
renewed while their sends are out, and only about what goes out within seconds is leased at once: a process
restarted after a crash takes back what it had leased at once (a lease names its instance,
`bot/scheduling/instance.py`), and another instance takes a dead one's rows within one lease. Rows go out in the
order they became due, so taken-back rows go first. A send that may be repeated this way (the platform accepted
it, and the process or the database went away before `sent` was recorded) is keyed by its outbox row, so the
platform keeps one copy (`bot.ports.KeyedTransport`). A database outage is a state (`outage.py`): what could not
be written waits in memory and is written when the database answers again. Quiet hours, pauses, vacations and
the crisis pause are checked here, at delivery time.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.bounded import BoundedDict
from bot.logsafe import describe_exception
from bot.messages import Address, Reply
from bot.ops.metrics import Metrics
from bot.ports import RateLimited, TemporaryFailure, Transport, Unreachable, request_cost
from bot.scheduling.outage import DatabaseWatch
from bot.scheduling.pacing import Pacer
from bot.scheduling.rules import DEFAULT_QUIET, in_quiet_hours
from bot.scheduling.store import FAILED, SENT, SKIPPED, DeliveryJob, ScheduleStore
from bot.storage.models import utcnow

log = logging.getLogger(__name__)

LATE_AT_NIGHT_AFTER = timedelta(minutes=5)  # later than this, a prompt no longer goes out at night
LEASE = timedelta(seconds=10)  # renewed every third of it while sends are out: a dead instance frees its rows
TURNS_KEPT = 10_000  # workspaces whose queue for the pacer's tokens is kept
KEPT_WRITES_AT_ONCE = 16  # outcomes kept through a database outage, written this many at a time when it is back


@dataclass(frozen=True)
class Prompt:
    replies: Sequence[Reply]
    session_id: str | None = None
    counts_as_prompt: bool = True


class PromptSource(Protocol):
    async def prompt_for(self, job: DeliveryJob) -> Prompt | str:
        """The messages for a due delivery, or the reason (a short code) to skip it."""
        ...


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    metrics: Metrics | None = field(default=None, repr=False, compare=False)

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if self.metrics is not None:
            self.metrics.skip(reason)


def outbox_key(job: DeliveryJob) -> str:
    """What names a delivery to the platform, the same in every attempt and process: its outbox row."""
    return str(job.id)


class Dispatcher:
    def __init__(self, store: ScheduleStore, prompts: PromptSource, transports: Mapping[str, Transport], *,
                 pacer: Pacer | None = None, clock: Callable[[], datetime] = utcnow,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 grace: timedelta = timedelta(hours=2), crisis_pause: timedelta = timedelta(hours=72),
                 lease_for: timedelta = LEASE, max_attempts: int = 8,
                 batch_size: int | None = None, concurrency: int = 32, send_timeout: float = 60.0,
                 look_again_every: float = 10.0, metrics: Metrics | None = None, instance: str = "",
                 database: DatabaseWatch | None = None) -> None:
        self._store = store
        # A stable identity (instance.py): the first round takes back what an earlier run of it leased.
        self._instance = instance
        self._taken_back = not instance
        # One watch per process: the other jobs that use the database report an outage to the same one.
        self._db = database or DatabaseWatch(store.ping, clock=lambda: self._clock().timestamp(), sleep=sleep)
        self._kept: list[Callable[[], Awaitable[None]]] = []  # writes waiting for the database to answer again
        self._recorded_late = 0
        self._released = 0
        self._metrics = metrics  # counts only: platform, reason codes, durations; never who
        # While sends are still out and the last lease came back short, look for newly due rows (retries whose
        # backoff is over) this often, rather than only once every one of those sends is done.
        self._look_again_every = look_again_every
        # A send the platform never answers must not hold the batch (and so every other prompt) for minutes:
        # after this long it is a temporary failure (its lease is renewed meanwhile).
        self._send_timeout = send_timeout
        self._prompts = prompts
        self._transports = transports
        self._pacer = pacer or Pacer()
        self._clock = clock
        self._sleep = sleep
        self._grace = grace
        self._crisis_pause = crisis_pause
        self._lease_for = lease_for
        self._max_attempts = max_attempts
        # Leased at once: twice what is in flight, so what a process holds goes out within seconds. A kill then
        # holds back little, and the rest of a burst stays free for another instance.
        self._batch_size = batch_size or 2 * concurrency
        self._gate = asyncio.Semaphore(concurrency)
        self._rng = random.Random()
        self._started: dict[int, DeliveryJob] = {}  # rows whose attempt is counted: the send may have begun
        self._turns: BoundedDict[tuple[str, str, bool], asyncio.Lock] = BoundedDict(TURNS_KEPT)

    async def tick(self) -> DispatchStats:
        """One round: claim what is due, then deliver until nothing is ready.

        Sends run as a pipeline, not batch by batch: when half the leased rows are done, more are leased, so
        one slow send (a request the platform holds for 30 s) delays only its own prompt, never the batch. Once
        the outbox is drained, it looks again every `look_again_every` seconds while sends are still out: a
        retry that falls due meanwhile does not wait for the slowest of them."""
        stats = DispatchStats(metrics=self._metrics)
        loop = asyncio.get_running_loop()
        if not await self._settle():
            return stats  # the database is still away: this round is over (it was logged once)
        claim_started = loop.time()
        try:
            if not self._taken_back:
                taken = await self._store.take_back(self._instance)
                self._taken_back = True
                if taken:
                    log.info("took back %d deliveries this instance had leased before it restarted", taken)
            stats.claimed = await self._store.claim_due(grace=self._grace)
        except Exception as exc:
            if await self._db.failed(exc):
                return stats
            raise
        if self._metrics is not None:
            self._metrics.claim(stats.claimed, loop.time() - claim_started)
            self._metrics.heartbeat()
        running: set[asyncio.Task[None]] = set()
        owners: dict[asyncio.Task[None], str] = {}  # each send's lease, renewed while it is out
        renew_every = self._lease_for.total_seconds() / 3
        renew_at = loop.time() + renew_every
        drained = False  # the last lease found less than it asked for: lease again when all are done, or later
        leased_at = loop.time()
        try:
            while True:
                if running and not self._db.down and loop.time() >= renew_at:
                    owners = {task: owner for task, owner in owners.items() if task in running}
                    await self._renew(set(owners.values()))
                    renew_at = loop.time() + renew_every
                if self._db.down:  # the sends already out finish and keep what they cannot write; no more leases
                    if not running:
                        return stats
                    _, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    continue
                limit = self._batch_size - len(running)
                look_again = drained and loop.time() - leased_at >= self._look_again_every
                if limit > 0 and (not running or look_again or (not drained and len(running) <= self._batch_size // 2)):
                    try:
                        jobs = await self._store.lease(limit=limit, lease_for=self._lease_for,
                                                       platforms=list(self._transports), instance=self._instance)
                    except Exception as exc:
                        if await self._db.failed(exc):
                            continue
                        if not running:
                            raise
                        # The database went away: the sends already out finish (and record what they can)
                        # rather than being cancelled with the tick; leasing is tried again later.
                        log.warning("could not lease more deliveries (%s); %d sends already out go on",
                                    describe_exception(exc), len(running))
                        jobs = []
                    drained, leased_at = len(jobs) < limit, loop.time()
                    for job in jobs:  # in the order they became due: the semaphore lets them in first come first
                        task = asyncio.create_task(self._guarded(job, stats))
                        running.add(task)
                        owners[task] = job.lease_owner
                    if not running:
                        return stats
                timeout = renew_at - loop.time()
                if drained:
                    timeout = min(timeout, leased_at + self._look_again_every - loop.time())
                _, running = await asyncio.wait(running, timeout=max(0.0, timeout),
                                                return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in running:
                task.cancel()

    async def _renew(self, owners: set[str]) -> None:
        """Keep this instance's leases while their sends are out; a lease that lapses anyway (the database was
        away) may be taken by another instance, and the keyed send keeps that harmless."""
        try:
            await self._store.renew(sorted(owners), self._lease_for)
        except Exception as exc:
            if not await self._db.failed(exc):
                log.warning("could not renew %d leases: %s", len(owners), describe_exception(exc))

    async def _settle(self) -> bool:
        """Before a round: while the database is away, wait a little for it (bounded back-off, within one
        dispatch interval); once it answers, write what was kept and say so once. False: still away."""
        if not self._db.down and not self._kept:
            return True
        if not await self._db.wait_until_back(self._look_again_every * 0.8):
            return False
        while self._kept:  # written KEPT_WRITES_AT_ONCE at a time: hundreds may wait after a short outage
            batch = self._kept[:KEPT_WRITES_AT_ONCE]
            outcomes = await asyncio.gather(*(write() for write in batch), return_exceptions=True)
            failed = [(write, outcome) for write, outcome in zip(batch, outcomes, strict=True)
                      if isinstance(outcome, Exception)]
            del self._kept[:len(batch)]
            if failed and await self._db.failed(failed[0][1]):
                self._kept[:0] = [write for write, _ in failed]  # a write that failed twice does no harm
                return False
            for _, outcome in failed:
                log.error("a delivery outcome could not be recorded: %s", describe_exception(outcome))
        self._db.back(self._recorded_late, self._released)
        self._recorded_late = self._released = 0
        return True

    async def _write(self, write: Callable[[], Awaitable[None]], *, sent: bool = False) -> None:
        """A delivery's outcome, written now, or kept until the database answers again."""
        try:
            await write()
        except Exception as exc:
            if not await self._db.failed(exc):
                raise
            self._kept.append(write)
            self._recorded_late += sent

    async def _guarded(self, job: DeliveryJob, stats: DispatchStats) -> None:
        async with self._gate:
            try:
                await self._deliver(job, stats)
            except Exception as exc:
                started = self._started.get(job.id)
                if await self._db.failed(exc):
                    # Nothing was sent (the outcomes after a send are kept by _write): the lease is given back
                    # once the database answers, with its attempt uncounted, and the row goes out at once.
                    given_back = started or job
                    self._kept.append(lambda: self._store.retry(given_back, self._clock(), "database",
                                                                counts=started is None))
                    self._released += 1
                    return
                # One bad delivery must not stop the others; it is retried like a temporary failure.
                log.error("delivery %s failed unexpectedly: %s", job.id, describe_exception(exc))
                await self._retry(started or job, stats, "error")
            finally:
                self._started.pop(job.id, None)
            if self._metrics is not None:
                self._metrics.heartbeat()  # progress, even inside one long round

    def hold_reason(self, job: DeliveryJob, now: datetime) -> str | None:
        """Why a due prompt must not go out now, checked at delivery time."""
        if job.unreachable_at is not None:
            return "unreachable"
        if job.paused_until is not None and job.paused_until > now:
            return "paused"
        if job.crisis_at is not None and now - job.crisis_at < self._crisis_pause:
            return "crisis-pause"
        if now - job.due_at > self._grace:
            return "late"
        if in_quiet_hours(now.astimezone(job.rule.tz), job.rule.quiet):
            return "quiet-hours"
        if job.rule.quiet is None and now - job.due_at > LATE_AT_NIGHT_AFTER \
                and in_quiet_hours(now.astimezone(job.rule.tz), DEFAULT_QUIET) \
                and not in_quiet_hours(job.due_at.astimezone(job.rule.tz), DEFAULT_QUIET):
            # No quiet hours asked for: the chosen times stand, but a prompt running late never spills into
            # the night (21:00-08:00) when its own time was not at night.
            return "quiet-hours"
        return None

    async def _deliver(self, job: DeliveryJob, stats: DispatchStats) -> None:
        reason = self.hold_reason(job, self._clock())
        transport = self._transports.get(job.platform)
        if reason is None and transport is None:
            reason = "no-transport"
        if reason is not None:
            await self._write(lambda: self._store.finish(job, SKIPPED, reason=reason))
            stats.skip(reason)
            return
        assert transport is not None
        address = Address(job.platform, job.workspace_id, job.user_id, job.dm_channel_id or "")
        prompt = await self._prompts.prompt_for(job)
        if isinstance(prompt, str):
            skipped = prompt
            await self._write(lambda: self._store.finish(job, SKIPPED, reason=skipped))
            stats.skip(skipped)
            return
        # Paced right before the send, so the database work above never bunches requests into one second; the
        # token pays for one request, and a send that needs more (opening a DM first) pays the rest. After an
        # attempt whose outcome is unknown, a keyed transport may look for that attempt's copy first (no attempt
        # went out before the due time): that look is paced by its own limit.
        maybe_sent_since = job.due_at if job.attempts > 0 else None
        await self._paced(address)
        if maybe_sent_since is not None and callable(getattr(transport, "send_keyed", None)):
            await self._paced(address, lookup=True)
        # The lease is still this instance's, renewed, and the attempt counts from here: a row taken back after
        # a crash whose send had not begun is sent without a look for an earlier copy.
        if not await self._store.hold(job, self._lease_for, attempt=True, session_id=prompt.session_id):
            stats.skip("lease-lost")  # its lease lapsed (the database was away) and another instance has it
            return
        job = self._started[job.id] = replace(job, attempts=job.attempts + 1)
        self._pacer.charge(address, request_cost(transport, address, prompt.replies) - 1)
        try:
            await asyncio.wait_for(send_attempt(transport, job, address, prompt.replies, maybe_sent_since),
                                   self._send_timeout)
        except TimeoutError:
            log.warning("a %s send got no answer within %.0f s; it will be tried again", job.platform,
                        self._send_timeout)
            self._respond(job.platform, "timeout")
            await self._retry(job, stats, "timeout")
        except RateLimited as limited:
            self._respond(job.platform, "429")
            self._pacer.back_off(address, limited.retry_after)
            await self._retry(job, stats, "rate-limited", after=limited.retry_after)
        except Unreachable:
            await self._write(lambda: self._store.mark_unreachable(job))
            stats.unreachable += 1
            if self._metrics is not None:
                self._metrics.mark_unreachable(job.platform)
        except TemporaryFailure:
            self._respond(job.platform, "5xx")
            await self._retry(job, stats, "temporary")
        else:
            sent = prompt
            await self._write(lambda: self._store.finish(job, SENT, session_id=sent.session_id,
                                                         prompted=sent.counts_as_prompt), sent=True)
            stats.sent += 1
            if self._metrics is not None:
                self._metrics.delivered(job.platform, (self._clock() - job.due_at).total_seconds())

    async def _paced(self, address: Address, *, lookup: bool = False) -> None:
        """Wait until the pacer lets a request (or a look-up) to `address` go. Sends waiting for the same budget
        take turns, first come first served: were they all to ask again whenever a token came, which one got
        it would be chance, and a prompt taken back after a crash could wait behind a whole burst."""
        key = (address.platform, address.workspace_id, lookup)
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = asyncio.Lock()
        async with turn:
            while (wait := self._pacer.delay(address, lookup=lookup)) > 0:
                await self._sleep(wait)

    def _respond(self, platform: str, cls: str) -> None:
        if self._metrics is not None:
            self._metrics.response(platform, cls)

    async def _retry(self, job: DeliveryJob, stats: DispatchStats, reason: str, *, after: float | None = None) -> None:
        if after is not None:  # the platform said when: wait that long, and it is no failed attempt
            at = self._clock() + timedelta(seconds=after)
            await self._write(lambda: self._store.retry(job, at, reason, counts=False))
            stats.retried += 1
            if self._metrics is not None:
                self._metrics.retry(job.platform, reason)
            return
        if job.attempts >= self._max_attempts:
            await self._write(lambda: self._store.finish(job, FAILED, reason=reason))
            stats.failed += 1
            if self._metrics is not None:
                self._metrics.give_up(job.platform)
            return
        after = min(300.0, 2.0 ** job.attempts) * (0.5 + self._rng.random())  # backoff with jitter, bounded
        at = self._clock() + timedelta(seconds=after)
        await self._write(lambda: self._store.retry(job, at, reason))
        stats.retried += 1
        if self._metrics is not None:
            self._metrics.retry(job.platform, reason)


async def send_attempt(transport: Transport, job: DeliveryJob, address: Address, replies: Sequence[Reply],
                       maybe_sent_since: datetime | None) -> None:
    """One attempt, keyed by the outbox row where the transport can make it safe to repeat. An attempt after a
    started one may follow one whose outcome is unknown (lost to a timeout, a crash or the database)."""
    keyed = getattr(transport, "send_keyed", None)
    if callable(keyed):
        if await keyed(address, replies, outbox_key(job), maybe_sent_since=maybe_sent_since):
            log.info("a %s prompt was already delivered by an earlier attempt; recorded as sent", job.platform)
        return
    await transport.send(address, replies)
