"""The platforms boundary-bot runs on: the one list the core is given, so that it names none of them.

Each platform brings its own settings (read from the environment and `.env`, like the core's), says whether
they are enough to run it (ADAPTER=auto starts the first that is configured), starts itself, declares how fast
it may be sent to, and may add `boundary-bot` subcommands. A new platform is a package under adapters/ with a
`platform.py` and one line in PLATFORMS. Nothing here imports a platform library: `run` does, when called.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic_settings import BaseSettings
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.console import platform as console
from adapters.discord import platform as discord
from adapters.echo import platform as echo
from adapters.slack import platform as slack
from bot.config import Settings
from bot.privacy.crypto import Cipher
from bot.scheduling.pacing import Limit


@dataclass(frozen=True)
class Platform:
    name: str
    settings: type[BaseSettings]
    configured: Callable[[Any], bool]  # given its settings: enough is set to run it
    run: Callable[[Settings, Any], Awaitable[int]]  # build the app and this adapter, deliver, serve until stopped
    library: str | None = None  # the module its extra installs (`doctor` says whether it is there)
    limit: Limit | None = None  # sends across the whole platform, or a workspace
    channel_limit: Limit | None = None  # sends to one channel
    lookup_limit: Limit | None = None  # looks for an earlier attempt's copy before a keyed send repeats it
    add_commands: Callable[[argparse.ArgumentParser], None] | None = None  # `boundary-bot <name> ...`
    command: Callable[[argparse.Namespace, Settings, Any], int] | None = None
    rotate_keys: Callable[[AsyncEngine, Cipher], Awaitable[int]] | None = None  # re-encrypt what it keeps itself
    help: str = ""


PLATFORMS = (  # in the order ADAPTER=auto tries them
    Platform("discord", discord.DiscordSettings, discord.configured, discord.run, library="discord",
             limit=discord.LIMIT, add_commands=discord.add_commands, command=discord.command, help="Discord helpers"),
    Platform("slack", slack.SlackSettings, slack.configured, slack.run, library="slack_bolt", limit=slack.LIMIT,
             channel_limit=slack.CHANNEL_LIMIT, lookup_limit=slack.LOOKUP_LIMIT, add_commands=slack.add_commands,
             command=slack.command, rotate_keys=slack.rotate_keys, help="Slack helpers"),
    Platform("echo", echo.EchoSettings, echo.configured, echo.run),  # a demonstration (README: Adding a platform)
    Platform("console", console.ConsoleSettings, console.configured, console.run),
)


def names() -> list[str]:
    return [platform.name for platform in PLATFORMS]


def named(name: str) -> Platform:
    return next(platform for platform in PLATFORMS if platform.name == name)


def load_settings() -> dict[str, BaseSettings]:
    """Every platform's settings, from the environment and `.env` (a bad value raises ValidationError)."""
    return {platform.name: platform.settings() for platform in PLATFORMS}


def chosen(settings: Settings, loaded: dict[str, BaseSettings]) -> Platform:
    """ADAPTER when it names a platform; with ADAPTER=auto, the first whose settings are enough to run it."""
    if settings.adapter != "auto":
        return named(settings.adapter)
    return next(platform for platform in PLATFORMS if platform.configured(loaded[platform.name]))


def rate_limits() -> dict[str, dict[str, Limit]]:
    """Every platform's limits, as the Pacer takes them: `Pacer(**rate_limits())`."""
    return {"platform_limits": {p.name: p.limit for p in PLATFORMS if p.limit is not None},
            "channel_limits": {p.name: p.channel_limit for p in PLATFORMS if p.channel_limit is not None},
            "lookup_limits": {p.name: p.lookup_limit for p in PLATFORMS if p.lookup_limit is not None}}
