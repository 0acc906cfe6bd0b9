"""A person's data as they can take it away (/export) and erase it (/forget), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.console.adapter import ConsoleAdapter
from bot.content.loader import Content
from bot.conversation import Conversation
from bot.events import ChoicePicked, Command, TextSubmitted
from bot.messages import Address
from bot.privacy.retention import purge_expired_words
from bot.storage.database import make_engine
from bot.storage.models import Base
from bot.storage.repository import Repository
from tests.conftest import FakeClock, met

NOTE = "=HYPERLINK(\"http://evil.example\",\"Cardamom-lattice 4417\") my boss texts at midnight"
PREPARE = ("Persimmon-glacier calls me lazy", "Sorrel-beacon tired", "Tundra-ember a day off", "Wicket-moss go home")
CRISIS = "I want to die"
BEN_NOTE = "Obsidian-walnut 2290 ben's private note"
OTHER_PLATFORM_NOTE = "Juniper-comet 8812 same user id, another platform"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


async def daily(console: ConsoleAdapter, note: str) -> str:
    await console.respond("/checkin")
    await console.respond("2")
    await console.respond("1,3")
    return await console.respond(note)


async def prepare(console: ConsoleAdapter, answers: tuple[str, ...]) -> str:
    out = await console.respond("/checkin prepare")
    for answer in answers:
        out = await console.respond(answer)
    return out


async def another_person(service: Conversation, tmp_path: Path) -> ConsoleAdapter:
    """Ben, on the same console workspace: a check-in with a note and a crisis reply of his own."""
    ben = await met(ConsoleAdapter(service, "ben", interactive=False, files_dir=tmp_path / "ben-exports"))
    await daily(ben, BEN_NOTE)
    await ben.respond(CRISIS)
    return ben


async def same_user_id_elsewhere(service: Conversation) -> Address:
    """'ana' on Slack is a different person from 'ana' on the console."""
    address = Address("slack", "T1", "ana", "D1")
    await service.handle(Command(address, "checkin"))
    for answer in ("4", "2", OTHER_PLATFORM_NOTE):
        await service.handle(TextSubmitted(address, answer))
    return address


def read_export(files_dir: Path) -> tuple[dict[str, Any], list[list[str]]]:
    """The one JSON and the one CSV file in the folder, parsed."""
    [json_file] = list(files_dir.glob("*.json"))
    [csv_file] = list(files_dir.glob("*.csv"))
    data = json.loads(json_file.read_text(encoding="utf-8"))
    return data, list(csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8"), newline="")))


async def export_files(console: ConsoleAdapter, files_dir: Path) -> tuple[str, dict[str, Any], list[list[str]]]:
    out = await console.respond("/export")
    return out, *read_export(files_dir)


# ---------------------------------------------------------------- /export


async def test_export_writes_private_json_and_csv_with_the_persons_own_words(
    console: ConsoleAdapter, service: Conversation, content: Content, clock: FakeClock, tmp_path: Path
) -> None:
    await daily(console, NOTE)
    await prepare(console, PREPARE)
    await console.respond(CRISIS)
    await another_person(service, tmp_path)
    await same_user_id_elsewhere(service)
    files_dir = tmp_path / "exports"

    out, data, rows = await export_files(console, files_dir)

    assert "Here's everything I keep about you — 2 check-ins and your settings." in out
    assert "Only you can see this." in out
    files = sorted(files_dir.iterdir())
    assert sorted(path.suffix for path in files) == [".csv", ".json"]
    for path in files:
        assert str(path) in out, "the reply says where each file is"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path.name} is readable by others"
    assert stat.S_IMODE(files_dir.stat().st_mode) == 0o700
    assert NOTE not in out, "the export goes to a file, not to the screen"

    assert data["person"]["user_id"] == "ana"
    assert data["settings"] == {"country": None, "store_notes": True, "show_streaks": False}
    first, second = data["checkins"]
    assert (first["flow"], first["safety_score"], first["boundaries"]) == ("daily", 2, ["saying_no", "not_carrying"])
    assert first["own_words"] == {"note": NOTE}, "the note comes back decrypted, exactly as written"
    assert second["flow"] == "prepare"
    assert second["own_words"] == dict(zip(("happened", "feel", "need", "if_crossed"), PREPARE, strict=True))
    assert first["tip_shown"]
    assert [tip["tip"] for tip in data["tips_shown"]] == [first["tip_shown"]]
    assert data["crisis_resources_shown"] == [clock.now.isoformat()]
    assert CRISIS not in json.dumps(data), "only the time of a crisis reply is kept, never the words"

    header, *checkin_rows = rows
    assert header == ["date", "flow", "safety_score", "boundaries", "own_words", "tip_shown"]
    assert [row[1] for row in checkin_rows] == ["daily", "prepare"]
    assert checkin_rows[0][2:4] == ["2", "saying_no not_carrying"]
    assert "Cardamom-lattice 4417" in checkin_rows[0][4]
    assert "Persimmon-glacier calls me lazy" in checkin_rows[1][4]
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), f"a spreadsheet would run {cell!r} as a formula"

    everything = json.dumps(data, ensure_ascii=False) + "\n".join(",".join(row) for row in rows)
    assert data["person"] == {"platform": "console", "workspace_id": "local", "user_id": "ana",
                              "first_seen": clock.now.isoformat()}
    for foreign in ('"ben"', BEN_NOTE, "Obsidian-walnut", OTHER_PLATFORM_NOTE, "Juniper-comet", '"slack"'):
        assert foreign not in everything, f"{foreign!r} is someone else's and is in ana's export"


async def test_export_tightens_a_folder_others_could_read(console: ConsoleAdapter, tmp_path: Path) -> None:
    files_dir = tmp_path / "exports"
    files_dir.mkdir(mode=0o755)
    files_dir.chmod(0o755)
    await daily(console, NOTE)
    await export_files(console, files_dir)
    assert stat.S_IMODE(files_dir.stat().st_mode) == 0o700
    for path in files_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_export_with_nothing_stored_yet_still_gives_both_files(console: ConsoleAdapter, tmp_path: Path) -> None:
    out, data, rows = await export_files(console, tmp_path / "exports")
    assert "0 check-ins" in out
    assert data["checkins"] == []
    assert rows == [["date", "flow", "safety_score", "boundaries", "own_words", "tip_shown"]]


# ---------------------------------------------------------------- /forget


@pytest.fixture
async def raw_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


def personal_tables() -> list[tuple[Table, str]]:
    """Every table that holds something about a person, found from the models (new tables included)."""
    found = [(table, "identity_id") for table in Base.metadata.sorted_tables if "identity_id" in table.c]
    return [(Base.metadata.tables["identities"], "id"), *found]


async def rows_about(engine: AsyncEngine, identity: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with engine.connect() as connection:
        for table, column in personal_tables():
            query = select(func.count()).select_from(table).where(table.c[column] == identity)
            counts[table.name] = int((await connection.execute(query)).scalar_one())
    return counts


async def a_full_history(console: ConsoleAdapter) -> None:
    await daily(console, NOTE)
    await prepare(console, PREPARE)
    await console.respond("/checkin prepare")
    await console.respond(PREPARE[0])  # an unfinished check-in too
    await console.respond("/tip")
    await console.respond(CRISIS)


async def test_forget_asks_first(console: ConsoleAdapter, content: Content) -> None:
    out = await console.respond("/forget")
    assert content.texts.get("forget_prompt") in out
    assert "1. Yes, erase everything" in out
    assert "2. No, keep my data" in out
    assert "skip" not in out, "the question can't be skipped past"


@pytest.mark.parametrize("answer", ["2", "No, keep my data", "keep", "/cancel"])
async def test_forget_answered_no_keeps_everything(answer: str, console: ConsoleAdapter, repository: Repository,
                                                   raw_engine: AsyncEngine, content: Content) -> None:
    await a_full_history(console)
    me = await repository.identity_id(console.address)
    before = await rows_about(raw_engine, me)
    exported = await repository.export(me)

    await console.respond("/forget")
    out = await console.respond(answer)

    assert content.texts.get("forgotten") not in out
    if not answer.startswith("/"):
        assert content.texts.get("forget_kept") in out
    after = await rows_about(raw_engine, me)
    assert {name: after[name] for name in after if name != "flow_sessions"} == {
        name: before[name] for name in before if name != "flow_sessions"}
    assert after["flow_sessions"] >= before["flow_sessions"], "the confirmation leaves a closed session, no less"
    kept = await repository.export(me)
    assert kept["checkins"] == exported["checkins"]
    assert kept["checkins"][0]["own_words"] == {"note": NOTE}
    assert "Hi — I'm boundary-bot" not in await console.respond("hi"), "not treated as a newcomer"


async def test_forget_answered_with_a_bare_word_outside_yes_and_no_erases_nothing_and_asks_again(
        console: ConsoleAdapter, repository: Repository) -> None:
    await daily(console, NOTE)
    me = await repository.identity_id(console.address)
    await console.respond("/forget")
    out = await console.respond("maybe")
    assert "Please answer yes or no" in out
    assert "1. Yes, erase everything" in out
    assert await repository.checkin_count(me) == 1


@pytest.mark.storage
@pytest.mark.parametrize("answer", ["1", "erase", "yes", "yes, erase everything", "YES, ERASE EVERYTHING"])
async def test_forget_confirmed_leaves_no_row_about_the_person(
    answer: str, console: ConsoleAdapter, service: Conversation, repository: Repository, raw_engine: AsyncEngine,
    content: Content, tmp_path: Path
) -> None:
    await a_full_history(console)
    ben = await another_person(service, tmp_path)
    me = await repository.identity_id(console.address)
    ben_id = await repository.identity_id(ben.address)
    before = await rows_about(raw_engine, me)
    for filled in ("identities", "checkins", "flow_sessions", "tip_views", "crisis_events"):
        assert before[filled] >= 1, f"the test should have put something about ana into {filled}"
    ben_before = await rows_about(raw_engine, ben_id)
    ben_export = await repository.export(ben_id)

    await console.respond("/export")
    exports, ben_exports = tmp_path / "exports", tmp_path / "ben-exports"
    await ben.respond("/export")
    assert len(list(exports.iterdir())) == 2
    assert len(list(ben_exports.iterdir())) == 2
    ben_before = await rows_about(raw_engine, ben_id)

    await console.respond("/forget")
    out = await console.respond(answer)

    assert content.texts.get("forgotten") in out
    assert list(exports.iterdir()) == [], "her export files held every note in clear: they go too"
    assert len(list(ben_exports.iterdir())) == 2, "ben's exports stay"
    assert await rows_about(raw_engine, me) == dict.fromkeys(before, 0), "a row still names ana"
    assert await rows_about(raw_engine, ben_id) == ben_before, "ben's rows changed"
    assert await repository.export(ben_id) == ben_export
    assert (await repository.export(ben_id))["checkins"][0]["own_words"] == {"note": BEN_NOTE}

    out = await console.respond("hi")
    intro = content.texts.get("intro")
    assert out.startswith(intro), "after erasing, the next message is a first contact"
    assert out.count(intro) == 1
    assert content.texts.get("idle_text") in " ".join(out.split())
    assert "0 check-ins" in await console.respond("/export")


async def test_forget_confirmed_by_a_button_click(service: Conversation, repository: Repository,
                                                  raw_engine: AsyncEngine, content: Content) -> None:
    address = Address("discord", "G1", "4242", "dm")
    await service.handle(Command(address, "help"))
    await service.handle(Command(address, "checkin"))
    for answer in ("3", "1", "Sandalwood-prism 5123"):
        await service.handle(TextSubmitted(address, answer))
    me = await repository.identity_id(address)
    [prompt] = (await service.handle(Command(address, "forget"))).replies
    assert prompt.question is not None
    [reply] = (await service.handle(ChoicePicked(address, prompt.question.token("erase")))).replies
    assert reply.text == content.texts.get("forgotten")
    assert sum((await rows_about(raw_engine, me)).values()) == 0


async def test_export_files_older_than_the_retention_period_are_removed(
        console: ConsoleAdapter, repository: Repository, tmp_path: Path) -> None:
    await daily(console, NOTE)
    await console.respond("/export")
    exports = tmp_path / "exports"
    old, new = sorted(exports.iterdir())[:1], sorted(exports.iterdir())[1:]
    stale = (datetime.now(UTC) - timedelta(days=400)).timestamp()
    for path in old:
        os.utime(path, (stale, stale))  # written before files were recorded, a year and more ago

    await purge_expired_words(repository, 365, clock=lambda: datetime.now(UTC), exports_dir=exports)

    assert sorted(exports.iterdir()) == new, "the old export file is gone, the fresh one stays"
