"""Schedules, their shared rules and the delivery outbox in the database: set-based claims, leases, and
their outcomes.

People who chose the same (days, times, zone) share one `schedule_rules` row that knows its next firing; a
schedule keeps what is the person's own (quiet hours, pause, `fires_from`: the first firing that is theirs).
A claim transaction takes up to `RULE_WINDOW` due rules with their member counts, computes each one's next
and latest firing once, in a worker thread, moves them on with one UPDATE from a JSON plan, and queues the
members of those that fit in about `MEMBER_WINDOW` people with one INSERT .. SELECT, filtered in SQL by what
is theirs. A rule with more members keeps its slot on its row (`queue_slot`, `queue_due`, cursor
`queued_through`) and is queued page by page in later transactions; a claim cut short (a crash) is finished
by the next one. No statement's text depends on the number of rules.

PostgreSQL instances split the rules with FOR UPDATE SKIP LOCKED; on SQLite each claim transaction takes the
write lock before it reads. Either way the outbox's unique (schedule, slot) is what makes a prompt exist once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.scheduling.rules import (
    Firing,
    Rule,
    RuleError,
    claim_firings,
    next_firing,
    parse_quiet,
    steady_firing,
    steady_firings,
    zone_info,
)
from bot.storage.models import Delivery, Identity, Schedule, ScheduleRule, utcnow

log = logging.getLogger(__name__)

PARALLEL_CLAIMS = 2  # PostgreSQL: claim on this many connections at once (one per core here)
RULE_WINDOW = {"sqlite": 1000, "postgresql": 2000}  # due rules per transaction (SQLite: bounds the write lock)
MEMBER_WINDOW = 10_000  # people queued per transaction (bounds SQLite's write-lock hold)
PENDING, SENDING, SENT, SKIPPED, FAILED, UNREACHABLE = "pending", "sending", "sent", "skipped", "failed", "unreachable"
CHECKIN = "checkin"
_ONE_TICK = timedelta(microseconds=1)


def format_times(times: Sequence[time]) -> str:
    return ",".join(sorted(at.strftime("%H:%M") for at in times))


def format_quiet(quiet: tuple[time, time] | None) -> str | None:
    return None if quiet is None else f"{quiet[0].strftime('%H:%M')}-{quiet[1].strftime('%H:%M')}"


def parse_rule(days: int, times: str, zone: str, quiet: str | None) -> Rule:
    return Rule(days, tuple(time.fromisoformat(part) for part in times.split(",")), zone,
                parse_quiet(quiet) if quiet else None)


@lru_cache(maxsize=4096)
def rule_of(days: int, times: str, zone: str, quiet: str | None) -> Rule:
    return parse_rule(days, times, zone, quiet)


def person_next(rule: Rule, rule_next_at: datetime, rule_next_slot: str,
                fires_from: datetime | None) -> Firing:
    """A person's next firing: their rule's, unless their own first firing (`fires_from`) is later."""
    if fires_from is None or fires_from <= rule_next_at:
        return Firing(rule_next_at, rule_next_slot)
    return next_firing(rule, fires_from - _ONE_TICK)


# ---------------------------------------------------------------- claim SQL: one text per dialect, never per rule

def _sqlite_time(moment: datetime) -> str:
    """How SQLAlchemy's SQLite DateTime stores a UTC instant; plain text statements bind it as such."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _stamp(moment: datetime, postgres: bool) -> Any:
    return moment if postgres else _sqlite_time(moment)


def _json_time(moment: datetime, postgres: bool) -> str:
    return moment.astimezone(UTC).isoformat() if postgres else _sqlite_time(moment)


def _ids(postgres: bool) -> str:
    """`:ids` as a set in SQL: a PostgreSQL array, or a JSON list on SQLite."""
    return "= ANY(:ids)" if postgres else "IN (SELECT value FROM json_each(:ids))"


def _ids_param(ids: Sequence[int], postgres: bool) -> Any:
    return list(ids) if postgres else json.dumps(list(ids))


def _now_sql(postgres: bool) -> str:
    return "CAST(:now AS TIMESTAMP WITH TIME ZONE)" if postgres else ":now"


