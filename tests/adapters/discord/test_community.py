"""Circles and team pulses end to end on Discord: the real discord.py client, the real core on SQLite and
PostgreSQL, and the local fake Discord. Admin and moderator rights come from the member's permissions, as
Discord sends them with every interaction."""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.render import render_replies
from bot.app import community_tick
from bot.community.anonymity import ZWSP, Pseudonyms
from bot.community.circles import Circles
from bot.community.pulses import Pulses, too_few_reply
from bot.community.store import CommunityStore
from bot.content.loader import Content
from bot.conversation import Conversation, build_conversation
from bot.privacy.crypto import Cipher
from bot.scheduling.store import ScheduleStore
from bot.storage.models import Identity
from bot.storage.repository import Repository
from tests.adapters.discord.test_adapter import running
from tests.conftest import FakeClock
from tests.fakes.discord_client import GUILD_ID, TIMEOUT, TOKEN, USER_ID, fake_discord
from tests.fakes.discord_server import DEFAULT_MEMBER_PERMISSIONS, FakeDiscord, SentMessage

ADMIN_ID = 400_000_000_000_000_101
MOD_ID = 400_000_000_000_000_102
MEMBER_IDS = [400_000_000_000_000_200 + n for n in range(6)]
MANAGE_GUILD = 1 << 5
MANAGE_MESSAGES = 1 << 13
ADMIN_PERMISSIONS = str(int(DEFAULT_MEMBER_PERMISSIONS) | MANAGE_GUILD | MANAGE_MESSAGES)
MOD_PERMISSIONS = str(int(DEFAULT_MEMBER_PERMISSIONS) | MANAGE_MESSAGES)


@pytest.fixture
def community_service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore,
                      sessions: async_sessionmaker[AsyncSession], cipher: Cipher) -> Conversation:
    pseudonyms = Pseudonyms(b"a test secret that is long enough!!")
    store = CommunityStore(sessions, cipher)
    circles = Circles(content, store, repository, pseudonyms, clock=clock)
    pulses = Pulses(content, store, repository, pseudonyms, clock=clock, rng=random.Random(3))
    return build_conversation(content, repository, clock=clock, schedules=schedules, circles=circles, pulses=pulses)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with fake_discord(monkeypatch) as server:
        server.add_member(GUILD_ID, ADMIN_ID, permissions=ADMIN_PERMISSIONS)
        server.add_member(GUILD_ID, MOD_ID, permissions=MOD_PERMISSIONS)
        for member in MEMBER_IDS:
            server.add_member(GUILD_ID, member)
        yield server


@pytest.fixture
async def bot(fake: FakeDiscord, community_service: Conversation, content: Content) -> AsyncIterator[DiscordAdapter]:
    adapter = DiscordAdapter(community_service, content, TOKEN, guild_ready_timeout=0.05)
    async with running(adapter):
        await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
        yield adapter


async def followups(fake: FakeDiscord, pushed_id: int, count: int = 1) -> list[SentMessage]:
    await fake.wait_for_followup(pushed_id, count, within=TIMEOUT)
    return fake.followups[pushed_id]


async def reply_to(fake: FakeDiscord, pushed_id: int, text: str) -> SentMessage:
    """The follow-up to an interaction that says `text` (a first-time person also gets the introduction)."""
    return await fake.wait_until(
        lambda: next((m for m in fake.followups.get(pushed_id, []) if text in m.content), None), TIMEOUT,
        f"a reply saying {text!r}")


def channel_posts(fake: FakeDiscord, channel_id: int) -> list[SentMessage]:
    """What everyone in a channel (or thread) sees: the bot's non-ephemeral messages that are still there."""
    return [m for m in fake.messages.get(channel_id, []) if not m.ephemeral and not m.deleted]


