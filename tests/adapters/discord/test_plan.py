"""The safety plan on Discord, end to end: the real discord.py client against the local fake Discord, the real
core on SQLite and PostgreSQL. /plan in a server moves to DMs; each part is written in a modal or skipped with a
button; /sos and the crisis reply show the plan first; export has it; /forget removes it."""

from __future__ import annotations

import json
import random

import pytest

from adapters.discord.adapter import DiscordAdapter
from bot.content.loader import Content
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.messages import Address
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from tests.adapters.discord.test_adapter import followups, intro_done, question_in
from tests.conftest import FakeClock
from tests.fakes.discord_client import GUILD_ID, TIMEOUT, USER_ID
from tests.fakes.discord_server import FakeDiscord, SentMessage

ME = Address("discord", "dm", str(USER_ID))


@pytest.fixture
def service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore) -> Conversation:
    return build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                          schedules=schedules, default_country="US")


def button(message: SentMessage, value: str) -> str:
    return next(cid for cid in message.custom_ids() if cid.endswith(f":{value}"))


def text_of(messages: list[SentMessage]) -> str:
    return "\n".join(m.content + "".join(e.get("description", "") + e.get("title", "") for e in m.embeds)
                     for m in messages)


async def write(fake: FakeDiscord, question: SentMessage, text: str, *, box: str = "") -> SentMessage:
    """Click "Write it", type into the modal, send; the next question (or the end). `box`: what the box must
    already hold when it opens."""
    opened = await fake.click_button(USER_ID, next(cid for cid in question.custom_ids() if ":_text" in cid), question)
    modal = await fake.wait_for_callback(opened, TIMEOUT)
    assert modal.type == 9
    assert box in str(modal.data["components"][0]["components"][0].get("value") or "")
    submitted = await fake.submit_modal(USER_ID, str(modal.custom_id), {"text": text})
    return await question_in(fake, submitted.id)


async def skip(fake: FakeDiscord, question: SentMessage) -> SentMessage:
    clicked = await fake.click_button(USER_ID, button(question, "skip"), question)
    return await question_in(fake, clicked.id)


async def build(fake: FakeDiscord) -> SentMessage:
    """/plan in a server: the parts arrive one at a time in DMs; parts 3, 5 and 6 skipped."""
    started = await fake.slash_command(USER_ID, "plan", guild_id=GUILD_ID)
    told = (await followups(fake, started.id, 1))[0]
    assert told.ephemeral
    assert "direct messages" in told.content
    first = await fake.wait_until(
        lambda: next((m for m in fake.dms(USER_ID) if m.custom_ids()), None), TIMEOUT, "the first part in DMs")
    assert "1 of 7" in first.content
    second = await write(fake, first, "can't sleep; skipping meals")
    assert "2 of 7" in second.content
    third = await write(fake, second, "walk by the canal; cold water on my face")
    fourth = await skip(fake, third)
    assert "4 of 7" in fourth.content
    fifth = await write(fake, fourth, "my cousin Inez, 555 0199; Ana from work")
    assert "988 Suicide & Crisis Lifeline" in fifth.content, "part 5 is pre-filled for their country"
    sixth = await write(fake, fifth, "988\nmy counsellor", box="988 Suicide & Crisis Lifeline")
    seventh = await skip(fake, sixth)
    keep = await write(fake, seventh, "my cat")
    assert "Should your plan stay" in keep.content
    labels = [c.get("label") for c in keep.walk_components() if c.get("type") == 2]
    assert labels[:2] == ["Keep it until I delete it", "Follow the 365 days"]
    return keep


