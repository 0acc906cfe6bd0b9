"""The Discord adapter end to end: the real discord.py client, the real CheckinService on SQLite and
PostgreSQL, and a local fake Discord on 127.0.0.1 in between."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord.adapter import DESCRIPTIONS, DiscordAdapter
from bot.content.loader import Content
from bot.events import Command, TextSubmitted
from bot.messages import Address, Image, Reply
from bot.ports import RateLimited, TemporaryFailure, Unreachable
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.rules import Rule, parse_days, parse_time
from bot.scheduling.store import ScheduleStore
from bot.service import COMMANDS, CheckinService
from bot.storage.repository import Repository
from tests.conftest import FakeClock
from tests.fakes.discord_client import GUILD_ID, TIMEOUT, TOKEN, USER_ID, fake_discord, started
from tests.fakes.discord_server import FakeDiscord, SentMessage


@contextlib.asynccontextmanager
async def running(adapter: DiscordAdapter) -> AsyncIterator[DiscordAdapter]:
    """Start the adapter's real client against the fake; wait (bounded) until it is ready."""
    async with started(adapter.client):
        yield adapter


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with fake_discord(monkeypatch) as server:
        yield server


def make_adapter(service: CheckinService, content: Content) -> DiscordAdapter:
    return DiscordAdapter(service, content, TOKEN, guild_ready_timeout=0.05)


@pytest.fixture
async def bot(fake: FakeDiscord, service: CheckinService, content: Content) -> AsyncIterator[DiscordAdapter]:
    async with running(make_adapter(service, content)) as adapter:
        await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
        yield adapter


async def intro_done(fake: FakeDiscord) -> None:
    """Get the one-time introduction out of the way (tests of it start fresh)."""
    pushed = await fake.slash_command(USER_ID, "help")
    await fake.wait_for_followup(pushed, within=TIMEOUT)


async def followups(fake: FakeDiscord, pushed_id: int, count: int) -> list[SentMessage]:
    await fake.wait_for_followup(pushed_id, count, within=TIMEOUT)
    return fake.followups[pushed_id]


def guild_messages(fake: FakeDiscord) -> list[SentMessage]:
    """Everything visible in the server to anyone: non-ephemeral messages in guild channels."""
    guild_channels = {cid for cid, channel in fake.channels.items() if channel.get("guild_id") == str(GUILD_ID)}
    return [m for cid in guild_channels for m in fake.messages.get(cid, []) if not m.ephemeral]


async def test_commands_are_synced_as_discord_sees_them(fake: FakeDiscord, bot: DiscordAdapter) -> None:
    synced = {c["name"]: c for c in fake.commands[None]}
    assert set(synced) == set(COMMANDS)
    for name, command in synced.items():
        assert command["description"] == DESCRIPTIONS[name]
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
    sent = await followups(fake, started.id, 2)
    scale = sent[-1]
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
        fake: FakeDiscord, service: CheckinService, content: Content) -> None:
    async with running(make_adapter(service, content)):
        await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
        started = await fake.slash_command(USER_ID, "checkin")
        scale = (await followups(fake, started.id, 3))[-1]
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
        fake: FakeDiscord, service: CheckinService, content: Content, schedules: ScheduleStore,
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
            "flow": "daily", "days": "mon-fri", "times": "09:00", "quiet": "21:00-08:00", "zone": "Europe/Berlin"}
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
    old = (await followups(fake, started.id, 2))[-1]
    fresh = await fake.slash_command(USER_ID, "checkin", {"flow": "weekly"})  # a new check-in replaces it
    await followups(fake, fresh.id, 1)
    again = await fake.click_button(USER_ID, old.custom_ids()[1], old)
    assert "moved on" in (await followups(fake, again.id, 1))[0].content
    await fake.wait_until(lambda: not old.components, TIMEOUT, "the dead buttons to go")
    assert "✓" not in old.content, "nothing was recorded, so nothing is ticked"


