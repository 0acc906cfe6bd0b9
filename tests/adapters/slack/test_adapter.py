"""The Slack adapter end to end: the real slack-bolt AsyncApp in HTTP mode, the real Conversation on SQLite
and PostgreSQL, correctly signed requests, and a local fake Slack Web API on 127.0.0.1."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.slack.render import FORM_BUTTON_PREFIX, TEXT_CALLBACK
from bot.conversation import Conversation
from bot.events import Command, TextSubmitted
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from tests.adapters.slack.conftest import ME, Slack, elements, text_of
from tests.fakes.slack_server import (
    CHANNEL_ID,
    USER_ID,
    app_home_opened,
    message_im,
    text_input,
    url_verification,
)


async def intro_done(slack: Slack) -> None:
    """Get the one-time introduction out of the way (tests of it start fresh)."""
    await slack.command("help", key="intro")
    await slack.fake.wait_for_responses()
    slack.fake.responses.clear()


async def test_a_daily_checkin_moves_to_the_dm_and_ends_with_a_tip(
        slack: Slack, repository: Repository, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    fake = slack.fake
    await intro_done(slack)

    assert await slack.command("checkin") == 200
    [(key, notice)] = await fake.wait_for_responses()
    assert (key, notice["response_type"]) == ("cmd", "ephemeral")
    assert "direct messages" in notice["text"]
    [scale] = await slack.dm_messages(1)
    assert fake.messages_in(CHANNEL_ID) == []  # nothing lands in the channel
    assert "emotionally safe" in text_of(scale)
    assert "emotionally safe" in scale["text"]  # the plain-text fallback says the same
    buttons = elements(scale)
    assert [b["value"] for b in buttons] == ["1", "2", "3", "4", "5", "skip"]
    assert all(len(b["action_id"]) <= 255 and len(b["text"]["text"]) <= 75 for b in buttons)

    dm = fake.dm_channel_for(USER_ID)
    assert await slack.click(buttons[3], channel_id=dm, message=scale) == 200  # "4"
    _, boundaries = await slack.dm_messages(2)
    await fake.wait_for_calls("chat.update")
    answered = fake.messages_in(dm)[0]
    assert elements(answered) == [], "the answered question has no buttons left"
    assert answered["blocks"][-1]["elements"][0]["text"] == "✓ 4"
    assert "emotionally safe" in text_of(answered)
    select = elements(boundaries)[0]
    assert select["type"] == "multi_static_select"
    assert select["max_selected_items"] == len(select["options"])

    picked = [option for option in select["options"] if option["value"] in ("saying_no", "asked_space")]
    await slack.click(select, channel_id=dm, selected_options=picked, action_type="multi_static_select")
    note = (await slack.dm_messages(3))[-1]
    write = next(e for e in elements(note) if e["text"]["text"] == "Write it")

    await slack.click(write, channel_id=dm, trigger_id="trigger-note")
    [opened] = await fake.wait_for_calls("views.open")
    modal = opened.args["view"]
    assert opened.args["trigger_id"] == "trigger-note"
    assert modal["callback_id"] == TEXT_CALLBACK
    assert modal["blocks"][0]["element"]["max_length"] == 1500

    [stored] = fake.views.values()  # what Slack hands back on submit, private_metadata included
    published = len(fake.calls_to("views.publish"))  # (the first /boundary help drew the Home tab once)
    status = await slack.submit(stored, {"answer": {"text": text_input("I said no to overtime, kindly")}})
    assert status == 200
    finished = (await slack.dm_messages(4))[3:]
    assert "Thank you for checking in" in "\n".join(text_of(m) for m in finished)
    assert not any(elements(m) for m in finished)  # nothing left to answer
    await fake.wait_for_calls("views.publish", count=published + 1)  # the Home tab now shows this check-in
    assert "1 check-in in the last four weeks" in text_of(fake.home_views[USER_ID])
    identity = await repository.identity_id(ME)
    [checkin] = await repository.checkins(identity)
    assert (checkin.safety_score, checkin.boundaries, checkin.has_note) == (4, ("saying_no", "asked_space"), True)
    assert "overtime" not in caplog.text
    assert fake.messages_in(CHANNEL_ID) == []
    assert fake.ephemerals == []


async def test_in_a_channel_answers_are_ephemeral_and_nothing_is_posted(slack: Slack) -> None:
    await intro_done(slack)
    assert await slack.command("history") == 200
    [(_, answer)] = await slack.fake.wait_for_responses()
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False
    assert "check-in" in answer["text"].lower()
    assert slack.fake.messages == []


async def test_boundary_alone_shows_help(slack: Slack) -> None:
    assert await slack.command("") == 200
    [(_, answer)] = await slack.fake.wait_for_responses()
    assert "/boundary checkin" in answer["text"]  # the core's "/checkin", spelled the Slack way


async def test_a_command_mentioning_payload_is_not_dropped(slack: Slack) -> None:
    """slack-bolt reads any form body containing "payload" as an interactive request; the adapter repairs it."""
    await intro_done(slack)
    assert await slack.command("tip payload") == 200
    [(_, answer)] = await slack.fake.wait_for_responses()
    assert answer["response_type"] == "ephemeral"
    assert "payload" in answer["text"]  # the core answered: no tip topic by that name


async def test_schedule_form_opens_prefilled_and_saves(
        slack: Slack, repository: Repository, schedules: ScheduleStore) -> None:
    fake = slack.fake
    await intro_done(slack)
    await slack.command("schedule weekdays 08:30 in Europe/Berlin")
    await fake.wait_for_responses()
    fake.responses.clear()
    await slack.command("schedule")
    [(_, shown)] = await fake.wait_for_responses()
    change = next(e for e in elements(shown) if e["action_id"].startswith(FORM_BUTTON_PREFIX))
    assert change["text"]["text"] == "Change schedule"

    await slack.click(change, channel_id=CHANNEL_ID, trigger_id="trigger-form")
    [opened] = await fake.wait_for_calls("views.open")
    modal = opened.args["view"]
    initial = {block["block_id"]: block["element"].get("initial_value") for block in modal["blocks"]}
    assert initial["times"] == "08:30"
    assert initial["zone"] == "Europe/Berlin"
    assert len(modal["title"]["text"]) <= 24

    values = {name: {"value": text_input(value)} for name, value in initial.items() if value is not None}
    values["times"] = {"value": text_input("09:15")}
    [stored] = fake.views.values()
    assert await slack.submit(stored, values) == 200
    [call] = await fake.wait_for_calls("chat.postEphemeral")
    [saved] = fake.ephemerals
    # (the fake's ephemeral record keeps the bot as "user"; the call says whom it was for)
    assert call.args["user"] == USER_ID
    assert saved["channel"] == CHANNEL_ID
    assert "09:15" in saved["text"]
    record = await schedules.get(await repository.identity_id(ME))
    assert record is not None
    assert [t.strftime("%H:%M") for t in record.rule.times] == ["09:15"]
    assert fake.messages == []


async def test_app_home_is_published_when_opened(slack: Slack) -> None:
    status, _ = await slack.post(slack.signed.event(app_home_opened(USER_ID, event_id="Ev0HOME01")))
    assert status == 200
    [publish] = await slack.fake.wait_for_calls("views.publish")
    assert publish.args["user_id"] == USER_ID
    home = slack.fake.home_views[USER_ID]
    assert "Check in now" in [e["text"]["text"] for e in elements(home)]
    assert "schedule" in text_of(home).lower()


async def test_a_retried_event_is_processed_once(slack: Slack) -> None:
    event = app_home_opened(USER_ID, event_id="Ev0RETRY01")
    assert (await slack.post(slack.signed.event(event)))[0] == 200
    await slack.fake.wait_for_calls("views.publish")
    assert (await slack.post(slack.signed.event(event, retry_num=1)))[0] == 200
    assert (await slack.post(slack.signed.event(event, retry_num=2, retry_reason="http_error")))[0] == 200
    # A different event afterwards is the barrier: once its effect is there, the retries would have been too.
    await slack.post(slack.signed.event(app_home_opened(USER_ID, event_id="Ev0RETRY02")))
    await slack.fake.wait_for_calls("views.publish", count=2)
    assert len(slack.fake.calls_to("views.publish")) == 2


async def test_typed_answer_in_the_dm_works_like_a_click(slack: Slack, repository: Repository) -> None:
    dm = slack.fake.dm_channel_for(USER_ID)
    await slack.command("checkin", channel_id=dm)
    [first] = await slack.dm_messages(1)
    assert elements(first)
    assert slack.fake.responses == []  # in the app's own DM the answer is a normal message
    await slack.post(slack.signed.event(message_im("4", channel=dm, event_id="Ev0TYPED01")))
    boundaries = (await slack.dm_messages(2))[-1]
    assert elements(boundaries)[0]["type"] == "multi_static_select"


async def test_bad_signature_or_stale_timestamp_gets_401_and_no_web_api_call(slack: Slack) -> None:
    request = slack.signed.command({"command": "/boundary", "text": "checkin", "user_id": USER_ID,
                                    "team_id": "T0FAKE001", "channel_id": CHANNEL_ID})
    assert (await slack.post(slack.signed.forged(request)))[0] == 401
    assert (await slack.post(slack.signed.stale(request)))[0] == 401
    body, headers = request
    assert (await slack.post((body, {k: v for k, v in headers.items() if k != "X-Slack-Signature"})))[0] == 401
    assert slack.fake.calls == []


async def test_url_verification_echoes_the_challenge(slack: Slack) -> None:
    status, body = await slack.post(slack.signed.event(url_verification("abc123")))
    assert status == 200
    assert json.loads(body) == {"challenge": "abc123"}


async def test_a_stale_click_is_told_privately(slack: Slack) -> None:
    await intro_done(slack)
    forged: dict[str, Any] = {"action_id": "ci:nosuchsession:safety:3", "value": "3"}
    await slack.click(forged, channel_id=CHANNEL_ID)
    [(_, answer)] = await slack.fake.wait_for_responses()
    assert answer["response_type"] == "ephemeral"
    assert "moved on" in answer["text"]


async def test_global_shortcut_starts_a_checkin_in_the_dm(slack: Slack) -> None:
    from tests.fakes.slack_server import global_shortcut

    await slack.post(slack.signed.interactive(global_shortcut("bb_checkin")))
    messages = await slack.dm_messages(1)
    assert any(elements(m) for m in messages)


async def test_export_is_uploaded_to_the_dm_never_to_the_channel(slack: Slack) -> None:
    await intro_done(slack)
    await slack.command("export")
    await slack.fake.wait_for_calls("files.completeUploadExternal", count=2)
    [(_, notice)] = await slack.fake.wait_for_responses()
    assert "direct messages" in notice["text"]
    dm = slack.fake.dm_channel_for(USER_ID)
    uploaded = sorted(f["name"] for f in slack.fake.files.values() if f["channels"] == [dm])
    assert sorted(name.rsplit(".", 1)[-1] for name in uploaded) == ["csv", "json"]
    assert all(f["channels"] == [dm] for f in slack.fake.files.values())
    assert slack.fake.messages_in(CHANNEL_ID) == []


async def test_history_arrives_in_the_dm_with_the_chart_and_its_alt_text(
        slack: Slack, service: Conversation) -> None:
    await intro_done(slack)
    for typed in ("/checkin", "4", "1", "skip"):  # one check-in, answered the way a typed DM answers
        event = Command(ME, typed[1:]) if typed.startswith("/") else TextSubmitted(ME, typed)
        await service.handle(event)
    await slack.command("history")
    await slack.fake.wait_for_calls("files.completeUploadExternal")
    [(_, notice)] = await slack.fake.wait_for_responses()
    assert "direct messages" in notice["text"]
    await slack.adapter.drain()
    dm = slack.fake.dm_channel_for(USER_ID)
    # The same chart twice: once shared in the DM, once privately for the App Home (shared nowhere).
    [chart, home_chart] = sorted(slack.fake.files.values(), key=lambda f: f["channels"], reverse=True)
    assert home_chart["channels"] == []
    assert home_chart["content"] == chart["content"]
    assert (chart["name"], chart["channels"]) == ("history.png", [dm])
    assert chart["content"].startswith(b"\x89PNG")
    assert "4 out of 5" in chart["alt_txt"]
    assert "Average safety: 4.0 out of 5." in "\n".join(text_of(m) for m in slack.fake.messages_in(dm))
    assert slack.fake.messages_in(CHANNEL_ID) == []
