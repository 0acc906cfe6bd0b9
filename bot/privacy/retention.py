"""The daily retention job: after RETENTION_DAYS a person's own words go, and so do the files the bot put on
platforms for them, finished sessions, tips shown, crisis moments and sent prompts; their numbers stay."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.logsafe import describe_exception
from bot.service import NOT_MEANT_WINDOW, RESUME_WINDOW, CheckinService
from bot.storage.repository import Repository

log = logging.getLogger(__name__)


async def purge_expired_words(repository: Repository, retention_days: int,
                              clock: Callable[[], datetime] = lambda: datetime.now(UTC), *,
                              service: CheckinService | None = None,
                              crisis_pause: timedelta = timedelta(hours=72)) -> int:
    now = clock()
    if service is not None:
        files = await service.expire_files(now - timedelta(days=retention_days))
        if files:
            log.info("retention: removed %d files older than %d days", files, retention_days)
    # Unfinished check-ins can be resumed for a day; after that their answers serve nobody.
    purged = await repository.purge_words(now - timedelta(days=retention_days),
                                          abandoned_before=now - RESUME_WINDOW,
                                          crisis_over_before=now - max(crisis_pause, NOT_MEANT_WINDOW))
    if purged:
        log.info("retention: removed the words of %d check-ins older than %d days", purged, retention_days)
    return purged


def schedule_retention(scheduler: AsyncIOScheduler, repository: Repository, retention_days: int,
                       service: CheckinService | None = None, crisis_pause: timedelta = timedelta(hours=72)) -> None:
    """Once at start, then daily."""

    async def purge() -> None:
        try:
            await purge_expired_words(repository, retention_days, service=service, crisis_pause=crisis_pause)
        except Exception as exc:
            log.error("retention job failed: %s", describe_exception(exc))

    scheduler.add_job(purge, "interval", days=1,
                      id="retention", next_run_time=datetime.now(UTC), coalesce=True, max_instances=1,
                      replace_existing=True)
