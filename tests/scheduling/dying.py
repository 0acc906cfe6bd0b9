"""A dispatcher round that dies the way a killed process does: after the platform accepted a prompt and before
its outbox row was marked `sent`."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.store import SENT, ScheduleStore


async def dies_after_the_platform_accepts(dispatcher: Dispatcher, schedules: ScheduleStore,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Run one round whose `sent` record never happens (the process is gone); the row keeps its lease."""
    accepted = asyncio.Event()
    finish = schedules.finish

    async def never_recorded(job: Any, status: str, **kwargs: Any) -> None:
        if status == SENT:
            accepted.set()
            await asyncio.Event().wait()  # the process died here
        await finish(job, status, **kwargs)

    monkeypatch.setattr(schedules, "finish", never_recorded)
    tick = asyncio.create_task(dispatcher.tick())
    try:
        await asyncio.wait_for(accepted.wait(), timeout=10)
    finally:
        tick.cancel()
        await asyncio.gather(tick, return_exceptions=True)
        monkeypatch.setattr(schedules, "finish", finish)
