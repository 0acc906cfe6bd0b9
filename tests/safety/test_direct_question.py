"""Words that might mean danger get a direct, kind question before anything is paused; end to end through
the console (and the core's clicks). A stand-in screen gives marker messages a `possible` verdict (see
tests/fakes/screen.py), so these tests do not depend on the screen's wording. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import random
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet

from adapters.console.adapter import ConsoleAdapter, render
from bot.content.loader import Content
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.events import ChoicePicked, TextSubmitted
from bot.messages import Address, Reply
from bot.privacy.crypto import Cipher
from bot.privacy.retention import purge_expired_words
from bot.safety.asking import ASK_SESSION
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import HELD, OPEN, Repository
from tests.conftest import CollectingTransport, FakeClock, met
from tests.fakes.screen import MAYBE_HARM, MAYBE_OTHER, MAYBE_SELF, MarkerScreener
from tests.safety.test_crisis_replies import (
    NOTE_PROMPT,
    SAFETY_PROMPT,
    assert_crisis_reply,
    assert_danger_reply,
    assert_resources_for,
    everything_stored,
    services_listed,
)

QUESTION = "Are you thinking about ending your life or hurting yourself?"
HARM_QUESTION = "Is someone hurting you, threatening you, or making you feel unsafe?"
CHOICES = ["  1. Yes", "  2. I'm not sure", "  3. No, I'm OK"]
DISCORD_BO = Address("discord", "dm", "5151", "dm-5151")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore) -> Conversation:
    return build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                          schedules=schedules, screener=MarkerScreener(content))


def assert_asked(out: str, question: str = QUESTION) -> None:
    assert question in out
    assert all(choice in out for choice in CHOICES), out
    assert services_listed(out) == [], "no numbers yet: the person is asked first"
    assert "breathe in slowly" not in out


async def note_step(console: ConsoleAdapter) -> None:
    await console.respond("/checkin")
    await console.respond("2")
    assert NOTE_PROMPT in await console.respond("1,3")


def ask_token(replies: list[Reply], answer: str) -> str:
    question = next(reply.question for reply in replies if reply.question is not None)
    assert question.session_id == ASK_SESSION
    assert [choice.value for choice in question.choices] == ["yes", "unsure", "no"]
    return question.token(answer)


def stranger() -> Cipher:
    """Someone else's key: what the stored data shows to anyone who reads it without ours."""
    return Cipher([Fernet.generate_key()])


# ---------------------------------------------------------------- the question


