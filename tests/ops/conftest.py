"""Helpers for the operations endpoints: an app on SQLite in tmp_path, and a plain HTTP GET on loopback."""

from __future__ import annotations

import json
import random
import socket
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.app import App, build_app
from bot.config import Settings
from bot.content.loader import Content
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.ops.metrics import Metrics
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from tests.conftest import CollectingTransport, FakeClock, met


class Ticking:
    """A monotonic clock the test moves by hand (readiness measures dispatcher silence with it)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


def get(port: int, path: str) -> Answer:
    """Blocking GET on 127.0.0.1 (call it through asyncio.to_thread unless the point is to block the loop)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return Answer(response.status, response.read(), response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(), error.headers.get("Content-Type", ""))


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def ticking() -> Ticking:
    return Ticking()


@pytest.fixture
async def app(tmp_path: Path, ticking: Ticking) -> AsyncIterator[App]:
    settings = Settings(_env_file=None, data_dir=tmp_path, dispatch_interval_seconds=10)  # type: ignore[call-arg]
    async with build_app(settings, start_jobs=False, metrics=Metrics(monotonic=ticking)) as built:
        yield built


def value(metrics: Metrics, name: str, **labels: str) -> float:
    """A sample's value as Prometheus would scrape it (0 when the series does not exist yet)."""
    found = metrics.registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore,
            metrics: Metrics) -> Conversation:
    return build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                          schedules=schedules, metrics=metrics)


@pytest.fixture
async def console(service: Conversation, tmp_path: Path) -> ConsoleAdapter:
    """A person whose id would stand out anywhere in a scrape."""
    return await met(ConsoleAdapter(service, "person-8d3f1e", interactive=False, files_dir=tmp_path / "exports"))


@pytest.fixture
def dispatcher(schedules: ScheduleStore, service: Conversation, transport: CollectingTransport,
               clock: FakeClock, metrics: Metrics) -> Dispatcher:
    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    return Dispatcher(schedules, service, {"console": transport}, pacer=Pacer(clock=lambda: clock.now.timestamp()),
                      clock=clock, sleep=fake_sleep, metrics=metrics)
