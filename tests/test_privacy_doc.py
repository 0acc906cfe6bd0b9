"""docs/privacy.md lists every table the bot writes and, for each, exactly its encrypted columns, read from the
models (and from slack_sdk's own table definitions for the Slack install flow), so the page cannot drift."""

from __future__ import annotations

import re

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table

from adapters.slack.installations import TOKEN_FIELDS
from bot.community.anonymity import SECRET_FILE
from bot.privacy.crypto import KEY_FILE, KEYS_BACKUP
from bot.storage.models import Base
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "privacy.md"


def section(title: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def documented_tables() -> dict[str, set[str]]:
    """Table name -> the columns its row calls encrypted."""
    rows: dict[str, set[str]] = {}
    for line in section("Tables").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        name = re.fullmatch(r"`([a-z_]+)`", cells[0]) if len(cells) == 6 else None
        if name:
            assert name.group(1) not in rows, f"{name.group(1)} listed twice"
            rows[name.group(1)] = set(re.findall(r"`([a-z_]+)`", cells[2]))
    return rows


def slack_tables() -> list[Table]:
    metadata = MetaData()
    return [AsyncSQLAlchemyInstallationStore.build_installations_table(
                metadata, AsyncSQLAlchemyInstallationStore.default_installations_table_name),
            AsyncSQLAlchemyInstallationStore.build_bots_table(
                metadata, AsyncSQLAlchemyInstallationStore.default_bots_table_name),
            AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(
                metadata, AsyncSQLAlchemyOAuthStateStore.default_table_name)]


def test_every_table_is_documented_with_its_encrypted_columns() -> None:
    documented = documented_tables()
    expected = {table.name: {column.name for column in table.columns if column.name.endswith("_enc")}
                for table in Base.metadata.sorted_tables}
    expected |= {table.name: {column.name for column in table.columns if column.name in TOKEN_FIELDS}
                 for table in slack_tables()}
    assert set(documented) == set(expected), "docs/privacy.md must list exactly the tables the bot writes"
    for name, encrypted in expected.items():
        assert documented[name] == encrypted, f"{name}: the page says {documented[name]}, the model {encrypted}"


def test_every_file_is_documented() -> None:
    files = section("Files")
    for name in ("boundary-bot.db", "exports/", KEY_FILE, SECRET_FILE):
        assert name in files, name
    assert KEYS_BACKUP in " ".join(files.split())
