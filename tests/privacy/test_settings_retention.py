"""First contact, /settings ("numbers only"), /privacy and the retention job, as a person meets them."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.console.adapter import ConsoleAdapter
from bot.config import Settings
from bot.content.loader import Content
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.events import ChoicePicked, Command, TextSubmitted
from bot.messages import Address
from bot.privacy.crypto import Cipher
from bot.privacy.retention import purge_expired_words
from bot.storage.database import make_engine
from bot.storage.models import Base
from bot.storage.repository import Repository
from tests.conftest import FakeClock, met

ROOT = Path(__file__).resolve().parents[2]
NOTE_PROMPT = "Anything you'd like to note for yourself?"
OLD_NOTE = "Galangal-harbor 3391 the old note"
NEW_NOTE = "Vetiver-canyon 7702 the newer note"
PREPARE = ("Quince-meridian shouts", "Lichen-parade small", "Basalt-orchid quiet", "Fennel-sextant leave")
MARKERS = ("Galangal", "Vetiver", "Quince", "Lichen", "Basalt", "Fennel", "Tamarack")
RETENTION_DAYS = Settings.model_fields["retention_days"].default


def squash(text: str) -> str:
    return " ".join(text.split())


def ends_with_a_tip(out: str, content: Content) -> bool:
    """The last titled block is a tip: it carries a quoted line to say and the tip footer."""
    last = out.rsplit("─── ", 2)[-1]
    return "“" in last and "”" in last and out.rstrip().endswith(content.texts.get("tip_footer"))


async def daily(console: ConsoleAdapter, *answers: str, flow: str = "") -> str:
    out = await console.respond(f"/checkin {flow}".strip())
    for answer in answers:
        out = await console.respond(answer)
    return out


def fresh(service: Conversation, tmp_path: Path, user: str = "zoe") -> ConsoleAdapter:
    return ConsoleAdapter(service, user, interactive=False, files_dir=tmp_path / "exports")


# ---------------------------------------------------------------- the introduction


@pytest.mark.parametrize("first", ["/checkin", "hi", "/help", "/tip", "/history", "/nonsense", ""])
async def test_a_first_message_of_any_kind_gets_the_introduction_above_the_answer_once(
    first: str, service: Conversation, content: Content, tmp_path: Path
) -> None:
    person = fresh(service, tmp_path)
    intro = content.texts.get("intro")
    assert len(intro.splitlines()) == 3

    out = await person.respond(first)

    assert out.startswith(intro + "\n\n"), out
    assert out.count(intro) == 1
    assert out[len(intro):].strip(), "the normal answer follows the introduction"
    if first == "/checkin":
        assert "How emotionally safe did you feel today" in out
    for line in ("/checkin", "2", "/help", "hi"):
        assert intro.splitlines()[0] not in await person.respond(line)


async def test_a_stale_button_as_first_contact_gets_the_introduction_too(service: Conversation,
                                                                          content: Content) -> None:
    address = Address("slack", "T1", "U-new", "D1")
    first = (await service.handle(ChoicePicked(address, "bb:forged:token:1"))).replies
    assert [reply.text for reply in first] == [content.texts.get("intro"), content.texts.get("stale_click")]
    again = (await service.handle(TextSubmitted(address, "hi"))).replies
    assert content.texts.get("intro") not in [reply.text for reply in again]


@pytest.mark.storage
async def test_two_first_messages_at_once_show_the_introduction_once(service: Conversation,
                                                                     content: Content) -> None:
    address = Address("discord", "G1", "777", "dm")
    results = await asyncio.gather(service.handle(Command(address, "help")),
                                   service.handle(TextSubmitted(address, "hi")))
    shown = [reply for replies in results for reply in replies.replies if reply.text == content.texts.get("intro")]
    assert len(shown) == 1


async def test_a_crisis_as_first_message_is_answered_first_and_introduced_after(
    service: Conversation, content: Content, tmp_path: Path
) -> None:
    person = fresh(service, tmp_path)
    intro = content.texts.get("intro")
    out = await person.respond("I want to die")
    assert out.startswith("─── " + content.texts.get("crisis_title")), "the crisis reply comes before anything else"
    assert intro not in out
    later = await person.respond("hi")
    assert later.startswith(intro)
    assert intro not in await person.respond("hi")


def test_piped_first_checkin_shows_the_introduction_and_still_ends_with_a_tip(tmp_path: Path,
                                                                              content: Content) -> None:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DISCORD_", "SLACK_"))
           and key not in {"ADAPTER", "DATABASE_URL", "ENCRYPTION_KEYS", "CONTENT_DIR", "CONSOLE_USER"}}
    env.update(DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="INFO")
    result = subprocess.run([sys.executable, "-m", "bot", "run"], input="/checkin\n2\n1,3\nskip\n",
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    intro = content.texts.get("intro")
    assert out.startswith(intro + "\n\n")
    assert out.count(intro) == 1
    assert out.index(intro) < out.index("─── Daily check-in ───")
    assert content.texts.get("settings_offer") in out
    last_paragraph = out.rstrip().rsplit("\n\n", 1)[-1]
    assert last_paragraph == content.texts.get("tip_footer")
    assert ends_with_a_tip(out, content), out[-600:]


# ---------------------------------------------------------------- /settings


async def stored_words(repository: Repository, cipher: Cipher, database_url: str) -> list[str]:
    """Every encrypted value in every table, decrypted: what the database holds of a person's words."""
    engine = make_engine(database_url)
    found: list[str] = []
    try:
        async with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                for column in table.c:
                    if column.name.endswith("_enc"):
                        query = select(column).where(column.is_not(None))
                        found.extend(cipher.decrypt(value) for value in (await connection.execute(query)).scalars())
    finally:
        await engine.dispose()
    return found


