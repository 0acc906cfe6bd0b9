"""The daily retention job: a person's own words go after RETENTION_DAYS; their numbers stay."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.logsafe import describe_exception
from bot.service import RESUME_WINDOW
from bot.storage.repository import Repository

log = logging.getLogger(__name__)


async def purge_expired_words(repository: Repository, retention_days: int,
                              clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> int:
    now = clock()
    # Unfinished check-ins can be resumed for a day; after that their answers serve nobody.
    purged = await repository.purge_words(now - timedelta(days=retention_days),
                                          abandoned_before=now - RESUME_WINDOW)
    if purged:
        log.info("retention: removed the words of %d check-ins older than %d days", purged, retention_days)
    return purged


def schedule_retention(scheduler: AsyncIOScheduler, repository: Repository, retention_days: int) -> None:
    """Once at start, then daily."""

    async def purge() -> None:
        try:
            await purge_expired_words(repository, retention_days)
        except Exception as exc:
            log.error("retention job failed: %s", describe_exception(exc))

    scheduler.add_job(purge, "interval", days=1,
                      id="retention", next_run_time=datetime.now(UTC), coalesce=True, max_instances=1,
                      replace_existing=True)
