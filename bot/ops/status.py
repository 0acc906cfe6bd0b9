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
        depth, oldest = (await db.execute(
            select(func.count(), func.min(Delivery.due_at)).where(Delivery.status.in_((PENDING, SENDING))))).one()
    return Outbox(int(depth), _aware(oldest, now))


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
