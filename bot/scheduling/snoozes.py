"""A person's snoozed prompts that have not gone out yet: what /schedule shows as coming, and what a later
"skip this one" drops, so a snooze and a skip of the same prompt never both stand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import Delivery

SNOOZE_KIND, PENDING, SKIPPED = "snooze", "pending", "skipped"


class PendingSnoozes:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def next_at(self, identity_id: int) -> datetime | None:
        """When the person's earliest snoozed prompt is due, if one is waiting."""
        async with self._sessions() as db:
            return await db.scalar(select(func.min(Delivery.due_at)).where(
                Delivery.identity_id == identity_id, Delivery.kind == SNOOZE_KIND, Delivery.status == PENDING))

    async def drop(self, identity_id: int) -> int:
        """Skip every snoozed prompt still waiting (not one being sent right now); how many there were."""
        async with self._sessions() as db, db.begin():
            result = await db.execute(update(Delivery).where(
                Delivery.identity_id == identity_id, Delivery.kind == SNOOZE_KIND, Delivery.status == PENDING)
                .values(status=SKIPPED, reason="skipped"))
            return int(getattr(result, "rowcount", 0) or 0)
