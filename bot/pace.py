"""A token bucket that waits: each request takes its turn in order of arrival, sleeping if it must, so that no
one-second window holds more than `rate_per_s` + `burst` of them. For a limit a platform counts per request,
retries included, beneath the core's Pacer (bot/scheduling/pacing.py), which spaces sends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Pace:
    def __init__(self, rate_per_s: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._rate = rate_per_s
        self._burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._at = clock()
        self.held = 0  # requests that had to wait (for the log and the tests)

    async def take(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
        self._at = now
        self._tokens -= 1.0  # below zero: the turns already promised to those waiting ahead of this one
        if self._tokens < 0:
            self.held += 1
            await self._sleep(-self._tokens / self._rate)
