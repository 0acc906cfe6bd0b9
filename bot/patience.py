"""What a platform's failure means for delivery (bot.ports), and one platform call that waits out the
platform's "too many requests" a few times (its Retry-After, capped): for work nobody waits on, like clearing
the bot's messages after /forget."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from bot.ports import DeliveryError, RateLimited

T = TypeVar("T")
RETRIES = 5
LONGEST_WAIT = 60.0


async def patiently(call: Callable[[], Awaitable[T]], meaning: Callable[[BaseException], DeliveryError | None], *,
                    retries: int = RETRIES, longest_wait: float = LONGEST_WAIT) -> T:
    """`call`, again after each failure that `meaning` reads as RateLimited, at most `retries` times."""
    for _ in range(retries):
        try:
            return await call()
        except Exception as exc:
            limited = meaning(exc)
            if not isinstance(limited, RateLimited):
                raise
            await asyncio.sleep(min(limited.retry_after, longest_wait))
    return await call()


def rate_limited(retry_after: object, unsaid: float = 1.0) -> RateLimited:
    """A "too many requests" answer with its Retry-After header (seconds; a list of them; none or unreadable:
    `unsaid` seconds)."""
    if isinstance(retry_after, list):
        retry_after = retry_after[0] if retry_after else None
    try:
        return RateLimited(max(0.0, float(str(retry_after))) if retry_after not in (None, "") else unsaid)
    except ValueError:
        return RateLimited(unsaid)


@contextmanager
def delivery_errors(meaning: Callable[[BaseException], DeliveryError | None]) -> Iterator[None]:
    """Inside, a platform's failure is raised as what `meaning` says it means for delivery (RateLimited,
    Unreachable, TemporaryFailure), with the original as its cause; one it does not know is raised as it is."""
    try:
        yield
    except Exception as exc:
        mapped = meaning(exc)
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc
