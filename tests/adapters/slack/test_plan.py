"""The safety plan on Slack, end to end: the real slack-bolt AsyncApp over HTTP on 127.0.0.1, signed requests,
the real core on SQLite and PostgreSQL, the local fake Slack Web API. `/boundary plan` moves to the DM; each part
is written in a modal or skipped; /sos and the crisis reply show the plan first; export has it; /forget removes it."""

from __future__ import annotations

import html
import itertools
import json
import random
from typing import Any

import pytest

from bot.content.loader import Content
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from tests.adapters.slack.conftest import CHANNEL_ID, ME, Slack, elements, text_of
from tests.conftest import FakeClock
from tests.fakes.slack_server import USER_ID, message_im, text_input

_EVENT_IDS = itertools.count(1)


@pytest.fixture
def service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore) -> Conversation:
    return build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                          schedules=schedules, default_country="US")


def read(message: dict[str, Any]) -> str:
    return html.unescape(text_of(message))


def dm(slack: Slack) -> str:
    return slack.fake.dm_channel_for(USER_ID)


async def next_in_dm(slack: Slack, before: int) -> list[dict[str, Any]]:
    return (await slack.dm_messages(before + 1))[before:]


async def click(slack: Slack, message: dict[str, Any], label: str) -> dict[str, Any]:
    before = len(slack.fake.messages_in(dm(slack)))
    for element in elements(message):
        if element.get("text", {}).get("text") == label:
            assert await slack.click(element, channel_id=dm(slack), message=message) == 200
            break
        option = next((o for o in element.get("options", []) if o["text"]["text"] == label), None)
        if option is not None:
            assert await slack.click(element, channel_id=dm(slack), message=message, selected_option=option,
                                     action_type=element["type"]) == 200
            break
    else:
        raise AssertionError(f"no {label!r} to click")
    return (await next_in_dm(slack, before))[-1]


async def open_box(slack: Slack, question: dict[str, Any]) -> dict[str, Any]:
    """"Write it" (or "Pick or write", when the part offers examples): the modal that opens."""
    opened = len(slack.fake.calls_to("views.open"))
    button = next(b for b in elements(question) if b.get("text", {}).get("text") in ("Write it", "Pick or write"))
    assert await slack.click(button, channel_id=dm(slack), trigger_id=f"trigger-{opened}") == 200
    calls = await slack.fake.wait_for_calls("views.open", count=opened + 1)
    view = calls[-1].args["view"]
    return next(v for v in slack.fake.views.values() if v.get("private_metadata") == view.get("private_metadata"))


def box_of(view: dict[str, Any]) -> dict[str, Any]:
    return next(block for block in view["blocks"] if block["block_id"] == "answer")


async def write(slack: Slack, question: dict[str, Any], text: str, *, box: str = "",
                ticked: tuple[str, ...] = ()) -> dict[str, Any]:
    """The modal, Submit; the next message in the DM. `box`: what the box must hold when it opens; `ticked`:
    the examples ticked before sending."""
    before = len(slack.fake.messages_in(dm(slack)))
    view = await open_box(slack, question)
    assert box in str(box_of(view)["element"].get("initial_value") or "")
    values: dict[str, dict[str, dict[str, Any]]] = {"answer": {"text": text_input(text)}}
    if ticked:
        [checkboxes] = [b["element"] for b in view["blocks"] if b["block_id"] == "examples"]
        values["examples"] = {"picked": {"type": "checkboxes", "selected_options": [
            option for option in checkboxes["options"] if option["value"] in ticked]}}
    assert await slack.submit(view, values) == 200
    return (await next_in_dm(slack, before))[-1]


async def typed(slack: Slack, text: str) -> dict[str, Any]:
    before = len(slack.fake.messages_in(dm(slack)))
    payload = message_im(text, channel=dm(slack), event_id=f"Ev0PLAN{next(_EVENT_IDS):03d}")
    await slack.post(slack.signed.event(payload))
    return (await next_in_dm(slack, before))[-1]


async def command(slack: Slack, text: str) -> str:
    """A command in the app's DM; everything it answers there."""
    before = len(slack.fake.messages_in(dm(slack)))
    # Each its own request: a byte-identical signed one within five minutes is a replay and is not run again.
    assert await slack.command(text, channel_id=dm(slack), key=f"plan-{next(_EVENT_IDS)}") == 200
    return "\n".join(read(m) for m in await next_in_dm(slack, before))