def _plan_rows(postgres: bool, columns: str) -> str:
    """A plan computed in Python as rows in SQL: one JSON list of lists in one parameter (`:plan`, built off
    the event loop), so the statement's text never changes. `columns` is "name type, ..." in list order."""
    pairs = [part.split() for part in columns.split(",")]
    if postgres:
        fields = ", ".join(f"CAST(value ->> {index} AS {kind}) AS {name}" for index, (name, kind) in enumerate(pairs))
        return f"(SELECT {fields} FROM json_array_elements(CAST(:plan AS json)))"
    fields = ", ".join(f"json_extract(value, '$[{index}]') AS {name}" for index, (name, _) in enumerate(pairs))
    return f"(SELECT {fields} FROM json_each(:plan))"


def _advance(postgres: bool) -> str:
    plan = _plan_rows(postgres, "rule_id integer, next_at timestamptz, next_slot varchar")
    return f"""
        UPDATE schedule_rules SET next_fire_at = plan.next_at, next_slot = plan.next_slot
        FROM {plan} AS plan WHERE schedule_rules.id = plan.rule_id
    """


def _defer(postgres: bool) -> str:
    """Rules whose members do not fit this transaction: their slot is kept on the rule, to be queued after."""
    plan = _plan_rows(postgres, "rule_id integer, queue_slot varchar, queue_due timestamptz")
    return f"""
        UPDATE schedule_rules SET queue_slot = plan.queue_slot, queue_due = plan.queue_due, queued_through = 0
        FROM {plan} AS plan WHERE schedule_rules.id = plan.rule_id
    """


def _direct_due(postgres: bool) -> str:
    """The members of rules just advanced whose own first firing is not after the slot (from the plan)."""
    plan = _plan_rows(postgres, "rule_id integer, queue_slot varchar, queue_due timestamptz")
    return f"""
        SELECT s.id, s.identity_id, s.platform, s.paused_until, plan.queue_slot, plan.queue_due
        FROM {plan} AS plan JOIN schedules s ON s.rule_id = plan.rule_id
        WHERE (s.fires_from IS NULL OR s.fires_from <= plan.queue_due)
    """


def _queue_direct(postgres: bool) -> str:
    """Queue the due members of rules just advanced, in the same transaction."""
    return _queue_from(_direct_due(postgres), postgres)


def _queue_from(due: str, postgres: bool) -> str:
    """INSERT the not-paused, not-late rows of `due` into the outbox; PostgreSQL also returns how many were due."""
    now = _now_sql(postgres)
    insert = f"""
        INSERT INTO deliveries (schedule_id, identity_id, platform, slot, kind, due_at, status, attempts,
                                next_attempt_at, created_at)
        SELECT id, identity_id, platform, queue_slot, 'prompt', queue_due, 'pending', 0, queue_due, {now}
        FROM {"due" if postgres else f"({due}) AS due"}
        WHERE queue_due >= {"CAST(:oldest AS TIMESTAMP WITH TIME ZONE)" if postgres else ":oldest"}
          AND (paused_until IS NULL OR paused_until <= {now})
        ON CONFLICT (schedule_id, slot) DO NOTHING
    """
    if postgres:
        return f"WITH due AS ({due}), queued AS ({insert} RETURNING 1) SELECT count(*) FROM due"
    return insert


def _count_from(due: str) -> str:
    return f"SELECT count(*) FROM ({due}) AS due"


def _prune(postgres: bool) -> str:
    """Rules nobody holds any more go when they fall due (not earlier: a person may be joining one)."""
    return f"""
        DELETE FROM schedule_rules WHERE id {_ids(postgres)}
          AND NOT EXISTS (SELECT 1 FROM schedules s WHERE s.rule_id = schedule_rules.id)
    """


def _due_members(postgres: bool, bounded: bool) -> str:
    """The members of queueing rules, past each rule's cursor, whose own first firing is not after the slot."""
    return f"""
        SELECT s.id, s.identity_id, s.platform, s.paused_until, r.queue_slot, r.queue_due
        FROM schedule_rules r JOIN schedules s ON s.rule_id = r.id AND s.id > r.queued_through
        WHERE r.id {_ids(postgres)} AND r.queue_due IS NOT NULL
          AND (s.fires_from IS NULL OR s.fires_from <= r.queue_due)
          {"AND s.id <= :upto" if bounded else ""}
    """


