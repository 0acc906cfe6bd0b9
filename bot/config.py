"""Settings from the environment and `.env`. Nothing is read at import time: call `Settings()`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_CONTENT = Path(__file__).resolve().parent.parent / "content"

AdapterName = Literal["auto", "console", "discord", "slack"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    adapter: AdapterName = Field("auto", description="Which adapter `run` starts; auto picks by the tokens set.")
    data_dir: Path = Field(Path("data"), description="Where the SQLite database and the local key live.")
    database_url: str = Field("", description="Empty for SQLite in DATA_DIR; or sqlite:///path, postgresql://...")
    content_dir: Path = Field(default_factory=lambda: PROJECT_CONTENT, description="Folder of the YAML content.")
    encryption_keys: SecretStr = Field(
        SecretStr(""), description="Comma-separated Fernet keys, newest first; empty: a key file in DATA_DIR."
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    console_user: str = Field("", description="The console adapter's user id; empty: your login name.")
    default_country: str = Field("", pattern=r"^([A-Za-z]{2})?$",
                                 description="Two-letter country for support numbers when a person has not chosen.")
    retention_days: int = Field(365, ge=1, le=3650, description="Days a person's own words are kept.")
    crisis_pause_hours: int = Field(72, ge=0, le=720, description="Hours without tips or prompts after a crisis reply.")
    default_timezone: str = Field("", description="IANA zone for /schedule when a person names none; empty: ask.")
    grace_minutes: int = Field(120, ge=0, le=1440, description="How late an overdue prompt may still go out.")
    dispatch_interval_seconds: float = Field(10.0, gt=0, le=300, description="How often due prompts are claimed.")
    community_secret: SecretStr = Field(
        SecretStr(""), description="Secret for the anonymous tags of circles and pulses; empty: a key file in DATA_DIR."
    )
    pulse_min_respondents: int = Field(5, ge=3, le=1000,
                                       description="Answers a pulse round needs before any result is shown (3+).")
    tip_history_size: int = Field(20, ge=0, le=500, description="How many recent tips a person won't see again.")
    discord_token: SecretStr = Field(SecretStr(""), description="Discord bot token; set it to run on Discord.")
    discord_application_id: str = Field("", pattern=r"^[0-9]*$",
                                        description="Discord application id, for `boundary-bot discord invite-url`.")
    discord_guild_ids: str = Field("", pattern=r"^[0-9,\s]*$",
                                   description="Comma-separated server ids to sync commands to at once; empty: global.")
    discord_shard_ids: str = Field("", pattern=r"^[0-9,\s]*$",
                                   description="Comma-separated shard ids this process runs; empty: all.")
    discord_shard_count: int = Field(0, ge=0, description="Total number of shards; 0: one process, no sharding.")
    discord_api_base: str = Field("https://discord.com/api/v10", description="Discord REST base URL.")
    discord_gateway_url: str = Field("wss://gateway.discord.gg/", description="Discord gateway URL.")
    slack_bot_token: SecretStr = Field(SecretStr(""), description="Slack bot token (xoxb-...).")
    slack_app_token: SecretStr = Field(SecretStr(""), description="Slack app-level token (xapp-...) for Socket Mode.")
    slack_signing_secret: SecretStr = Field(SecretStr(""), description="Slack signing secret for HTTP mode.")
    slack_client_id: str = Field("", description="Slack app client id; with the secret, HTTP mode offers the OAuth "
                                                 "install flow for many workspaces.")
    slack_client_secret: SecretStr = Field(SecretStr(""), description="Slack app client secret, for the OAuth flow.")
    slack_api_url: str = Field("https://slack.com/api/", description="Slack Web API base URL (a proxy or a local "
                                                                     "test server).")
    port: int = Field(3000, ge=1, le=65535, description="Port of the HTTP server (Slack HTTP mode).")
    metrics_port: int = Field(0, ge=0, le=65535, description="Port for /healthz, /readyz and /metrics; 0: off.")
    metrics_host: str = Field("127.0.0.1", description="Address the metrics port listens on; 0.0.0.0 for all.")
    log_format: Literal["text", "json"] = Field("text", description="text (readable) or json (one object a line).")

    @field_validator("content_dir", mode="before")
    @classmethod
    def _content_default(cls, value: object) -> object:
        return PROJECT_CONTENT if value in ("", None) else value

    @staticmethod
    def _ids(text: str) -> list[int]:
        return [int(part) for part in text.replace(" ", "").split(",") if part]

    def discord_guild_id_list(self) -> list[int]:
        return self._ids(self.discord_guild_ids)

    def discord_shard_id_list(self) -> list[int]:
        return self._ids(self.discord_shard_ids)

    def chosen_adapter(self) -> Literal["console", "discord", "slack"]:
        if self.adapter != "auto":
            return self.adapter
        if self.discord_token.get_secret_value():
            return "discord"
        if self.slack_bot_token.get_secret_value() or self.slack_app_token.get_secret_value() \
                or (self.slack_client_id and self.slack_client_secret.get_secret_value()):
            return "slack"
        return "console"
