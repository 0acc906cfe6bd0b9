"""The Discord adapter end to end: the real discord.py client, the real Conversation on SQLite and
PostgreSQL, and a local fake Discord on 127.0.0.1 in between."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters import rate_limits
from adapters.discord.adapter import DiscordAdapter
from bot.commands import COMMANDS
from bot.content.loader import Content
from bot.conversation import Conversation, build_conversation
from bot.events import Command, TextSubmitted
from bot.messages import Address, Choice, Image, InputKind, Question, Reply
from bot.ports import RateLimited, TemporaryFailure, Unreachable, request_cost
from bot.privacy.crypto import Cipher
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.rules import Rule, parse_days, parse_time
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from bot.storage.seen import DatabaseSeenEvents
from tests.conftest import FakeClock
from tests.fakes.discord_client import GUILD_ID, TIMEOUT, TOKEN, USER_ID, started
from tests.fakes.discord_server import FakeDiscord, SentMessage


@contextlib.asynccontextmanager
async def running(adapter: DiscordAdapter) -> AsyncIterator[DiscordAdapter]:
    """Start the adapter's real client against the fake; wait (bounded) until it is ready."""
    async with started(adapter.client):
        yield adapter


def make_adapter(service: Conversation, content: Content) -> DiscordAdapter:
    return DiscordAdapter(service, content, TOKEN, guild_ready_timeout=0.05)


async def intro_done(fake: FakeDiscord) -> None:
    """Get the one-time introduction out of the way (tests of it start fresh)."""
    pushed = await fake.slash_command(USER_ID, "help")
    await fake.wait_for_followup(pushed, within=TIMEOUT)


async def followups(fake: FakeDiscord, pushed_id: int, count: int) -> list[SentMessage]:
    await fake.wait_for_followup(pushed_id, count, within=TIMEOUT)
    return fake.followups[pushed_id]


async def question_in(fake: FakeDiscord, pushed_id: int) -> SentMessage:
    """The follow-up to an interaction that carries controls (a question), however many messages came first."""
    return await fake.wait_until(
        lambda: next((m for m in fake.followups.get(pushed_id, []) if m.custom_ids()), None), TIMEOUT,
        f"a question in the follow-ups to {pushed_id}")


def guild_messages(fake: FakeDiscord) -> list[SentMessage]:
    """Everything visible in the server to anyone: non-ephemeral messages in guild channels."""
    guild_channels = {cid for cid, channel in fake.channels.items() if channel.get("guild_id") == str(GUILD_ID)}
    return [m for cid in guild_channels for m in fake.messages.get(cid, []) if not m.ephemeral]


async def test_commands_are_synced_as_discord_sees_them(fake: FakeDiscord, bot: DiscordAdapter,
                                                        content: Content) -> None:
    synced = {c["name"]: c for c in fake.commands[None]}
    assert set(synced) == set(COMMANDS)
    for name, command in synced.items():
        assert command["description"] == content.texts.get(f"command_{name}")
        assert 1 <= len(command["description"]) <= 100
        assert sorted(command["integration_types"]) == [0, 1]
        assert sorted(command["contexts"]) == [0, 1, 2]
    flow = synced["checkin"]["options"][0]
    assert (flow["name"], flow["type"], flow.get("required", False)) == ("flow", 3, False)
    assert {c["value"] for c in flow["choices"]} == {"daily", "weekly", "prepare", "repair"}
    assert synced["tip"]["options"][0]["autocomplete"] is True
    assert [(o["name"], o.get("autocomplete", False)) for o in synced["schedule"]["options"]] == [
        ("rule", False), ("timezone", True)]
    assert [o["name"] for o in synced["pause"]["options"]] == ["until"]
    assert [o["name"] for o in synced["vacation"]["options"]] == ["until"]
    assert {c["value"] for c in synced["snooze"]["options"][0]["choices"]} == {"1h", "evening", "tomorrow"}
    assert synced["help"].get("options", []) == []