def _clear(postgres: bool) -> str:
    return f"""
        UPDATE schedule_rules SET queue_slot = NULL, queue_due = NULL, queued_through = 0
        WHERE id {_ids(postgres)} AND queue_due IS NOT NULL
    """


def _members_left(postgres: bool) -> str:
    return f"""
        SELECT r.id, count(s.id) AS members
        FROM schedule_rules r LEFT JOIN schedules s ON s.rule_id = r.id AND s.id > r.queued_through
        WHERE r.id {_ids(postgres)} AND r.queue_due IS NOT NULL
        GROUP BY r.id
    """


_PAGE = """
    SELECT max(id) AS upto, count(*) AS members FROM (
        SELECT s.id FROM schedules s
        WHERE s.rule_id = :rule AND s.id > (SELECT queued_through FROM schedule_rules WHERE id = :rule)
        ORDER BY s.id LIMIT :window
    ) AS page
"""


@dataclass(frozen=True)
class _Slice:
    """Queueing rules handled in one transaction: several small ones whole, or one large one a page at a time."""

    rules: tuple[int, ...]
    paged: bool


@dataclass
class _WindowPlan:
    """What one claim transaction does to a window of due rules (computed in a worker thread)."""

    advance: dict[str, Any]  # every rule: its next firing
    direct: dict[str, Any]  # rules whose members are queued in this transaction: the slot to queue
    deferred: dict[str, Any]  # rules with more members than fit: the slot, kept on the rule for later
    deferred_ids: list[int]
    empty: list[int]  # rules nobody holds any more


@lru_cache(maxsize=2048)
def _marks_of(times: str) -> tuple[tuple[int, str], ...]:
    return tuple(sorted((int(part[:2]) * 3600 + int(part[3:5]) * 60, part) for part in times.split(",")))


def _plan_window(due: Sequence[Any], now: datetime, window: int, postgres: bool) -> _WindowPlan:
    """The calendar math, once per due rule, and which rules' members fit this transaction."""
    advance: list[tuple[Any, ...]] = []
    direct: list[tuple[Any, ...]] = []
    deferred: list[tuple[Any, ...]] = []
    empty: list[int] = []
    room = window
    now_ts = now.timestamp()
    today: dict[str, int] = {}
    for rule_id, days, times, zone, members in due:
        if not members:
            empty.append(rule_id)
            continue
        try:
            if zone not in today:
                today[zone] = now.astimezone(zone_info(zone)).toordinal()
            found = steady_firings(days, zone, _marks_of(times), today[zone], now_ts)
            if found is None:  # a DST change near: the exact path
                upcoming, latest = claim_firings(parse_rule(days, times, zone, None), now)
            else:
                upcoming, latest = steady_firing(found[0]), None if found[1] is None else steady_firing(found[1])
        except (RuleError, ValueError):
            # A zone the installed tzdata no longer knows: look again tomorrow rather than stop every claim.
            log.warning("schedule rule %s cannot be computed; trying again in a day", rule_id)
            advance.append((rule_id, _json_time(now + timedelta(days=1), postgres), ""))
            continue
        advance.append((rule_id, _json_time(upcoming.at, postgres), upcoming.slot))
        if latest is None:
            continue
        queue = (rule_id, latest.slot, _json_time(latest.at, postgres))
        if members <= room:
            direct.append(queue)
            room -= members
        else:
            deferred.append(queue)
    return _WindowPlan({"plan": json.dumps(advance)}, {"plan": json.dumps(direct)}, {"plan": json.dumps(deferred)},
                       [row[0] for row in deferred], empty)


def _plan_slices(left: Sequence[Any], rules: Sequence[int], window: int) -> list[_Slice]:
    """Pack queueing rules (those among `rules` that `left` lists, with the members each has left) into
    transactions of about `window` people (run in a worker thread)."""
    counts = {int(rule_id): int(members) for rule_id, members in left}
    slices: list[_Slice] = []
    packed: list[int] = []
    size = 0
    for rule_id in (rule for rule in rules if rule in counts):
        members = counts[rule_id]
        if members > window:
            slices.append(_Slice((rule_id,), paged=True))
            continue
        if packed and size + members > window:
            slices.append(_Slice(tuple(packed), paged=False))
            packed, size = [], 0
        packed.append(rule_id)
        size += members
    if packed:
        slices.append(_Slice(tuple(packed), paged=False))
    return slices


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
    """A leased outbox row and what delivery needs to decide about it, read in one query. `attempts`: the sends
    begun for it so far (the dispatcher counts its own once it begins)."""

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
    session_id: str | None = None  # the check-in an attempt that began offered (hold), for a repeat to offer again


