"""Shared fixtures: real SQLite always; real PostgreSQL too for the tests marked `storage` (required in CI,
skipped locally if absent)."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters import names, rate_limits
from adapters.console.adapter import ConsoleAdapter
from bot.__main__ import main as cli_main
from bot.content.loader import Content, load_content
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.messages import Address, Reply
from bot.privacy.crypto import Cipher
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.snoozes import PendingSnoozes
from bot.scheduling.store import ScheduleStore
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


def _postgres_url(name: str) -> str:
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    return f"{base}/{name}"


async def _postgres_database(template: str | None = None) -> tuple[str, str]:
    """Create a throwaway database on the machine's PostgreSQL (a copy of `template` when given); return
    (sqlalchemy url, name)."""
    name = f"bb_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL at {POSTGRES_ADMIN_DSN} is unreachable: {exc!r}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this is a failure, not a skip)")
        pytest.skip(message)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        await admin.close()
    return _postgres_url(name), name


async def _drop_postgres_database(name: str) -> None:
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


class Templates:
    """The schema is migrated once per test session and per backend, into a template every test copies: a file
    for SQLite, a template database for PostgreSQL (`CREATE DATABASE … TEMPLATE …`). The migrations themselves
    are tested where they are the subject (tests/storage/test_*_migration.py, test_migrations_match_the_models)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sqlite: Path | None = None
        self.postgres: str | None = None

    async def sqlite_copy(self, target: Path) -> None:
        if self._sqlite is None:
            path = self._folder / "template.db"
            engine = make_engine(f"sqlite+aiosqlite:///{path}")
            try:
                await migrate(engine)
            finally:
                await engine.dispose()
            self._sqlite = path
        shutil.copyfile(self._sqlite, target)

    async def postgres_copy(self) -> tuple[str, str]:
        if self.postgres is None:
            url, name = await _postgres_database()
            engine = make_engine(url)
            try:
                await migrate(engine)
            finally:
                await engine.dispose()
            self.postgres = name
        return await _postgres_database(template=self.postgres)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    made = Templates(tmp_path_factory.mktemp("templates"))
    yield made
    if made.postgres is not None:
        asyncio.run(_drop_postgres_database(made.postgres))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "storage: what it tests is how the database behaves: SQLite and PostgreSQL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests run on SQLite; those marked `storage` (what they test is how the database behaves: storage, claims,
    the community store, several processes, what lies at rest) run on PostgreSQL too."""
    if "database_url" in metafunc.fixturenames or "empty_database_url" in metafunc.fixturenames:
        backends: list[object] = ["sqlite"]
        if metafunc.definition.get_closest_marker("storage") is not None:
            backends.append(pytest.param("postgresql", marks=pytest.mark.postgres))
        metafunc.parametrize("backend", backends, scope="function")


@pytest.fixture
async def database_url(backend: str, templates: Templates, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own for the test, migrated to the newest revision."""
    if backend == "sqlite":
        path = tmp_path / "boundary-bot.db"
        await templates.sqlite_copy(path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url, name = await templates.postgres_copy()
    try:
        yield url
    finally:
        await _drop_postgres_database(name)


@pytest.fixture
async def empty_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own with no schema yet, for tests that walk the migrations themselves."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
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
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def raw_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A second engine on the same migrated database, for reading it the way someone with a dump would."""
    engine = make_engine(database_url)
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
def dispatcher(schedules: ScheduleStore, service: Conversation, transport: CollectingTransport,
               clock: FakeClock) -> Dispatcher:
    """Delivery with the fake clock: waiting for the pacer moves the clock instead of sleeping."""

    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    pacer = Pacer(clock=lambda: clock.now.timestamp(), **rate_limits())
    return Dispatcher(schedules, service, dict.fromkeys(names(), transport), pacer=pacer, clock=clock,
                      sleep=fake_sleep)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore,
            sessions: async_sessionmaker[AsyncSession]) -> Conversation:
    return build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                          schedules=schedules, snoozes=PendingSnoozes(sessions))


async def met(console: ConsoleAdapter) -> ConsoleAdapter:
    """A person past first contact: the one-time introduction has been shown (tests of it start fresh)."""
    await console.respond("/help")
    return console


@pytest.fixture
async def console(service: Conversation, tmp_path: Path) -> ConsoleAdapter:
    """The console adapter as a person uses it; `await console.respond(line)` returns what is printed."""
    return await met(ConsoleAdapter(service, "ana", interactive=False, files_dir=tmp_path / "exports"))


# ---------------------------------------------------------------- the command line, in this process

# What a newcomer's shell would not have: the test environment's own settings for the bot.
NOT_INHERITED = {"ADAPTER", "DATABASE_URL", "ENCRYPTION_KEYS", "CONTENT_DIR", "CONSOLE_USER"}


@dataclass
class Ran:
    """What `boundary-bot ARGS` printed and returned (the fields of subprocess.CompletedProcess the tests read)."""

    returncode: int
    stdout: str
    stderr: str


Cli = Callable[..., Ran]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """`cli("doctor", DATA_DIR=...)`: the command's `main()` run in this process, with the environment a
    subprocess of the command tests would get (no platform tokens, none of NOT_INHERITED, the given variables)
    and the project folder as working directory unless `cwd` is given. For commands whose subject is what they
    print and return; where the process itself is the subject (`run` reading a pipe, key files made at start,
    a restart, logs kept off stdout), the tests start a real one. The logger levels and filters the command
    sets are put back afterwards."""
    loggers = [logging.getLogger(), *(logger for logger in logging.root.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    kept = [(logger, logger.level, list(logger.filters)) for logger in loggers]

    def run(*args: str, cwd: Path | None = None, **env: str) -> Ran:
        with monkeypatch.context() as patch:
            for key in list(os.environ):
                if key.startswith(tuple(f"{name.upper()}_" for name in names())) or key in NOT_INHERITED:
                    patch.delenv(key)
            for key, value in env.items():
                patch.setenv(key, value)
            patch.chdir(cwd or ROOT)
            capsys.readouterr()
            try:
                code = cli_main(list(args))
            except SystemExit as leaving:  # argparse's usage errors
                code = leaving.code if isinstance(leaving.code, int) else 1
            out, err = capsys.readouterr()
        return Ran(code, out, err)

    yield run
    for logger, level, filters in kept:  # the handlers are pytest's own while a test runs: basicConfig adds none
        logger.setLevel(level)
        logger.filters[:] = filters
