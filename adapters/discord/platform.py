"""Discord as the core sees it: its settings, when it runs, how it starts, how fast it may be sent to, and
`boundary-bot discord invite-url`. Nothing here imports discord.py; `run` does, when it is called."""

from __future__ import annotations

import argparse
import sys

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import Settings
from bot.scheduling.pacing import Limit, Pacer


class DiscordSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr = Field(SecretStr(""), description="Discord bot token; set it to run on Discord.",
                                     examples=["(the bot token from the Developer Portal)"])
    discord_application_id: str = Field("", pattern=r"^[0-9]*$",
                                        description="Discord application id, for `boundary-bot discord invite-url`.",
                                        examples=["1234567890123456789"],
                                        json_schema_extra={"mismatch": "should be the application's number "
                                                                       "(digits only)"})
    discord_guild_ids: str = Field("", pattern=r"^[0-9,\s]*$",
                                   description="Comma-separated server ids to sync commands to at once; empty: global.",
                                   examples=["123456789012345678,234567890123456789"],
                                   json_schema_extra={"mismatch": "should be numbers separated by commas"})
    discord_shard_ids: str = Field("", pattern=r"^[0-9,\s]*$",
                                   description="Comma-separated shard ids this process runs; empty: all.",
                                   examples=["0,1"], json_schema_extra={"mismatch": "should be numbers separated "
                                                                                    "by commas"})
    discord_shard_count: int = Field(0, ge=0, description="Total number of shards; 0: one process, no sharding.",
                                     examples=["2"])
    discord_api_base: str = Field("https://discord.com/api/v10", description="Discord REST base URL.",
                                  examples=["https://discord.com/api/v10"])
    discord_gateway_url: str = Field("wss://gateway.discord.gg/", description="Discord gateway URL.",
                                     examples=["wss://gateway.discord.gg/"])

    @staticmethod
    def _ids(text: str) -> list[int]:
        return [int(part) for part in text.replace(" ", "").split(",") if part]

    def discord_guild_id_list(self) -> list[int]:
        return self._ids(self.discord_guild_ids)

    def discord_shard_id_list(self) -> list[int]:
        return self._ids(self.discord_shard_ids)


def configured(settings: DiscordSettings) -> bool:
    return bool(settings.discord_token.get_secret_value())


# Discord allows 50 requests a second across the bot: sends are spaced evenly a little under it (burst 1), leaving
# room for a send's further requests and for arrivals bunching (docs/reliability.md, item 2; global_pace.py).
LIMIT = Limit(40.0, 1.0, per_workspace=False)


async def run(settings: Settings, discord: DiscordSettings) -> int:
    from adapters import names
    from adapters.discord.adapter import DiscordAdapter, configure_endpoints
    from bot.app import build_app
    from bot.storage.seen import DatabaseSeenEvents

    token = discord.discord_token.get_secret_value()
    if not token:
        print("Set DISCORD_TOKEN to run on Discord (see the README's Discord section).", file=sys.stderr)
        return 2
    configure_endpoints(discord.discord_api_base, discord.discord_gateway_url)
    async with build_app(settings, platforms=names()) as app:
        # Shared through the database: two unsharded processes on one token apply a typed DM answer once.
        adapter = DiscordAdapter(app.conversation, app.content, token, guild_ids=discord.discord_guild_id_list(),
                                 shard_ids=discord.discord_shard_id_list() or None,
                                 shard_count=discord.discord_shard_count or None,
                                 seen_events=DatabaseSeenEvents(app.engine),
                                 http_observer=app.metrics.http_observer("discord"))
        app.start_delivery({"discord": adapter}, pacer=Pacer(platform_limits={"discord": LIMIT}))
        app.start_community({"discord": adapter})
        async with app.ops(adapter.connected):
            await adapter.run()
    return 0


# Send Messages, Embed Links, Attach Files, Use Application Commands: all the bot ever does in a channel.
DISCORD_PERMISSIONS = (1 << 11) | (1 << 14) | (1 << 15) | (1 << 31)


def discord_invite_urls(application_id: str) -> dict[str, str]:
    """Install links: to a server (bot + slash commands) and to a person's account (slash commands in DMs)."""
    base = f"https://discord.com/oauth2/authorize?client_id={application_id}"
    return {
        "server": f"{base}&scope=bot+applications.commands&permissions={DISCORD_PERMISSIONS}&integration_type=0",
        "user": f"{base}&scope=applications.commands&integration_type=1",
    }


def add_commands(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="discord_command", required=True, metavar="ACTION")
    actions.add_parser("invite-url", help="print the install links (needs DISCORD_APPLICATION_ID)")


def command(args: argparse.Namespace, settings: Settings, discord: DiscordSettings) -> int:
    if not discord.discord_application_id:
        print("Set DISCORD_APPLICATION_ID (Developer Portal → your app → General Information → Application ID).",
              file=sys.stderr)
        return 2
    urls = discord_invite_urls(discord.discord_application_id)
    print(f"Add to a server:     {urls['server']}")
    print(f"Add to your account: {urls['user']}")
    return 0
