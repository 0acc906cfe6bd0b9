"""Socket Mode's acknowledgement latency: from an envelope's arrival on the socket to its ack being sent.

The same figure HTTP mode observes per request (`ack_observer`), measured here around slack_sdk's Socket Mode
client: arrival when the client queues the raw envelope (so time spent waiting in its queue counts), the end
when the response carrying the envelope id has been written to the socket. Envelopes never acknowledged
(none should be) are forgotten past `KEPT`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.bounded import BoundedDict

KEPT = 10_000
_ENVELOPE_ID = re.compile(r'"envelope_id"\s*:\s*"([^"]{1,200})"')


class AckTimer:
    def __init__(self, observe: Callable[[float], None], *, kept: int = KEPT,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._observe = observe
        self._clock = clock
        self._arrived: BoundedDict[str, float] = BoundedDict(kept)

    def attach(self, client: Any) -> None:
        """Wraps the client's `enqueue_message` and `send_socket_mode_response` (both looked up on the
        instance by slack_sdk, so the wrappers are what it calls)."""
        enqueue: Callable[[str], Awaitable[None]] = client.enqueue_message
        send: Callable[[Any], Awaitable[None]] = client.send_socket_mode_response

        async def enqueue_timed(message: str) -> None:
            found = _ENVELOPE_ID.search(message[:1000])
            if found:
                self._arrived[found.group(1)] = self._clock()
            await enqueue(message)

        async def send_timed(response: Any) -> None:
            await send(response)
            envelope = response.get("envelope_id") if isinstance(response, dict) \
                else getattr(response, "envelope_id", None)
            arrived = self._arrived.pop(str(envelope), None) if envelope else None
            if arrived is not None:
                self._observe(self._clock() - arrived)

        client.enqueue_message = enqueue_timed
        client.send_socket_mode_response = send_timed