def everything_visible_to(fake: FakeDiscord, user_id: int) -> str:
    """Every message a person could read: channel posts, their ephemeral answers, their DMs."""
    seen = [m for messages in fake.messages.values() for m in messages
            if m.visible_to in (None, user_id) and not m.ephemeral]
    seen += [m for messages in fake.followups.values() for m in messages if m.visible_to in (None, user_id)]
    seen += fake.dms(user_id)
    return "\n".join(m.content + str(m.components) + str(m.embeds) for m in seen)


async def set_up_circle(fake: FakeDiscord, channel: int) -> None:
    pushed = await fake.slash_command(ADMIN_ID, "circle setup", {"day": "mon", "time": "18:00",
                                                                  "timezone": "Europe/Berlin"}, guild_id=GUILD_ID)
    saved = await reply_to(fake, pushed.id, "The circle is set up in this channel")
    assert saved.ephemeral


async def test_circles_setup_weekly_prompt_anonymous_share_and_removal(
        fake: FakeDiscord, bot: DiscordAdapter, community_service: Conversation, content: Content,
        clock: FakeClock) -> None:
    texts = content.texts
    channel = fake.guild_channel(GUILD_ID)
    commands = {c["name"]: c for c in fake.commands[None]}
    assert str(commands["circle"]["default_member_permissions"]) == str(MANAGE_GUILD)
    assert str(commands["pulse"]["default_member_permissions"]) == str(MANAGE_GUILD)
    assert {o["name"] for o in commands["circle"]["options"]} == {"setup", "status"}

    # A member without Manage Server is refused kindly, and nothing is posted.
    refused = await fake.slash_command(USER_ID, "circle setup", {"day": "mon", "time": "18:00",
                                                                  "timezone": "Europe/Berlin"}, guild_id=GUILD_ID)
    assert (await reply_to(fake, refused.id, texts.get("circle_admin_only"))).ephemeral
    assert channel_posts(fake, channel) == []

    # The admin sets it up: the care notice goes to the channel, pinned, with mentions off.
    await set_up_circle(fake, channel)
    [notice] = channel_posts(fake, channel)
    assert "not a crisis service" in notice.content
    assert "/sos" in notice.content
    assert notice.allowed_mentions == {"parse": []}
    assert fake.pins[channel] == [notice.id]
    status = await fake.slash_command(ADMIN_ID, "circle status", guild_id=GUILD_ID)
    await reply_to(fake, status.id, "0 anonymous shares")

    # The weekly prompt: due on Monday 18:00 Berlin; it opens a thread for replies.
    assert await community_tick(community_service, {"discord": bot}) == 0
    clock.advance(days=4)
    # Discord refuses the first try (the prompt is already claimed): it is kept and sent on the next tick.
    fake.fail_next(f"/channels/{channel}/messages", 403, json_code=50001, method="POST")
    retry: list[Any] = []
    assert await community_tick(community_service, {"discord": bot}, retry) == 0
    assert len(retry) == 1
    assert await community_tick(community_service, {"discord": bot}, retry) == 1
    assert retry == []
    prompt = channel_posts(fake, channel)[-1]
    assert "This week's circle" in prompt.content
    assert fake.threads == {prompt.id: channel}
    assert await community_tick(community_service, {"discord": bot}) == 0  # once a week, not once a minute

    # An anonymous share through the /share modal, with a ping and a link in it.
    opened = await fake.slash_command(USER_ID, "share", guild_id=GUILD_ID)
    modal = await fake.wait_for_callback(opened, TIMEOUT)
    assert modal.type == 9
    raw = "Hard week. @everyone should read https://evil.example.com/x and <@123>"
    submitted = await fake.submit_modal(USER_ID, str(modal.custom_id), {"text": raw})
    assert (await reply_to(fake, submitted.id, community_service.texts.get("moved_to_dm"))).ephemeral
    await fake.wait_until(lambda: any("Your share is in the circle" in m.content for m in fake.dms(USER_ID)),
                          TIMEOUT, "the author's private confirmation")
    [share] = channel_posts(fake, prompt.id)  # in the prompt's thread
    assert f"@{ZWSP}everyone" in share.content
    assert f"<{ZWSP}@{ZWSP}123>" in share.content
    assert "https://" not in share.content
    assert "hxxps://" in share.content
    assert "example[.]com" in share.content
    assert share.allowed_mentions == {"parse": []}
    assert str(USER_ID) not in str(share.payload)
    assert "user" + str(USER_ID % 100000) not in share.content
    [remove] = share.custom_ids()
    assert remove.startswith("ci:circle:rm:")
    assert str(USER_ID) not in remove

    # An ordinary member cannot remove it; a moderator can, and never learns who wrote it.
    tried = await fake.click_button(MEMBER_IDS[0], remove, share, guild_id=GUILD_ID)
    await reply_to(fake, tried.id, texts.get("share_not_moderator"))
    assert not share.deleted
    removed = await fake.click_button(MOD_ID, remove, share, guild_id=GUILD_ID)
    assert (await reply_to(fake, removed.id, texts.get("share_removed"))).ephemeral
    await fake.wait_until(lambda: share.deleted, TIMEOUT, "the share to be deleted")
    seen = everything_visible_to(fake, MOD_ID)
    assert str(USER_ID) not in seen
    assert f"user{USER_ID % 100000}" not in seen
    status = await fake.slash_command(ADMIN_ID, "circle status", guild_id=GUILD_ID)
    await reply_to(fake, status.id, "1 anonymous shares, 1 removed")

    # The author takes a later share down themselves, from the private confirmation in their DMs.
    opened = await fake.slash_command(USER_ID, "share", guild_id=GUILD_ID)
    modal = await fake.wait_for_callback(opened, TIMEOUT)
    submitted = await fake.submit_modal(USER_ID, str(modal.custom_id), {"text": "I asked for quiet and got it"})
    await reply_to(fake, submitted.id, community_service.texts.get("moved_to_dm"))

    def confirmations() -> list[SentMessage]:
        return [m for m in fake.dms(USER_ID) if any(c.startswith("ci:circle:del:") for c in m.custom_ids())]

    await fake.wait_until(lambda: len(confirmations()) == 2, TIMEOUT, "the second confirmation")
    mine = await fake.wait_until(
        lambda: next((m for m in channel_posts(fake, prompt.id) if "asked for quiet" in m.content), None),
        TIMEOUT, "the second share")
    [delete] = [c for c in confirmations()[-1].custom_ids() if c.startswith("ci:circle:del:")]
    clicked = await fake.click_button(USER_ID, delete, confirmations()[-1])
    await reply_to(fake, clicked.id, texts.get("share_deleted"))
    await fake.wait_until(lambda: mine.deleted, TIMEOUT, "the author's own share to be deleted")


