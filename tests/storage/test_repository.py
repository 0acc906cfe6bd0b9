"""Storage as it really behaves on SQLite and PostgreSQL: encryption at rest, optimistic versions, migrations."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.console.adapter import ConsoleAdapter
from bot.content.loader import Content
from bot.conversation import Conversation
from bot.events import ChoicePicked, Command
from bot.messages import Address
from bot.privacy.crypto import Cipher
from bot.storage.models import Base
from bot.storage.repository import Repository

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

NOTE = "Marmalade-orbit 9317: my sister reads my diary"
PREPARE_WORDS = (
    "Xylophone-tempest shouting at dinner",
    "Quillwort-small and unheard",
    "Zephyrine calm voices please",
    "Brackenfold leave the room",
)
SECRETS = (NOTE, "Marmalade-orbit", "my sister reads", *PREPARE_WORDS, "Xylophone", "Quillwort", "Zephyrine",
           "Brackenfold")


async def every_stored_value(engine: AsyncEngine) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every column of every row of every table."""

    def table_columns(sync: Connection) -> dict[str, list[str]]:
        inspector = inspect(sync)
        return {table: [column["name"] for column in inspector.get_columns(table)]
                for table in inspector.get_table_names()}

    found: list[tuple[str, str, str]] = []
    async with engine.connect() as connection:
        tables = await connection.run_sync(table_columns)
        for table, columns in tables.items():
            selected = ", ".join(f'"{column}"' for column in columns)
            for row in (await connection.execute(text(f'SELECT {selected} FROM "{table}"'))).all():
                found.extend((table, column, str(value)) for column, value in zip(columns, row, strict=True)
                             if value is not None)
    return found


async def test_notes_and_prepare_answers_are_never_stored_in_plain_text(
    console: ConsoleAdapter, repository: Repository, raw_engine: AsyncEngine, cipher: Cipher, database_url: str
) -> None:
    await console.respond("/checkin")
    await console.respond("2")
    await console.respond("1,3")
    await console.respond(NOTE)

    await console.respond("/checkin prepare")
    for words in PREPARE_WORDS[:-1]:
        await console.respond(words)
    # Half-way through a second prepare, the open session holds words too.
    out = await console.respond(PREPARE_WORDS[-1])
    # The script is built from answers stored encrypted step by step, so the service reads them back.
    for words in PREPARE_WORDS:
        assert words.casefold() in out.casefold()
    await console.respond("/checkin prepare")
    await console.respond(PREPARE_WORDS[0])
    await console.respond(PREPARE_WORDS[1])

    stored = await every_stored_value(raw_engine)
    assert any(table == "identities" and value == "ana" for table, _, value in stored), "the scan sees the data"
    assert any(table == "checkins" for table, _, _ in stored)
    for table, column, value in stored:
        for secret in SECRETS:
            assert secret.casefold() not in value.casefold(), f"{secret!r} is readable in {table}.{column}"

    if database_url.startswith("sqlite"):
        path = Path(database_url.split(":///", 1)[1])
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                raw = file.read_bytes()
                for secret in SECRETS:
                    assert secret.encode() not in raw, f"{secret!r} is in the bytes of {file.name}"

    # Still readable with the key: the check-in kept the note, the open session its answers.
    me = await repository.identity_id(console.address)
    [daily] = [row for row in await repository.checkins(me) if row.flow_id == "daily"]
    assert daily.has_note
    async with raw_engine.connect() as connection:
        encrypted = (await connection.execute(
            text("SELECT words_enc FROM checkins WHERE flow_id = 'daily'"))).scalar_one()
    assert json.loads(cipher.decrypt(encrypted))["note"] == NOTE
    session = await repository.open_session(me)
    assert session is not None
    assert session.answers == {"happened": PREPARE_WORDS[0], "feel": PREPARE_WORDS[1]}
    out = await console.respond("/history")
    assert "Your last note is from" in out
    assert "Marmalade" not in out


# ---------------------------------------------------------------- optimistic versions


async def test_two_saves_of_the_same_version_only_one_wins(repository: Repository) -> None:
    me = await repository.identity_id(Address("console", "local", "ana"))
    record = await repository.start_session(me, "daily", "safety")
    first = await repository.save_step(record, "boundaries", {"safety": 2})
    second = await repository.save_step(record, "boundaries", {"safety": 4})
    assert [first, second] == [True, False]
    stored = await repository.get_session(record.id)
    assert stored is not None
    assert (stored.step_id, stored.answers, stored.version) == ("boundaries", {"safety": 2}, 2)


async def test_two_concurrent_saves_of_the_same_version_only_one_wins(repository: Repository) -> None:
    me = await repository.identity_id(Address("console", "local", "ana"))
    record = await repository.start_session(me, "daily", "safety")
    results = await asyncio.gather(repository.save_step(record, "boundaries", {"safety": 2}),
                                   repository.save_step(record, "boundaries", {"safety": 4}))
    assert sorted(results) == [False, True]
    stored = await repository.get_session(record.id)
    assert stored is not None
    winner = {"safety": 2} if results[0] else {"safety": 4}
    assert (stored.step_id, stored.answers, stored.version) == ("boundaries", winner, 2)


