"""The console as the core sees it: who is typing, and that it can always run (a terminal needs no token)."""

from __future__ import annotations

import getpass
import sys

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import Settings


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    console_user: str = Field("", description="The console adapter's user id; empty: your login name.",
                              examples=["ana"])


def configured(settings: ConsoleSettings) -> bool:
    return True


async def run(settings: Settings, console_settings: ConsoleSettings) -> int:
    from adapters import names
    from adapters.console.adapter import ConsoleAdapter
    from bot.app import build_app

    async with build_app(settings, platforms=names(), warm=sys.stdin.isatty()) as app:  # a script piped in: no warm-up
        user = console_settings.console_user or getpass.getuser() or "me"
        console = ConsoleAdapter(app.conversation, user, files_dir=settings.data_dir / "exports")
        app.start_delivery({"console": console})
        async with app.ops(lambda: True):  # a terminal has no connection to lose
            await console.run()
    return 0