def form_control(form: SentMessage, step: str) -> str:
    """The custom id of the form's control for `step` ("f3": statement 3's select, "fp2", "fs", "fc")."""
    return next(cid for cid in form.custom_ids() if cid.split(":")[2] == step)


async def open_form(fake: FakeDiscord, user_id: int, join: SentMessage, guild_id: int | None = GUILD_ID
                    ) -> SentMessage:
    """Press Join in the channel: the ephemeral form (or whatever came instead)."""
    [join_id] = join.custom_ids()
    joined = await fake.click_button(user_id, join_id, join, guild_id=guild_id)
    [form] = await followups(fake, joined.id, 1)
    return form


async def fill_form(fake: FakeDiscord, user_id: int, form: SentMessage, scores: list[int | None]) -> SentMessage:
    """Pick each answer in the ephemeral form (turning its pages), as the person would; None leaves one out."""
    for number, score in enumerate(scores, start=1):
        if not any(cid.split(":")[2] == f"f{number}" for cid in form.custom_ids()):
            turned = await fake.click_button(user_id, next(cid for cid in form.custom_ids() if ":fp" in cid
                                                           and int(cid.split(":")[2][2:]) > (number - 1) // 4),
                                             form, guild_id=GUILD_ID)
            await fake.wait_for_callback(turned)
            form = fake.message(form.id)
        if score is None:
            continue
        picked = await fake.select(user_id, form_control(form, f"f{number}"), [str(score)], form, guild_id=GUILD_ID)
        await fake.wait_for_callback(picked)
        form = fake.message(form.id)
    return form


async def answer_pulse(fake: FakeDiscord, user_id: int, join: SentMessage, scores: list[int],
                       comment: str | None = None) -> None:
    """Join from the channel, answer every statement in the one ephemeral form, send it once (with a comment:
    through "Send with a comment" and its modal)."""
    form = await open_form(fake, user_id, join)
    assert form.ephemeral
    assert form.visible_to == user_id
    form = await fill_form(fake, user_id, form, list(scores))
    if comment is None:
        await fake.click_button(user_id, form_control(form, "fs"), form, guild_id=GUILD_ID)
    else:
        opened = await fake.wait_for_callback(
            await fake.click_button(user_id, form_control(form, "fc"), form, guild_id=GUILD_ID))
        assert opened.custom_id is not None
        await fake.submit_modal(user_id, opened.custom_id, {"comment": comment})
    await fake.wait_until(lambda: "answers are in (anonymous)" in fake.message(form.id).content, TIMEOUT,
                          f"the form to turn into the thanks: {fake.message(form.id).content!r}")
    assert fake.message(form.id).custom_ids() == []


def answer_traces(fake: FakeDiscord, content: Content) -> list[str]:
    """Every message the bot made (channel posts, DMs, interaction answers, ephemeral ones) that shows an answer
    now, or, for a message that stays (not ephemeral), ever showed one in any edit: a picked option, a tick, an
    answer label as the form shows it ("4 · Agree"), or answer digits in a token."""
    scale = content.pulse_sets["team-safety"].scale
    labels = [f"{point} · {label}" for point, label in scale.labels.items()]

    def shows(body: dict[str, Any]) -> bool:
        words = str(body.get("content")) + str(body.get("embeds"))  # a form's select lists the labels as choices
        controls = str(body.get("components"))
        return any(mark in words for mark in ("✓", *labels)) or "'default': True" in controls \
            or re.search(r"ci:pulse:[a-z0-9-]+:[A-Za-z0-9]{12}\.[0-9_]*[0-9]", controls) is not None

    found: list[str] = []
    for message in fake.every_message():
        kept = [message.payload] if message.ephemeral else [message.payload, *message.edits]
        found += [str(body) for body in kept if shows(body)]
    return found


async def test_a_pulse_round_with_six_members_posts_only_the_aggregate(
        fake: FakeDiscord, bot: DiscordAdapter, community_service: Conversation, content: Content,
        clock: FakeClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    channel = fake.guild_channel(GUILD_ID)
    refused = await fake.slash_command(USER_ID, "pulse open", {"closes": "2d"}, guild_id=GUILD_ID)
    await reply_to(fake, refused.id, content.texts.get("pulse_admin_only"))
    assert channel_posts(fake, channel) == []

    opened = await fake.slash_command(ADMIN_ID, "pulse open", {"closes": "2d", "minimum": 5}, guild_id=GUILD_ID)
    await reply_to(fake, opened.id, "Pulse round set")
    [join] = channel_posts(fake, channel)
    assert join.allowed_mentions == {"parse": []}

    # The form: ephemeral, one select per statement (four a page: Discord's five rows), nothing picked.
    form = await open_form(fake, MEMBER_IDS[0], join)
    assert form.ephemeral
    assert [cid.split(":")[2] for cid in form.custom_ids()] == ["f1", "f2", "f3", "f4", "fp2"]
    assert "'default': True" not in str(form.components)
    # Sent with statements left out: the form stays, says which, records nothing.
    form = await fill_form(fake, MEMBER_IDS[0], form, [4, None, 4, 4, None, 4, 4])
    sent = await fake.click_button(MEMBER_IDS[0], form_control(form, "fs"), form, guild_id=GUILD_ID)
    await fake.wait_until(lambda: "Still open: 2, 5" in fake.message(form.id).content, TIMEOUT, "the missing ones")
    await fake.wait_for_callback(sent)
    assert form_control(fake.message(form.id), "f2")  # back on the page of the first one missing
    form = await fill_form(fake, MEMBER_IDS[0], fake.message(form.id), [None, 2, None, None, 2, None, None])
    await fake.click_button(MEMBER_IDS[0], form_control(form, "fs"), form, guild_id=GUILD_ID)
    await fake.wait_until(lambda: "answers are in (anonymous)" in fake.message(form.id).content, TIMEOUT, "thanks")

    rng = random.Random(11)
    for member in MEMBER_IDS:
        await answer_pulse(fake, member, join, [rng.randint(1, 5) for _ in range(7)])
    # Answering again: the form starts empty, says so, and the new answers replace the old ones.
    again = await open_form(fake, MEMBER_IDS[2], join)
    assert content.texts.get("pulse_form_again") in again.content
    assert "'default': True" not in str(again.components)
    await answer_pulse(fake, MEMBER_IDS[2], join, [5, 5, 5, 5, 5, 5, 5])
    status = await fake.slash_command(ADMIN_ID, "pulse status", guild_id=GUILD_ID)
    shown = (await reply_to(fake, status.id, "Pulse in this channel")).content
    assert "at least 5" in shown
    assert " 6 " not in shown

    clock.advance(days=1)  # halfway: one reminder to the channel, naming nobody
    await community_tick(community_service, {"discord": bot})
    reminder = channel_posts(fake, channel)[-1]
    assert "press Join on the invitation" in reminder.content
    assert f"https://discord.com/channels/{GUILD_ID}/{channel}/{join.id}" in reminder.content  # a jump to it
    clock.advance(days=1, minutes=1)
    await community_tick(community_service, {"discord": bot})
    results = channel_posts(fake, channel)[-1]
    assert "6 people answered" in results.content  # the member who answered twice counts once
    assert "out of 100" in results.content
    assert results.content.count("% on the safe side") == 7  # a mean and a share per statement
    assert "how the answers spread" not in results.content  # six people: no count per answer
    assert "Comments are shared only when 10" in results.content
    assert results.allowed_mentions == {"parse": []}
    assert not any(str(member) in results.content for member in MEMBER_IDS)
    assert not {str(member) for member in MEMBER_IDS} & await known_user_ids(sessions)  # no identity left
    assert await community_tick(community_service, {"discord": bot}) == 0
    # Nothing shows an answer: no DM was sent to anyone, and no message (the sent forms included) shows one.
    assert [m for member in MEMBER_IDS for m in fake.dms(member)] == []
    assert answer_traces(fake, content) == []


async def test_a_pulse_round_with_ten_members_shows_counts_with_no_cell_under_three(
        fake: FakeDiscord, bot: DiscordAdapter, community_service: Conversation, content: Content,
        clock: FakeClock) -> None:
    channel = fake.guild_channel(GUILD_ID)
    opened = await fake.slash_command(ADMIN_ID, "pulse open", {"closes": "2d", "minimum": 3}, guild_id=GUILD_ID)
    await reply_to(fake, opened.id, "Pulse round set")
    [join] = channel_posts(fake, channel)
    members = [400_000_000_000_000_300 + n for n in range(10)]
    rows = [[1, 5, 2, 4, 3, 5, 4], [2, 5, 2, 4, 3, 5, 4], [5, 4, 3, 4, 3, 5, 1], [5, 4, 3, 4, 3, 5, 2],
            [5, 4, 3, 4, 3, 4, 2], [4, 3, 3, 5, 3, 4, 3], [4, 3, 4, 5, 2, 4, 3], [4, 3, 4, 5, 2, 4, 3],
            [4, 1, 4, 5, 2, 4, 3], [4, 1, 5, 1, 1, 1, 5]]
    for member, scores in zip(members, rows, strict=True):
        await answer_pulse(fake, member, join, scores,
                           comment="More time for reviews, please" if member == members[3] else None)
    clock.advance(days=2, minutes=1)
    before = len(channel_posts(fake, channel))
    await community_tick(community_service, {"discord": bot})
    shown = "\n".join(post.content for post in channel_posts(fake, channel)[before:])  # long: in several messages
    assert "10 people answered" in shown
    spreads = re.findall(r"how the answers spread, from 1 \(least safe\) to 5 \(safest\): (.+)", shown)
    assert len(spreads) == 7
    for spread in spreads:
        counts = [int(cell.rpartition(": ")[2]) for cell in spread.split(" · ")]
        assert sum(counts) == 10
        assert min(counts) >= 3, spread
    assert "More time for reviews, please" in shown  # ten answered: the comment is shared
    assert [m for member in members for m in fake.dms(member)] == []
    assert answer_traces(fake, content) == []


async def test_a_pulse_is_answered_only_in_its_own_server_and_channel(
        fake: FakeDiscord, bot: DiscordAdapter, community_service: Conversation, content: Content,
        clock: FakeClock) -> None:
    channel = fake.guild_channel(GUILD_ID)
    opened = await fake.slash_command(ADMIN_ID, "pulse open", {"closes": "2d", "minimum": 3}, guild_id=GUILD_ID)
    await reply_to(fake, opened.id, "Pulse round set")
    [join] = channel_posts(fake, channel)
    [join_id] = join.custom_ids()
    other = fake.add_guild(name="Another server", member_ids=[MEMBER_IDS[0]])
    await fake.announce_guild(other)
    wrong_place = content.texts.get("pulse_wrong_place")

    # From a DM (no server arrives with it) and from another server's channel: refused, kindly, privately.
    from_dm = await fake.click_button(MEMBER_IDS[0], join_id, join, channel_id=fake.dm_channel_id(MEMBER_IDS[0]))
    assert (await fake.wait_for_callback(from_dm)).content == wrong_place
    elsewhere = await fake.click_button(MEMBER_IDS[0], join_id, join, guild_id=other,
                                        channel_id=fake.guild_channel(other))
    assert (await reply_to(fake, elsewhere.id, wrong_place)).ephemeral

    # A form filled in the round's channel cannot be sent from elsewhere either: nothing is recorded.
    form = await fill_form(fake, MEMBER_IDS[0], await open_form(fake, MEMBER_IDS[0], join), [3] * 7)
    away = await fake.click_button(MEMBER_IDS[0], form_control(form, "fs"), form, guild_id=other,
                                   channel_id=fake.guild_channel(other))
    await fake.wait_until(lambda: wrong_place in fake.message(form.id).content, TIMEOUT, "the refusal")
    await fake.wait_for_callback(away)
    for member in MEMBER_IDS[1:3]:
        await answer_pulse(fake, member, join, [3] * 7)
    clock.advance(days=2, minutes=1)
    await community_tick(community_service, {"discord": bot})
    assert "Too few people answered" in channel_posts(fake, channel)[-1].content  # two, not three


async def test_a_pulse_round_with_two_members_says_only_too_few(
        fake: FakeDiscord, bot: DiscordAdapter, community_service: Conversation, content: Content,
        clock: FakeClock) -> None:
    channel = fake.guild_channel(GUILD_ID)
    opened = await fake.slash_command(ADMIN_ID, "pulse open", {"closes": "2d"}, guild_id=GUILD_ID)
    await reply_to(fake, opened.id, "Pulse round set")
    [join] = channel_posts(fake, channel)
    for member in MEMBER_IDS[:2]:
        await answer_pulse(fake, member, join, [5, 1, 5, 1, 5, 1, 5])
    clock.advance(days=2, minutes=1)
    await community_tick(community_service, {"discord": bot})
    closing = channel_posts(fake, channel)[-1]
    [expected] = render_replies([too_few_reply(content.texts)], content.texts)
    assert closing.content == expected.content
    assert closing.custom_ids() == []
    assert closing.embeds == []


async def known_user_ids(sessions: async_sessionmaker[AsyncSession]) -> set[str]:
    async with sessions() as db:
        return set((await db.scalars(select(Identity.user_id))).all())