async def test_possible_words_in_a_note_get_the_direct_question_and_nothing_is_paused(
    console: ConsoleAdapter, repository: Repository, database_url: str, cipher: Cipher,
    caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await note_step(console)

    out = await console.respond(f"{MAYBE_SELF}, Wombat-5512")

    assert_asked(out)
    me = await repository.identity_id(console.address)
    assert (await repository.profile(me)).crisis_at is None, "nothing is paused while the person is asked"
    session = await repository.open_session(me)
    assert session is not None
    assert (session.status, session.step_id) == (OPEN, "note")
    assert await repository.checkin_count(me) == 0
    assert "Wombat" not in caplog.text, "what a person wrote is never logged"
    raw = await everything_stored(database_url, stranger())  # nothing readable without the key
    assert "Wombat" not in raw


async def test_no_im_ok_carries_on_with_the_note_and_nothing_is_paused(
    console: ConsoleAdapter, content: Content, repository: Repository, database_url: str, cipher: Cipher
) -> None:
    await note_step(console)
    assert_asked(await console.respond(f"{MAYBE_SELF}, Wombat-5512"))

    out = await console.respond("3")

    assert content.texts.get("ask_no_reply") in out
    assert "/sos" in out
    assert content.texts.get("tip_footer") in out, "the check-in ends as it would have, with its tip"
    assert content.texts.get("sos_beside") not in out, "no pause, so no pause line"
    me = await repository.identity_id(console.address)
    assert (await repository.profile(me)).crisis_at is None
    [checkin] = await repository.checkins(me)
    assert (checkin.safety_score, checkin.has_note) == (2, True), "the note was not lost"
    exported = await repository.export(me)
    assert "Wombat-5512" in str(exported["checkins"][0]["own_words"])
    assert "Wombat" not in await everything_stored(database_url, stranger())

    again = await console.respond("/tip")
    assert content.texts.get("tip_footer") in again
    assert content.texts.get("sos_beside") not in again


@pytest.mark.parametrize(("answer", "lead"), [("1", "ask_yes_lead"), ("Yes", "ask_yes_lead"),
                                              ("2", "ask_unsure_lead"), ("I'm not sure", "ask_unsure_lead")])
async def test_yes_or_not_sure_gets_the_full_reply_and_the_pause(
    console: ConsoleAdapter, content: Content, repository: Repository, clock: FakeClock, database_url: str,
    cipher: Cipher, answer: str, lead: str
) -> None:
    await note_step(console)
    assert_asked(await console.respond(f"{MAYBE_SELF}, Wombat-5512"))

    out = await console.respond(answer)

    assert_crisis_reply(out, content, content.resources.fallback, None)
    assert content.texts.get(lead) in out
    me = await repository.identity_id(console.address)
    assert (await repository.profile(me)).crisis_at == clock.now
    held = await repository.open_session(me)
    assert held is not None
    assert (held.status, held.step_id, held.answers) == (HELD, "note", {"safety": 2,
                                                                       "boundaries": ["saying_no", "not_carrying"]})
    assert "Wombat" not in await everything_stored(database_url, cipher), "the kept words are gone, even decrypted"


async def test_outside_a_checkin_no_carries_on_and_a_second_answer_is_not_taken(
    console: ConsoleAdapter, content: Content, repository: Repository
) -> None:
    assert_asked(await console.respond(MAYBE_SELF))
    out = await console.respond("no")
    assert content.texts.get("ask_no_reply") in out
    assert content.texts.get("idle_text").split(":")[0] in out
    out = await console.respond("1")  # the question was answered: "1" is no longer an answer to it
    assert content.texts.get("crisis_title") not in out
    assert (await repository.profile(await repository.identity_id(console.address))).crisis_at is None


async def test_the_buttons_work_once_and_after_a_restart(
    content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore
) -> None:
    first = build_conversation(content, repository, clock=clock, schedules=schedules, screener=MarkerScreener(content))
    asked = (await first.handle(TextSubmitted(DISCORD_BO, MAYBE_SELF))).replies
    token = ask_token(asked, "no")
    assert len(token) <= 100

    restarted = build_conversation(content, repository, clock=clock, schedules=schedules,
                               screener=MarkerScreener(content))
    clock.advance(hours=3)
    replies = (await restarted.handle(ChoicePicked(DISCORD_BO, token, ("no",)))).replies
    assert replies[0].text == content.texts.get("ask_no_reply")
    assert not any(reply.stale for reply in replies)

    again = (await restarted.handle(ChoicePicked(DISCORD_BO, ask_token(asked, "yes"), ("yes",)))).replies
    assert [reply.text for reply in again] == [content.texts.get("ask_stale")]
    assert again[0].stale
    forged = (await restarted.handle(ChoicePicked(DISCORD_BO, "ci:ask:nosuchquestion:yes", ("yes",)))).replies
    assert forged[0].stale
    profile = await repository.profile(await repository.identity_id(DISCORD_BO))
    assert profile.crisis_at is None


async def test_someone_elses_click_on_the_question_does_nothing(
    service: Conversation, content: Content, repository: Repository
) -> None:
    asked = (await service.handle(TextSubmitted(DISCORD_BO, MAYBE_SELF))).replies
    other = Address("discord", "dm", "6262", "dm-6262")
    replies = (await service.handle(ChoicePicked(other, ask_token(asked, "yes"), ("yes",)))).replies
    assert replies[0].stale
    assert (await repository.profile(await repository.identity_id(other))).crisis_at is None
    mine = (await service.handle(ChoicePicked(DISCORD_BO, ask_token(asked, "yes"), ("yes",)))).replies
    assert mine[0].title == content.texts.get("crisis_title")


async def test_a_newer_question_replaces_an_older_one(service: Conversation, content: Content) -> None:
    older = (await service.handle(TextSubmitted(DISCORD_BO, MAYBE_SELF))).replies
    newer = (await service.handle(TextSubmitted(DISCORD_BO, f"{MAYBE_SELF}, really"))).replies
    assert ((await service.handle(ChoicePicked(DISCORD_BO, ask_token(older, "no"), ("no",)))).replies)[0].stale
    replies = (await service.handle(ChoicePicked(DISCORD_BO, ask_token(newer, "no"), ("no",)))).replies
    assert replies[0].text == content.texts.get("ask_no_reply")


# ---------------------------------------------------------------- no pause after "No, I'm OK"


def berlin(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=BERLIN).astimezone(UTC)


async def test_after_no_im_ok_the_next_scheduled_prompt_still_goes_out(
    console: ConsoleAdapter, content: Content, dispatcher: Dispatcher, transport: CollectingTransport,
    clock: FakeClock
) -> None:
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    assert_asked(await console.respond(MAYBE_SELF))
    assert content.texts.get("ask_no_reply") in await console.respond("No, I'm OK")

    clock.now = berlin(27, 9, 0, 30)
    await dispatcher.tick()

    received = ["\n".join(render(reply, content.texts) for reply in replies) for _, replies in transport.sent]
    assert len(received) == 1
    assert content.texts.get("prompt_greeting") in received[0]
    assert SAFETY_PROMPT in received[0]


async def test_after_yes_the_scheduled_prompts_wait(
    console: ConsoleAdapter, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock
) -> None:
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    assert_asked(await console.respond(MAYBE_SELF))
    await console.respond("Yes")
    clock.now = berlin(27, 9, 0, 30)
    await dispatcher.tick()
    assert transport.sent == []


# ---------------------------------------------------------------- whose danger


async def test_possible_harm_from_others_asks_about_safety_and_yes_gets_the_abuse_lines_first(
    content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore, tmp_path: Path
) -> None:
    service = build_conversation(content, repository, clock=clock, schedules=schedules, default_country="US",
                             screener=MarkerScreener(content))
    console = await met(ConsoleAdapter(service, "ana", interactive=False, files_dir=tmp_path))
    out = await console.respond(MAYBE_HARM)
    assert_asked(out, HARM_QUESTION)
    assert QUESTION not in out

    out = await console.respond("1")
    us = content.resources.countries["US"]
    assert out.startswith(f"─── {content.texts.get('danger_title')} ───")
    assert content.texts.get("danger_lead_asked") in out
    assert services_listed(out)[0] == "National Domestic Violence Hotline"
    assert_resources_for(out, us)
    assert "call 911." in out
    assert content.texts.get("danger_staying_safe") in out
    assert "breathe in slowly" not in out
    assert content.texts.get("tip_footer") not in out


async def test_clear_harm_from_others_gets_the_abuse_lines_first_at_once(
    content: Content, repository: Repository, clock: FakeClock, tmp_path: Path
) -> None:
    service = build_conversation(content, repository, clock=clock, default_country="GB",
                                 screener=MarkerScreener(content))
    console = await met(ConsoleAdapter(service, "ana", interactive=False, files_dir=tmp_path))
    out = await console.respond("he threatened to kill me")  # the real screen, no marker
    assert_danger_reply(out, content, content.resources.countries["GB"])
    assert (await repository.profile(await repository.identity_id(console.address))).crisis_at == clock.now


async def test_worry_about_someone_else_gets_the_helping_reply_and_no_pause(
    console: ConsoleAdapter, content: Content, repository: Repository
) -> None:
    await console.respond("/checkin")
    out = await console.respond(MAYBE_OTHER)
    assert out.startswith(f"─── {content.texts.get('someone_else_title')} ───")
    assert content.texts.get("someone_else_how") in out
    assert content.texts.get("someone_else_numbers") in out
    assert_resources_for(out, content.resources.fallback)
    assert "call your local emergency number" in out
    assert QUESTION not in out
    me = await repository.identity_id(console.address)
    assert (await repository.profile(me)).crisis_at is None
    session = await repository.open_session(me)
    assert session is not None
    assert session.status == OPEN, "their check-in is not held: it is not their own danger"


async def test_a_real_explicit_phrase_is_still_answered_at_once(console: ConsoleAdapter, content: Content) -> None:
    out = await console.respond("I want to kill myself")
    assert_crisis_reply(out, content, content.resources.fallback, None)
    assert QUESTION not in out


# ---------------------------------------------------------------- the end of a day that was not safe at all


async def finish_daily(console: ConsoleAdapter, score: str, boundaries: str) -> str:
    await console.respond("/checkin")
    await console.respond(score)
    await console.respond(boundaries)
    return await console.respond("skip")


@pytest.mark.parametrize("boundaries", ["7", "skip"])
async def test_not_safe_at_all_and_no_boundary_held_gets_a_gentle_sos_line_instead_of_a_tip(
    console: ConsoleAdapter, content: Content, repository: Repository, boundaries: str
) -> None:
    out = await finish_daily(console, "1", boundaries)
    assert content.texts.get("unsafe_day") in out
    assert "/sos" in out
    assert content.texts.get("tip_footer") not in out
    assert not any(f"─── {tip.title} ───" in out for tip in content.tips)
    assert "here's something" not in out.lower()
    [checkin] = await repository.checkins(await repository.identity_id(console.address))
    assert (checkin.safety_score, checkin.tip_id) == (1, None)
    assert (await repository.profile(await repository.identity_id(console.address))).crisis_at is None


@pytest.mark.parametrize(("score", "boundaries"), [("1", "1"), ("2", "7")])
async def test_a_boundary_held_or_a_score_above_1_still_gets_a_tip(
    console: ConsoleAdapter, content: Content, score: str, boundaries: str
) -> None:
    out = await finish_daily(console, score, boundaries)
    assert content.texts.get("unsafe_day") not in out
    assert content.texts.get("tip_footer") in out


async def test_typed_answers_name_the_question_not_the_checkin_step(console: ConsoleAdapter, content: Content,
                                                                    repository: Repository) -> None:
    """While the question waits, "3" answers it (No), and the words it held go into the step after all."""
    await console.respond("/checkin")
    assert_asked(await console.respond(MAYBE_SELF))  # typed where the 1–5 scale was asked
    out = await console.respond("3")
    assert content.texts.get("ask_no_reply") in out
    assert re.search(r"Could you pick a number from 1 to 5", out), "the held words were tried as the answer"
    assert SAFETY_PROMPT in out, "and the scale is asked again"
    session = await repository.open_session(await repository.identity_id(console.address))
    assert session is not None
    assert (session.step_id, session.answers) == ("safety", {})


@pytest.mark.parametrize("line", ["/kms", "/killmyself", "/i want to die"])
async def test_words_typed_as_a_command_name_are_screened_too(console: ConsoleAdapter, content: Content,
                                                              line: str) -> None:
    out = await console.respond(line)
    assert_crisis_reply(out, content, content.resources.fallback, None)
    assert "I don't know /" not in out


async def test_words_waiting_for_an_answer_go_with_abandoned_checkins(
    service: Conversation, repository: Repository, clock: FakeClock, database_url: str, cipher: Cipher
) -> None:
    asked = (await service.handle(TextSubmitted(DISCORD_BO, f"{MAYBE_SELF}, Wombat-5512"))).replies
    assert "Wombat" in await everything_stored(database_url, cipher), "kept, encrypted, while the question waits"
    clock.advance(hours=25)
    await purge_expired_words(repository, 365, clock=clock)
    assert "Wombat" not in await everything_stored(database_url, cipher)
    late = (await service.handle(ChoicePicked(DISCORD_BO, ask_token(asked, "no"), ("no",)))).replies
    assert late[0].stale


async def test_words_that_answer_neither_way_get_the_question_once_more(
    console: ConsoleAdapter, content: Content, repository: Repository, clock: FakeClock
) -> None:
    await note_step(console)
    assert_asked(await console.respond(f"{MAYBE_SELF}, Wombat-5512"))
    clock.advance(minutes=1)

    out = await console.respond("idk man, whatever")
    assert content.texts.get("ask_again") in out
    assert_asked(out)
    me = await repository.identity_id(console.address)
    session = await repository.open_session(me)
    assert session is not None
    assert session.step_id == "note", "nothing was taken as the note"

    out = await console.respond("3")
    assert content.texts.get("ask_no_reply") in out
    [checkin] = await repository.checkins(me)
    assert "Wombat-5512" in str((await repository.export(me))["checkins"][0]["own_words"])
    assert checkin.has_note


async def test_once_a_checkin_moves_on_a_typed_number_belongs_to_it(
    console: ConsoleAdapter, content: Content, repository: Repository, clock: FakeClock
) -> None:
    assert_asked(await console.respond(MAYBE_SELF))
    clock.advance(minutes=1)
    assert SAFETY_PROMPT in await console.respond("/checkin")
    clock.advance(minutes=1)

    out = await console.respond("2")  # the scale's "Mostly on guard", not "I'm not sure"
    assert "Which boundaries did you hold" in out
    assert content.texts.get("crisis_title") not in out
    assert (await repository.profile(await repository.identity_id(console.address))).crisis_at is None
