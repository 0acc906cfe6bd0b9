"""What the database says about delivery: the outbox and the last hour, as counts. No row is ever read
whole; nothing here selects who a delivery was for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.scheduling.store import PENDING, SENDING, SENT
from bot.storage.models import Delivery, utcnow

LATE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Outbox:
    depth: int
    oldest_due: datetime | None
    oldest_ready: datetime | None = None  # the earliest moment a waiting delivery could have been sent

    def waiting_since(self, now: datetime) -> float:
        """Seconds the longest-ready waiting delivery has been ready to go (0 when none is)."""
        return max(0.0, (now - self.oldest_ready).total_seconds()) if self.oldest_ready is not None else 0.0

    def oldest_age(self, now: datetime) -> float:
        return max(0.0, (now - self.oldest_due).total_seconds()) if self.oldest_due is not None else 0.0


@dataclass(frozen=True)
class LastHour:
    """Deliveries due in the last hour, by what became of them (`skipped:<reason>` for skips)."""

    by_outcome: dict[str, int] = field(default_factory=dict)
    late: int = 0  # sent more than LATE_AFTER after they were due

    @property
    def total(self) -> int:
        return sum(self.by_outcome.values())


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None) if moment.tzinfo is not None else moment


def _aware(moment: datetime | None, like: datetime) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=like.tzinfo) if moment.tzinfo is None and like.tzinfo is not None else moment


async def outbox(engine: AsyncEngine, now: datetime | None = None) -> Outbox:
    now = now or utcnow()
    async with engine.connect() as db:
        depth, oldest, ready = (await db.execute(
            select(func.count(), func.min(Delivery.due_at), func.min(Delivery.next_attempt_at))
            .where(Delivery.status.in_((PENDING, SENDING))))).one()
    return Outbox(int(depth), _aware(oldest, now), _aware(ready, now))


async def last_hour(engine: AsyncEngine, now: datetime | None = None) -> LastHour:
    now = now or utcnow()
    since = now - timedelta(hours=1)
    async with engine.connect() as db:
        rows = (await db.execute(
            select(Delivery.status, Delivery.reason, func.count()).where(Delivery.due_at >= since)
            .group_by(Delivery.status, Delivery.reason))).all()
        sent_rows = (await db.execute(
            select(Delivery.due_at, Delivery.sent_at).where(Delivery.due_at >= since, Delivery.status == SENT))).all()
    by_outcome: dict[str, int] = {}
    for status, reason, count in rows:
        key = f"{status}:{reason}" if status == "skipped" and reason else str(status)
        by_outcome[key] = by_outcome.get(key, 0) + int(count)
    late = sum(1 for due, sent in sent_rows if sent is not None and _naive(sent) - _naive(due) > LATE_AFTER)
    return LastHour(by_outcome, late)


@dataclass(frozen=True)
class Report:
    """`boundary-bot status`: readiness as the database sees it, the outbox, and the last hour."""

    problems: dict[str, str]
    schema: str | None
    outbox: Outbox | None
    last_hour: LastHour | None
    now: datetime

    def as_json(self) -> dict[str, object]:
        box = self.outbox
        hour = self.last_hour
        return {
            "ready": not self.problems, "not_ready": self.problems, "schema": self.schema,
            "outbox": None if box is None else {"depth": box.depth, "oldest_due_age_seconds":
                                                round(box.oldest_age(self.now), 1)},
            "last_hour": None if hour is None else {"due": hour.total, "late": hour.late, **hour.by_outcome},
        }

    def lines(self) -> list[str]:
        out = [f"ready: {'yes' if not self.problems else 'NO'}"]
        out.extend(f"  not ready: {name}: {why}" for name, why in self.problems.items())
        if self.schema is not None:
            out.append(f"schema: {self.schema}")
        if self.outbox is not None:
            age = self.outbox.oldest_age(self.now)
            oldest = f", oldest due {age / 60:.1f} min ago" if self.outbox.depth else ""
            out.append(f"outbox: {self.outbox.depth} waiting{oldest}")
        if self.last_hour is not None:
            hour = self.last_hour
            parts = ", ".join(f"{name} {count}" for name, count in sorted(hour.by_outcome.items()))
            out.append(f"last hour: {hour.total} due" + (f" ({parts})" if parts else "")
                       + f"; {hour.late} sent more than {int(LATE_AFTER.total_seconds() // 60)} min late")
        return out


async def report(engine: AsyncEngine, dispatch_interval: float, now: datetime | None = None) -> Report:
    """What the database alone can tell: it answers, its schema is at head, and waiting prompts are not left
    waiting for longer than three dispatch intervals (no process is delivering, or it cannot keep up)."""
    from bot.storage.database import schema_status

    now = now or utcnow()
    problems: dict[str, str] = {}
    try:
        current, head = await schema_status(engine)
    except Exception as exc:  # a driver's message can quote a row: its type only
        return Report({"database": f"not answering ({type(exc).__name__})"}, None, None, None, now)
    if current != head:  # the tables may not be there yet, or not in the shape these queries expect
        problems["migrations"] = f"schema at {current or 'nothing'}, head is {head} (run `boundary-bot migrate`)"
        return Report(problems, current, None, None, now)
    box = await outbox(engine, now)
    waited = box.waiting_since(now)
    if waited > 3 * dispatch_interval:
        problems["delivery"] = f"a prompt ready to send has waited {waited:.0f} s (is a bot process running?)"
    return Report(problems, current, box, await last_hour(engine, now), now)