@pytest.mark.parametrize("values", [("2", "2"), ("2", "4")], ids=["same-button", "two-buttons"])
async def test_two_concurrent_clicks_on_one_step_apply_once(values: tuple[str, str], service: Conversation,
                                                            repository: Repository, content: Content) -> None:
    address = Address("slack", "T1", "U1", "D1")
    [*_, prompt] = (await service.handle(Command(address, "checkin"))).replies
    assert prompt.question is not None
    question = prompt.question
    results = [response.replies for response in await asyncio.gather(
        *(service.handle(ChoicePicked(address, question.token(value))) for value in values))]

    applied = [index for index, replies in enumerate(results)
               if replies[-1].question is not None and replies[-1].question.step_id == "boundaries"]
    assert len(applied) == 1, results
    [loser] = [replies for index, replies in enumerate(results) if index not in applied]
    assert [reply.text for reply in loser] == [content.texts.get("stale_click")]
    stored = await repository.get_session(question.session_id)
    assert stored is not None
    assert stored.step_id == "boundaries"
    assert stored.version == 2
    assert stored.answers == {"safety": int(values[applied[0]])}


# ---------------------------------------------------------------- finishing


async def finish(repository: Repository, record: Any) -> bool:
    return await repository.finish(record, {"safety": 3, "boundaries": ["saying_no"]}, {}, safety=3,
                                   boundaries=["saying_no"], tip_id="let-them-be-disappointed")


async def test_finish_with_a_stale_record_keeps_no_second_checkin(repository: Repository) -> None:
    me = await repository.identity_id(Address("console", "local", "ana"))
    record = await repository.start_session(me, "daily", "safety")
    assert await finish(repository, record)
    assert not await finish(repository, record)
    assert await repository.checkin_count(me) == 1
    assert await repository.recent_tip_ids(me, 10) == ["let-them-be-disappointed"]
    stored = await repository.get_session(record.id)
    assert stored is not None
    assert (stored.status, stored.step_id) == ("done", None)


async def test_finish_after_the_session_moved_on_keeps_nothing(repository: Repository) -> None:
    me = await repository.identity_id(Address("console", "local", "ana"))
    record = await repository.start_session(me, "daily", "safety")
    assert await repository.save_step(record, "boundaries", {"safety": 3})
    assert not await finish(repository, record)
    assert await repository.checkin_count(me) == 0
    assert await repository.recent_tip_ids(me, 10) == []


async def test_concurrent_finishes_keep_one_checkin(repository: Repository) -> None:
    me = await repository.identity_id(Address("console", "local", "ana"))
    record = await repository.start_session(me, "daily", "safety")
    results = await asyncio.gather(finish(repository, record), finish(repository, record))
    assert sorted(results) == [False, True]
    assert await repository.checkin_count(me) == 1
    assert len(await repository.recent_tip_ids(me, 10)) == 1


# ---------------------------------------------------------------- migrations


async def test_migrations_match_the_models(raw_engine: AsyncEngine) -> None:
    def differences(sync: Connection) -> list[Any]:
        context = MigrationContext.configure(sync, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, Base.metadata))

    def against_nothing(sync: Connection) -> set[str]:
        context = MigrationContext.configure(sync)
        return {diff[1].name for diff in compare_metadata(context, MetaData()) if diff[0] == "remove_table"}

    # Nothing is ignored: alembic leaves out its own alembic_version table by itself.
    async with raw_engine.connect() as connection:
        assert await connection.run_sync(differences) == []
        # The comparison does see the migrated tables (an empty model would drop every one of them).
        assert await connection.run_sync(against_nothing) == set(Base.metadata.tables)
        assert {"identities", "flow_sessions", "checkins", "tip_views"} <= set(Base.metadata.tables)


# ---------------------------------------------------------------- identities


async def test_identity_is_stable_per_platform_workspace_and_user(repository: Repository) -> None:
    discord = Address("discord", "guild-1", "4242", "dm")
    first = await repository.identity_id(discord)
    assert await repository.identity_id(Address("discord", "guild-1", "4242", "another-channel")) == first
    assert await repository.identity_id(discord) == first

    others = {
        await repository.identity_id(Address("slack", "guild-1", "4242", "dm")),
        await repository.identity_id(Address("console", "guild-1", "4242", "dm")),
        await repository.identity_id(Address("discord", "guild-2", "4242", "dm")),
        await repository.identity_id(Address("discord", "guild-1", "4243", "dm")),
    }
    assert len(others) == 4
    assert first not in others


async def test_concurrent_identity_lookups_for_a_new_address_agree(repository: Repository,
                                                                   raw_engine: AsyncEngine) -> None:
    address = Address("slack", "T-new", "U-new", "D1")
    ids = await asyncio.gather(*(repository.identity_id(address) for _ in range(8)))
    assert len(set(ids)) == 1
    async with raw_engine.connect() as connection:
        count = (await connection.execute(
            text("SELECT count(*) FROM identities WHERE platform = 'slack' AND workspace_id = 'T-new' "
                 "AND user_id = 'U-new'"))).scalar_one()
    assert count == 1
