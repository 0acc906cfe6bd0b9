"""Engine, sessions and migrations. SQLite by default; PostgreSQL through asyncpg to scale."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

if TYPE_CHECKING:
    from bot.privacy.crypto import Cipher

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            private_database_file(Path(path))
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def private_database_file(path: Path) -> None:
    """The folder (0700 when made here) and an empty database file (0600) before SQLite opens it: SQLite gives
    its -wal and -shm files the database file's permissions, so none of them is readable by others."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def readable_by_others(paths: list[Path]) -> list[Path]:
    """Those of `paths` that exist and that the group or others may read (for `doctor`)."""
    return [path for path in paths if path.exists() and path.stat().st_mode & 0o077]


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: Connection, cipher: Cipher | None = None) -> Config:
    """`cipher` is for migrations that encrypt (or decrypt) stored values; one that finds such values without
    it stops with an error instead of leaving them readable."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["cipher"] = cipher
    return config


async def migrate(engine: AsyncEngine, cipher: Cipher | None = None) -> None:
    """Bring the schema to the newest revision (idempotent; run by `migrate` and at start)."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync, cipher), "head"))


async def schema_status(engine: AsyncEngine) -> tuple[str | None, str | None]:
    """(current revision in the database, newest revision shipped)."""

    def read(sync: Connection) -> tuple[str | None, str | None]:
        current = MigrationContext.configure(sync).get_current_revision()
        head = ScriptDirectory.from_config(_alembic_config(sync)).get_current_head()
        return current, head

    async with engine.connect() as connection:
        return await connection.run_sync(read)