def _record(row: Schedule, calendar: ScheduleRule) -> ScheduleRecord:
    rule = rule_of(calendar.days, calendar.times, calendar.zone, row.quiet)
    upcoming = person_next(rule, calendar.next_fire_at, calendar.next_slot, row.fires_from)
    return ScheduleRecord(row.id, row.identity_id, row.kind, row.flow_id, rule, row.paused_until, row.pause_kind,
                          upcoming.at, upcoming.slot, row.unanswered, row.dialdown_asked)


class _StoreBase:
    """What every part of the schedule store shares: its database sessions and its clock."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._now = clock

    @staticmethod
    def _postgres(db: AsyncSession) -> bool:
        return db.get_bind().dialect.name == "postgresql"


class _PersonSchedules(_StoreBase):
    """A person's schedule: read, saved, paused, skipped, deleted."""


    async def _find(self, identity_id: int, kind: str) -> tuple[Schedule, ScheduleRule] | None:
        async with self._sessions() as db:
            found = (await db.execute(
                select(Schedule, ScheduleRule).join(ScheduleRule, ScheduleRule.id == Schedule.rule_id)
                .where(Schedule.identity_id == identity_id, Schedule.kind == kind))).first()
            return (found[0], found[1]) if found else None

    async def get(self, identity_id: int, kind: str = CHECKIN) -> ScheduleRecord | None:
        found = await self._find(identity_id, kind)
        return _record(*found) if found else None

    async def _rule_id(self, db: AsyncSession, rule: Rule, upcoming: Firing) -> int:
        """The id of the shared row for this calendar, created with its next firing if nobody has it yet. An
        upsert, so it takes the write lock (SQLite) or the row lock (PostgreSQL) first: a claim cannot prune
        the row between this and the person joining it."""
        insert = pg_insert if self._postgres(db) else sqlite_insert
        statement = insert(ScheduleRule).values(days=rule.days, times=format_times(rule.times), zone=rule.zone,
                                                next_fire_at=upcoming.at, next_slot=upcoming.slot, queued_through=0)
        statement = statement.on_conflict_do_update(index_elements=["days", "times", "zone"],
                                                    set_={"days": statement.excluded.days})
        return int((await db.execute(statement.returning(ScheduleRule.id))).scalar_one())

    async def save(self, identity_id: int, rule: Rule, flow_id: str, kind: str = CHECKIN, *,
                   platform: str | None = None) -> ScheduleRecord:
        now = self._now()
        upcoming = next_firing(rule, now)
        async with self._sessions() as db, db.begin():
            rule_id = await self._rule_id(db, rule, upcoming)
            row = await db.scalar(select(Schedule).where(Schedule.identity_id == identity_id, Schedule.kind == kind))
            if row is None:
                if platform is None:
                    platform = await db.scalar(select(Identity.platform).where(Identity.id == identity_id))
                row = Schedule(identity_id=identity_id, platform=platform, kind=kind, created_at=now, unanswered=0,
                               dialdown_asked=False)
                db.add(row)
            row.flow_id, row.rule_id, row.quiet = flow_id, rule_id, format_quiet(rule.quiet)
            row.fires_from, row.updated_at = upcoming.at, now  # nothing of this rule before the choice was made
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
        """Move past the person's next firing only (their rule goes on for everyone else); returns the one
        after it."""
        found = await self._find(identity_id, kind)
        if found is None:
            return None
        row, calendar = found
        record = _record(row, calendar)
        assert record.next_fire_at is not None
        following = next_firing(record.rule, record.next_fire_at)
        async with self._sessions() as db, db.begin():
            await db.execute(update(Schedule).where(Schedule.id == record.id,
                                                    Schedule.fires_from.is_not_distinct_from(row.fires_from))
                             .values(fires_from=following.at, updated_at=self._now()))
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
            # Its outbox rows go with it: a delivery without its schedule could never be sent. Its rule stays
            # until it next falls due; a claim then removes it if nobody holds it.
            await db.execute(delete(Delivery).where(Delivery.schedule_id == row.id))
            await db.delete(row)
            return True


