"""Slack as the core sees it: its settings, when it runs, how it starts, how fast it may be sent to, and
`boundary-bot slack manifest`. Nothing here imports slack-bolt; `run` does, when it is called."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.privacy.crypto import Cipher
from bot.scheduling.pacing import Limit, Pacer


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr = Field(SecretStr(""), description="Slack bot token (xoxb-...).",
                                       examples=["xoxb-..."])
    slack_app_token: SecretStr = Field(SecretStr(""), description="Slack app-level token (xapp-...) for Socket Mode.",
                                       examples=["xapp-..."])
    slack_allowed_teams: str = Field("", pattern=r"^[A-Za-z0-9,\s]*$",
                                     description="Comma-separated Slack workspace (team) ids that may install the "
                                     "app through the install page; empty: any.")
    slack_signing_secret: SecretStr = Field(SecretStr(""), description="Slack signing secret for HTTP mode.",
                                            examples=["(from Basic Information)"])
    slack_client_id: str = Field("", description="Slack app client id; with the secret, HTTP mode offers the OAuth "
                                                 "install flow for many workspaces.",
                                 examples=["1234567890.1234567890"])
    slack_client_secret: SecretStr = Field(SecretStr(""), description="Slack app client secret, for the OAuth flow.",
                                           examples=["(from Basic Information)"])
    slack_api_url: str = Field("https://slack.com/api/", description="Slack Web API base URL (a proxy or a local "
                                                                     "test server).",
                               examples=["https://slack.com/api/"])

    def slack_allowed_team_list(self) -> list[str]:
        return [team.strip() for team in self.slack_allowed_teams.split(",") if team.strip()]


def configured(settings: SlackSettings) -> bool:
    return bool(settings.slack_bot_token.get_secret_value() or settings.slack_app_token.get_secret_value()
                or (settings.slack_client_id and settings.slack_client_secret.get_secret_value()))


# About one message per second per channel, and a workspace-wide budget for chat.postMessage beyond that.
# Several instances each pace themselves; what they add up to beyond the limit is caught by honouring
# Retry-After.
LIMIT = Limit(20.0, 2.0)
CHANNEL_LIMIT = Limit(1.0, 1.0)
# Before repeating a prompt whose first attempt may have gone out, the DM is read (conversations.history): a Tier 3
# method, 50 a minute per workspace with sporadic bursts welcome.
LOOKUP_LIMIT = Limit(50 / 60, 10.0)


async def run(settings: Settings, slack: SlackSettings) -> int:
    from adapters import names
    from adapters.slack.adapter import SlackAdapter, database_oauth_settings
    from bot.app import build_app
    from bot.storage.seen import DatabaseSeenEvents

    token = slack.slack_bot_token.get_secret_value()
    app_token = slack.slack_app_token.get_secret_value()
    secret = slack.slack_signing_secret.get_secret_value()
    client_secret = slack.slack_client_secret.get_secret_value()
    oauth = bool(slack.slack_client_id and client_secret) and not app_token  # install pages need HTTP mode
    if not token and not oauth:
        print("Set SLACK_BOT_TOKEN (one workspace), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for installs into "
              "many workspaces (HTTP mode); see the README's Slack section.", file=sys.stderr)
        return 2
    if not app_token and not secret:
        print("Set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode.", file=sys.stderr)
        return 2
    async with build_app(settings, platforms=names()) as app:
        seen = DatabaseSeenEvents(app.engine)
        oauth_settings = await database_oauth_settings(
            app.engine, slack.slack_client_id, client_secret, cipher=app.repository.cipher,
            allowed_teams=slack.slack_allowed_team_list(), api_url=slack.slack_api_url) if oauth else None
        adapter = SlackAdapter(app.conversation, signing_secret=secret, token="" if oauth else token,
                               api_url=slack.slack_api_url, app_token=app_token, oauth_settings=oauth_settings,
                               seen_events=seen, ack_observer=app.metrics.ack_observer("slack"))
        app.start_delivery({"slack": adapter}, pacer=Pacer(platform_limits={"slack": LIMIT},
                                                           channel_limits={"slack": CHANNEL_LIMIT},
                                                           lookup_limits={"slack": LOOKUP_LIMIT}))
        app.start_community({"slack": adapter})
        if not app_token and settings.metrics_port == settings.port:  # HTTP mode: one port for both
            async with app.ops_on_app_port(adapter.serving.is_set) as shared_ops:
                adapter.share_port_with(shared_ops)
                await adapter.run(port=settings.port)
            return 0
        async with app.ops(adapter.serving.is_set):
            await adapter.run(port=settings.port)
    return 0


async def rotate_keys(engine: AsyncEngine, cipher: Cipher) -> int:
    """Installations' tokens under the newest key, when slack-sdk is installed (without it there are none)."""
    if importlib.util.find_spec("slack_sdk") is None:
        return 0
    from adapters.slack.installations import rotate_tokens

    return await rotate_tokens(engine, cipher)


def add_commands(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="slack_command", required=True, metavar="ACTION")
    manifest = actions.add_parser("manifest", help="print the Slack app manifest (Socket Mode, or HTTP mode with "
                                                   "--url)")
    manifest.add_argument("--url", default="", help="public base URL for HTTP mode, e.g. https://bot.example.org")


def command(args: argparse.Namespace, settings: Settings, slack: SlackSettings) -> int:
    from adapters.slack.manifest import manifest_text  # plain YAML: works without the slack extra

    url: str = args.url
    parsed = urlsplit(url)
    if url and (parsed.scheme != "https" or not parsed.hostname or parsed.query or parsed.fragment):
        print(f"slack manifest: --url must be a public https:// address, e.g. https://bot.example.org (got "
              f"'{url[:60]}'; Slack only calls https URLs)", file=sys.stderr)
        return 2
    print(manifest_text(url), end="")
    return 0
