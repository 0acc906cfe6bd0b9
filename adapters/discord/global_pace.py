"""Discord's global limit (50 requests a second per bot) kept for every request the client makes, retries included.

The core's pacer (bot/scheduling/pacing.py) spaces scheduled sends by what each one costs. It cannot see what
discord.py does by itself: a request refused with a 429 (or a 500/502) is slept on and sent again inside
discord.py's HTTP client, and those repeats can bunch far above the limit (docs/reliability.md, item 2).
`GlobalPace` sits where every request leaves — an aiohttp trace hook on discord.py's session, awaited before
each request goes out — and holds any request that would make a one-second window exceed the limit.
Interaction answers and follow-ups are exempt, as on Discord (they are not under the global limit, and a person
is waiting for them); so is everything outside the REST API (the gateway's websocket).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
from yarl import URL

from bot.pace import Pace

RATE_PER_S = 42.0  # requests a second, steady (a little above the core's pacer, 40/s, so it rarely binds)
BURST = 3  # requests at once after a quiet spell: a one-second window holds at most RATE_PER_S + BURST = 45 as
# they leave, and the rest of Discord's 50 is headroom for requests bunching on the way
EXEMPT_PREFIXES = ("/interactions/", "/webhooks/")


def paced(url: URL) -> bool:
    """Whether a request counts against the global limit: the REST API, bar interaction answers."""
    path = url.path
    marker = path.find("/api/v")
    if marker < 0:
        return False
    rest = path[marker + len("/api/v"):]
    route = rest[rest.find("/"):] if "/" in rest else ""
    return bool(route) and not route.startswith(EXEMPT_PREFIXES)


class GlobalPace(Pace):
    """Every paced request of the client takes its turn (bot.pace)."""

    def __init__(self, rate_per_s: float = RATE_PER_S, burst: int = BURST, **timing: Any) -> None:
        super().__init__(rate_per_s, burst, **timing)

    def trace_config(self) -> aiohttp.TraceConfig:
        """For discord.py's `http_trace`: aiohttp awaits this before every request it sends."""

        async def on_request_start(_session: aiohttp.ClientSession, _context: SimpleNamespace,
                                   params: aiohttp.TraceRequestStartParams) -> None:
            if paced(params.url):
                await self.take()

        config = aiohttp.TraceConfig()
        config.on_request_start.append(on_request_start)
        return config


def count_answers(config: aiohttp.TraceConfig, observe: Callable[[str], None],
                  classify: Callable[[int], str]) -> aiohttp.TraceConfig:
    """Also report every REST answer's class (and "timeout" for one that never came) on the same trace: discord.py
    sleeps on a 429 and asks again by itself, so the core's delivery would only ever see the final answer."""

    async def on_request_end(_session: aiohttp.ClientSession, _context: SimpleNamespace,
                             params: aiohttp.TraceRequestEndParams) -> None:
        if "/api/v" in params.url.path:
            observe(classify(params.response.status))

    async def on_request_exception(_session: aiohttp.ClientSession, _context: SimpleNamespace,
                                   params: aiohttp.TraceRequestExceptionParams) -> None:
        if "/api/v" in params.url.path:
            observe("timeout" if isinstance(params.exception, TimeoutError) else "5xx")

    config.on_request_end.append(on_request_end)
    config.on_request_exception.append(on_request_exception)
    return config
