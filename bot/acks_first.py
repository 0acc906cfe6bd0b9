"""Acknowledgements first: the work an answered request asks for waits while requests are still coming in.

A burst of clicks (a team answering a pulse, a channel prompt) arrives as hundreds of requests within a few
milliseconds. Each one is answered as soon as it is verified; the work it asks for (the platform library's
dispatch, the database, the next question) runs afterwards in the same event loop. Started at once, that work
takes turns with the acknowledgements still to be sent and pushes the last of them towards the platform's time
limit. `AcksFirst` runs it a few at a time, each only once `QuietGate` is open (no request in progress for a
short moment) or a deadline after its own acknowledgement has passed, so a steady stream of requests cannot
starve it. A piece of work that starts listeners of its own (tasks copied from its context) is done when they
are: each listener wrapped with `tracked` says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from bot.inflight import InFlight
from bot.logsafe import describe_exception

log = logging.getLogger(__name__)

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

CONCURRENCY = 8  # answered requests worked on at once; the rest wait their turn, in order
ACKS_FIRST_SECONDS = 1.0  # the longest an answered request's work waits for the others to be answered
WORK_SLOT_SECONDS = 10.0  # work that takes longer goes on, but no longer keeps the others waiting
Listener = Callable[..., Awaitable[None]]


class _Answered:
    """Set (through a context variable) while the work of an answered request runs; the listener tasks it
    starts inherit it and say when they are done."""

    def __init__(self) -> None:
        self.listeners = 0
        self.done = asyncio.Event()


_ANSWERED: ContextVar[_Answered | None] = ContextVar("answered_request", default=None)


def tracked(listener: Listener, work: InFlight) -> Listener:
    """A listener whose work is counted in flight, and waited for by the answered request that started it."""

    @functools.wraps(listener)  # a library that reads the listener's parameter names sees them through this
    async def run(**kwargs: Any) -> None:
        answered = _ANSWERED.get()
        if answered is not None:
            answered.listeners += 1
        work.started()
        try:
            await listener(**kwargs)
        finally:
            work.finished()
            if answered is not None:
                answered.listeners -= 1
                if answered.listeners == 0:
                    answered.done.set()

    return run


class AcksFirst:
    """Requests coming in (`enter`, `leave`) and the work of those already answered (`later`)."""

    def __init__(self, work: InFlight, concurrency: int = CONCURRENCY) -> None:
        self._work = work
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._gate = QuietGate()
        self._tasks: set[asyncio.Task[None]] = set()
        self.enter, self.leave = self._gate.enter, self._gate.leave

    def later(self, run: Callable[[], Awaitable[None]], place: str) -> None:
        """`run` once the requests still coming in have been answered; a failure is logged (type only)."""
        self._work.started()
        loop = asyncio.get_running_loop()
        task = loop.create_task(self._run(run, place, loop.time()))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, run: Callable[[], Awaitable[None]], place: str, answered_at: float) -> None:
        answered = _Answered()
        _ANSWERED.set(answered)  # this task's own context, copied into the listener tasks `run` starts
        try:
            async with self._slots:
                await self._gate.wait(answered_at + ACKS_FIRST_SECONDS)
                await run()
                if answered.listeners:  # `run` returned on the listener's acknowledgement; its work goes on
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(answered.done.wait(), WORK_SLOT_SECONDS)
        except Exception as exc:
            log.error("%s: an acknowledged request failed: %s", place, describe_exception(exc))
        finally:
            self._work.finished()
