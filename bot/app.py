"""Composition root: settings -> database -> content -> service -> adapter. Nothing is global."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.content.loader import Content, load_content
from bot.privacy.crypto import load_cipher
from bot.service import CheckinService
from bot.storage.database import make_engine, make_sessionmaker, migrate
from bot.storage.repository import Repository
from bot.storage.urls import normalize_database_url

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    content: Content
    repository: Repository
    service: CheckinService


@asynccontextmanager
async def build_app(settings: Settings, *, run_migrations: bool = True) -> AsyncIterator[App]:
    content = load_content(settings.content_dir)
    url = normalize_database_url(settings.database_url, settings.data_dir)
    engine = make_engine(url)
    try:
        if run_migrations:
            await migrate(engine)
        cipher = load_cipher(settings.encryption_keys.get_secret_value(), settings.data_dir)
        repository = Repository(make_sessionmaker(engine), cipher)
        service = CheckinService(content, repository, tip_history_size=settings.tip_history_size)
        yield App(settings, engine, content, repository, service)
    finally:
        await engine.dispose()


def configure_logging(level: str) -> None:
    """Logs go to stderr, so the console adapter's stdout holds only the conversation."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
