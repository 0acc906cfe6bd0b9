"""The conversation around the crisis screen on Slack, end to end: the real slack-bolt AsyncApp over HTTP on
127.0.0.1, signed requests, the real core on SQLite and PostgreSQL, and the local fake Slack Web API. A stand-in
screen gives marker messages a `possible` verdict (tests/fakes/screen.py); the numbers are the United States'."""

from __future__ import annotations

import html
import itertools
import random
from typing import Any

import pytest

from bot.content.loader import Content
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.events import Command
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from tests.adapters.slack.conftest import ME, Slack, elements, text_of
from tests.adapters.slack.test_delivery import delivery
from tests.conftest import FakeClock
from tests.fakes.screen import MAYBE_HARM, MAYBE_SELF, MarkerScreener
from tests.fakes.slack_server import USER_ID, event_callback, message_im

QUESTION = "Are you thinking about ending your life or hurting yourself?"
_EVENT_IDS = itertools.count(1)


@pytest.fixture
def service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore) -> Conversation:
    return build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                          schedules=schedules, default_country="US", screener=MarkerScreener(content))


def read(message: dict[str, Any]) -> str:
    """What the person reads, with Slack's escapes undone."""
    return html.unescape(text_of(message))


async def intro_done(slack: Slack) -> None:
    await slack.command("help", key="intro")
    await slack.fake.wait_for_responses()
    slack.fake.responses.clear()


def dm(slack: Slack) -> str:
    return slack.fake.dm_channel_for(USER_ID)


async def typed(slack: Slack, text: str, **event: Any) -> dict[str, Any]:
    """The person writes in the app's DM; the app's answer there."""
    before = len(slack.fake.messages_in(dm(slack)))
    payload = message_im(text, channel=dm(slack), event_id=f"Ev0CRISIS{next(_EVENT_IDS):03d}")
    payload["event"].update(event)
    await slack.post(slack.signed.event(payload))
    return (await slack.dm_messages(before + 1))[-1]


async def asked(slack: Slack, text: str = MAYBE_SELF) -> dict[str, Any]:
    message = await typed(slack, text)
    buttons = elements(message)
    assert [b["text"]["text"] for b in buttons] == ["Yes", "I'm not sure", "No, I'm OK"]
    assert all(b["action_id"].startswith("ci:ask:") for b in buttons)
    assert "•" not in read(message), "no numbers yet: the person is asked first"
    return message


async def click(slack: Slack, message: dict[str, Any], label: str) -> dict[str, Any]:
    before = len(slack.fake.messages_in(dm(slack)))
    button = next(b for b in elements(message) if b["text"]["text"] == label)
    assert await slack.click(button, channel_id=dm(slack), message=message) == 200
    return (await slack.dm_messages(before + 1))[-1]


async def prompt_is_due(slack: Slack, service: Conversation, schedules: ScheduleStore, clock: FakeClock) -> Any:
    await service.handle(Command(ME, "schedule", "daily 09:00 in Europe/Berlin"))
    clock.now = clock.now.replace(day=27, hour=8, minute=0, second=30)
    return delivery(schedules, service, slack.adapter, clock)


async def test_the_direct_question_and_no_im_ok_then_the_scheduled_prompt_still_comes(
        slack: Slack, service: Conversation, schedules: ScheduleStore, clock: FakeClock, content: Content) -> None:
    await intro_done(slack)
    dispatcher = await prompt_is_due(slack, service, schedules, clock)
    question = await asked(slack)
    assert QUESTION in read(question)

    answer = await click(slack, question, "No, I'm OK")
    assert "Thank you for letting me know" in read(answer)
    assert "/boundary sos" in read(answer), "the /sos line, in Slack's spelling"

    before = len(slack.fake.messages_in(dm(slack)))
    assert (await dispatcher.tick()).sent == 1, "no pause after No, I'm OK"
    prompt = slack.fake.messages_in(dm(slack))[before]
    assert content.texts.get("prompt_greeting") in read(prompt)