async def test_autocomplete_for_topics_and_time_zones(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    typing = await fake.autocomplete(USER_ID, "tip", {"topic": "say"}, focused="topic")
    topics = [c["value"] for c in (await fake.wait_for_callback(typing, TIMEOUT)).choices]
    assert "saying-no" in topics
    typing = await fake.autocomplete(USER_ID, "schedule", {"timezone": "berlin"}, focused="timezone")
    zones = [c["value"] for c in (await fake.wait_for_callback(typing, TIMEOUT)).choices]
    assert zones == ["Europe/Berlin"]


async def test_a_daily_checkin_in_dms_with_buttons_select_and_modal(
        fake: FakeDiscord, bot: DiscordAdapter, repository: Repository, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    await intro_done(fake)
    started = await fake.slash_command(USER_ID, "checkin", {"flow": "daily"})
    [scale] = await followups(fake, started.id, 1)  # the flow's greeting and its first question: one message
    assert not scale.ephemeral
    assert "emotionally safe" in scale.content
    assert len(scale.custom_ids()) == 6  # 1..5 and Skip
    assert all(len(cid) <= 100 for cid in scale.custom_ids())

    clicked = await fake.click_button(USER_ID, scale.custom_ids()[3], scale)  # "4"
    boundaries = (await followups(fake, clicked.id, 1))[0]
    await fake.wait_until(lambda: not scale.components, TIMEOUT, "the answered question to lose its buttons")
    assert "emotionally safe" in scale.content
    assert scale.content.endswith("✓ 4 · Mostly safe")
    select = next(c for c in boundaries.walk_components() if c["type"] == 3)
    assert select["max_values"] == len(select["options"])

    picked = await fake.select(USER_ID, select["custom_id"], ["saying_no", "asked_space"], boundaries)
    note = (await followups(fake, picked.id, 1))[0]
    write = next(cid for cid in note.custom_ids() if ":_text" in cid)

    opened = await fake.click_button(USER_ID, write, note)
    modal = await fake.wait_for_callback(opened, TIMEOUT)
    assert modal.type == 9
    text_input = modal.data["components"][0]["components"][0]
    assert text_input["max_length"] == 1500

    submitted = await fake.submit_modal(USER_ID, str(modal.custom_id), {"text": "I said no to overtime, kindly"})
    await fake.wait_for_callback(submitted, TIMEOUT)
    finished = await fake.wait_until(
        lambda: next((fs for fs in [fake.followups.get(submitted.id, [])] if any(m.embeds for m in fs)), None),
        TIMEOUT, "the tip embed")
    tip = next(m for m in finished if m.embeds).embeds[0]
    assert tip["title"]
    assert tip["description"]
    assert "Thank you for checking in" in "\n".join(m.content for m in finished)
    assert all(m.allowed_mentions == {"parse": []} for m in [scale, boundaries, note, *finished])
    identity = await repository.identity_id(Address("discord", "dm", str(USER_ID)))
    [checkin] = await repository.checkins(identity)
    assert (checkin.safety_score, checkin.boundaries, checkin.has_note) == (4, ("saying_no", "asked_space"), True)
    assert "overtime" not in caplog.text
    assert len(fake.followups[started.id]) == 1


async def test_in_a_server_the_checkin_starts_ephemerally_and_continues_in_dms(
        fake: FakeDiscord, bot: DiscordAdapter) -> None:
    await intro_done(fake)
    started = await fake.slash_command(USER_ID, "checkin", guild_id=GUILD_ID)
    told = (await followups(fake, started.id, 1))[0]
    assert told.ephemeral
    assert "direct messages" in told.content
    question = await fake.wait_until(
        lambda: next((m for m in fake.dms(USER_ID) if m.custom_ids()), None), TIMEOUT, "the question in DMs")
    assert "emotionally safe" in question.content

    clicked = await fake.click_button(USER_ID, question.custom_ids()[0], question)
    assert "boundaries" in (await followups(fake, clicked.id, 1))[0].content
    assert guild_messages(fake) == []

    tip = await fake.slash_command(USER_ID, "tip", guild_id=GUILD_ID)
    shown = (await followups(fake, tip.id, 1))[0]
    assert shown.ephemeral
    assert shown.embeds
    assert guild_messages(fake) == []


async def test_an_old_button_still_works_after_a_restart(
        fake: FakeDiscord, service: Conversation, content: Content) -> None:
    async with running(make_adapter(service, content)):
        await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
        started = await fake.slash_command(USER_ID, "checkin")
        scale = await question_in(fake, started.id)
    async with running(make_adapter(service, content)):  # a new process on the same database
        clicked = await fake.click_button(USER_ID, scale.custom_ids()[1], scale)
        boundaries = (await followups(fake, clicked.id, 1))[0]
        assert "boundaries" in boundaries.content
        picked = await fake.select(USER_ID, boundaries.custom_ids()[0], ["none"], boundaries)
        note = (await followups(fake, picked.id, 1))[0]
    async with running(make_adapter(service, content)):  # the modal opens after one restart, is sent after another
        opened = await fake.click_button(USER_ID, note.custom_ids()[0], note)
        modal = await fake.wait_for_callback(opened, TIMEOUT)
    async with running(make_adapter(service, content)):
        submitted = await fake.submit_modal(USER_ID, str(modal.custom_id), {"text": "tired but okay"})
        done = await followups(fake, submitted.id, 1)
        assert "Thank you" in done[0].content or "asked a lot" in done[0].content
    assert fake.identify_count == 4


def modal_inputs(modal_data: dict[str, object]) -> dict[str, dict[str, object]]:
    inputs: dict[str, dict[str, object]] = {}
    for row in modal_data["components"]:  # type: ignore[attr-defined]
        for component in [*row.get("components", []), *([row["component"]] if "component" in row else [])]:
            if component.get("type") == 4:
                inputs[component["custom_id"]] = component
    return inputs


async def test_schedule_settings_open_as_a_form_filled_in_and_saved_from_it(
        fake: FakeDiscord, service: Conversation, content: Content, schedules: ScheduleStore,
        repository: Repository) -> None:
    async with running(make_adapter(service, content)):
        await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
        await intro_done(fake)
        typed = await fake.slash_command(USER_ID, "schedule", {"rule": "mon-fri 09:00", "timezone": "Europe/Berlin"})
        await followups(fake, typed.id, 1)
        shown = await fake.slash_command(USER_ID, "schedule", guild_id=GUILD_ID)
        current = (await followups(fake, shown.id, 1))[0]
        assert current.ephemeral
        assert "Monday to Friday at 09:00" in current.content
        [change] = current.custom_ids()
        opened = await fake.click_button(USER_ID, change, current)
        modal = await fake.wait_for_callback(opened, TIMEOUT)
        assert modal.type == 9
        inputs = modal_inputs(modal.data)
        assert {name: spec.get("value") for name, spec in inputs.items()} == {
            "flow": "daily", "days": "mon-fri", "times": "09:00", "quiet": "off", "zone": "Europe/Berlin"}
        assert all(len(str(spec["label"])) <= 45 for spec in inputs.values())
        submitted = await fake.submit_modal(USER_ID, str(modal.custom_id), {"times": "07:30, 18:00", "zone": "Lisbon"})
        saved = (await followups(fake, submitted.id, 1))[0]
        assert saved.ephemeral
        assert "Saved" in saved.content
        assert "07:30, 18:00 (Europe/Lisbon)" in saved.content
    identity = await repository.identity_id(Address("discord", "dm", str(USER_ID)))
    record = await schedules.get(identity)
    assert record is not None
    assert (record.rule.zone, [at.strftime("%H:%M") for at in record.rule.times]) == ("Europe/Lisbon",
                                                                                      ["07:30", "18:00"])
    assert guild_messages(fake) == []
    async with running(make_adapter(service, content)):  # the old button, after a restart: today's values
        reopened = await fake.click_button(USER_ID, change, current)
        fresh = modal_inputs((await fake.wait_for_callback(reopened, TIMEOUT)).data)
        assert (fresh["times"]["value"], fresh["zone"]["value"]) == ("07:30, 18:00", "Europe/Lisbon")


async def test_a_stale_click_gets_the_cores_private_answer(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    await intro_done(fake)
    started = await fake.slash_command(USER_ID, "checkin")
    old = await question_in(fake, started.id)
    fresh = await fake.slash_command(USER_ID, "checkin", {"flow": "weekly"})  # a new check-in replaces it
    await followups(fake, fresh.id, 1)
    again = await fake.click_button(USER_ID, old.custom_ids()[1], old)
    assert "moved on" in (await followups(fake, again.id, 1))[0].content
    await fake.wait_until(lambda: not old.components, TIMEOUT, "the dead buttons to go")
    assert "✓" not in old.content, "nothing was recorded, so nothing is ticked"


async def scheduled_prompt_due(fake: FakeDiscord, bot: DiscordAdapter, service: Conversation,
                               schedules: ScheduleStore, repository: Repository, clock: FakeClock) -> Dispatcher:
    """A daily 19:00 schedule for USER_ID, a minute past due; delivery through the adapter, as the bot runs it."""
    await intro_done(fake)
    identity = await repository.identity_id(Address("discord", "dm", str(USER_ID)))
    await schedules.save(identity, Rule(parse_days("daily"), (parse_time("19:00"),), "UTC", None), "daily")

    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    dispatcher = Dispatcher(schedules, service, {"discord": bot},
                            pacer=Pacer(clock=lambda: clock.now.timestamp(), **rate_limits()),
                            clock=clock, sleep=fake_sleep)
    clock.advance(hours=1, minutes=1)
    return dispatcher


def is_prompt(message: SentMessage) -> bool:
    """A whole scheduled prompt: greeting, first question and snooze offer, with both sets of buttons."""
    ids = message.custom_ids()
    return ("A minute for you" in message.content and "emotionally safe" in message.content
            and "Snooze it" in message.content and any(":safety:" in cid for cid in ids)
            and any(cid.startswith("ci:snooze:") for cid in ids))


async def test_a_scheduled_prompt_is_one_dm_and_its_snooze_button_works(
        fake: FakeDiscord, bot: DiscordAdapter, service: Conversation, schedules: ScheduleStore,
        repository: Repository, clock: FakeClock) -> None:
    dispatcher = await scheduled_prompt_due(fake, bot, service, schedules, repository, clock)
    dm = fake.dm_channel_id(USER_ID)
    before, posts = len(fake.dms(USER_ID)), fake.count("POST", f"/channels/{dm}/messages")
    stats = await dispatcher.tick()
    assert stats.sent == 1
    [prompt] = fake.dms(USER_ID)[before:]
    assert is_prompt(prompt)
    assert fake.count("POST", f"/channels/{dm}/messages") == posts + 1

    snooze = next(c for c in prompt.custom_ids() if c.startswith("ci:snooze:") and c.endswith(":1h"))
    clicked = await fake.click_button(USER_ID, snooze, prompt)
    assert "in an hour" in (await followups(fake, clicked.id, 1))[0].content
    await fake.wait_until(lambda: not prompt.components, TIMEOUT, "the snoozed prompt to lose its buttons")
    assert prompt.content.endswith("✓ In an hour")

    fake.block_dms(USER_ID)
    clock.advance(days=1)
    stats = await dispatcher.tick()
    assert stats.unreachable == 1
    fake.block_dms(USER_ID, blocked=False)
    told = await fake.slash_command(USER_ID, "help")
    assert "direct message" in (await followups(fake, told.id, 1))[0].content


async def test_answering_a_scheduled_prompt_continues_the_checkin(
        fake: FakeDiscord, bot: DiscordAdapter, service: Conversation, schedules: ScheduleStore,
        repository: Repository, clock: FakeClock) -> None:
    dispatcher = await scheduled_prompt_due(fake, bot, service, schedules, repository, clock)
    before = len(fake.dms(USER_ID))
    assert (await dispatcher.tick()).sent == 1
    [prompt] = fake.dms(USER_ID)[before:]
    four = next(c for c in prompt.custom_ids() if ":safety:" in c and c.endswith(":4"))
    clicked = await fake.click_button(USER_ID, four, prompt)
    [boundaries] = await followups(fake, clicked.id, 1)
    assert "boundaries" in boundaries.content
    assert boundaries.custom_ids()
    await fake.wait_until(lambda: not prompt.components, TIMEOUT, "the answered prompt to lose its buttons")
    assert prompt.content.endswith("✓ 4 · Mostly safe")
    record = await repository.open_session(await repository.identity_id(Address("discord", "dm", str(USER_ID))))
    assert record is not None
    assert (record.step_id, set(record.answers)) == ("boundaries", {"safety"})


async def test_an_answer_on_a_full_merged_message_still_shows_its_tick(
        fake: FakeDiscord, bot: DiscordAdapter, repository: Repository) -> None:
    await intro_done(fake)
    started = await fake.slash_command(USER_ID, "checkin")
    session = (await question_in(fake, started.id)).custom_ids()[0].split(":")[1]
    question = Question(session, "safety", InputKind.SCALE, tuple(Choice(str(n), f"Level {n}") for n in range(1, 6)))
    me = Address("discord", "dm", str(USER_ID), str(fake.dm_channel_id(USER_ID)))
    before = len(fake.dms(USER_ID))
    await bot.send(me, [Reply("word " * 300), Reply("x" * 480), Reply("How safe?", question=question)])
    [full] = fake.dms(USER_ID)[before:]
    assert len(full.content) > 1990
    clicked = await fake.click_button(USER_ID, f"ci:{session}:safety:4", full)
    await followups(fake, clicked.id, 1)
    await fake.wait_until(lambda: not full.components, TIMEOUT, "the answered message to lose its buttons")
    assert full.content.endswith("…\n-# ✓ Level 4")
    assert len(full.content) <= 2000
    assert full.content.startswith("word word")


async def test_a_prompt_refused_with_a_503_arrives_once_when_retried(
        fake: FakeDiscord, bot: DiscordAdapter, service: Conversation, schedules: ScheduleStore,
        repository: Repository, clock: FakeClock) -> None:
    dispatcher = await scheduled_prompt_due(fake, bot, service, schedules, repository, clock)
    before = len(fake.dms(USER_ID))
    fake.fail_next("/messages", 503, method="POST")
    stats = await dispatcher.tick()
    assert (stats.sent, stats.retried) == (0, 1)
    assert [status for _, _, status in fake.failures_served] == [503]
    assert fake.dms(USER_ID)[before:] == []
    clock.advance(minutes=10)
    assert (await dispatcher.tick()).sent == 1
    [prompt] = fake.dms(USER_ID)[before:]
    assert is_prompt(prompt)


async def test_request_cost_is_what_send_really_takes(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    question = Question("s1", "safety", InputKind.SCALE, tuple(Choice(str(n), str(n)) for n in range(1, 6)))
    prompt = [Reply("A minute for you.", title="Daily"), Reply("How safe did you feel?", question=question),
              Reply("Not a good moment?", question=Question("snooze", "7", InputKind.SINGLE,
                                                            (Choice("1h", "In an hour"),), skippable=False))]
    long = [Reply("word " * 900), Reply("And a question", question=question)]  # 4,500 characters: 3 messages
    newcomer = USER_ID + 7
    fake.add_user(newcomer)
    known = Address("discord", "dm", str(USER_ID), str(fake.dm_channel_id(USER_ID)))
    cases = [(known, prompt, 1), (known, long, 3), (Address("discord", "dm", str(newcomer)), prompt, 2),
             (Address("discord", "dm", str(USER_ID + 8)), [], 1)]
    for address, replies, expected in cases[:3]:
        assert bot.request_cost(address, replies) == expected
        made = len(fake.requests)
        await bot.send(address, replies)
        assert len(fake.requests) - made == expected, fake.requests[made:]
    address, replies, expected = cases[3]
    assert bot.request_cost(address, replies) == expected
    assert request_cost(bot, known, prompt) == 1  # what the dispatcher's pacer charges


async def test_a_dm_discord_never_opens_does_not_hold_up_everyone_elses(
        fake: FakeDiscord, service: Conversation, content: Content) -> None:
    """Every DM open shares one rate-limit bucket, which discord.py runs one request at a time until it has
    learned its limit (and would wait up to 30 s for): an open that gets no answer gives up after
    `open_dm_timeout` (it is safe to repeat), and the next person's prompt goes out while Discord still holds
    the first request. No user lookup comes before the open."""
    async with running(DiscordAdapter(service, content, TOKEN, guild_ready_timeout=0.05,
                                      open_dm_timeout=0.3)) as adapter:
        first, second = USER_ID + 20, USER_ID + 21
        fake.add_user(first)
        fake.add_user(second)
        release = fake.hold_next("/users/@me/channels", method="POST")
        made = len(fake.requests)
        try:
            with pytest.raises(TemporaryFailure):  # a temporary failure after 0.3 s, not a wait without end
                await asyncio.wait_for(adapter.send(Address("discord", "dm", str(first)), [Reply("Hello")]), 5)
            # Discord still sits on that request; the next person's DM opens and their prompt arrives at once.
            await asyncio.wait_for(adapter.send(Address("discord", "dm", str(second)), [Reply("Hello")]), 5)
            assert [m.content for m in fake.dms(second)] == ["Hello"]
        finally:
            release.set()
        assert fake.dms(first) == []
        assert not [path for method, path in fake.requests[made:] if method == "GET" and path.startswith("/users/")]
        await adapter.send(Address("discord", "dm", str(first)), [Reply("Hello")])  # tried again later: it works
        assert [m.content for m in fake.dms(first)] == ["Hello"]


async def test_an_image_arrives_as_an_attachment_with_its_alt_text(
        fake: FakeDiscord, bot: DiscordAdapter, tmp_path: Path) -> None:
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    alt = "Safety scores from 3 Nov to 24 Nov: average 3.4, rising."
    await bot.send(Address("discord", "dm", str(USER_ID)),
                   [Reply("Your last four weeks.", image=Image(chart.read_bytes(), alt, "history.png"))])
    sent = fake.dms(USER_ID)[-1]
    assert "Your last four weeks." in sent.content
    assert [(f.filename, f.data) for f in sent.files] == [("history.png", chart.read_bytes())]
    assert [a.get("description") for a in sent.request["attachments"]] == [alt]


async def test_history_in_a_server_is_private_and_carries_the_chart(
        fake: FakeDiscord, bot: DiscordAdapter, service: Conversation) -> None:
    await intro_done(fake)
    me = Address("discord", "dm", str(USER_ID))
    for typed in ("/checkin", "4", "1", "skip"):  # one check-in, answered the way a typed DM answers
        await service.handle(Command(me, typed[1:]) if typed.startswith("/") else TextSubmitted(me, typed))
    asked = await fake.slash_command(USER_ID, "history", guild_id=GUILD_ID)
    sent = await followups(fake, asked.id, 1)  # the summary and its chart arrive together
    assert all(message.ephemeral for message in sent)
    assert "Average safety: 4.0 out of 5." in sent[0].content
    [chart] = [file for message in sent for file in message.files]
    assert chart.filename == "history.png"
    assert chart.data.startswith(b"\x89PNG")
    [described] = [a for m in sent for a in m.attachments]
    assert "4 out of 5" in described["description"]
    assert guild_messages(fake) == []


async def test_a_rate_limit_is_waited_out(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    fake.fail_next("/messages", 429, retry_after=0.05)
    await bot.send(Address("discord", "dm", str(USER_ID)), [Reply("A gentle prompt")])
    assert [m.content for m in fake.dms(USER_ID)] == ["A gentle prompt"]
    assert [f[2] for f in fake.failures_served] == [429]


async def test_closed_dms_raise_unreachable_and_5xx_a_temporary_failure(
        fake: FakeDiscord, bot: DiscordAdapter) -> None:
    fake.block_dms(USER_ID)
    with pytest.raises(Unreachable):
        await bot.send(Address("discord", "dm", str(USER_ID)), [Reply("hello")])
    fake.block_dms(USER_ID, blocked=False)
    fake.fail_next("/messages", 503)  # 503 is not retried by discord.py itself (500/502/504 are, after sleeping)
    with pytest.raises(TemporaryFailure):
        await bot.send(Address("discord", "dm", str(USER_ID)), [Reply("hello")])
    fake.fail_next("/messages", 429, retry_after=120)  # longer than the client waits by itself
    with pytest.raises(RateLimited) as limited:
        await bot.send(Address("discord", "dm", str(USER_ID)), [Reply("hello")])
    assert limited.value.retry_after >= 100
    assert fake.dms(USER_ID) == []


async def test_a_failing_event_is_apologised_for_and_the_bot_keeps_running(
        fake: FakeDiscord, bot: DiscordAdapter, service: Conversation, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    real = service.handle

    async def broken(event: object, actor: object = None) -> list[Reply]:
        raise RuntimeError("secret words a person typed")

    monkeypatch.setattr(service, "handle", broken)  # what the adapter calls
    pushed = await fake.slash_command(USER_ID, "history", guild_id=GUILD_ID)
    apology = (await followups(fake, pushed.id, 1))[0]
    assert apology.ephemeral
    assert apology.content == service.texts.get("error")
    assert "RuntimeError" in caplog.text
    assert "secret words" not in caplog.text
    monkeypatch.setattr(service, "handle", real)
    again = await fake.slash_command(USER_ID, "privacy")
    assert (await followups(fake, again.id, 1))[0].content


async def test_the_gateway_reconnects_and_the_next_interaction_works(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    await fake.drop_connection()
    await fake.wait_until(lambda: fake.resume_count == 1, TIMEOUT, "the client to resume")
    await fake.wait_for_session(TIMEOUT)
    pushed = await fake.slash_command(USER_ID, "privacy")
    assert (await followups(fake, pushed.id, 1))[0].content


async def test_interactions_are_acknowledged_before_the_core_answers(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    pushed = await fake.slash_command(USER_ID, "history", guild_id=GUILD_ID)
    await followups(fake, pushed.id, 1)
    callback = fake.interaction_responses[pushed.id]
    assert callback.type == 5
    assert callback.ephemeral


async def test_a_typed_answer_in_dms_works_like_a_click(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    await intro_done(fake)
    started = await fake.slash_command(USER_ID, "checkin")
    await question_in(fake, started.id)
    before = len(fake.dms(USER_ID))
    await fake.user_message(USER_ID, "3")
    answer = await fake.wait_for_dm(USER_ID, before + 1, TIMEOUT)
    assert "boundaries" in answer.content
    assert answer.custom_ids()


async def test_guild_ids_sync_commands_to_those_servers_only(
        fake: FakeDiscord, service: Conversation, content: Content) -> None:
    adapter = DiscordAdapter(service, content, TOKEN, guild_ids=[GUILD_ID], guild_ready_timeout=0.05)
    async with running(adapter):
        await fake.wait_until(lambda: fake.commands.get(GUILD_ID), TIMEOUT, "guild commands")
        assert {c["name"] for c in fake.commands[GUILD_ID]} == set(COMMANDS)
        assert not fake.commands.get(None)
        pushed = await fake.slash_command(USER_ID, "sos", guild_id=GUILD_ID)
        assert (await followups(fake, pushed.id, 1))[0].ephemeral


async def test_a_sharded_process_connects_with_its_shard_ids(
        fake: FakeDiscord, service: Conversation, content: Content) -> None:
    adapter = DiscordAdapter(service, content, TOKEN, shard_ids=[0], shard_count=1, guild_ready_timeout=0.05)
    async with running(adapter):
        session = await fake.wait_for_session(TIMEOUT)
        assert session.shard == (0, 1)
        # A shard drops what it cannot read, as an unsharded client does, and stays connected.
        await fake.push_interaction({"id": str(fake._snowflake()), "type": 3, "token": "t" * 40, "version": 1,
                                     "application_id": str(fake.application_id), "user": {"id": "abc"}})
        assert await fake.send_raw_frame("not json") == 1
        pushed = await fake.slash_command(USER_ID, "help")
        assert (await followups(fake, pushed.id, 1))[0].content
        assert fake.identify_count == 1
        assert fake.resume_count == 0


# ------------------------------------------------------------------ hostile or duplicated events


@contextlib.contextmanager
def log_line(text: str) -> Iterator[asyncio.Event]:
    """An event set when the adapter logs a line containing `text` (to wait on it without sleeping)."""
    seen = asyncio.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if text in record.getMessage():
                seen.set()

    handler = Watch(logging.DEBUG)
    logger = logging.getLogger("adapters.discord")
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


def click_payload(fake: FakeDiscord, custom_id: Any, message: SentMessage) -> dict[str, Any]:
    """A click on `custom_id` as it reaches the bot, on a copy of `message` that carries such a button (what
    a forged click or a broken proxy could send; compare drills/hostile.py)."""
    base = fake._interaction_base(3, USER_ID, {"custom_id": custom_id, "component_type": 2}, guild_id=None,
                                  channel_id=message.channel_id, message=message)
    payload = copy.deepcopy(base.payload)
    payload["message"]["components"] = [{"type": 1, "id": 1, "components": [
        {"type": 2, "id": 2, "style": 1, "label": "x", "custom_id": custom_id}]}]
    return payload


async def test_malformed_gateway_events_are_dropped_and_the_same_client_keeps_answering(
        fake: FakeDiscord, bot: DiscordAdapter, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    await intro_done(fake)
    started = await fake.slash_command(USER_ID, "checkin")
    question = await question_in(fake, started.id)
    secret = "SECRET-words-from-a-person"
    good = click_payload(fake, question.custom_ids()[0], question)
    good["message"]["content"] = secret

    def variant(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
        payload = copy.deepcopy(good)
        payload["id"], payload["token"] = str(fake._snowflake()), "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        change(payload)
        return payload

    broken = [variant(lambda p: p.pop("data")), variant(lambda p: p["data"].update(custom_id=12345)),
              variant(lambda p: p["data"].update(custom_id=None)), variant(lambda p: p["user"].update(id="abc")),
              variant(lambda p: p["message"].update(components="x"))]
    nobody = variant(lambda p: p.pop("user"))  # discord.py reads it; the adapter finds no one to answer
    garbage_modal = variant(lambda p: p.update(type=5, data={"custom_id": "ci:x:note",
                                                             "components": [{"type": "?"}, 7, secret]}))
    identified, resumed = fake.identify_count, fake.resume_count
    for payload in broken:
        await fake.push_interaction(payload)
    with log_line("dropped an interaction without a user") as ignored:
        await fake.push_interaction(nobody)
        await asyncio.wait_for(ignored.wait(), TIMEOUT)
    await fake.dispatch("MESSAGE_CREATE", {"id": "not a number", "content": secret})
    frames = ("this is { not json " + secret, "[1, 2, 3]", '{"op": 0, "t": ["READY"], "s": 9, "d": {}}',
              '{"op": 0, "t": "RESUMED", "s": 9, "d": null}')
    for frame in frames:
        assert await fake.send_raw_frame(frame) == 1
    modal = await fake.push_interaction(garbage_modal)  # parsed fine; the adapter reads what it can
    assert "moved on" in (await followups(fake, modal.id, 1))[0].content

    pushed = await fake.slash_command(USER_ID, "privacy")
    assert (await followups(fake, pushed.id, 1))[0].content
    assert (fake.identify_count, fake.resume_count) == (identified, resumed), "the same connection answered"
    dropped = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum("dropped a malformed INTERACTION_CREATE event" in line for line in dropped) == len(broken)
    assert sum("dropped a malformed MESSAGE_CREATE event" in line for line in dropped) == 1
    assert sum("dropped an interaction without a user" in line for line in dropped) == 1
    assert sum("dropped a gateway frame that is not a JSON event" in line for line in dropped) == len(frames)
    assert secret not in caplog.text
    assert "abc" not in "\n".join(dropped)
    assert errors_logged(caplog) == []


@pytest.mark.parametrize("custom_id", ["not-a-token", "ci::safety:1", "ci:" + "x" * 300, "bb:form:../x"])
async def test_a_click_on_a_button_the_bot_never_made_gets_a_private_answer(
        fake: FakeDiscord, bot: DiscordAdapter, service: Conversation, custom_id: str) -> None:
    pushed = await fake.slash_command(USER_ID, "help")
    [shown] = await followups(fake, pushed.id, 1)
    clicked = await fake.push_interaction(click_payload(fake, custom_id, shown))
    answer = await fake.wait_for_callback(clicked, TIMEOUT)
    assert answer.type == 4
    assert answer.ephemeral
    assert answer.content == service.texts.get("stale_click")


async def test_a_modal_the_bot_never_opened_gets_a_private_answer(
        fake: FakeDiscord, bot: DiscordAdapter, service: Conversation) -> None:
    data = {"custom_id": "not-a-modal-of-ours", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "text", "value": "hello"}]}]}
    base = fake._interaction_base(5, USER_ID, data, guild_id=None, channel_id=fake.dm_channel_id(USER_ID))
    submitted = await fake.push_interaction(copy.deepcopy(base.payload))
    answer = await fake.wait_for_callback(submitted, TIMEOUT)
    assert (answer.type, answer.ephemeral, answer.content) == (4, True, service.texts.get("stale_click"))


async def test_an_interaction_another_instance_answered_is_no_error(
        fake: FakeDiscord, bot: DiscordAdapter, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    await intro_done(fake)
    fake.fail_next("/callback", 400, json_code=40060)  # what Discord says to the instance that comes second
    with log_line("another instance answered") as answered:
        pushed = await fake.slash_command(USER_ID, "privacy")
        await asyncio.wait_for(answered.wait(), TIMEOUT)
    assert errors_logged(caplog) == []
    assert fake.count("POST", f"/interactions/{pushed.id}/") == 1, "no apology after the refused acknowledgement"
    assert fake.followups.get(pushed.id, []) == []
    again = await fake.slash_command(USER_ID, "privacy")
    assert (await followups(fake, again.id, 1))[0].content


class SharedLedger:
    """DatabaseSeenEvents as one process sees it, with every answer recorded (to wait for both processes)."""

    def __init__(self, engine: AsyncEngine, answers: list[tuple[str, bool]], changed: asyncio.Condition) -> None:
        self._ledger = DatabaseSeenEvents(engine)
        self._answers = answers
        self._changed = changed

    async def first_time(self, event_id: str) -> bool:
        first = await self._ledger.first_time(event_id)
        async with self._changed:
            self._answers.append((event_id, first))
            self._changed.notify_all()
        return first


@pytest.mark.storage
async def test_two_instances_on_one_token_apply_a_typed_answer_and_a_click_once(
        fake: FakeDiscord, service: Conversation, content: Content, sessions: async_sessionmaker[AsyncSession],
        cipher: Cipher, clock: FakeClock, raw_engine: AsyncEngine, repository: Repository,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    fake.multi_session = True  # two processes logged in with one token: every event reaches both
    answers: list[tuple[str, bool]] = []
    changed = asyncio.Condition()

    async def claims(count: int) -> list[tuple[str, bool]]:
        async with changed:
            await asyncio.wait_for(changed.wait_for(lambda: len(answers) >= count), TIMEOUT)
        return answers[:count]

    other = build_conversation(content, Repository(sessions, cipher, clock), clock=clock,
                           schedules=ScheduleStore(sessions, clock))
    first = DiscordAdapter(service, content, TOKEN, guild_ready_timeout=0.05,
                           seen_events=SharedLedger(raw_engine, answers, changed))
    second = DiscordAdapter(other, content, TOKEN, guild_ready_timeout=0.05, sync_commands=False,
                            seen_events=SharedLedger(raw_engine, answers, changed))
    me = await repository.identity_id(Address("discord", "dm", str(USER_ID)))
    async with running(first):
        await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
        await intro_done(fake)
        started = await fake.slash_command(USER_ID, "checkin")
        await question_in(fake, started.id)
        async with running(second):
            assert sum(session.connected for session in fake.sessions.values()) == 2

            # A typed "4" reaches both: one answers the safety scale, the other leaves it.
            before = len(fake.dms(USER_ID))
            typed = await fake.user_message(USER_ID, "4")
            assert typed is not None
            assert sorted(first for _, first in await claims(2)) == [False, True]
            assert {event for event, _ in answers} == {f"discord:msg:{typed['id']}"}
            asked = await fake.wait_for_dm(USER_ID, before + 1, TIMEOUT)
            assert "boundaries" in asked.content
            record = await repository.open_session(me)
            assert record is not None
            assert (record.step_id, set(record.answers)) == ("boundaries", {"safety"})

            # A click reaches both: Discord takes the first acknowledgement and refuses the other (40060).
            skip = next(cid for cid in asked.custom_ids() if cid.endswith(":boundaries:skip"))
            with log_line("another instance answered") as lost:
                clicked = await fake.click_button(USER_ID, skip, asked)
                [note] = await followups(fake, clicked.id, 1)
                await asyncio.wait_for(lost.wait(), TIMEOUT)
            assert "Write it" in str(note.components)
            assert [(iid, error["code"]) for iid, _, error in fake.rejected_callbacks] == [(clicked.id, 40060)]

            # The bot's own messages (echoed to both) never reach the ledger: one claim per typed message.
            await fake.user_message(USER_ID, "skip")
            assert len(await claims(4)) == 4
            await fake.wait_until(lambda: any("Thank you" in m.content for m in fake.dms(USER_ID)[before:]),
                                  TIMEOUT, "the check-in to finish")
    [checkin] = await repository.checkins(me)
    assert (checkin.safety_score, checkin.boundaries, checkin.has_note) == (4, (), False)
    assert sum("boundaries" in m.content for m in fake.dms(USER_ID)[before:]) == 1
    assert errors_logged(caplog) == []


async def test_a_typed_answer_is_still_handled_when_the_ledger_fails(
        fake: FakeDiscord, service: Conversation, content: Content, caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        async def first_time(self, event_id: str) -> bool:
            raise ConnectionError("the database is away")

    async with running(DiscordAdapter(service, content, TOKEN, guild_ready_timeout=0.05, seen_events=Broken())):
        await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
        await intro_done(fake)
        started = await fake.slash_command(USER_ID, "checkin")
        await question_in(fake, started.id)
        before = len(fake.dms(USER_ID))
        await fake.user_message(USER_ID, "3")
        assert "boundaries" in (await fake.wait_for_dm(USER_ID, before + 1, TIMEOUT)).content
    assert "the seen-events ledger failed" in caplog.text