async def test_numbers_only_skips_the_note_keeps_no_words_and_removes_old_ones(
    console: ConsoleAdapter, repository: Repository, cipher: Cipher, database_url: str, content: Content
) -> None:
    await daily(console, "2", "1,3", OLD_NOTE)
    me = await repository.identity_id(console.address)
    assert (await repository.export(me))["checkins"][0]["own_words"] == {"note": OLD_NOTE}

    out = await console.respond("/settings")
    assert "Which country should support numbers be for?" in out
    assert "United Kingdom" in out
    out = await console.respond("United Kingdom")
    assert "1. Keep my notes, encrypted" in out
    assert "2. Numbers only" in out
    out = await console.respond("Numbers only")
    assert "Erase your past words and keep numbers only?" in out, "asked before anything is erased"
    out = await console.respond("yes")
    assert "weeks in a row" in out
    out = await console.respond("skip")
    assert "Saved. Support numbers for: United Kingdom. Your own words: not kept (numbers only). " \
           "Weeks in a row in /history: not shown." in out

    exported = await repository.export(me)
    assert exported["settings"] == {"country": "GB", "store_notes": False, "show_streaks": False}
    assert exported["checkins"][0]["own_words"] == {}, "the note kept before is removed"
    assert exported["checkins"][0]["safety_score"] == 2, "the numbers stay"
    assert "Numbers for United Kingdom" in await console.respond("/sos")

    out = await daily(console, "3")
    assert "Which boundaries did you hold" in out
    out = await console.respond("2")
    assert NOTE_PROMPT not in out, "numbers only: the note is not asked at all"
    assert ends_with_a_tip(out, content)
    assert "Tamarack" not in out

    script = await daily(console, *PREPARE, flow="prepare")
    for answer in PREPARE:
        assert answer.casefold() in script.casefold(), "prepare answers are still shown, once"

    assert "Your last note" not in await console.respond("/history")
    rows = (await repository.export(me))["checkins"]
    assert [row["flow"] for row in rows] == ["daily", "daily", "prepare"]
    assert [row["own_words"] for row in rows] == [{}, {}, {}]
    assert not any(row.has_note for row in await repository.checkins(me))
    held = " ".join(await stored_words(repository, cipher, database_url))
    for marker in MARKERS:
        assert marker not in held, f"{marker!r} is stored, encrypted or not"


