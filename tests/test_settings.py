from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters import PLATFORMS, chosen
from bot.config import Settings
from bot.storage.urls import DatabaseUrlError, normalize_database_url, redact

ROOT = Path(__file__).resolve().parent.parent


def _example_keys() -> list[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)


def test_env_example_lists_every_setting_once_and_nothing_else() -> None:
    keys = _example_keys()
    fields = [*Settings.model_fields, *(name for platform in PLATFORMS for name in platform.settings.model_fields)]
    assert sorted(keys) == sorted(name.upper() for name in fields)
    assert len(keys) == len(set(keys))


def test_every_setting_in_env_example_has_a_comment_line_above_it() -> None:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            assert index > 0, f"{line} has no comment"
            assert lines[index - 1].startswith("# "), f"{line} has no comment"


def test_secrets_are_blank_in_env_example() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "ENCRYPTION_KEYS"):
        assert re.search(rf"^{name}=$", text, flags=re.MULTILINE), name


def test_the_adapter_follows_the_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ADAPTER", "DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert _chosen() == "console"
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert _chosen() == "slack"
    monkeypatch.setenv("DISCORD_TOKEN", "abc")
    assert _chosen() == "discord"
    monkeypatch.setenv("ADAPTER", "console")
    assert _chosen() == "console"


def _chosen() -> str:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return chosen(settings, {platform.name: platform.settings(_env_file=None)  # type: ignore[call-arg]
                             for platform in PLATFORMS}).name


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("", "sqlite+aiosqlite:///data/boundary-bot.db"),
        ("sqlite:///data/x.db", "sqlite+aiosqlite:///data/x.db"),
        ("sqlite:////var/lib/bb.db", "sqlite+aiosqlite:////var/lib/bb.db"),
        ("postgres://bb:pw@db.example:5432/bb", "postgresql+asyncpg://bb:pw@db.example:5432/bb"),
        ("postgresql://postgres@127.0.0.1/test", "postgresql+asyncpg://postgres@127.0.0.1/test"),
        ("postgresql+psycopg2://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
        ("postgresql://u@h/d?sslmode=require", "postgresql+asyncpg://u@h/d?ssl=require"),
        ("  postgres://u@h/d  ", "postgresql+asyncpg://u@h/d"),
    ],
)
def test_database_urls_people_paste_get_an_async_driver(pasted: str, expected: str) -> None:
    assert normalize_database_url(pasted, Path("data")) == expected


@pytest.mark.parametrize("bad", ["mysql://u@h/d", "data/bb.db", "http://example.org"])
def test_unsupported_database_urls_are_refused_with_a_clear_message(bad: str) -> None:
    with pytest.raises(DatabaseUrlError, match="DATABASE_URL"):
        normalize_database_url(bad, Path("data"))


def test_redact_hides_the_password_only() -> None:
    assert redact("postgresql+asyncpg://bb:s3cret@h:5432/d") == "postgresql+asyncpg://bb:***@h:5432/d"
    assert redact("sqlite+aiosqlite:///data/x.db") == "sqlite+aiosqlite:///data/x.db"
