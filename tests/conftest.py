"""Shared fixtures: real SQLite always, real PostgreSQL too (required in CI, skipped locally if absent)."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.console.adapter import ConsoleAdapter
from bot.content.loader import Content, load_content
from bot.content.tips import TipPicker
from bot.messages import Address, Reply
from bot.privacy.crypto import Cipher
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.snoozes import PendingSnoozes
from bot.scheduling.store import ScheduleStore
from bot.service import CheckinService
from bot.storage.database import make_engine, make_sessionmaker, migrate
from bot.storage.repository import Repository

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"
POSTGRES_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


class FakeClock:
    """A clock the test moves by hand; the service reads it wherever it needs 'now'."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 26, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(CONTENT_DIR)


async def _postgres_database() -> tuple[str, str]:
    """Create a throwaway database on the machine's PostgreSQL; return (sqlalchemy url, name)."""
    name = f"bb_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL at {POSTGRES_ADMIN_DSN} is unreachable: {exc!r}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this is a failure, not a skip)")
        pytest.skip(message)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}", name


async def _drop_postgres_database(name: str) -> None:
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'boundary-bot.db'}"
        return
    url, name = await _postgres_database()
    try:
        yield url
    finally:
        await _drop_postgres_database(name)


@pytest.fixture
def cipher() -> Cipher:
    return Cipher([Fernet.generate_key()])


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    await migrate(engine)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def raw_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A second engine on the same migrated database, for reading it the way someone with a dump would."""
    engine = make_engine(database_url)
    await migrate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def repository(sessions: async_sessionmaker[AsyncSession], cipher: Cipher, clock: FakeClock) -> Repository:
    return Repository(sessions, cipher, clock)


@pytest.fixture
def schedules(sessions: async_sessionmaker[AsyncSession], clock: FakeClock) -> ScheduleStore:
    return ScheduleStore(sessions, clock)


class CollectingTransport:
    """The test double at the platform boundary: keeps what would have been sent, or fails on demand."""

    def __init__(self) -> None:
        self.sent: list[tuple[Address, list[Reply]]] = []
        self.failures: list[Exception] = []

    async def send(self, address: Address, replies: Sequence[Reply]) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((address, list(replies)))

    def texts_for(self, user_id: str) -> list[str]:
        return ["\n".join(reply.text for reply in replies) for address, replies in self.sent
                if address.user_id == user_id]


@pytest.fixture
def transport() -> CollectingTransport:
    return CollectingTransport()


@pytest.fixture
def dispatcher(schedules: ScheduleStore, service: CheckinService, transport: CollectingTransport,
               clock: FakeClock) -> Dispatcher:
    """Delivery with the fake clock: waiting for the pacer moves the clock instead of sleeping."""

    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    pacer = Pacer(clock=lambda: clock.now.timestamp())
    return Dispatcher(schedules, service, {"console": transport, "discord": transport, "slack": transport},
                      pacer=pacer, clock=clock, sleep=fake_sleep)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore,
            sessions: async_sessionmaker[AsyncSession]) -> CheckinService:
    return CheckinService(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                          schedules=schedules, snoozes=PendingSnoozes(sessions))


async def met(console: ConsoleAdapter) -> ConsoleAdapter:
    """A person past first contact: the one-time introduction has been shown (tests of it start fresh)."""
    await console.respond("/help")
    return console


@pytest.fixture
async def console(service: CheckinService, tmp_path: Path) -> ConsoleAdapter:
    """The console adapter as a person uses it; `await console.respond(line)` returns what is printed."""
    return await met(ConsoleAdapter(service, "ana", interactive=False, files_dir=tmp_path / "exports"))
