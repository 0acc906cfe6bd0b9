"""What a person sees when something they write suggests danger, end to end through the console.

The crisis reply comes at once, with the numbers for their country, and nothing else: no tip, no next
question. Their words are never stored. Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from adapters.console.adapter import ConsoleAdapter
from bot.content.loader import Content
from bot.content.schema import Region
from bot.conversation import Conversation, build_conversation
from bot.events import ChoicePicked, Command, TextSubmitted
from bot.messages import Address, Question, Reply
from bot.privacy.crypto import Cipher, CipherError
from bot.storage.database import make_engine
from bot.storage.repository import HELD, OPEN, Repository
from tests.conftest import FakeClock, met

SAFETY_PROMPT = "How emotionally safe did you feel today"
BOUNDARIES_PROMPT = "Which boundaries did you hold or try today?"
NOTE_PROMPT = "Anything you'd like to note for yourself?"
BULLET = re.compile(r"^• (.+?) — ", re.MULTILINE)
DISCORD_ANA = Address("discord", "guild-1", "4242", "dm-4242")


# ---------------------------------------------------------------- helpers


def services_listed(out: str) -> list[str]:
    """The names of the services in the order the person reads them."""
    return BULLET.findall(out)


def assert_resources_for(out: str, region: Region) -> None:
    """Every service of `region`, with its way to reach it, its emergency number, and nobody else's."""
    assert sorted(services_listed(out)) == sorted(service.name for service in region.services), out
    for service in region.services:
        line = next(line for line in out.splitlines() if line.startswith(f"• {service.name} — "))
        for way in (service.phone, service.text, service.text_keyword, service.chat or ""):
            assert way in line, f"{service.name}: {way!r} is missing from {line!r}"
    if region.emergency.number:
        assert f"If you or someone else is in immediate danger, call {region.emergency.number}." in out
    else:
        assert "call your local emergency number" in out


def assert_no_tip(out: str, content: Content) -> None:
    assert content.texts.get("tip_footer") not in out
    shown = [tip.title for tip in content.tips if f"─── {tip.title} ───" in out]
    assert shown == [], f"a tip was shown: {shown}"


def assert_crisis_reply(out: str, content: Content, region: Region, where: str | None) -> None:
    """`where` is the country the numbers are for; None for the international fallback."""
    assert out.startswith(f"─── {content.texts.get('crisis_title')} ───"), "the crisis reply comes first"
    assert "I'm a bot, not a person, so I can't contact anyone" in out
    assert content.texts.get("crisis_not_a_person") in out
    assert_resources_for(out, region)
    if where is not None:
        assert f"Numbers for {where}." in out
    assert "/settings" in out, "the person learns how to get local numbers"
    assert "/sos" in out, "and how to see these again"
    assert "breathe in slowly" in out, "grounding is offered"
    assert "  1. That's not what I meant" in out
    assert_no_tip(out, content)
    for prompt in (SAFETY_PROMPT, BOUNDARIES_PROMPT, NOTE_PROMPT):
        assert prompt not in out, "no check-in question after a crisis reply"


def assert_danger_reply(out: str, content: Content, region: Region) -> None:
    """Harm from someone else: abuse lines first, the emergency number, staying safe; no suicide script, no tip."""
    texts = content.texts
    assert out.startswith(f"─── {texts.get('danger_title')} ───"), "the danger reply comes first"
    assert texts.get("danger_lead") in out
    assert_resources_for(out, region)
    abuse = [service.name for service in region.services if service.kind == "abuse"]
    assert services_listed(out)[:len(abuse)] == abuse, "the abuse lines come first"
    assert texts.get("danger_staying_safe") in out
    assert "breathe in slowly" not in out
    assert "ending your life" not in out
    assert_no_tip(out, content)


