"""A database outage is one state of the whole process: the community job that meets it says nothing of its own;
the outage is the watch's one line, and the delivery rounds say when it is back."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.app import App


async def refused(*args: Any, **kwargs: Any) -> Any:
    raise ConnectionRefusedError("connection refused")


def community_job(app: App) -> Callable[[], Awaitable[None]]:
    app.start_community({})
    job = app.scheduler.get_job("community")
    assert job is not None
    func: Callable[[], Awaitable[None]] = job.func
    return func


async def test_the_community_job_logs_no_error_of_its_own_while_the_database_is_away(
        app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setattr(app.conversation, "community_posts", refused)
    monkeypatch.setattr(app.schedules, "ping", refused)
    tick = community_job(app)

    for _ in range(3):  # a minute apart, the whole outage long
        await tick()

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.startswith("database unreachable (builtins.ConnectionRefusedError")
    assert app.database_watch().down


async def test_a_community_failure_that_is_not_the_database_is_still_an_error(
        app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("a bug")

    monkeypatch.setattr(app.conversation, "community_posts", broken)
    tick = community_job(app)
    await tick()

    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert line.startswith("scheduled job community failed")
    assert not app.database_watch().down