async def test_a_scheduled_prompt_arrives_as_a_dm_and_closed_dms_mark_the_person(
        fake: FakeDiscord, bot: DiscordAdapter, service: CheckinService, schedules: ScheduleStore,
        repository: Repository, clock: FakeClock) -> None:
    await intro_done(fake)
    identity = await repository.identity_id(Address("discord", "dm", str(USER_ID)))
    await schedules.save(identity, Rule(parse_days("daily"), (parse_time("19:00"),), "UTC", None), "daily")

    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    dispatcher = Dispatcher(schedules, service, {"discord": bot}, pacer=Pacer(clock=lambda: clock.now.timestamp()),
                            clock=clock, sleep=fake_sleep)
    clock.advance(hours=1, minutes=1)
    before = len(fake.dms(USER_ID))
    stats = await dispatcher.tick()
    assert stats.sent == 1
    prompt = fake.dms(USER_ID)[before:]
    assert any("emotionally safe" in m.content for m in prompt)
    snooze = prompt[-1]
    assert any(cid.startswith("ci:snooze:") for cid in snooze.custom_ids())
    clicked = await fake.click_button(USER_ID, next(c for c in snooze.custom_ids() if c.endswith(":1h")), snooze)
    assert (await followups(fake, clicked.id, 1))[0].content

    fake.block_dms(USER_ID)
    clock.advance(days=1)
    stats = await dispatcher.tick()
    assert stats.unreachable == 1
    fake.block_dms(USER_ID, blocked=False)
    told = await fake.slash_command(USER_ID, "help")
    assert "direct message" in (await followups(fake, told.id, 1))[0].content


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
        fake: FakeDiscord, bot: DiscordAdapter, service: CheckinService) -> None:
    await intro_done(fake)
    me = Address("discord", "dm", str(USER_ID))
    for typed in ("/checkin", "4", "1", "skip"):  # one check-in, answered the way a typed DM answers
        await service.handle(Command(me, typed[1:]) if typed.startswith("/") else TextSubmitted(me, typed))
    asked = await fake.slash_command(USER_ID, "history", guild_id=GUILD_ID)
    sent = await followups(fake, asked.id, 2)
    assert all(message.ephemeral for message in sent)
    assert "Average safety: 4.0 out of 5." in sent[0].content
    [chart] = [file for message in sent for file in message.files]
    assert chart.filename == "history.png"
    assert chart.data.startswith(b"\x89PNG")
    [described] = [a for m in sent for a in m.request.get("attachments", [])]
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
        fake: FakeDiscord, bot: DiscordAdapter, service: CheckinService, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    real = service.act_safely

    async def broken(event: object, **roles: bool) -> list[Reply]:
        raise RuntimeError("secret words a person typed")

    monkeypatch.setattr(service, "act_safely", broken)  # what the adapter calls
    pushed = await fake.slash_command(USER_ID, "history", guild_id=GUILD_ID)
    apology = (await followups(fake, pushed.id, 1))[0]
    assert apology.ephemeral
    assert apology.content == service.texts.get("error")
    assert "RuntimeError" in caplog.text
    assert "secret words" not in caplog.text
    monkeypatch.setattr(service, "act_safely", real)
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
    await followups(fake, started.id, 2)
    before = len(fake.dms(USER_ID))
    await fake.user_message(USER_ID, "3")
    answer = await fake.wait_for_dm(USER_ID, before + 1, TIMEOUT)
    assert "boundaries" in answer.content
    assert answer.custom_ids()


async def test_guild_ids_sync_commands_to_those_servers_only(
        fake: FakeDiscord, service: CheckinService, content: Content) -> None:
    adapter = DiscordAdapter(service, content, TOKEN, guild_ids=[GUILD_ID], guild_ready_timeout=0.05)
    async with running(adapter):
        await fake.wait_until(lambda: fake.commands.get(GUILD_ID), TIMEOUT, "guild commands")
        assert {c["name"] for c in fake.commands[GUILD_ID]} == set(COMMANDS)
        assert not fake.commands.get(None)
        pushed = await fake.slash_command(USER_ID, "sos", guild_id=GUILD_ID)
        assert (await followups(fake, pushed.id, 1))[0].ephemeral


async def test_a_sharded_process_connects_with_its_shard_ids(
        fake: FakeDiscord, service: CheckinService, content: Content) -> None:
    adapter = DiscordAdapter(service, content, TOKEN, shard_ids=[0], shard_count=1, guild_ready_timeout=0.05)
    async with running(adapter):
        session = await fake.wait_for_session(TIMEOUT)
        assert session.shard == (0, 1)
        pushed = await fake.slash_command(USER_ID, "help")
        assert (await followups(fake, pushed.id, 1))[0].content