async def choose_country(console: ConsoleAdapter, region: Region, *, by: str, notes: str = "2") -> None:
    """/settings as a person answers it: the country by its number in the list or by its name."""
    out = await console.respond("/settings")
    listed = re.search(rf"^  (\d+)\. {re.escape(region.name)}$", out, re.MULTILINE)
    assert listed, f"{region.name} is not offered in /settings:\n{out}"
    await console.respond(listed.group(1) if by == "number" else region.name)
    await console.respond(notes)
    out = await console.respond("skip")  # weeks in a row: left as they were (off)
    assert f"Support numbers for: {region.name}." in out


async def identity(repository: Repository, console: ConsoleAdapter) -> int:
    return await repository.identity_id(console.address)


async def everything_stored(database_url: str, cipher: Cipher) -> str:
    """Every value of every column of every table, read with raw SQL, with encrypted columns decrypted too."""
    engine = make_engine(database_url)
    values: list[str] = []
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            for table in tables:
                result = await connection.execute(text(f'SELECT * FROM "{table}"'))
                for row in result.mappings():
                    for column, value in row.items():
                        values.append(str(value))
                        if column.endswith("_enc") and isinstance(value, str):
                            try:
                                values.append(cipher.decrypt(value))
                            except CipherError:
                                values.append("<unreadable>")
    finally:
        await engine.dispose()
    return "\n".join(values)