async def test_build_edit_sos_crisis_export_forget(slack: Slack, repository: Repository, content: Content) -> None:
    await slack.command("help", key="intro")
    await slack.fake.wait_for_responses()
    assert await slack.command("plan") == 200
    notice = (await slack.fake.wait_for_responses(count=2))[-1][1]
    assert "direct messages" in notice["text"]
    first = (await slack.dm_messages(1))[-1]
    assert "1 of 7" in read(first)
    assert slack.fake.messages_in(CHANNEL_ID) == [], "nothing of the plan in the channel"

    second = await write(slack, first, "can't sleep; skipping meals")
    assert "2 of 7" in read(second)
    third = await write(slack, second, "walk by the canal; cold water on my face")
    fourth = await click(slack, third, "Skip")
    fifth = await write(slack, fourth, "my cousin Inez, 555 0199; Ana from work")
    assert "988 Suicide & Crisis Lifeline" in read(fifth), "part 5 is pre-filled for their country"
    sixth = await write(slack, fifth, "988\nmy counsellor", box="988 Suicide & Crisis Lifeline")
    seventh = await click(slack, sixth, "Skip")
    keep = await write(slack, seventh, "my cat")
    assert "Should your plan stay" in read(keep)
    shown = await click(slack, keep, "Follow the 365 days")
    plan_text = "\n".join(read(m) for m in slack.fake.messages_in(dm(slack))[-2:])
    assert "follows the 365 days" in plan_text
    assert "• walk by the canal" in plan_text

    edit = await click(slack, shown, "Things I can do on my own")
    assert "2 of 7" in read(edit)
    # "cold water on my face" is one of the examples: it opens ticked, the rest in the box.
    saved = await write(slack, edit, "a shower; my calm playlist", box="walk by the canal")
    assert "walk by the canal" not in "\n".join(read(m) for m in slack.fake.messages_in(dm(slack))[-2:])
    assert saved

    sos = await command(slack, "sos")
    assert sos.index("From your own plan") < sos.index("a shower") < sos.index("my cousin Inez") \
        < sos.index("988 Suicide & Crisis Lifeline")

    crisis = read(await typed(slack, "I want to kill myself"))
    assert content.texts.get("crisis_title") in crisis
    assert crisis.index("a shower") < crisis.index("my cousin Inez") < crisis.index("988 Suicide & Crisis Lifeline")

    assert await slack.command("export", channel_id=dm(slack)) == 200
    await slack.fake.wait_for_calls("files.completeUploadExternal", count=3)
    files = {f["name"]: f["content"] for f in slack.fake.files.values()}
    [data] = [json.loads(body) for name, body in files.items() if name.endswith(".json")]
    assert data["safety_plan"]["parts"]["coping"] == ["a shower", "my calm playlist"]
    [printable] = [body.decode() for name, body in files.items() if "safety-plan" in name]
    assert "7. What matters to me" in printable

    await command(slack, "forget")
    confirm = slack.fake.messages_in(dm(slack))[-1]
    erase = next(e for e in elements(confirm) if e.get("text", {}).get("text") == "Yes, erase everything")
    assert await slack.click(erase, channel_id=dm(slack), message=confirm) == 200
    await slack.adapter.drain()
    await slack.adapter.dm_cleanups_done()  # the app's earlier DM messages are deleted after the reply
    assert await repository.plan(await repository.identity_id(ME)) is None
    assert "From your own plan" not in await command(slack, "sos")


async def test_without_a_plan_the_offer_comes_once_a_week(slack: Slack, clock: FakeClock) -> None:
    first = await command(slack, "sos")
    assert first.index("988 Suicide & Crisis Lifeline") < first.index("/boundary plan starts it")
    assert "plan starts it" not in await command(slack, "help")
    assert "plan starts it" not in await command(slack, "sos")
    clock.advance(days=7, minutes=1)
    assert "plan starts it" in await command(slack, "sos")


async def test_examples_are_ticked_in_the_modal_beside_their_own_words(slack: Slack, repository: Repository) -> None:
    await command(slack, "plan")
    first = (await slack.dm_messages(1))[-1]
    assert "For example" not in read(first)
    view = await open_box(slack, first)
    [checkboxes] = [b["element"] for b in view["blocks"] if b["block_id"] == "examples"]
    assert checkboxes["type"] == "checkboxes"
    assert [o["text"]["text"] for o in checkboxes["options"]][:2] == ["can't sleep", "pulling away from everyone"]
    assert box_of(view)["optional"] is True, "ticking alone is an answer"

    second = await write(slack, first, "Quokka walk the dog", ticked=("can't sleep", "after a fight at home"))
    assert "2 of 7" in read(second)
    third = await write(slack, second, "", ticked=("a shower",))
    assert "3 of 7" in read(third)
    plan = await repository.plan(await repository.identity_id(ME))
    assert plan is not None
    assert plan.parts["signs"] == ["can't sleep", "after a fight at home", "Quokka walk the dog"]
    assert plan.parts["coping"] == ["a shower"]

    edit = await typed_command_question(slack, "plan edit signs")
    view = await open_box(slack, edit)
    [checkboxes] = [b["element"] for b in view["blocks"] if b["block_id"] == "examples"]
    assert [o["value"] for o in checkboxes["initial_options"]] == ["can't sleep", "after a fight at home"], \
        "what they ticked opens ticked"
    assert box_of(view)["element"]["initial_value"] == "Quokka walk the dog"


async def typed_command_question(slack: Slack, text: str) -> dict[str, Any]:
    before = len(slack.fake.messages_in(dm(slack)))
    assert await slack.command(text, channel_id=dm(slack), key=f"plan-{next(_EVENT_IDS)}") == 200
    return next(m for m in reversed(await next_in_dm(slack, before)) if elements(m))


async def test_delete_asks_first(slack: Slack, repository: Repository) -> None:
    await command(slack, "plan")
    await write(slack, (await slack.dm_messages(1))[-1], "a walk")
    confirm = await typed_command_question(slack, "plan delete")
    assert "Delete your safety plan?" in read(confirm)
    assert await repository.plan(await repository.identity_id(ME)) is not None
    kept = await click(slack, confirm, "Keep it")
    assert "stays as it is" in read(kept)
    assert await repository.plan(await repository.identity_id(ME)) is not None, "nothing deleted without the yes"
    confirm = await typed_command_question(slack, "plan delete")
    deleted = await click(slack, confirm, "Yes, delete")
    assert "Your safety plan is deleted." in read(deleted)
    assert await repository.plan(await repository.identity_id(ME)) is None
