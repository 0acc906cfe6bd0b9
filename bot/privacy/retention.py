"""The daily retention job: after RETENTION_DAYS a person's own words go, and so do the files the bot put on
platforms for them, finished sessions, tips shown, crisis moments and sent prompts; their numbers stay."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.features.context import NOT_MEANT_WINDOW, RESUME_WINDOW
from bot.features.privacy import Traces
from bot.logsafe import describe_exception
from bot.storage.repository import Repository

log = logging.getLogger(__name__)


async def purge_expired_words(repository: Repository, retention_days: int,
                              clock: Callable[[], datetime] = lambda: datetime.now(UTC), *,
                              traces: Traces | None = None,
                              crisis_pause: timedelta = timedelta(hours=72), exports_dir: Path | None = None) -> int:
    now = clock()
    if exports_dir is not None:
        old = await asyncio.to_thread(remove_old_files, exports_dir, now - timedelta(days=retention_days))
        if old:
            log.info("retention: removed %d export files older than %d days", old, retention_days)
    if traces is not None:
        files = await traces.expire_files(now - timedelta(days=retention_days))
        if files:
            log.info("retention: removed %d files older than %d days", files, retention_days)
    # Unfinished check-ins can be resumed for a day; after that their answers serve nobody.
    purged = await repository.purge_words(now - timedelta(days=retention_days),
                                          abandoned_before=now - RESUME_WINDOW,
                                          crisis_over_before=now - max(crisis_pause, NOT_MEANT_WINDOW))
    if purged:
        log.info("retention: removed the words of %d check-ins older than %d days", purged, retention_days)
    return purged


def remove_old_files(folder: Path, before: datetime) -> int:
    """Files in the local exports folder last written before `before` (also those no table knows of: exports
    written before files were recorded)."""
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, UTC) < before:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def schedule_retention(scheduler: AsyncIOScheduler, repository: Repository, retention_days: int,
                       traces: Traces | None = None, crisis_pause: timedelta = timedelta(hours=72),
                       exports_dir: Path | None = None) -> None:
    """Once at start, then daily."""

    async def purge() -> None:
        try:
            await purge_expired_words(repository, retention_days, traces=traces, crisis_pause=crisis_pause,
                                      exports_dir=exports_dir)
        except Exception as exc:
            log.error("retention job failed: %s", describe_exception(exc))

    scheduler.add_job(purge, "interval", days=1,
                      id="retention", next_run_time=datetime.now(UTC), coalesce=True, max_instances=1,
                      replace_existing=True)
