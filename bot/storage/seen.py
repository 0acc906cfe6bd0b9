"""Platform events already handled, shared by every process through the bot's database (`seen_events`).

A platform may deliver one event twice: it retries a request it thinks went unanswered (possibly to
another HTTP worker), or two unsharded processes with one token both receive every DM. The first
process to record an event's id handles it; the others see it is taken. Ids older than `keep` are
forgotten (retries come within minutes).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.logsafe import describe_exception
from bot.storage.models import SeenEvent

log = logging.getLogger(__name__)

MAX_EVENT_ID = 64  # the column's width


class SeenEvents(Protocol):
    async def first_time(self, event_id: str) -> bool:
        """True for the first caller with this id; False for every later one."""
        ...


class MemorySeenEvents:
    """Event ids seen by this process only (enough for one socket connection or a single HTTP worker)."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def first_time(self, event_id: str) -> bool:
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


class DatabaseSeenEvents:
    def __init__(self, engine: AsyncEngine, *, keep: timedelta = timedelta(hours=2)) -> None:
        self._engine = engine
        self._keep = keep
        self._offered = 0

    async def first_time(self, event_id: str) -> bool:
        """True for the first caller with this id (in any process); False for every later one."""
        now = datetime.now(UTC)
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(SeenEvent).values(event_id=event_id[:MAX_EVENT_ID], seen_at=now))
        except IntegrityError:
            return False
        self._offered += 1
        if self._offered % 500 == 0:
            async with self._engine.begin() as conn:
                await conn.execute(delete(SeenEvent).where(SeenEvent.seen_at < now - self._keep))
        return True


async def claimed(seen: SeenEvents | None, event_id: str) -> bool:
    """True when this process should handle the event: the ledger says it is the first to ask (or there is no
    ledger). If the ledger cannot answer, the event is handled: an answer applied twice on two instances is
    rarer and milder than a person left without any answer."""
    if seen is None:
        return True
    try:
        return await seen.first_time(event_id)
    except Exception as exc:
        log.warning("the seen-events ledger failed, handling the event anyway: %s", describe_exception(exc))
        return True
