"""Schedules and the delivery outbox in the database: set-based claims, leases, and their outcomes.

Claiming (schedules -> outbox) reads due rows in batches, computes the next firing once per distinct
(days, times, zone), advances every row of a group in one statement, and inserts outbox rows keyed
(schedule, slot) with ON CONFLICT DO NOTHING. On PostgreSQL each id window is claimed under an advisory
lock, so instances split the work; on SQLite the write lock serialises them. Either way the unique key is what
makes a prompt exist once.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.scheduling.rules import Firing, Rule, last_firing_at_or_before, next_firing, parse_quiet
from bot.storage.models import Delivery, Identity, Schedule, UTCDateTime, utcnow

CLAIM_LOCK_KEY = 0x62620C1A  # PostgreSQL advisory lock space of claim windows ("bb" claims)
PARALLEL_WINDOWS = 2  # PostgreSQL: claim this many id windows at once (measured on 2 cores)
PENDING, SENDING, SENT, SKIPPED, FAILED, UNREACHABLE = "pending", "sending", "sent", "skipped", "failed", "unreachable"
CHECKIN = "checkin"


def format_times(times: Sequence[time]) -> str:
    return ",".join(sorted(at.strftime("%H:%M") for at in times))


def format_quiet(quiet: tuple[time, time] | None) -> str | None:
    return None if quiet is None else f"{quiet[0].strftime('%H:%M')}-{quiet[1].strftime('%H:%M')}"


@lru_cache(maxsize=4096)
def rule_of(days: int, times: str, zone: str, quiet: str | None) -> Rule:
    parsed = tuple(time.fromisoformat(part) for part in times.split(","))
    return Rule(days, parsed, zone, parse_quiet(quiet) if quiet else None)


@dataclass(frozen=True)
class _GroupPlan:
    """One distinct rule among the due schedules, and what claiming does to its rows."""

    days: int
    times: str
    zone: str
    upcoming: Firing
    latest: Firing | None  # the slot to queue, or None when it is too late to send


@dataclass(frozen=True)
class _ClaimSql:
    """CASE expressions choosing each due row's next firing and queued slot by its rule, as SQL text with
    bound parameters: built once per claim, used by every window, compiled by neither SQLAlchemy nor Python
    per row. The queued RETURNING columns of PostgreSQL evaluate on the row's old (days, times, zone), which
    a claim never changes."""

    next_at: str
    next_slot: str
    queue_slot: str
    queue_due: str
    senders: bool
    params: dict[str, Any]
    next_types: tuple[Any, ...]  # typed bind parameters of next_at (and :now)
    queue_types: tuple[Any, ...]  # typed bind parameters of queue_due (and :now)


def _claim_sql(plans: Sequence[_GroupPlan]) -> _ClaimSql:
    params: dict[str, Any] = {}
    next_types: list[Any] = [bindparam("now", type_=UTCDateTime())]
    queue_types: list[Any] = [bindparam("now", type_=UTCDateTime())]
    whens_next, whens_slot, whens_due, whens_qslot = [], [], [], []
    for index, plan in enumerate(plans):
        match = f"days = :d{index} AND times = :t{index} AND zone = :z{index}"
        params.update({f"d{index}": plan.days, f"t{index}": plan.times, f"z{index}": plan.zone,
                       f"n{index}": plan.upcoming.at, f"ns{index}": plan.upcoming.slot})
        next_types.append(bindparam(f"n{index}", type_=UTCDateTime()))
        whens_next.append(f"WHEN {match} THEN :n{index}")
        whens_slot.append(f"WHEN {match} THEN :ns{index}")
        if plan.latest is not None:
            params.update({f"l{index}": plan.latest.at, f"ls{index}": plan.latest.slot})
            queue_types.append(bindparam(f"l{index}", type_=UTCDateTime()))
            whens_due.append(f"WHEN {match} THEN :l{index}")
            whens_qslot.append(f"WHEN {match} THEN :ls{index}")
    return _ClaimSql(
        next_at=f"CASE {' '.join(whens_next)} ELSE next_fire_at END",
        next_slot=f"CASE {' '.join(whens_slot)} ELSE next_slot END",
        queue_slot=f"CASE {' '.join(whens_qslot)} END" if whens_qslot else "CAST(NULL AS VARCHAR)",
        queue_due=f"CASE {' '.join(whens_due)} END" if whens_due else "CAST(NULL AS TIMESTAMP WITH TIME ZONE)",
        senders=bool(whens_qslot), params=params, next_types=tuple(next_types), queue_types=tuple(queue_types))


@dataclass(frozen=True)
class ScheduleRecord:
    id: int
    identity_id: int
    kind: str
    flow_id: str
    rule: Rule
    paused_until: datetime | None
    pause_kind: str | None
    next_fire_at: datetime | None
    next_slot: str | None
    unanswered: int
    dialdown_asked: bool

    def paused(self, now: datetime) -> bool:
        return self.paused_until is not None and self.paused_until > now


@dataclass(frozen=True)
class DeliveryJob:
    """A leased outbox row and what delivery needs to decide about it, read in one query."""

    id: int
    schedule_id: int
    identity_id: int
    slot: str
    kind: str
    due_at: datetime
    attempts: int
    platform: str
    workspace_id: str
    user_id: str
    crisis_at: datetime | None
    unreachable_at: datetime | None
    dm_channel_id: str | None
    flow_id: str
    rule: Rule
    paused_until: datetime | None
    unanswered: int
    dialdown_asked: bool
    lease_owner: str = ""


def _record(row: Schedule) -> ScheduleRecord:
    return ScheduleRecord(row.id, row.identity_id, row.kind, row.flow_id,
                          rule_of(row.days, row.times, row.zone, row.quiet), row.paused_until, row.pause_kind,
                          row.next_fire_at, row.next_slot, row.unanswered, row.dialdown_asked)


class ScheduleStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._now = clock

    @staticmethod
    def _postgres(db: AsyncSession) -> bool:
        return db.get_bind().dialect.name == "postgresql"

    # ------------------------------------------------------------ a person's schedule

    async def get(self, identity_id: int, kind: str = CHECKIN) -> ScheduleRecord | None:
        async with self._sessions() as db:
            row = await db.scalar(select(Schedule).where(Schedule.identity_id == identity_id, Schedule.kind == kind))
            return _record(row) if row else None

    async def save(self, identity_id: int, rule: Rule, flow_id: str, kind: str = CHECKIN, *,
                   platform: str | None = None) -> ScheduleRecord:
        now = self._now()
        upcoming = next_firing(rule, now)
        async with self._sessions() as db, db.begin():
            row = await db.scalar(select(Schedule).where(Schedule.identity_id == identity_id, Schedule.kind == kind))
            if row is None:
                if platform is None:
                    platform = await db.scalar(select(Identity.platform).where(Identity.id == identity_id))
                row = Schedule(identity_id=identity_id, platform=platform, kind=kind, created_at=now, unanswered=0,
                               dialdown_asked=False)
                db.add(row)
            row.flow_id, row.days, row.times, row.zone = flow_id, rule.days, format_times(rule.times), rule.zone
            row.quiet = format_quiet(rule.quiet)
            row.next_fire_at, row.next_slot, row.updated_at = upcoming.at, upcoming.slot, now
            row.unanswered, row.dialdown_asked = 0, False
        saved = await self.get(identity_id, kind)
        assert saved is not None
        return saved

    async def set_pause(self, identity_id: int, until: datetime | None, pause_kind: str | None) -> bool:
        async with self._sessions() as db, db.begin():
            result = await db.execute(update(Schedule).where(Schedule.identity_id == identity_id)
                                      .values(paused_until=until, pause_kind=pause_kind, updated_at=self._now(),
                                              unanswered=0, dialdown_asked=False))
            return bool(getattr(result, "rowcount", 0))

    async def skip_next(self, identity_id: int, kind: str = CHECKIN) -> Firing | None:
        """Move past the next firing only; returns the one after it."""
        record = await self.get(identity_id, kind)
        if record is None or record.next_fire_at is None:
            return None
        following = next_firing(record.rule, record.next_fire_at)
        async with self._sessions() as db, db.begin():
            await db.execute(update(Schedule).where(Schedule.id == record.id,
                                                    Schedule.next_fire_at == record.next_fire_at)
                             .values(next_fire_at=following.at, next_slot=following.slot, updated_at=self._now()))
        return following

    async def set_dialdown(self, schedule_id: int, *, asked: bool, reset_unanswered: bool = False) -> None:
        values: dict[str, Any] = {"dialdown_asked": asked}
        if reset_unanswered:
            values["unanswered"] = 0
        async with self._sessions() as db, db.begin():
            await db.execute(update(Schedule).where(Schedule.id == schedule_id).values(**values))

    async def reset_unanswered(self, identity_id: int) -> None:
        async with self._sessions() as db, db.begin():
            await db.execute(update(Schedule).where(Schedule.identity_id == identity_id)
                             .values(unanswered=0, dialdown_asked=False))

    async def delete(self, identity_id: int, kind: str = CHECKIN) -> bool:
        async with self._sessions() as db, db.begin():
            row = await db.scalar(select(Schedule).where(Schedule.identity_id == identity_id, Schedule.kind == kind))
            if row is None:
                return False
            # Its outbox rows go with it: a delivery without its schedule could never be sent.
            await db.execute(delete(Delivery).where(Delivery.schedule_id == row.id))
            await db.delete(row)
            return True

    # ------------------------------------------------------------ claiming: schedules -> outbox

    async def claim_due(self, *, grace: timedelta, batch_size: int | None = None) -> int:
        """Move every due schedule forward and put its prompt in the outbox. Returns schedules claimed.

        Set-based and page-local: the due rows are walked in windows of ids; in each window one UPDATE
        moves every due row on, choosing its next firing by its (days, times, zone) with a CASE, and one
        INSERT .. SELECT queues the prompts. The calendar math runs once per distinct rule, and no schedule
        row travels through Python."""
        now = self._now()
        async with self._sessions() as db:
            # Measured (benchmarks/scheduling.py): SQLite is fastest with few, large write transactions;
            # PostgreSQL with windows of about 10,000 rows.
            postgres = self._postgres(db)
            window = batch_size or (10_000 if postgres else 50_000)
            groups = (await db.execute(select(Schedule.days, Schedule.times, Schedule.zone)
                                       .where(Schedule.next_fire_at <= now).distinct())).all()
            if not groups:
                return 0
            bounds = (await db.execute(select(func.min(Schedule.id), func.max(Schedule.id))
                                       .where(Schedule.next_fire_at <= now))).one()
            low: int | None = bounds[0]
            high: int | None = bounds[1]
        if low is None or high is None:  # another instance claimed them a moment ago
            return 0
        plans: list[_GroupPlan] = []
        for days, times, zone in groups:
            rule = rule_of(days, times, zone, None)
            latest = last_firing_at_or_before(rule, now)
            send = latest is not None and now - latest.at <= grace  # long overdue: skipped silently
            plans.append(_GroupPlan(days, times, zone, next_firing(rule, now), latest if send else None))
        claim = _claim_sql(plans)
        if postgres:  # one grid for every instance, so that a window is either theirs or ours (see the lock)
            low = int(low) // window * window
        starts = list(range(int(low), int(high) + 1, window))
        if not postgres:  # SQLite has one writer: windows go one after the other
            return sum([await self._claim_window(now, start, start + window - 1, claim) for start in starts])
        # PostgreSQL writes windows in parallel on separate connections (rows never overlap between windows).
        total = 0
        for index in range(0, len(starts), PARALLEL_WINDOWS):
            claimed = await asyncio.gather(*(self._claim_window(now, start, start + window - 1, claim)
                                             for start in starts[index:index + PARALLEL_WINDOWS]))
            total += sum(claimed)
        return total

    async def _claim_window(self, now: datetime, low: int, high: int, claim: _ClaimSql) -> int:
        params = {**claim.params, "now": now, "low": low, "high": high}
        async with self._sessions() as db, db.begin():
            if self._postgres(db):
                return await self._claim_window_postgres(db, claim, params)
            # Plain SQL, built once per claim: compiling 4 CASE expressions of every rule with the SQL
            # expression language ran on the event loop (measured: 24-48 ms stalls at 20 rules).
            if claim.senders:
                await db.execute(text(f"""
                    INSERT INTO deliveries (schedule_id, identity_id, platform, slot, kind, due_at, status,
                                            attempts, next_attempt_at, created_at)
                    SELECT id, identity_id, platform, {claim.queue_slot}, 'prompt', {claim.queue_due}, 'pending', 0,
                           {claim.queue_due}, :now
                    FROM schedules
                    WHERE id BETWEEN :low AND :high AND next_fire_at <= :now AND {claim.queue_slot} IS NOT NULL
                      AND (paused_until IS NULL OR paused_until <= :now)
                    ON CONFLICT (schedule_id, slot) DO NOTHING
                """).bindparams(*claim.queue_types), params)
            # No OR of the groups in the WHERE: SQLite would then seek each group's index range once per
            # window. The id range keeps each statement to its own pages; CASE picks the group.
            result = await db.execute(text(f"""
                UPDATE schedules SET next_fire_at = {claim.next_at}, next_slot = {claim.next_slot}
                WHERE id BETWEEN :low AND :high AND next_fire_at <= :now
            """).bindparams(*claim.next_types), params)
            return int(getattr(result, "rowcount", 0) or 0)

    @staticmethod
    async def _claim_window_postgres(db: AsyncSession, claim: _ClaimSql, params: dict[str, Any]) -> int:
        # Instances split the work a window at a time: whoever holds this window's advisory lock claims it,
        # the others go on to the next (like SKIP LOCKED, without locking every row first: that cost a second
        # write per row, about 17% of the time at 1,000,000). Row locks still keep it exact if windows of
        # different sizes overlap: a row another instance moved meanwhile is re-checked against
        # next_fire_at <= :now (READ COMMITTED) and left alone.
        # Safe without waiting for the disk: a claim lost in a database crash is simply claimed again (its
        # schedule and outbox rows go together), and a prompt is only sent after its lease is committed
        # durably, which flushes this commit too.
        await db.execute(text("SET LOCAL synchronous_commit = off"))
        low, high = int(params["low"]), int(params["high"])
        ours = (await db.execute(text("SELECT pg_try_advisory_xact_lock(:key, :window)"),
                                 {"key": CLAIM_LOCK_KEY, "window": low // max(1, high - low + 1)})).scalar()
        if not ours:
            return 0
        statement = text(f"""
            WITH moved AS (
                UPDATE schedules
                SET next_fire_at = {claim.next_at}, next_slot = {claim.next_slot}
                WHERE id BETWEEN :low AND :high AND next_fire_at <= :now
                RETURNING id, identity_id, platform, paused_until,
                          {claim.queue_slot} AS queue_slot, {claim.queue_due} AS queue_due
            ), queued AS (
                INSERT INTO deliveries (schedule_id, identity_id, platform, slot, kind, due_at, status, attempts,
                                        next_attempt_at, created_at)
                SELECT id, identity_id, platform, queue_slot, 'prompt', queue_due, 'pending', 0, queue_due, :now
                FROM moved
                WHERE queue_slot IS NOT NULL AND (paused_until IS NULL OR paused_until <= :now)
                ON CONFLICT (schedule_id, slot) DO NOTHING
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM moved) AS moved
        """).bindparams(*claim.next_types, *claim.queue_types[1:])
        row = (await db.execute(statement, params)).one()
        return int(row.moved)

    async def add_extra(self, schedule_id: int, identity_id: int, slot: str, kind: str, at: datetime, *,
                        replace_pending: bool = False) -> bool:
        """A one-off delivery (a snooze, say); False when that slot already exists. With `replace_pending`,
        an existing one that has not gone out yet is moved to `at` instead."""
        async with self._sessions() as db, db.begin():
            insert = pg_insert if self._postgres(db) else sqlite_insert
            platform = await db.scalar(select(Schedule.platform).where(Schedule.id == schedule_id))
            result = await db.execute(
                insert(Delivery).values(schedule_id=schedule_id, identity_id=identity_id, platform=platform,
                                        slot=slot, kind=kind,
                                        due_at=at, status=PENDING, attempts=0, next_attempt_at=at,
                                        created_at=self._now())
                .on_conflict_do_update(index_elements=["schedule_id", "slot"],
                                       set_={"due_at": at, "next_attempt_at": at},
                                       where=Delivery.status == PENDING)
                if replace_pending else
                insert(Delivery).values(schedule_id=schedule_id, identity_id=identity_id, platform=platform,
                                        slot=slot, kind=kind, due_at=at, status=PENDING, attempts=0,
                                        next_attempt_at=at, created_at=self._now())
                .on_conflict_do_nothing(index_elements=["schedule_id", "slot"]))
            return bool(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------ delivering: outbox -> platforms

    async def lease(self, *, limit: int, lease_for: timedelta, platforms: Sequence[str]) -> list[DeliveryJob]:
        """Take up to `limit` due outbox rows for the platforms this instance serves, until the lease ends."""
        now = self._now()
        ready = and_(Delivery.platform.in_(list(platforms)),
                     or_(and_(Delivery.status == PENDING, Delivery.next_attempt_at <= now),
                         and_(Delivery.status == SENDING, Delivery.lease_until < now)))
        owner = secrets.token_hex(8)  # whoever holds this token holds the lease; nobody else may finish it
        async with self._sessions() as db, db.begin():
            pick = select(Delivery.id).where(ready).order_by(Delivery.next_attempt_at).limit(limit)
            if self._postgres(db):
                pick = pick.with_for_update(skip_locked=True)
            ids = list((await db.scalars(pick)).all())
            if not ids:
                return []
            leased = list((await db.scalars(
                update(Delivery).where(Delivery.id.in_(ids), ready)
                .values(status=SENDING, lease_until=now + lease_for, lease_owner=owner,
                        attempts=Delivery.attempts + 1)
                .returning(Delivery.id))).all())
            if not leased:
                return []
            rows = (await db.execute(
                select(Delivery.id, Delivery.schedule_id, Delivery.identity_id, Delivery.slot, Delivery.kind,
                       Delivery.due_at, Delivery.attempts, Identity.platform, Identity.workspace_id,
                       Identity.user_id, Identity.crisis_at, Identity.unreachable_at, Identity.dm_channel_id,
                       Schedule.flow_id,
                       Schedule.days, Schedule.times, Schedule.zone, Schedule.quiet, Schedule.paused_until,
                       Schedule.unanswered, Schedule.dialdown_asked)
                .join(Identity, Identity.id == Delivery.identity_id)
                .join(Schedule, Schedule.id == Delivery.schedule_id)
                .where(Delivery.id.in_(leased)).order_by(Delivery.due_at))).all()
        return [DeliveryJob(row.id, row.schedule_id, row.identity_id, row.slot, row.kind, row.due_at, row.attempts,
                            row.platform, row.workspace_id, row.user_id, row.crisis_at, row.unreachable_at,
                            row.dm_channel_id, row.flow_id, rule_of(row.days, row.times, row.zone, row.quiet),
                            row.paused_until, row.unanswered, row.dialdown_asked, owner) for row in rows]

    async def hold(self, job: DeliveryJob, lease_for: timedelta) -> bool:
        """Renew this instance's lease right before sending; False when it ran out and another instance
        took the row meanwhile (then this one must not send it)."""
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                update(Delivery).where(Delivery.id == job.id, Delivery.status == SENDING,
                                       Delivery.lease_owner == job.lease_owner)
                .values(lease_until=self._now() + lease_for))
            return bool(getattr(result, "rowcount", 0))

    async def finish(self, job: DeliveryJob, status: str, *, reason: str | None = None,
                     session_id: str | None = None, prompted: bool = False) -> None:
        now = self._now()
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                update(Delivery).where(Delivery.id == job.id, Delivery.status == SENDING,
                                       Delivery.lease_owner == job.lease_owner)
                .values(status=status, reason=reason, session_id=session_id, lease_until=None,
                        sent_at=now if status == SENT else None))
            if prompted and int(getattr(result, "rowcount", 0) or 0):
                await db.execute(update(Schedule).where(Schedule.id == job.schedule_id)
                                 .values(unanswered=Schedule.unanswered + 1))

    async def retry(self, job: DeliveryJob, at: datetime, reason: str, *, counts: bool = True) -> None:
        """Try again at `at`. A wait the platform asked for (`counts=False`) does not use up an attempt:
        rate limits end by themselves, and lateness (the grace period) bounds how long a prompt waits."""
        values: dict[str, Any] = {"status": PENDING, "next_attempt_at": at, "lease_until": None, "reason": reason}
        if not counts:
            values["attempts"] = Delivery.attempts - 1
        async with self._sessions() as db, db.begin():
            await db.execute(update(Delivery).where(Delivery.id == job.id, Delivery.status == SENDING,
                                                    Delivery.lease_owner == job.lease_owner)
                             .values(**values))

    async def mark_unreachable(self, job: DeliveryJob) -> None:
        now = self._now()
        async with self._sessions() as db, db.begin():
            await db.execute(update(Delivery).where(Delivery.id == job.id, Delivery.lease_owner == job.lease_owner)
                             .values(status=UNREACHABLE, reason="dms-closed", lease_until=None))
            await db.execute(update(Identity).where(Identity.id == job.identity_id).values(unreachable_at=now))

    async def latest_prompt(self, identity_id: int) -> tuple[int, int, str, str | None] | None:
        """(delivery id, schedule id, slot, session id) of the last prompt sent to a person."""
        async with self._sessions() as db:
            row = (await db.execute(
                select(Delivery.id, Delivery.schedule_id, Delivery.slot, Delivery.session_id)
                .where(Delivery.schedule_id.in_(select(Schedule.id).where(Schedule.identity_id == identity_id)),
                       Delivery.status == SENT)
                .order_by(Delivery.sent_at.desc(), Delivery.id.desc()).limit(1))).first()
            return (row.id, row.schedule_id, row.slot, row.session_id) if row else None

    async def counts(self) -> dict[str, int]:
        async with self._sessions() as db:
            rows = (await db.execute(select(Delivery.status, func.count()).group_by(Delivery.status))).all()
            return {status: int(count) for status, count in rows}
