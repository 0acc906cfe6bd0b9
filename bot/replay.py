"""Signed requests are not run twice: a platform that signs its requests with a timestamp refuses an old one, so
remembering each signature while its timestamp is fresh stops a byte-identical replay of a recent one."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

REPLAYS_KEPT = 100_000  # request signatures remembered (about 12 MB at most)


class ReplayGuard:
    """Signatures of the requests taken in the last `window` seconds. Bounded: past `size` entries the oldest go
    first (a replay of one of those would run again, which only someone holding a signed request could cause,
    and only while the map is flooded with other valid requests)."""

    def __init__(self, window: int, size: int = REPLAYS_KEPT, clock: Callable[[], float] = time.time) -> None:
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._size = size
        self._window = window
        self._clock = clock

    def first_time(self, signature: str, timestamp: int) -> bool:
        horizon = self._clock() - self._window
        while self._seen and (len(self._seen) >= self._size or next(iter(self._seen.values())) < horizon):
            self._seen.popitem(last=False)
        if signature in self._seen:
            return False
        self._seen[signature] = timestamp
        return True

    def __len__(self) -> int:
        return len(self._seen)
