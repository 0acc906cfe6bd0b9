"""A database outage as a state of the dispatcher, not a stream of errors.

When a delivery's database work fails, one probe (`SELECT 1`) tells an outage from a bad row. In an outage the
watch logs once ("database unreachable", with the reason), the dispatcher keeps what it could not write (a
send the platform accepted, a lease to give back) instead of logging each, and probes again with a bounded
back-off; the first probe that answers ends the outage, the kept outcomes are written, and one line says so
("database back after 4.1 s; 25 sends recorded late").
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.logsafe import describe_exception

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 2.0  # a connect that hangs while the server starts up is tried again soon
FIRST_BACK_OFF_S = 0.25
MAX_BACK_OFF_S = 0.5  # sending resumes within about this long of the database answering again


class DatabaseWatch:
    def __init__(self, probe: Callable[[], Awaitable[None]], clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._probe = probe
        self._clock = clock
        self._sleep = sleep
        self.down_since: float | None = None
        self._back_off = FIRST_BACK_OFF_S
        self._next_probe = 0.0
        self.outages = 0
        self._probing = asyncio.Lock()  # many sends fail at once when it goes: one probe, one line

    @property
    def down(self) -> bool:
        return self.down_since is not None

    async def answers(self) -> bool:
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_S):
                await self._probe()
        except Exception:
            return False
        return True

    async def failed(self, exc: BaseException) -> bool:
        """After `exc` from database work: True when the database is unreachable (an outage begins or goes on),
        False when it answers (the failure was something else, for the caller to handle)."""
        async with self._probing:  # one probe at a time; those waiting for it then see its verdict
            if self.down_since is None:
                if await self.answers():
                    return False
                self._went_down(exc)
        return True

    def _went_down(self, exc: BaseException) -> None:
        self.down_since = self._clock()
        self.outages += 1
        self._back_off = FIRST_BACK_OFF_S
        self._next_probe = self.down_since + self._back_off
        log.warning("database unreachable (%s); deliveries wait for it", describe_exception(exc))

    async def wait_until_back(self, within: float) -> bool:
        """While down: probe when the back-off allows, waiting for it for up to `within` seconds; True once the
        database answers."""
        if not self.down:
            return True
        deadline = self._clock() + within
        while True:
            if self._clock() >= self._next_probe:
                if await self.answers():
                    return True
                self._back_off = min(MAX_BACK_OFF_S, self._back_off * 2)
                self._next_probe = self._clock() + self._back_off
            wait = self._next_probe - self._clock()
            if self._clock() + wait > deadline:
                return False
            await self._sleep(wait)

    def back(self, recorded_late: int, released: int) -> None:
        """The outage is over: one line for it."""
        if self.down_since is None:
            return
        took = self._clock() - self.down_since
        self.down_since = None
        extra = f"; {released} leases given back" if released else ""
        log.warning("database back after %.1f s; %d sends recorded late%s", took, recorded_late, extra)
