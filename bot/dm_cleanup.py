"""After /forget: the bot's own messages in the person's DM are deleted from the platform, in the background
so the "erased" reply is not held up. The cut-off (the newest message in the DM) is read when the erase is
confirmed, so that reply stays; a clean-up that cannot start, or stops, is logged by type only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.background import start_counted
from bot.logsafe import describe_exception

log = logging.getLogger(__name__)
C = TypeVar("C")
M = TypeVar("M")


class DmCleanups:
    def __init__(self, platform: str) -> None:
        self._platform = platform
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, find: Callable[[], Awaitable[tuple[C, M | None]]],
                    delete: Callable[[C, M], Awaitable[int]], refusals: tuple[type[BaseException], ...]) -> bool:
        """`find` opens the DM and reads its newest message (None: the DM is empty); `delete` removes the bot's
        messages up to that one and counts them. `refusals`: what `find` raises when the platform says no. True
        when a clean-up is under way."""
        try:
            channel, newest = await find()
        except refusals as exc:
            log.info("%s: the DM clean-up after /forget could not start: %s", self._platform, describe_exception(exc))
            return False
        if newest is None:
            return False
        start_counted(self._tasks, delete(channel, newest), name=f"{self._platform}-dm-cleanup",
                      done=f"{self._platform}: deleted %d of the bot's messages in a DM after /forget", log=log)
        return True

    async def done(self) -> None:
        """Wait for the clean-ups under way (tests, and a shutdown that wants them finished)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
