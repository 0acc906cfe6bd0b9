"""The conversation around the crisis screen on Discord, end to end: the real discord.py client, the real core
on SQLite and PostgreSQL, and the local fake Discord. A stand-in screen gives marker messages a `possible`
verdict (tests/fakes/screen.py); the numbers are the United States' (the default country here)."""

from __future__ import annotations

import random

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.content.loader import Content
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.messages import Address
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from tests.adapters.discord.test_adapter import (
    followups,
    intro_done,
    is_prompt,
    question_in,
    scheduled_prompt_due,
)
from tests.conftest import FakeClock
from tests.fakes.discord_client import TIMEOUT, USER_ID
from tests.fakes.discord_server import FakeDiscord, SentMessage
from tests.fakes.screen import MAYBE_HARM, MAYBE_SELF, MarkerScreener

QUESTION = "Are you thinking about ending your life or hurting yourself?"


@pytest.fixture
def service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore) -> Conversation:
    return build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                          schedules=schedules, default_country="US", screener=MarkerScreener(content))


async def typed(fake: FakeDiscord, text: str) -> SentMessage:
    """The person writes in their DM with the bot; the bot's answer (one message)."""
    before = len(fake.dms(USER_ID))
    await fake.user_message(USER_ID, text)
    return await fake.wait_for_dm(USER_ID, before + 1, TIMEOUT)


def button(message: SentMessage, value: str) -> str:
    return next(cid for cid in message.custom_ids() if cid.endswith(f":{value}"))


async def asked(fake: FakeDiscord, text: str = MAYBE_SELF) -> SentMessage:
    message = await typed(fake, text)
    ids = message.custom_ids()
    assert [cid.split(":")[1] for cid in ids] == ["ask"] * 3
    assert [cid.rsplit(":", 1)[1] for cid in ids] == ["yes", "unsure", "no"]
    labels = [component.get("label") for component in message.walk_components() if component.get("type") == 2]
    assert labels == ["Yes", "I'm not sure", "No, I'm OK"]
    assert "•" not in message.content, "no numbers yet: the person is asked first"
    return message


async def test_the_direct_question_and_no_im_ok_then_the_scheduled_prompt_still_comes(
        fake: FakeDiscord, bot: DiscordAdapter, service: Conversation, schedules: ScheduleStore,
        repository: Repository, clock: FakeClock, content: Content) -> None:
    dispatcher = await scheduled_prompt_due(fake, bot, service, schedules, repository, clock)
    question = await asked(fake)
    assert QUESTION in question.content

    clicked = await fake.click_button(USER_ID, button(question, "no"), question)
    [answer] = await followups(fake, clicked.id, 1)
    assert content.texts.get("ask_no_reply") in answer.content
    await fake.wait_until(lambda: not question.components, TIMEOUT, "the answered question to lose its buttons")
    assert question.content.endswith("✓ No, I'm OK")

    before = len(fake.dms(USER_ID))
    assert (await dispatcher.tick()).sent == 1, "no pause after No, I'm OK"
    [prompt] = fake.dms(USER_ID)[before:]
    assert is_prompt(prompt)


@pytest.mark.parametrize(("value", "lead"), [("yes", "ask_yes_lead"), ("unsure", "ask_unsure_lead")])
async def test_yes_or_not_sure_gets_the_crisis_reply_and_the_pause_then_tip_is_answered_with_sos(
        fake: FakeDiscord, bot: DiscordAdapter, service: Conversation, schedules: ScheduleStore,
        repository: Repository, clock: FakeClock, content: Content, value: str, lead: str) -> None:
    dispatcher = await scheduled_prompt_due(fake, bot, service, schedules, repository, clock)
    question = await asked(fake)

    clicked = await fake.click_button(USER_ID, button(question, value), question)
    reply = "\n".join(m.content for m in await followups(fake, clicked.id, 1))
    assert content.texts.get("crisis_title") in reply
    assert content.texts.get(lead) in reply
    assert "988 Suicide & Crisis Lifeline" in reply
    assert "call 911" in reply

    assert (await dispatcher.tick()).sent == 0, "the pause holds the scheduled prompt"

    tip = await fake.slash_command(USER_ID, "tip")
    messages = await fake.wait_until(
        lambda: (fs := fake.followups.get(tip.id, [])) and any(m.embeds for m in fs)
        and any(content.texts.get("sos_beside") in m.content for m in fs) and fs, TIMEOUT,
        "the tip and the /sos line")
    assert any(m.embeds and m.embeds[0].get("title") for m in messages), "the tip is answered, not refused"