async def crisis_event_times(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT shown_enc FROM crisis_events"))
            return [str(row[0]) for row in rows]
    finally:
        await engine.dispose()


def question_of(replies: list[Reply]) -> Question:
    question = replies[-1].question
    assert question is not None, f"expected a question, got {replies!r}"
    return question


def text_of(replies: list[Reply]) -> str:
    return "\n".join(f"{reply.title}\n{reply.text}\n{reply.footer}" for reply in replies)


# ---------------------------------------------------------------- during a daily check-in


@pytest.mark.storage
async def test_a_note_that_suggests_danger_gets_the_crisis_reply_at_once_and_is_never_stored(
    console: ConsoleAdapter, content: Content, repository: Repository, database_url: str, cipher: Cipher,
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    uk = content.resources.countries["GB"]
    await choose_country(console, uk, by="name", notes="1")  # notes would be kept, encrypted
    await console.respond("/checkin")
    await console.respond("2")
    assert NOTE_PROMPT in await console.respond("1,3")

    note = "he threatened to kill me, Quokka-7781"
    out = await console.respond(note)

    assert_danger_reply(out, content, uk)
    assert "If you or someone else is in immediate danger, call 999." in out
    assert services_listed(out)[0] == "National Domestic Abuse Helpline (Refuge)", \
        "danger from someone else puts the abuse line first"
    assert "Numbers for United Kingdom." in out
    assert "  1. That's not what I meant" in out
    assert "Quokka" not in out

    me = await identity(repository, console)
    held = await repository.open_session(me)
    assert held is not None
    assert (held.status, held.step_id) == (HELD, "note")
    assert held.answers == {"safety": 2, "boundaries": ["saying_no", "not_carrying"]}
    assert await repository.checkin_count(me) == 0
    exported = await repository.export(me)
    assert exported["crisis_resources_shown"] == [clock.now.isoformat()]
    assert "Quokka" not in str(exported)
    assert "threatened" not in str(exported)
    stored = await everything_stored(database_url, cipher)
    assert "not_carrying" in stored, "the scan reads the held check-in's decrypted answers"
    assert "Quokka" not in stored
    assert "threatened" not in stored
    assert len(await crisis_event_times(database_url)) == 1
    profile = await repository.profile(me)
    assert profile.crisis_at == clock.now
    assert "Quokka" not in caplog.text, "what a person wrote is never logged"

    # Later the person finishes the check-in without a note: the check-in keeps no trace of the words. They
    # asked for it, so it ends as any check-in does, with its tip, and /sos beside it during the pause.
    clock.advance(hours=2)
    await console.respond("/checkin")
    out = await console.respond("skip")
    assert content.texts.get("tip_footer") in out
    assert content.texts.get("sos_beside") in out
    [checkin] = await repository.checkins(me)
    assert (checkin.safety_score, checkin.boundaries, checkin.has_note) == (2, ("saying_no", "not_carrying"), False)
    exported = await repository.export(me)
    assert exported["checkins"][0]["own_words"] == {}
    stored = await everything_stored(database_url, cipher)
    assert "Quokka" not in stored
    assert "threatened" not in stored


@pytest.mark.parametrize("code", ["US", "CA", "GB", "IE", "AU", "NZ", "DE", "FR", "ES", "NL", "IN", "BR", "ZA"])
async def test_the_crisis_reply_lists_the_numbers_of_the_persons_country(console: ConsoleAdapter,
                                                                        content: Content, code: str) -> None:
    region = content.resources.countries[code]
    await choose_country(console, region, by="number")
    out = await console.respond("I want to end my life")
    assert_crisis_reply(out, content, region, region.name)

    sos = await console.respond("/sos")
    assert_resources_for(sos, region)
    assert f"Numbers for {region.name}." in sos


async def test_a_crisis_typed_after_a_command_is_answered_with_resources_and_no_tip(
    console: ConsoleAdapter, content: Content
) -> None:
    out = await console.respond("/tip i want to kill myself")
    assert_crisis_reply(out, content, content.resources.fallback, None)


async def test_the_past_is_asked_about_and_someone_else_gets_the_helping_reply(
    console: ConsoleAdapter, content: Content
) -> None:
    asked = await console.respond("I used to want to kill myself")
    assert "Are you thinking about ending your life or hurting yourself?" in asked
    assert content.resources.fallback.services[0].name not in asked

    other = await console.respond("my friend wants to kill herself")
    assert other.startswith(f"─── {content.texts.get('someone_else_title')} ───")
    assert "It sounds like you might be worried about someone." in other
    assert content.texts.get("someone_else_numbers") in other
    assert_resources_for(other, content.resources.fallback)


# ---------------------------------------------------------------- which country


@pytest.mark.parametrize("default", ["GB", "gb"])
async def test_with_no_country_chosen_the_default_country_decides(content: Content, repository: Repository,
                                                                  clock: FakeClock, tmp_path: Path,
                                                                  default: str) -> None:
    service = build_conversation(content, repository, clock=clock, default_country=default)
    console = await met(ConsoleAdapter(service, "ana", interactive=False, files_dir=tmp_path))
    out = await console.respond("I want to die")
    assert_crisis_reply(out, content, content.resources.countries["GB"], "United Kingdom")
    assert "call 999." in out
    assert "findahelpline.com" not in out
    sos = await console.respond("/sos")
    assert_resources_for(sos, content.resources.countries["GB"])


async def test_a_chosen_country_wins_over_the_default(content: Content, repository: Repository,
                                                     clock: FakeClock, tmp_path: Path) -> None:
    service = build_conversation(content, repository, clock=clock, default_country="GB")
    console = await met(ConsoleAdapter(service, "ana", interactive=False, files_dir=tmp_path))
    us = content.resources.countries["US"]
    await choose_country(console, us, by="name")
    out = await console.respond("I want to die")
    assert_crisis_reply(out, content, us, "United States")
    assert "call 911." in out
    assert "Samaritans" not in out


async def test_somewhere_else_gets_the_international_directory_even_with_a_default(
    content: Content, repository: Repository, clock: FakeClock, tmp_path: Path
) -> None:
    service = build_conversation(content, repository, clock=clock, default_country="GB")
    console = await met(ConsoleAdapter(service, "ana", interactive=False, files_dir=tmp_path))
    await console.respond("/settings")
    await console.respond("Somewhere else")
    await console.respond("2")
    await console.respond("skip")
    out = await console.respond("I want to die")
    assert_crisis_reply(out, content, content.resources.fallback, None)
    assert "Samaritans" not in out


async def test_with_no_country_and_no_default_the_international_fallback_is_shown(
    console: ConsoleAdapter, content: Content
) -> None:
    out = await console.respond("I want to die")
    assert_crisis_reply(out, content, content.resources.fallback, None)
    assert "findahelpline.com" in out
    assert "call your local emergency number" in out
    sos = await console.respond("/sos")
    assert_resources_for(sos, content.resources.fallback)
    assert "/settings" in sos


# ---------------------------------------------------------------- "that's not what I meant"


@pytest.mark.parametrize("answer", ["that's not what I meant", "That’s not what I meant!", "false alarm", "1"])
async def test_saying_it_was_not_meant_is_accepted_kindly_and_sos_still_works(
    console: ConsoleAdapter, content: Content, repository: Repository, answer: str
) -> None:
    await console.respond("/checkin")
    await console.respond("2")
    await console.respond("honestly kms")

    out = await console.respond(answer)
    assert out.strip() == content.texts.get("not_meant").strip()
    assert "sorry if I got that wrong" in out
    assert services_listed(out) == [], "no second round of numbers"
    session = await repository.open_session(await identity(repository, console))
    assert session is not None
    assert (session.status, session.step_id, session.answers) == (HELD, "boundaries", {"safety": 2}), \
        "the answer did not go into the held check-in"

    sos = await console.respond("/sos")
    assert_resources_for(sos, content.resources.fallback)


async def test_the_not_meant_button_is_accepted_kindly_and_sos_still_works(service: Conversation,
                                                                           content: Content) -> None:
    await service.handle(Command(DISCORD_ANA, "help"))
    crisis = (await service.handle(TextSubmitted(DISCORD_ANA, "I want to end it all"))).replies
    question = question_of(crisis)
    [choice] = question.choices
    assert choice.label == "That's not what I meant"

    replies = (await service.handle(ChoicePicked(DISCORD_ANA, question.token(choice.value), (choice.value,)))).replies
    assert [reply.text for reply in replies] == [content.texts.get("not_meant")]
    assert all(reply.question is None for reply in replies)

    sos = text_of((await service.handle(Command(DISCORD_ANA, "sos"))).replies)
    assert_resources_for(sos, content.resources.fallback)


# ---------------------------------------------------------------- the 72-hour pause


async def test_during_the_pause_what_the_person_asks_for_is_answered_with_sos_beside_it(
    console: ConsoleAdapter, content: Content, repository: Repository, clock: FakeClock
) -> None:
    fallback = content.resources.fallback
    sos_beside = content.texts.get("sos_beside")
    assert_crisis_reply(await console.respond("I want to kill myself"), content, fallback, None)
    me = await identity(repository, console)

    out = await console.respond("/tip")
    assert content.texts.get("tip_footer") in out
    assert any(f"─── {tip.title} ───" in out for tip in content.tips)
    assert out.rstrip().endswith(sos_beside), "the /sos line stands beside the tip"
    assert_resources_for(await console.respond("/sos"), fallback)

    clock.advance(hours=1)
    out = await console.respond("/checkin")
    assert sos_beside in out
    assert SAFETY_PROMPT in out
    await console.respond("2")
    await console.respond("1")
    out = await console.respond("skip")
    assert content.texts.get("tip_footer") in out
    assert sos_beside in out
    [checkin] = await repository.checkins(me)
    assert checkin.tip_id is not None

    clock.advance(hours=70)  # 71 hours after the crisis reply
    out = await console.respond("/tip saying-no")
    assert content.texts.get("tip_footer") in out
    assert sos_beside in out

    clock.advance(hours=2)  # 73 hours after: the pause is over, and the line with it
    out = await console.respond("/tip")
    assert content.texts.get("tip_footer") in out
    assert sos_beside not in out
    out = await console.respond("/checkin")
    assert sos_beside not in out
    assert_resources_for(await console.respond("/sos"), fallback)


# ---------------------------------------------------------------- the held check-in


async def test_a_held_checkin_takes_no_typed_answers_and_checkin_picks_it_up_where_it_was(
    console: ConsoleAdapter, content: Content, repository: Repository, clock: FakeClock
) -> None:
    await console.respond("/checkin")
    assert BOUNDARIES_PROMPT in await console.respond("2")
    await console.respond("i want to end my life")
    me = await identity(repository, console)
    held = await repository.open_session(me)
    assert held is not None
    assert (held.status, held.step_id, held.answers) == (HELD, "boundaries", {"safety": 2})

    for typed in ("1,3", "Asked for space", "skip", "2"):
        out = await console.respond(typed)
        assert out.strip() == content.texts.get("held_text").strip(), typed
        assert NOTE_PROMPT not in out
    clock.advance(hours=2)  # past the moment when a bare "1" may mean the crisis reply's button
    out = await console.respond("1")
    assert out.strip() == content.texts.get("held_text").strip()
    assert await repository.open_session(me) == held, "nothing typed while held changed the check-in"

    out = await console.respond("/checkin")
    assert "Picking up your Daily check-in where you left off." in out
    assert BOUNDARIES_PROMPT in out
    assert SAFETY_PROMPT not in out
    resumed = await repository.open_session(me)
    assert resumed is not None
    assert (resumed.id, resumed.status, resumed.answers) == (held.id, OPEN, {"safety": 2})

    assert NOTE_PROMPT in await console.respond("1,3")
    out = await console.respond("skip")
    assert content.texts.get("tip_footer") in out
    assert content.texts.get("sos_beside") in out
    [checkin] = await repository.checkins(me)
    assert (checkin.safety_score, checkin.boundaries) == (2, ("saying_no", "not_carrying"))


async def test_a_click_on_a_held_checkins_button_is_not_taken_until_it_is_picked_up(
    service: Conversation, repository: Repository, content: Content
) -> None:
    await service.handle(Command(DISCORD_ANA, "help"))
    safety = question_of((await service.handle(Command(DISCORD_ANA, "checkin"))).replies)
    boundaries = question_of((await service.handle(ChoicePicked(DISCORD_ANA, safety.token("3"), ("3",)))).replies)
    await service.handle(TextSubmitted(DISCORD_ANA, "I want to kill myself"))
    before = await repository.get_session(boundaries.session_id)
    assert before is not None
    assert before.status == HELD

    replies = (await service.handle(ChoicePicked(DISCORD_ANA, boundaries.token(), ("asked_space",)))).replies
    assert NOTE_PROMPT not in text_of(replies)
    assert await repository.get_session(boundaries.session_id) == before

    await service.handle(Command(DISCORD_ANA, "checkin"))
    replies = (await service.handle(ChoicePicked(DISCORD_ANA, boundaries.token(), ("asked_space",)))).replies
    assert NOTE_PROMPT in text_of(replies)
    after = await repository.get_session(boundaries.session_id)
    assert after is not None
    assert (after.status, after.step_id, after.answers) == (OPEN, "note", {"safety": 3, "boundaries": ["asked_space"]})


# ---------------------------------------------------------------- history


async def test_crisis_replies_are_never_counted_in_history(console: ConsoleAdapter, content: Content,
                                                           clock: FakeClock) -> None:
    await console.respond("I want to die")
    out = await console.respond("/history")
    assert content.texts.get("insights_none") in out

    for answer in ("/checkin", "3", "1", "skip"):
        await console.respond(answer)
    clock.advance(hours=1)
    await console.respond("this is goodbye")
    await console.respond("/checkin")
    await console.respond("2")
    await console.respond("he hits me")  # held, never finished

    out = await console.respond("/history")
    assert "1 check-in in the last four weeks." in out
    assert "Average safety: 3.0 out of 5." in out
    assert "Your chart is saved at" in out
    shown = re.sub(r"saved at \S+\. It shows", "saved at <file>. It shows", out)  # the file path names this test
    for word in ("crisis", "danger", "find a helpline", "findahelpline", "goodbye"):
        assert word not in shown.lower(), word
