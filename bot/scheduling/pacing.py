"""Pacing: stay under each platform's rate limits instead of bouncing off them.

Token buckets per key (a platform's global budget, a workspace's, a channel's, and a workspace's budget for the
look-ups a keyed send makes before repeating an attempt), with the limits each adapter declares
(adapters/__init__.py). `delay()` says how long to wait before the next request may go; it never
sleeps itself, so it is testable with a fake clock, and the dispatcher does the waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.messages import Address


@dataclass
class _Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    updated: float


@dataclass(frozen=True)
class Limit:
    rate: float
    burst: float
    per_workspace: bool = True  # one budget per workspace, or one for the whole bot


EPSILON = 1e-9  # tokens


class Pacer:
    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 platform_limits: dict[str, Limit] | None = None,
                 channel_limits: dict[str, Limit] | None = None,
                 lookup_limits: dict[str, Limit] | None = None, *, max_keys: int = 50_000) -> None:
        self._clock = clock
        self._platform = platform_limits or {}  # each platform's own, from its adapter (adapters/__init__.py)
        self._channel = channel_limits or {}
        self._lookup = lookup_limits or {}  # a platform's look-up method may have a limit of its own
        self._buckets: dict[str, _Bucket] = {}
        self._max_keys = max_keys
        self._blocked_until: dict[str, float] = {}

    def _bucket(self, key: str, limit: Limit, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:  # memory stays flat: drop buckets that are full again
                self._buckets = {k: b for k, b in self._buckets.items()
                                 if b.tokens + (now - b.updated) * b.rate < b.capacity}
            bucket = _Bucket(limit.rate, limit.burst, limit.burst, now)
            self._buckets[key] = bucket
        bucket.tokens = min(bucket.capacity, bucket.tokens + (now - bucket.updated) * bucket.rate)
        bucket.updated = now
        return bucket

    def _keys(self, address: Address, lookup: bool = False) -> list[tuple[str, Limit]]:
        keys: list[tuple[str, Limit]] = []
        if lookup:
            limit = self._lookup.get(address.platform)
            if limit:
                scope = f"{address.platform}:{address.workspace_id}" if limit.per_workspace else address.platform
                keys.append((f"l:{scope}", limit))
            return keys
        platform = self._platform.get(address.platform)
        if platform:
            scope = f"{address.platform}:{address.workspace_id}" if platform.per_workspace else address.platform
            keys.append((f"p:{scope}", platform))
        channel = self._channel.get(address.platform)
        if channel:
            keys.append((f"c:{address.platform}:{address.workspace_id}:{address.channel_id or address.user_id}",
                         channel))
        return keys

    def delay(self, address: Address, *, lookup: bool = False) -> float:
        """Seconds to wait before sending to `address` (with `lookup`: before looking there for an earlier
        attempt's copy); 0 means go now (and a token has been taken)."""
        now = self._clock()
        blocked = max((until for key, until in self._blocked_until.items()
                       if key in (address.platform, f"{address.platform}:{address.workspace_id}")), default=0.0)
        if blocked > now:
            return blocked - now
        buckets = [self._bucket(key, limit, now) for key, limit in self._keys(address, lookup)]
        # A hair's tolerance: refilling by exactly the wait can land a float just under 1 token, and a clock
        # that cannot advance by the remaining 1e-17 s would then be told to wait forever.
        waits = [(1 - bucket.tokens) / bucket.rate for bucket in buckets if bucket.tokens < 1 - EPSILON]
        if waits:
            return max(waits)
        for bucket in buckets:
            bucket.tokens -= 1
        return 0.0

    def charge(self, address: Address, requests: float) -> None:
        """Take `requests` more tokens for a send that turned out to need several requests (a prompt that
        opens a DM first, say). A bucket may go into debt: whoever sends next waits it off, so the rate
        over any second stays at the limit plus at most one send's requests."""
        if requests <= 0:
            return
        now = self._clock()
        for key, limit in self._keys(address):
            self._bucket(key, limit, now).tokens -= requests

    def back_off(self, address: Address, seconds: float, *, whole_platform: bool = True) -> None:
        """Honour a Retry-After: nothing more goes to that platform (or workspace) until it has passed."""
        key = address.platform if whole_platform else f"{address.platform}:{address.workspace_id}"
        self._blocked_until[key] = max(self._blocked_until.get(key, 0.0), self._clock() + seconds)
