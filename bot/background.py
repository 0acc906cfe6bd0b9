"""Work an adapter starts and does not wait for (deleting its own DM messages after /forget): kept in a set so
it is not garbage-collected and can be awaited at shutdown, its outcome logged as a count or a fault's type."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from bot.logsafe import describe_exception


def start_counted(tasks: set[asyncio.Task[None]], work: Awaitable[int], *, name: str, done: str,
                  log: logging.Logger) -> None:
    """Run `work` on its own; log `done` with its count (`%d`), or that it stopped and why (the type only)."""

    async def guarded() -> None:
        try:
            log.info(done, await work)
        except Exception as exc:
            log.warning("%s stopped: %s", name, describe_exception(exc))

    task = asyncio.create_task(guarded(), name=name)
    tasks.add(task)
    task.add_done_callback(tasks.discard)
