"""Settings from the environment and `.env`. Nothing is read at import time: call `Settings()`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_CONTENT = Path(__file__).resolve().parent.parent / "content"

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    adapter: str = Field("auto", pattern=r"^[a-z]+$",
                         description="Which adapter `run` starts; auto picks by the tokens set.")
    data_dir: Path = Field(Path("data"), description="Where the SQLite database and exports live.")
    keys_dir: Path | None = Field(None, description="Where local key files are made when ENCRYPTION_KEYS or "
                                  "COMMUNITY_SECRET are empty; empty: <DATA_DIR>-keys beside DATA_DIR, never in it.")
    database_url: str = Field("", description="Empty for SQLite in DATA_DIR; or sqlite:///path, postgresql://...")
    content_dir: Path = Field(default_factory=lambda: PROJECT_CONTENT, description="Folder of the YAML content.")
    encryption_keys: SecretStr = Field(
        SecretStr(""), description="Comma-separated Fernet keys, newest first; empty: a key file in KEYS_DIR."
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    default_country: str = Field("", pattern=r"^([A-Za-z]{2})?$",
                                 description="Two-letter country for support numbers when a person has not chosen.")
    retention_days: int = Field(365, ge=1, le=3650, description="Days a person's own words are kept.")
    crisis_pause_hours: int = Field(72, ge=0, le=720, description="Hours without tips or prompts after a crisis reply.")
    default_timezone: str = Field("", description="IANA zone for /schedule when a person names none; empty: ask.")
    grace_minutes: int = Field(120, ge=0, le=1440, description="How late an overdue prompt may still go out.")
    dispatch_interval_seconds: float = Field(10.0, gt=0, le=300, description="How often due prompts are claimed.")
    instance_id: str = Field("", pattern=r"^[A-Za-z0-9_.-]{0,12}$",
                             description="This process's name in the outbox (1-12 characters), the same across "
                             "restarts; empty: a slot kept in DATA_DIR.")
    community_secret: SecretStr = Field(
        SecretStr(""), description="Secret for the anonymous tags of circles and pulses; empty: a key file in KEYS_DIR."
    )
    pulse_min_respondents: int = Field(5, ge=3, le=1000,
                                       description="Answers a pulse round needs before any result is shown (3+).")
    tip_history_size: int = Field(20, ge=0, le=500, description="How many recent tips a person won't see again.")
    port: int = Field(3000, ge=1, le=65535, description="Port of the HTTP server (an adapter's HTTP mode).")
    metrics_port: int = Field(0, ge=0, le=65535, description="Port for /healthz, /readyz and /metrics; 0: off.")
    metrics_host: str = Field("127.0.0.1", description="Address the metrics port listens on; 0.0.0.0 for all.")
    log_format: Literal["text", "json"] = Field("text", description="text (readable) or json (one object a line).")

    @field_validator("content_dir", mode="before")
    @classmethod
    def _content_default(cls, value: object) -> object:
        return PROJECT_CONTENT if value in ("", None) else value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                raise ValueError("is not an IANA time zone") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"should be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    def data_dir_problem(self) -> str | None:
        """Why DATA_DIR can't hold the database and key files, in one line; None when it can."""
        try:
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # private from the start
            probe = self.data_dir / ".write-check"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return f"DATA_DIR={self.data_dir}: can't write there ({reason.lower()}). For example: DATA_DIR=data"
        return None

    def key_folder(self) -> Path:
        """Where local key files go: KEYS_DIR, or a folder beside DATA_DIR (a backup of the data folder then
        holds no key to read it with)."""
        return self.keys_dir or self.data_dir.with_name(self.data_dir.name + "-keys")

# ---------------------------------------------------------------- explaining a bad setting in one line

# A right value for each setting, shown beside what was wrong with the one given.
EXAMPLES = {
    "adapter": "auto", "data_dir": "data", "database_url": "postgresql://bb:secret@db.example.org/bb",
    "content_dir": "content", "encryption_keys": "(the output of `boundary-bot keygen`)", "log_level": "INFO",
    "default_country": "GB", "retention_days": "365", "crisis_pause_hours": "72",
    "default_timezone": "Europe/Berlin", "grace_minutes": "120", "dispatch_interval_seconds": "10",
    "instance_id": "bot-1",
    "community_secret": "(any long random text)", "pulse_min_respondents": "5", "tip_history_size": "20",
    "port": "3000",
}
_PLAIN = {
    "string_pattern_mismatch": {
        "default_country": "should be a two-letter country code",
    },
}


def explain_settings(error: ValidationError, model: type[BaseSettings] = Settings) -> list[str]:
    """One line per bad setting: its name, what is wrong (never a secret's value) and an example of a right one.
    An adapter's settings (`model`) give their examples and plain words in the field (`examples`, `mismatch`)."""
    lines: list[str] = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else ""
        field = model.model_fields.get(name)
        secret = field is not None and field.annotation is SecretStr
        given = "" if secret else f"={str(problem.get('input', ''))[:60]}"
        extra = field.json_schema_extra if field is not None and isinstance(field.json_schema_extra, dict) else {}
        plain = str(extra["mismatch"]) if problem["type"] == "string_pattern_mismatch" and "mismatch" in extra else ""
        what = plain or _PLAIN.get(problem["type"], {}).get(name) or str(problem["msg"]).removeprefix("Value error, ")
        what = (what[0].lower() + what[1:]).removeprefix("input ") if what else "is not a value it can take"
        example = EXAMPLES.get(name) or (str(field.examples[0]) if field is not None and field.examples else "")
        lines.append(f"{name.upper()}{given}: {what}." + (f" For example: {name.upper()}={example}" if example else ""))
    return lines