async def test_build_edit_sos_crisis_export_forget(fake: FakeDiscord, bot: DiscordAdapter, repository: Repository,
                                                   content: Content) -> None:
    await intro_done(fake)
    keep = await build(fake)
    clicked = await fake.click_button(USER_ID, button(keep, "forever"), keep)
    shown = text_of(await followups(fake, clicked.id, 1))
    assert "stays until you delete it" in shown
    assert "• walk by the canal" in shown
    assert shown.count("(empty)") == 2
    assert "• my counsellor" in shown
    assert [m for m in fake.messages.values() for m in m if "canal" in m.content and not m.ephemeral
            and fake.channels.get(m.channel_id, {}).get("guild_id")] == [], "nothing of it in the server"

    view = await question_in(fake, clicked.id)
    editing = await fake.click_button(USER_ID, button(view, "coping"), view)
    edit = await question_in(fake, editing.id)
    assert "2 of 7" in edit.content
    saved = await write(fake, edit, "a shower; my calm playlist", box="walk by the canal\ncold water on my face")
    assert "Saved: Things I can do on my own." in text_of([saved])
    assert "walk by the canal" not in text_of([saved])

    sos = await fake.slash_command(USER_ID, "sos")
    reply = text_of(await followups(fake, sos.id, 1))
    assert reply.index("From your own plan") < reply.index("a shower") < reply.index("my cousin Inez") \
        < reply.index("988 Suicide & Crisis Lifeline")

    before = len(fake.dms(USER_ID))
    await fake.user_message(USER_ID, "I want to kill myself")
    crisis = text_of([await fake.wait_for_dm(USER_ID, before + 1, TIMEOUT)])
    assert content.texts.get("crisis_title") in crisis
    assert crisis.index("a shower") < crisis.index("my cousin Inez") < crisis.index("988 Suicide & Crisis Lifeline")
    assert "/plan starts it" not in crisis

    exported = await fake.slash_command(USER_ID, "export")
    files = {f.filename: f.data for m in await followups(fake, exported.id, 1) for f in m.files}
    [data] = [json.loads(body) for name, body in files.items() if name.endswith(".json")]
    assert data["safety_plan"]["parts"]["coping"] == ["a shower", "my calm playlist"]
    assert data["safety_plan"]["keep_until_deleted"] is True
    [printable] = [body.decode() for name, body in files.items() if "safety-plan" in name]
    assert "   - my cousin Inez, 555 0199" in printable

    forget = await fake.slash_command(USER_ID, "forget")
    confirm = await question_in(fake, forget.id)
    erased = await fake.click_button(USER_ID, button(confirm, "erase"), confirm)
    await followups(fake, erased.id, 1)
    await bot.dm_cleanups_done()  # the bot's earlier DM messages are deleted after the reply
    assert await repository.plan(await repository.identity_id(ME)) is None
    sos = await fake.slash_command(USER_ID, "sos")
    assert "From your own plan" not in text_of(await followups(fake, sos.id, 1))


async def test_without_a_plan_the_offer_comes_once_a_week_at_calm_moments(
        fake: FakeDiscord, bot: DiscordAdapter, clock: FakeClock) -> None:
    sos = await fake.slash_command(USER_ID, "sos")
    first = text_of(await fake.wait_until(
        lambda: (fs := fake.followups.get(sos.id, [])) and "/plan" in text_of(fs) and fs, TIMEOUT, "the offer"))
    assert first.index("988 Suicide & Crisis Lifeline") < first.index("/plan starts it")
    for name in ("help", "sos"):
        pushed = await fake.slash_command(USER_ID, name)
        assert "/plan starts it" not in text_of(await followups(fake, pushed.id, 1)), "never twice in a week"
    clock.advance(days=7, minutes=1)
    pushed = await fake.slash_command(USER_ID, "help")
    assert "/plan starts it" in text_of(await followups(fake, pushed.id, 1))


async def test_examples_are_picked_from_a_select_and_delete_asks_first(
        fake: FakeDiscord, bot: DiscordAdapter, repository: Repository) -> None:
    await intro_done(fake)
    started = await fake.slash_command(USER_ID, "plan")
    first = await question_in(fake, started.id)
    [select] = [c for c in first.walk_components() if c.get("type") == 3]
    assert [o["label"] for o in select["options"]][:2] == ["can't sleep", "pulling away from everyone"]
    assert select["max_values"] == 4
    assert "Write my own" in [c.get("label") for c in first.walk_components() if c.get("type") == 2]
    assert "For example" not in first.content
    picked = await fake.select(USER_ID, select["custom_id"], ["can't sleep", "after a fight at home"], first)
    second = await question_in(fake, picked.id)
    assert "2 of 7" in second.content
    third = await write(fake, second, "walk by the canal")
    assert "3 of 7" in third.content
    plan = await repository.plan(await repository.identity_id(ME))
    assert plan is not None
    assert plan.parts["signs"] == ["can't sleep", "after a fight at home"], "picked examples are stored as written"
    assert plan.parts["coping"] == ["walk by the canal"]

    asked = await fake.slash_command(USER_ID, "plan", options={"action": "delete"})
    confirm = await question_in(fake, asked.id)
    assert "Delete your safety plan?" in confirm.content
    labels = [c.get("label") for c in confirm.walk_components() if c.get("type") == 2]
    assert labels == ["Yes, delete", "Keep it"]
    kept = await fake.click_button(USER_ID, button(confirm, "keep"), confirm)
    assert "stays as it is" in text_of(await followups(fake, kept.id, 1))
    assert await repository.plan(await repository.identity_id(ME)) is not None, "nothing deleted without the yes"
    asked = await fake.slash_command(USER_ID, "plan", options={"action": "delete"})
    confirm = await question_in(fake, asked.id)
    deleted = await fake.click_button(USER_ID, button(confirm, "yes"), confirm)
    assert "Your safety plan is deleted." in text_of(await followups(fake, deleted.id, 1))
    assert await repository.plan(await repository.identity_id(ME)) is None