class _Claims(_PersonSchedules):
    """Claiming: what is due moves from the shared rules into the outbox, once, whichever instance claims."""


    async def claim_due(self, *, grace: timedelta, batch_size: int | None = None) -> int:
        """Advance every due rule and put its members' prompts in the outbox. Returns the schedules whose due
        firing was handled (queued, or held: paused, or too late to send, which is skipped silently).

        Rules left queueing by a claim that stopped (a crash, another instance) are finished first."""
        now = self._now()
        async with self._sessions() as db:
            postgres = self._postgres(db)
        window = batch_size or MEMBER_WINDOW
        handled = await self._finish_queueing(now, grace, window, postgres)
        claims = await asyncio.gather(*(self._claim_rules(now, grace, window, postgres)
                                        for _ in range(PARALLEL_CLAIMS if postgres else 1)))
        return handled + sum(claims)

    async def _claim_rules(self, now: datetime, grace: timedelta, window: int, postgres: bool) -> int:
        handled = 0
        while True:
            claimed = await self._claim_window(now, grace, window, postgres)
            if claimed is None:
                return handled
            queued, deferred = claimed
            handled += queued
            if deferred:
                handled += await self._queue(deferred, now, grace, window, postgres)

    async def _finish_queueing(self, now: datetime, grace: timedelta, window: int, postgres: bool) -> int:
        handled, after = 0, 0
        while True:
            async with self._sessions() as db:
                rules = list((await db.scalars(
                    select(ScheduleRule.id).where(ScheduleRule.queue_due.is_not(None), ScheduleRule.id > after)
                    .order_by(ScheduleRule.id).limit(RULE_WINDOW["sqlite"]))).all())
            if not rules:
                return handled
            handled += await self._queue(rules, now, grace, window, postgres)
            after = rules[-1]

    async def _claim_window(self, now: datetime, grace: timedelta, window: int,
                            postgres: bool) -> tuple[int, list[int]] | None:
        """One transaction: up to RULE_WINDOW due rules move on, and the members of as many as fit in `window`
        people are queued; the rest keep their slot on the rule (returned, to be queued next). None when
        nothing is due."""
        async with self._sessions() as db, db.begin():
            if postgres:
                # Safe without waiting for the disk: a claim lost in a database crash is simply made again (its
                # rule and outbox rows go together), and a prompt is only sent after its lease is committed
                # durably, which flushes this commit too.
                await db.execute(text("SET LOCAL synchronous_commit = off"))
            else:  # take the write lock first: what is read below is what is written
                await db.execute(text("UPDATE schedule_rules SET queued_through = queued_through WHERE id = -1"))
            due = (await db.execute(text(
                "SELECT r.id, r.days, r.times, r.zone, (SELECT count(*) FROM schedules s WHERE s.rule_id = r.id) "
                "FROM schedule_rules r WHERE r.next_fire_at <= :now AND r.queue_due IS NULL LIMIT :limit"
                + (" FOR UPDATE OF r SKIP LOCKED" if postgres else "")),
                {"now": _stamp(now, postgres), "limit": RULE_WINDOW["postgresql" if postgres else "sqlite"]})).all()
            if not due:
                return None
            plan = await asyncio.to_thread(_plan_window, due, now, window, postgres)
            if plan.empty:
                await db.execute(text(_prune(postgres)), {"ids": _ids_param(plan.empty, postgres)})
            await db.execute(text(_advance(postgres)), plan.advance)
            if plan.deferred_ids:
                await db.execute(text(_defer(postgres)), plan.deferred)
            params = {**self._queue_params(now, grace, postgres), **plan.direct}
            if postgres:
                queued = int((await db.execute(text(_queue_direct(True)), params)).scalar_one())
            else:
                await db.execute(text(_queue_direct(False)), params)
                queued = int((await db.execute(text(_count_from(_direct_due(False))), params)).scalar_one())
            return queued, plan.deferred_ids

    async def _queue(self, rules: Sequence[int], now: datetime, grace: timedelta, window: int,
                     postgres: bool) -> int:
        async with self._sessions() as db:
            left = (await db.execute(text(_members_left(postgres)), {"ids": _ids_param(rules, postgres)})).all()
        slices = await asyncio.to_thread(_plan_slices, left, rules, window)
        handled = 0
        for part in slices:
            if part.paged:
                while (step := await self._queue_page(part.rules[0], now, grace, window, postgres)) is not None:
                    handled += step
            else:
                handled += await self._queue_rules(part.rules, now, grace, postgres)
        return handled

    def _queue_params(self, now: datetime, grace: timedelta, postgres: bool) -> dict[str, Any]:
        return {"now": _stamp(now, postgres), "oldest": _stamp(now - grace, postgres)}

    async def _lock_queueing(self, db: AsyncSession, rules: Sequence[int], postgres: bool) -> list[int]:
        """PostgreSQL: the queueing rules among `rules` that no other instance is working on, locked."""
        if postgres:
            await db.execute(text("SET LOCAL synchronous_commit = off"))
            return list((await db.scalars(text(
                f"SELECT id FROM schedule_rules WHERE id {_ids(True)} AND queue_due IS NOT NULL "
                "ORDER BY id FOR UPDATE SKIP LOCKED"), {"ids": list(rules)})).all())
        return list(rules)  # SQLite: the INSERT takes the write lock and re-reads each rule's state itself

    @staticmethod
    async def _queue_members(db: AsyncSession, params: dict[str, Any], postgres: bool, *, bounded: bool) -> int:
        """Queue the due members of queueing rules; returns how many were due (queued or held)."""
        due = _due_members(postgres, bounded)
        if postgres:
            return int((await db.execute(text(_queue_from(due, True)), params)).scalar_one())
        await db.execute(text(_queue_from(due, False)), params)
        return int((await db.execute(text(_count_from(due)), params)).scalar_one())

    async def _queue_rules(self, rules: Sequence[int], now: datetime, grace: timedelta, postgres: bool) -> int:
        """Queue every remaining member of a few small rules and clear them: one transaction."""
        async with self._sessions() as db, db.begin():
            mine = await self._lock_queueing(db, rules, postgres)
            if not mine:
                return 0
            params = {**self._queue_params(now, grace, postgres), "ids": _ids_param(mine, postgres)}
            handled = await self._queue_members(db, params, postgres, bounded=False)
            await db.execute(text(_clear(postgres)), {"ids": params["ids"]})
            return handled

    async def _queue_page(self, rule: int, now: datetime, grace: timedelta, window: int,
                          postgres: bool) -> int | None:
        """Queue the next `window` members of one large rule (one transaction); None once it is done."""
        async with self._sessions() as db, db.begin():
            if postgres:
                if not await self._lock_queueing(db, [rule], postgres):
                    return None
            else:  # take the write lock before reading the cursor, so the page read is the one written
                taken = await db.execute(text("UPDATE schedule_rules SET queued_through = queued_through "
                                              "WHERE id = :rule AND queue_due IS NOT NULL"), {"rule": rule})
                if not int(getattr(taken, "rowcount", 0) or 0):
                    return None
            page = (await db.execute(text(_PAGE), {"rule": rule, "window": window})).one()
            ids = _ids_param([rule], postgres)
            if page.upto is None:
                await db.execute(text(_clear(postgres)), {"ids": ids})
                return 0
            params = {**self._queue_params(now, grace, postgres), "ids": ids, "upto": int(page.upto)}
            handled = await self._queue_members(db, params, postgres, bounded=True)
            if int(page.members) < window:
                await db.execute(text(_clear(postgres)), {"ids": ids})
            else:
                await db.execute(text("UPDATE schedule_rules SET queued_through = :upto WHERE id = :rule"),
                                 {"upto": int(page.upto), "rule": rule})
            return handled

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