async def test_harm_from_others_gets_the_abuse_line_first(fake: FakeDiscord, bot: DiscordAdapter,
                                                          content: Content) -> None:
    await intro_done(fake)
    question = await asked(fake, MAYBE_HARM)
    assert "Is someone hurting you" in question.content
    clicked = await fake.click_button(USER_ID, button(question, "yes"), question)
    reply = "\n".join(m.content for m in await followups(fake, clicked.id, 1))
    assert content.texts.get("danger_title") in reply
    assert reply.index("National Domestic Violence Hotline") < reply.index("988 Suicide & Crisis Lifeline")
    assert content.texts.get("danger_staying_safe").split(":")[0] in reply
    assert "breathe in slowly" not in reply

    real = await typed(fake, "he threatened to kill me")  # the real screen: clear, answered at once
    assert content.texts.get("danger_title") in real.content
    assert real.content.index("National Domestic Violence Hotline") < real.content.index("988")


async def test_a_day_not_safe_at_all_ends_with_the_sos_line_not_a_tip(
        fake: FakeDiscord, bot: DiscordAdapter, content: Content) -> None:
    await intro_done(fake)
    started = await fake.slash_command(USER_ID, "checkin")
    scale = await question_in(fake, started.id)
    clicked = await fake.click_button(USER_ID, button(scale, "1"), scale)
    [boundaries] = await followups(fake, clicked.id, 1)
    select = next(c for c in boundaries.walk_components() if c["type"] == 3)
    picked = await fake.select(USER_ID, select["custom_id"], ["none"], boundaries)
    [note] = await followups(fake, picked.id, 1)
    skipped = await fake.click_button(USER_ID, button(note, "skip"), note)
    finished = await fake.wait_until(
        lambda: next((m for m in fake.followups.get(skipped.id, []) if "/sos" in m.content), None), TIMEOUT,
        "the end of the check-in")
    assert content.texts.get("unsafe_day").split(":")[0] in finished.content
    assert not any(m.embeds for m in fake.followups[skipped.id]), "no tip"


async def test_an_edited_dm_is_read_for_danger_and_answers_nothing_else(
        fake: FakeDiscord, bot: DiscordAdapter, repository: Repository, content: Content) -> None:
    await intro_done(fake)
    started = await fake.slash_command(USER_ID, "checkin")
    await question_in(fake, started.id)
    before = len(fake.dms(USER_ID))
    written = await fake.user_message(USER_ID, "hello")
    assert written is not None
    await fake.wait_for_dm(USER_ID, before + 1, TIMEOUT)  # the scale, asked again for "hello"

    await fake.user_edits_message(USER_ID, written, "I want to kill myself")
    reply = await fake.wait_for_dm(USER_ID, before + 2, TIMEOUT)
    assert content.texts.get("crisis_title") in reply.content

    await fake.user_edits_message(USER_ID, written, "3")  # an edit is not an answer
    await typed(fake, "hello again")  # the barrier: its answer comes after anything the edit would have sent
    assert not any("boundaries" in m.content for m in fake.dms(USER_ID)[before + 2:])
    session = await repository.open_session(await repository.identity_id(Address("discord", "dm", str(USER_ID))))
    assert session is not None
    assert session.answers == {}
