"""Acknowledgement latency where requests come as envelopes over one connection: from an envelope's arrival to
its acknowledgement being written back, the same figure an HTTP endpoint observes per request. Envelopes
never acknowledged (none should be) are forgotten past `kept`."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.bounded import BoundedDict

KEPT = 10_000


class AckClock:
    def __init__(self, observe: Callable[[float], None], *, kept: int = KEPT,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._observe = observe
        self._clock = clock
        self._arrived: BoundedDict[str, float] = BoundedDict(kept)

    def arrived(self, envelope_id: str) -> None:
        self._arrived[envelope_id] = self._clock()

    def answered(self, envelope_id: str) -> None:
        arrived = self._arrived.pop(envelope_id, None)
        if arrived is not None:
            self._observe(self._clock() - arrived)