class ScheduleStore(_Claims):
    """Schedules, claims and the outbox (split by responsibility into the classes it builds on); delivering:
    what the outbox holds goes out to the platforms, leased, held, renewed and finished."""


    async def ping(self) -> None:
        """One round trip to the database (raises when it does not answer)."""
        async with self._sessions() as db:
            await db.execute(text("SELECT 1"))

    async def take_back(self, instance: str) -> int:
        """Rows an earlier run of this instance leased and never finished (it died): due again now, ahead of
        their lease's end, and first in line (they keep their place, `lease`). Their attempt count stays: a row
        whose send had begun tells the next attempt that an earlier one may have gone out."""
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                update(Delivery).where(Delivery.status == SENDING,
                                       Delivery.lease_owner.startswith(f"{instance}:", autoescape=True))
                .values(status=PENDING, lease_until=None, reason="taken-back"))
            return int(getattr(result, "rowcount", 0) or 0)

    async def lease(self, *, limit: int, lease_for: timedelta, platforms: Sequence[str],
                    instance: str = "") -> list[DeliveryJob]:
        """Take up to `limit` due outbox rows for the platforms this instance serves, until the lease ends (or
        `renew` extends it), in the order they became due; rows due together in the order they were made, so a row
        taken back (or whose lease ran out) keeps its place ahead of those nobody has tried yet. The lease owner
        names the instance (`take_back`) and this lease. An attempt is counted when its send begins (`hold`)."""
        now = self._now()
        ready = and_(Delivery.platform.in_(list(platforms)),
                     or_(and_(Delivery.status == PENDING, Delivery.next_attempt_at <= now),
                         and_(Delivery.status == SENDING, Delivery.lease_until < now)))
        # whoever holds this token holds the lease; nobody else may finish it
        owner = f"{instance}:{secrets.token_hex(8)}" if instance else secrets.token_hex(8)
        async with self._sessions() as db, db.begin():
            pick = select(Delivery.id).where(ready).order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)
            if self._postgres(db):
                pick = pick.with_for_update(skip_locked=True)
            ids = list((await db.scalars(pick)).all())
            if not ids:
                return []
            leased = list((await db.scalars(
                update(Delivery).where(Delivery.id.in_(ids), ready)
                .values(status=SENDING, lease_until=now + lease_for, lease_owner=owner)
                .returning(Delivery.id))).all())
            if not leased:
                return []
            rows = (await db.execute(
                select(Delivery.id, Delivery.schedule_id, Delivery.identity_id, Delivery.slot, Delivery.kind,
                       Delivery.due_at, Delivery.attempts, Delivery.session_id, Identity.platform,
                       Identity.workspace_id,
                       Identity.user_id, Identity.crisis_at, Identity.unreachable_at, Identity.dm_channel_id,
                       Schedule.flow_id,
                       ScheduleRule.days, ScheduleRule.times, ScheduleRule.zone, Schedule.quiet, Schedule.paused_until,
                       Schedule.unanswered, Schedule.dialdown_asked)
                .join(Identity, Identity.id == Delivery.identity_id)
                .join(Schedule, Schedule.id == Delivery.schedule_id)
                .join(ScheduleRule, ScheduleRule.id == Schedule.rule_id)
                .where(Delivery.id.in_(leased)).order_by(Delivery.next_attempt_at, Delivery.id))).all()
        return [DeliveryJob(row.id, row.schedule_id, row.identity_id, row.slot, row.kind, row.due_at, row.attempts,
                            row.platform, row.workspace_id, row.user_id, row.crisis_at, row.unreachable_at,
                            row.dm_channel_id, row.flow_id, rule_of(row.days, row.times, row.zone, row.quiet),
                            row.paused_until, row.unanswered, row.dialdown_asked, owner, row.session_id)
                for row in rows]

    async def hold(self, job: DeliveryJob, lease_for: timedelta, *, attempt: bool = False,
                   session_id: str | None = None) -> bool:
        """Renew this instance's lease right before sending (with `attempt`: and count the attempt that begins,
        with the check-in it offers); False when it ran out and another instance took the row meanwhile (then this
        one must not send it)."""
        values: dict[str, Any] = {"lease_until": self._now() + lease_for}
        if attempt:
            values["attempts"] = Delivery.attempts + 1
        if session_id is not None:
            values["session_id"] = session_id
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                update(Delivery).where(Delivery.id == job.id, Delivery.status == SENDING,
                                       Delivery.lease_owner == job.lease_owner)
                .values(**values))
            return bool(getattr(result, "rowcount", 0))

    async def renew(self, owners: Sequence[str], lease_for: timedelta) -> int:
        """Extend the leases named by `owners` (this instance's, with sends still out) that are still theirs."""
        if not owners:
            return 0
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                update(Delivery).where(Delivery.status == SENDING, Delivery.lease_owner.in_(list(owners)))
                .values(lease_until=self._now() + lease_for))
            return int(getattr(result, "rowcount", 0) or 0)

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