@pytest.mark.parametrize(("label", "lead"), [("Yes", "ask_yes_lead"), ("I'm not sure", "ask_unsure_lead")])
async def test_yes_or_not_sure_gets_the_crisis_reply_and_the_pause_then_tip_is_answered_with_sos(
        slack: Slack, service: Conversation, schedules: ScheduleStore, clock: FakeClock, content: Content,
        label: str, lead: str) -> None:
    await intro_done(slack)
    dispatcher = await prompt_is_due(slack, service, schedules, clock)
    question = await asked(slack)

    reply = read(await click(slack, question, label))
    assert content.texts.get("crisis_title") in reply
    assert content.texts.get(lead) in reply
    assert "988 Suicide & Crisis Lifeline" in reply
    assert (await dispatcher.tick()).sent == 0, "the pause holds the scheduled prompt"

    before = len(slack.fake.messages_in(dm(slack)))
    await slack.command("tip", channel_id=dm(slack))
    answered = "\n".join(read(m) for m in (await slack.dm_messages(before + 1))[before:])
    assert content.texts.get("tip_footer").split(" ")[0] in answered
    assert "lists people you can talk to" in answered, "the /sos line beside the tip"
    assert "holding back" not in answered


async def test_harm_from_others_gets_the_abuse_line_first(slack: Slack, content: Content) -> None:
    await intro_done(slack)
    question = await asked(slack, MAYBE_HARM)
    assert "Is someone hurting you" in read(question)
    reply = read(await click(slack, question, "Yes"))
    assert content.texts.get("danger_title") in reply
    assert reply.index("National Domestic Violence Hotline") < reply.index("988 Suicide & Crisis Lifeline")
    assert "breathe in slowly" not in reply

    real = read(await typed(slack, "he threatened to kill me"))  # the real screen: clear, answered at once
    assert content.texts.get("danger_title") in real
    assert real.index("National Domestic Violence Hotline") < real.index("988")


async def test_a_day_not_safe_at_all_ends_with_the_sos_line_not_a_tip(slack: Slack, content: Content) -> None:
    await intro_done(slack)
    await slack.command("checkin", channel_id=dm(slack))
    [scale] = await slack.dm_messages(1)
    await slack.click(next(b for b in elements(scale) if b.get("value") == "1"), channel_id=dm(slack),
                      message=scale)
    boundaries = (await slack.dm_messages(2))[-1]
    select = elements(boundaries)[0]
    none = [option for option in select["options"] if option["value"] == "none"]
    await slack.click(select, channel_id=dm(slack), selected_options=none, action_type="multi_static_select")
    note = (await slack.dm_messages(3))[-1]
    await slack.click(next(b for b in elements(note) if b.get("value") == "skip"), channel_id=dm(slack), message=note)
    finished = "\n".join(read(m) for m in (await slack.dm_messages(4))[3:])
    assert "Not feeling safe at all is a lot to carry" in finished
    assert "/boundary sos" in finished
    assert content.texts.get("tip_footer").split(",")[0] not in finished


async def test_words_in_a_dm_with_a_file_are_screened(slack: Slack, content: Content) -> None:
    await intro_done(slack)
    reply = await typed(slack, "I want to kill myself", subtype="file_share", files=[{"id": "F0FAKE1"}])
    assert content.texts.get("crisis_title") in read(reply)


async def test_an_edited_dm_is_read_for_danger_and_answers_nothing_else(slack: Slack, content: Content,
                                                                        repository: Repository) -> None:
    await intro_done(slack)
    await slack.command("checkin", channel_id=dm(slack))
    await slack.dm_messages(1)
    edit = {"type": "message", "subtype": "message_changed", "channel": dm(slack), "channel_type": "im",
            "hidden": True, "ts": "1700000000.000900", "event_ts": "1700000000.000900",
            "message": {"type": "message", "user": USER_ID, "text": "I want to kill myself",
                        "ts": "1700000000.000300", "edited": {"user": USER_ID, "ts": "1700000000.000900"}}}
    await slack.post(slack.signed.event(event_callback(edit, event_id="Ev0EDITED01")))
    [_, reply] = await slack.dm_messages(2)
    assert content.texts.get("crisis_title") in read(reply)

    harmless = dict(edit, message=dict(edit["message"], text="3"))  # an edit is not an answer
    await slack.post(slack.signed.event(event_callback(harmless, event_id="Ev0EDITED02")))
    await slack.post(slack.signed.event(message_im("hello", channel=dm(slack), event_id="Ev0EDITED03")))
    messages = await slack.dm_messages(3)
    assert len(messages) == 3
    session = await repository.open_session(await repository.identity_id(ME))
    assert session is not None
    assert session.answers == {}
