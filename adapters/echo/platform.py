"""Echo as the core sees it: a demonstration that a fourth platform is one package and one registry line."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import Settings


class EchoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    echo_script: str = Field("", description="A file of lines for the echo adapter (a demonstration, not a "
                             "product) to answer; set it to run echo.", examples=["script.txt"])


def configured(settings: EchoSettings) -> bool:  # never chosen by ADAPTER=auto unless asked for by its setting
    return bool(settings.echo_script)


async def run(settings: Settings, echo_settings: EchoSettings) -> int:
    from adapters import names
    from adapters.echo.adapter import EchoAdapter
    from bot.app import build_app

    script = await asyncio.to_thread(Path(echo_settings.echo_script).read_text, encoding="utf-8")
    async with build_app(settings, platforms=names(), warm=False) as app:
        echo = EchoAdapter(app.conversation)
        for line in script.splitlines():
            print("\n".join(reply.text for reply in (await echo.hear(line)).replies), end="\n\n")
    return 0
