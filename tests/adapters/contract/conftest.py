"""The contract suite's fixtures: the core as the crisis tests build it, and each platform's driver in turn."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters import names
from bot.content.loader import Content
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.scheduling.snoozes import PendingSnoozes
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from tests.adapters.contract.drivers import DRIVERS, Driver
from tests.adapters.slack.conftest import _no_slack_environment  # noqa: F401  (autouse: no SLACK_* from outside)
from tests.conftest import FakeClock
from tests.fakes.screen import MarkerScreener


@pytest.fixture
def service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore,
            sessions: async_sessionmaker[AsyncSession]) -> Conversation:
    """The shared core, with a screen that reads the marker messages as `possible` and the United States'
    numbers (the default country here)."""
    return build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                              schedules=schedules, snoozes=PendingSnoozes(sessions), default_country="US",
                              screener=MarkerScreener(content))


@pytest.fixture(params=names())
async def driver(request: pytest.FixtureRequest, service: Conversation, content: Content,
                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[Driver]:
    """Every platform in the registry, each through its own fake; a person past first contact."""
    async with DRIVERS[request.param](service, content, monkeypatch, tmp_path) as started:
        await started.command("help")
        yield started
