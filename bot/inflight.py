"""Work an adapter has acknowledged and not finished yet, counted so a shutdown (or a test) can wait for it."""

from __future__ import annotations

import asyncio


class InFlight:
    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def started(self) -> None:
        self._count += 1
        self._idle.clear()

    def finished(self) -> None:
        self._count -= 1
        if self._count == 0:
            self._idle.set()

    async def drain(self, within: float = 10.0) -> None:
        """Wait until every piece of work started has finished (TimeoutError after `within` seconds)."""
        async with asyncio.timeout(within):
            await self._idle.wait()
