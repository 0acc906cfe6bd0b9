"""Acknowledgements first: the work of answered clicks waits while HTTP requests are still coming in.

A burst of clicks (a team answering a pulse, a channel prompt) arrives as hundreds of requests within a few
milliseconds. Each one is answered as soon as it is verified (see `SlackAdapter._handle_post`); the work it asks
for — bolt's dispatch, the database, the next question — runs afterwards in the same event loop. Started at once,
that work takes turns with the acknowledgements still to be sent and pushes the last of them towards Slack's
3-second limit. `QuietGate` holds it back until no request has been in progress for a short moment, and never
longer than a deadline the caller gives, so a steady stream of requests cannot starve it.
"""

from __future__ import annotations

import asyncio
import contextlib

QUIET_SECONDS = 0.02  # no request in progress for this long: the burst is over (or between two of its waves)


class QuietGate:
    """Open when no request has been in progress for `quiet` seconds; shut while any is."""

    def __init__(self, quiet: float = QUIET_SECONDS) -> None:
        self._quiet = quiet
        self._busy = 0
        self._last = 0.0
        self._open = asyncio.Event()
        self._open.set()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def is_open(self) -> bool:
        return self._open.is_set()

    def enter(self) -> None:
        """A request has come in."""
        self._busy += 1
        self._open.clear()

    def leave(self) -> None:
        """A request has been answered."""
        self._busy -= 1
        loop = asyncio.get_running_loop()
        self._last = loop.time()
        if self._busy == 0 and self._timer is None:
            self._timer = loop.call_later(self._quiet, self._check, loop)

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        if self._busy:
            return  # the last of those requests to leave looks again
        remaining = self._last + self._quiet - loop.time()
        if remaining > 0:  # another request came and went meanwhile: quiet counts from the last one
            self._timer = loop.call_later(remaining, self._check, loop)
        else:
            self._open.set()

    async def wait(self, deadline: float) -> None:
        """Until the gate is open, or the event loop's clock reaches `deadline`, whichever is first."""
        if self._open.is_set():
            return
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(remaining):
                await self._open.wait()
