"""Acknowledgement latency where requests come as envelopes over one connection: from an envelope's arrival to
its acknowledgement being written back, the same figure an HTTP endpoint observes per request. Envelopes
never acknowledged (none should be) are forgotten past `kept`."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.bounded import BoundedDict

KEPT = 10_000
R = TypeVar("R")
S = TypeVar("S")


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

    def timed(self, receive: Callable[[R], Awaitable[None]], send: Callable[[S], Awaitable[None]],
              arrival: Callable[[R], str | None], answer: Callable[[S], str | None],
              ) -> tuple[Callable[[R], Awaitable[None]], Callable[[S], Awaitable[None]]]:
        """`receive` and `send` timed: an envelope arrives when `receive` takes it (`arrival` names its id), and
        is answered once `send` has written the response that `answer` names."""

        async def receive_timed(raw: R) -> None:
            envelope = arrival(raw)
            if envelope:
                self.arrived(envelope)
            await receive(raw)

        async def send_timed(response: S) -> None:
            await send(response)
            envelope = answer(response)
            if envelope:
                self.answered(envelope)

        return receive_timed, send_timed
