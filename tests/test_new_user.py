"""The rough edges a newcomer met (issue 18), each as the console shows it: nothing is lost or erased without
asking, no question traps anyone, and what the bot says is true and reads as good English."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from adapters.console.adapter import ConsoleAdapter
from bot.content.loader import Content
from bot.scheduling.dispatcher import Dispatcher
from bot.storage.repository import Repository
from tests.conftest import CollectingTransport, FakeClock

NOTE = "Marjoram-quarry 5120 my sister called late again"


def read_json(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return cast(dict[str, Any], json.load(handle))


def squash(text: str) -> str:
    return " ".join(text.split())


async def daily_with_note(console: ConsoleAdapter, note: str = NOTE) -> str:
    await console.respond("/checkin")
    await console.respond("2")
    await console.respond("1")
    return await console.respond(note)


# ---------------------------------------------------------------- nothing erased without asking


async def test_numbers_only_asks_before_erasing_past_words_and_offers_export(
    console: ConsoleAdapter, repository: Repository, content: Content
) -> None:
    await daily_with_note(console)
    me = await repository.identity_id(console.address)
    await console.respond("/settings")
    await console.respond("skip")
    out = await console.respond("Numbers only")
    assert "erases the words I've kept so far" in squash(out)
    assert "/export" in out
    assert "1. Yes, erase my past words" in out
    assert (await repository.export(me))["checkins"][0]["own_words"] == {"note": NOTE}, "nothing gone yet"

    out = await console.respond("/export")
    assert "Saved:" in out
    out = await console.respond("no")
    assert "weeks in a row" in out
    out = await console.respond("skip")
    assert "Your own words: kept, encrypted." in out
    assert (await repository.export(me))["checkins"][0]["own_words"] == {"note": NOTE}


async def test_numbers_only_confirmed_with_yes_erases_past_words(console: ConsoleAdapter,
                                                                 repository: Repository) -> None:
    await daily_with_note(console)
    me = await repository.identity_id(console.address)
    await console.respond("/settings")
    await console.respond("skip")
    await console.respond("2")
    await console.respond("yes")
    out = await console.respond("skip")
    assert "Your own words: not kept (numbers only)." in out
    assert (await repository.export(me))["checkins"][0]["own_words"] == {}


async def test_numbers_only_with_no_words_kept_does_not_ask(console: ConsoleAdapter) -> None:
    await console.respond("/settings")
    await console.respond("skip")
    out = await console.respond("Numbers only")
    assert "erases" not in out
    assert "weeks in a row" in out


# ---------------------------------------------------------------- yes/no questions take yes and no


async def test_forget_takes_no_and_cancel_says_nothing_was_erased(console: ConsoleAdapter, content: Content,
                                                                  repository: Repository) -> None:
    await daily_with_note(console)
    me = await repository.identity_id(console.address)
    await console.respond("/forget")
    out = await console.respond("no")
    assert content.texts.get("forget_kept") in out
    await console.respond("/forget")
    out = await console.respond("skip")
    assert "Please answer yes or no" in out
    assert "or 'skip'" not in out
    out = await console.respond("/cancel")
    assert content.texts.get("forget_kept") in out
    assert "check-in" not in out
    assert await repository.checkin_count(me) == 1


async def test_forget_takes_yes(console: ConsoleAdapter, content: Content, repository: Repository) -> None:
    await daily_with_note(console)
    me = await repository.identity_id(console.address)
    await console.respond("/forget")
    out = await console.respond("Yes")
    assert content.texts.get("forgotten") in out
    assert await repository.checkin_count(me) == 0


async def test_cancel_in_settings_says_the_settings_stay(console: ConsoleAdapter) -> None:
    await console.respond("/settings")
    out = await console.respond("/cancel")
    assert "Okay, your settings stay as they were." in out


# ---------------------------------------------------------------- exports


async def test_two_exports_in_the_same_second_are_two_files(console: ConsoleAdapter, tmp_path: Path) -> None:
    await daily_with_note(console)
    first = await console.respond("/export")
    await console.respond("/checkin")
    await console.respond("4")
    second = await console.respond("/export")  # the clock has not moved: the same second
    first_paths = first.split("Saved: ", 1)[1].split()[0].rstrip(",")
    second_paths = second.split("Saved: ", 1)[1].split()[0].rstrip(",")
    assert first_paths != second_paths
    exports = sorted((tmp_path / "exports").glob("*.json"))
    assert len(exports) == 2
    first_export = read_json(first_paths)
    assert len(first_export["checkins"]) == 1, "the first export is as it was"


# ---------------------------------------------------------------- an unfinished flow is never set aside unasked


async def test_checkin_over_an_unfinished_flow_asks_and_keeps_it(console: ConsoleAdapter,
                                                                 repository: Repository) -> None:
    await console.respond("/checkin prepare")
    await console.respond("you shout when I disagree")
    out = await console.respond("/checkin")
    assert "partway through your Prepare a hard conversation" in out
    assert "/checkin daily new" in out
    assert "How do you feel when it happens?" in out, "its question is asked again"
    out = await console.respond("small")
    assert "What do you need instead?" in out, "the unfinished flow carried on"

    out = await console.respond("/checkin daily new")
    assert "How emotionally safe did you feel today" in out
    assert "set your unfinished Prepare a hard conversation aside" in out


async def test_a_prompt_due_during_another_flow_says_so_and_leaves_the_flow(
        console: ConsoleAdapter, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock) -> None:
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    clock.now = datetime(2026, 11, 27, 7, 55, tzinfo=UTC)  # 08:55 in Berlin
    await console.respond("/checkin repair")
    await console.respond("our argument about the holidays")
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    await dispatcher.tick()
    [said] = transport.texts_for("ana")
    assert "It's time for your Daily check-in" in said
    assert "/checkin daily" in said
    out = await console.respond("that I care about us")
    assert "To feel safe again" in out or "feel safe with them again" in out, "the repair flow carried on"