async def test_numbers_only_can_be_changed_back(console: ConsoleAdapter, repository: Repository) -> None:
    await console.respond("/settings")
    await console.respond("skip")
    await console.respond("numbers")
    await console.respond("skip")
    await console.respond("/settings")
    await console.respond("skip")
    await console.respond("1")
    out = await console.respond("skip")
    assert "Your own words: kept, encrypted." in out
    out = await daily(console, "4", "1")
    assert NOTE_PROMPT in out
    await console.respond(NEW_NOTE)
    me = await repository.identity_id(console.address)
    assert (await repository.export(me))["checkins"][-1]["own_words"] == {"note": NEW_NOTE}


async def test_settings_are_offered_once_after_the_first_checkin_and_the_tip_stays_last(
    console: ConsoleAdapter, content: Content
) -> None:
    offer = content.texts.get("settings_offer")
    assert "/settings" in offer
    assert "country" in offer
    assert "notes" in offer
    out = await daily(console, "4", "1", "skip")
    assert offer in out
    assert out.index(offer) < out.rindex("─── "), "the offer comes before the tip"
    assert ends_with_a_tip(out, content)

    again = await daily(console, "4", "1", "skip")
    assert offer not in again
    assert ends_with_a_tip(again, content)


async def test_privacy_explains_what_is_kept_who_sees_it_and_for_how_long(
    content: Content, repository: Repository, clock: FakeClock, tmp_path: Path
) -> None:
    service = build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                             retention_days=30)
    console = await met(fresh(service, tmp_path, "ana"))
    out = squash(await console.respond("/privacy"))
    assert "Your privacy" in out
    assert "What I keep:" in out
    assert "encrypted" in out
    assert "never what led to it" in out, "crisis replies: only the fact and time"
    assert "Who can see it: only you" in out
    assert "nothing you write is logged" in out
    assert "On Slack" in out
    assert "workspace owners export direct messages" in out
    assert "deleted after 30 days" in out
    assert "/settings" in out
    assert "/export" in out
    assert "/forget" in out


# ---------------------------------------------------------------- retention


@pytest.mark.storage
async def test_retention_removes_old_words_and_keeps_the_numbers(
    console: ConsoleAdapter, service: Conversation, repository: Repository, clock: FakeClock
) -> None:
    assert RETENTION_DAYS >= 2
    await daily(console, "2", "1,3", OLD_NOTE)
    wanderer = Address("slack", "T1", "U-gone", "D1")
    await service.handle(Command(wanderer, "checkin", "prepare"))
    await service.handle(TextSubmitted(wanderer, "Tamarack-sundial 5150 never finished"))

    clock.advance(days=RETENTION_DAYS - 1)
    await daily(console, "4", "2", NEW_NOTE)
    clock.advance(days=2)  # the first check-in is now a day past retention, the second a day old

    assert await purge_expired_words(repository, RETENTION_DAYS, clock) == 1

    me = await repository.identity_id(console.address)
    old, new = (await repository.export(me))["checkins"]
    assert old["own_words"] == {}
    assert (old["safety_score"], old["boundaries"]) == (2, ["saying_no", "not_carrying"])
    assert new["own_words"] == {"note": NEW_NOTE}
    assert [row.has_note for row in await repository.checkins(me)] == [False, True]
    gone = await repository.identity_id(wanderer)
    assert (await repository.export(gone))["unfinished_checkins"] == [], "an abandoned check-in's words go too"

    assert await purge_expired_words(repository, RETENTION_DAYS, clock) == 0, "running twice changes nothing"
    assert (await repository.export(me))["checkins"][1]["own_words"] == {"note": NEW_NOTE}


async def test_retention_keeps_words_until_they_are_old_enough(console: ConsoleAdapter, repository: Repository,
                                                                clock: FakeClock) -> None:
    await daily(console, "2", "1", OLD_NOTE)
    me = await repository.identity_id(console.address)
    clock.advance(days=RETENTION_DAYS - 1, hours=23)
    assert await purge_expired_words(repository, RETENTION_DAYS, clock) == 0
    assert (await repository.export(me))["checkins"][0]["own_words"] == {"note": OLD_NOTE}

    clock.advance(hours=2)
    assert await purge_expired_words(repository, RETENTION_DAYS, clock) == 1
    [checkin] = (await repository.export(me))["checkins"]
    assert checkin["own_words"] == {}
    assert (checkin["safety_score"], checkin["boundaries"]) == (2, ["saying_no"])
