"""The pulse tables as they really are after migrating, on SQLite and PostgreSQL: nothing to join on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import Date, DateTime, Integer, Time

from bot.community.pulses import Pulses
from bot.messages import Address
from bot.storage.database import make_engine, migrate
from tests.conftest import FakeClock

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

COMMUNITY_TABLES = ("circles", "circle_posts", "circle_shares", "circle_share_quota", "pulse_rounds",
                    "pulse_answers", "pulse_participation")
PERSONAL = ("user", "identity", "author_id", "member", "created", "updated", "answered_at", "time")


async def describe(engine: AsyncEngine) -> dict[str, dict[str, Any]]:
    def read(sync: Connection) -> dict[str, dict[str, Any]]:
        inspector = inspect(sync)
        return {table: {"columns": {column["name"]: column for column in inspector.get_columns(table)},
                        "pk": inspector.get_pk_constraint(table)["constrained_columns"],
                        "fks": inspector.get_foreign_keys(table)}
                for table in COMMUNITY_TABLES}

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def test_pulse_answers_have_no_user_column_and_no_timestamp(raw_engine: AsyncEngine) -> None:
    tables = await describe(raw_engine)
    answers = tables["pulse_answers"]
    assert set(answers["columns"]) == {"round_id", "slot", "answers", "comment_enc"}
    assert not [name for name in answers["columns"] if any(word in name for word in PERSONAL)]
    assert not [name for name, column in answers["columns"].items()
                if isinstance(column["type"], DateTime | Date | Time)]
    # No counter that would number answers in arrival order.
    assert not [name for name, column in answers["columns"].items() if isinstance(column["type"], Integer)]
    assert answers["pk"] == ["round_id", "slot"]
    assert set(tables["pulse_participation"]["columns"]) == {"round_id", "tag"}
    # The two share only the round: there is no column to join a person's participation to their answers.
    assert set(answers["columns"]) & set(tables["pulse_participation"]["columns"]) == {"round_id"}


async def test_no_community_table_points_at_a_person(raw_engine: AsyncEngine) -> None:
    for table, shape in (await describe(raw_engine)).items():
        assert all(fk["referred_table"] != "identities" for fk in shape["fks"]), table
        assert not [name for name in shape["columns"] if "user" in name or "identity" in name], table


async def test_stored_answer_and_participation_rows_share_no_value(pulses: Pulses, clock: FakeClock,
                                                                   raw_engine: AsyncEngine) -> None:
    admin = Address("slack", "T1", "U-admin", "C1")
    [post] = (await pulses.open_round(admin, True, closes_at=clock.now + timedelta(days=2))).posts
    assert post.reply.question is not None
    round_id = post.reply.question.choices[0].value
    for number in range(4):
        await pulses.answer(Address("slack", "T1", f"U{number}", "C1"), round_id, [number % 5 + 1] * 7)
    async with raw_engine.connect() as connection:
        answer_rows = (await connection.execute(text("SELECT slot, answers FROM pulse_answers"))).all()
        tags = set((await connection.execute(text("SELECT tag FROM pulse_participation"))).scalars())
    assert len(answer_rows) == 4
    assert len(tags) == 4
    assert {row.slot for row in answer_rows} & tags == set()
    assert all(f"U{number}" not in value for value in tags | {row.slot for row in answer_rows}
               for number in range(4))


async def test_sqlite_keeps_no_insertion_order_for_answers(tmp_path: Path) -> None:
    """On SQLite the answer tables are WITHOUT ROWID: rows sit in hash order, with no hidden arrival number.
    (PostgreSQL keeps physical order; there every answer row is deleted when its round closes.)"""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'order.db'}")
    try:
        await migrate(engine)
        async with engine.connect() as connection:
            for table in ("pulse_answers", "pulse_participation"):
                with pytest.raises((OperationalError, DBAPIError)):
                    await connection.execute(text(f"SELECT rowid FROM {table}"))
            assert (await connection.execute(text("SELECT rowid FROM pulse_rounds"))).all() == []
    finally:
        await engine.dispose()
