"""Circles and team pulses end to end on Slack: the real slack-bolt AsyncApp over HTTP, the real core on SQLite
and PostgreSQL, signed requests in, and the local fake Slack Web API. Admin rights come from users.info."""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.slack.render import FORM_VALUE_ACTION
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
from tests.adapters.slack.conftest import SECRET, Slack, elements, make_adapter, text_of
from tests.conftest import FakeClock
from tests.fakes.slack_server import (
    CHANNEL_ID,
    USER_ID,
    FakeSlackApi,
    SlackRequests,
    serve_app,
    text_input,
    view_submission,
)

ADMIN = "U0ADMIN01"
MEMBERS = [f"U0MEMBER{n}" for n in range(6)]


@pytest.fixture
def community_service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore,
                      sessions: async_sessionmaker[AsyncSession], cipher: Cipher) -> Conversation:
    pseudonyms = Pseudonyms(b"a test secret that is long enough!!")
    store = CommunityStore(sessions, cipher)
    circles = Circles(content, store, repository, pseudonyms, clock=clock)
    pulses = Pulses(content, store, repository, pseudonyms, clock=clock, rng=random.Random(3))
    return build_conversation(content, repository, clock=clock, schedules=schedules, circles=circles, pulses=pulses)


@pytest.fixture
async def slack(fake: FakeSlackApi, community_service: Conversation) -> AsyncIterator[Slack]:
    fake.users[ADMIN] = {"is_admin": True}
    adapter = make_adapter(community_service, fake)
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        yield Slack(fake, adapter, url, http, SlackRequests(SECRET))
        await adapter.drain()


def said(fake: FakeSlackApi, key: str) -> str:
    return "\n".join(str(body.get("text")) + str(body.get("blocks")) for k, body in fake.responses if k == key)


async def reply_to(slack: Slack, key: str, text: str) -> str:
    """Wait until the ephemeral answers to request `key` say `text`; return all they say."""
    await slack.fake._wait(lambda: text in said(slack.fake, key), 5.0)
    return said(slack.fake, key)


def channel_messages(fake: FakeSlackApi) -> list[dict[str, Any]]:
    return fake.messages_in(CHANNEL_ID)


async def test_circles_setup_weekly_prompt_anonymous_share_and_removal(
        slack: Slack, community_service: Conversation, content: Content, clock: FakeClock) -> None:
    fake, texts = slack.fake, content.texts

    # Not a workspace admin: refused kindly, nothing posted.
    await slack.command("circle setup mon 18:00 Europe/Berlin", key="refused")
    await reply_to(slack, "refused", "for server or workspace admins")
    assert channel_messages(fake) == []

    # The admin sets it up: the care notice is posted with mentions off and pinned.
    await slack.command("circle setup mon 18:00 Europe/Berlin", key="setup", user_id=ADMIN)
    await reply_to(slack, "setup", "The circle is set up in this channel")
    [notice] = channel_messages(fake)
    assert "not a crisis service" in text_of(notice)
    assert fake.pins == [(CHANNEL_ID, notice["ts"])]
    [posted] = fake.calls_to("chat.postMessage")
    assert posted.args.get("unfurl_links") in (False, "false", "0", 0)
    assert "link_names" not in posted.args

    # The weekly prompt on Monday 18:00 Berlin; its replies form the thread.
    clock.advance(days=4)
    assert await community_tick(community_service, {"slack": slack.adapter}) == 1
    prompt = channel_messages(fake)[-1]
    assert "This week's circle" in text_of(prompt)

    # /boundary share alone opens the modal; the share goes into the prompt's thread without the author.
    await slack.command("share", key="share", trigger_id="trigger-share")
    [opened] = await fake.wait_for_calls("views.open")
    view = opened.args["view"]
    assert [block["block_id"] for block in view["blocks"]] == ["text"]
    raw = "Hard week. @everyone <!channel> read https://evil.example.com/x & <@U0OTHER>"
    await slack.submit(view, {"text": {FORM_VALUE_ACTION: text_input(raw)}})
    await fake._wait(lambda: len(channel_messages(fake)) == 3, 5.0)
    share = channel_messages(fake)[-1]
    assert share["thread_ts"] == prompt["ts"]
    shown = text_of(share)
    assert f"@{ZWSP}everyone" in shown
    assert "<!channel>" not in shown
    assert "&lt;" in shown
    assert "&amp;" in shown
    assert "https://" not in shown
    assert "hxxps://" in shown
    assert "<" not in share["text"].replace("&lt;", "")
    assert USER_ID not in str(share)
    [remove] = elements(share)
    assert remove["action_id"].startswith("ci:circle:rm:")
    assert USER_ID not in remove["action_id"]
    await fake._wait(lambda: any("Your share is in the circle" in m.get("text", "")
                                 for m in fake.messages_in(fake.dm_channel_for(USER_ID))), 5.0)

    # A member cannot remove it; a workspace admin can, and is told nothing about who wrote it.
    await slack.click(remove, channel_id=CHANNEL_ID, key="member-rm", user_id=MEMBERS[0], message=share)
    await reply_to(slack, "member-rm", texts.get("share_not_moderator"))
    await slack.click(remove, channel_id=CHANNEL_ID, key="admin-rm", user_id=ADMIN, message=share)
    answer = await reply_to(slack, "admin-rm", texts.get("share_removed"))
    assert USER_ID not in answer
    await fake._wait(lambda: share not in channel_messages(fake), 5.0)
    await slack.command("circle status", key="status", user_id=ADMIN)
    await reply_to(slack, "status", "1 anonymous shares, 1 removed")


async def open_form(slack: Slack, member: str, join: dict[str, Any]) -> dict[str, Any]:
    """Press Join in the channel: the modal Slack was asked to open for this member."""
    fake = slack.fake
    before = len(fake.calls_to("views.open"))
    [button] = elements(join)
    await slack.click(button, channel_id=CHANNEL_ID, key=f"join-{member}", user_id=member, message=join,
                      trigger_id=f"trigger-{member}-{before}")
    [*_, opened] = await fake.wait_for_calls("views.open", count=before + 1)
    assert opened.args["trigger_id"] == f"trigger-{member}-{before}"
    view: dict[str, Any] = opened.args["view"]
    return view


async def send_form(slack: Slack, member: str, view: dict[str, Any], scores: list[int | None],
                    comment: str | None = None) -> tuple[int, str]:
    """Send the modal with these answers (None: left empty); returns Slack's HTTP answer to the submission."""
    values: dict[str, dict[str, dict[str, Any]]] = {
        f"item-{number}": {"score": {"type": "radio_buttons", "selected_option": {
            "text": {"type": "plain_text", "text": str(score)}, "value": str(score)}}}
        for number, score in enumerate(scores, start=1) if score is not None}
    if comment is not None:
        values["comment"] = {"text": text_input(comment)}
    payload = view_submission(str(view["callback_id"]), values, private_metadata=str(view["private_metadata"]),
                              user_id=member)
    return await slack.post(slack.signed.interactive(payload))


async def answer_pulse(slack: Slack, member: str, join: dict[str, Any], scores: list[int],
                       comment: str | None = None) -> None:
    """Join from the channel, answer every statement in the one modal, send it once."""
    def thanked() -> int:
        return sum("answers are in (anonymous)" in str(call.args.get("text")) and call.args.get("user") == member
                   for call in slack.fake.calls_to("chat.postEphemeral"))

    before = thanked()
    view = await open_form(slack, member, join)
    status, _ = await send_form(slack, member, view, list(scores), comment)
    assert status == 200
    await slack.fake._wait(lambda: thanked() > before, 5.0)


def answer_traces(fake: FakeSlackApi, content: Content) -> list[str]:
    """Everything the app put anywhere that lasts (channel and DM messages, their edits, ephemeral lines,
    response_url answers, App Home views) that shows an answer: a picked option, a tick, an answer label as
    the form shows it ("4 · Agree"), or answer digits in a token. The form itself (views.open) is not kept."""
    scale = content.pulse_sets["team-safety"].scale
    labels = [f"{point} · {label}" for point, label in scale.labels.items()]
    bodies = [str(call.args) for call in fake.calls if call.method != "views.open"]
    bodies += [str(body) for _, body in fake.responses]
    return [body for body in bodies
            if any(mark in body for mark in ("initial_option", "✓", *labels))
            or re.search(r"ci:pulse:[a-z0-9-]+:[A-Za-z0-9]{12}\.\d", body)]


async def test_a_pulse_round_with_six_members_posts_only_the_aggregate(
        slack: Slack, community_service: Conversation, content: Content, clock: FakeClock,
        sessions: async_sessionmaker[AsyncSession]) -> None:
    fake = slack.fake
    await slack.command("pulse open 2d", key="refused", user_id=MEMBERS[0])
    await reply_to(slack, "refused", content.texts.get("pulse_admin_only"))
    await slack.command("pulse open 2d min 5", key="open", user_id=ADMIN)
    await reply_to(slack, "open", "Pulse round set")
    [join] = channel_messages(fake)
    # The fake's team.info names no zone, so the admin's (users.info: Europe/Berlin) is shown, UTC beside.
    assert re.search(r"Open until \w{3} \d\d \w{3} \d\d:\d\d CET \(\d\d:\d\d UTC\)", text_of(join))

    # The form: every statement as a required radio group on the scale, the optional comment; nothing picked.
    view = await open_form(slack, MEMBERS[0], join)
    items = [block for block in view["blocks"] if block["type"] == "input" and block["block_id"].startswith("item-")]
    assert len(items) == 7
    assert all(block["element"]["type"] == "radio_buttons" and len(block["element"]["options"]) == 5
               and "initial_option" not in block["element"] and not block.get("optional") for block in items)
    assert [block["block_id"] for block in view["blocks"] if block.get("optional")] == ["comment"]
    # Sent with two statements left out: the modal stays open and says where; nothing is recorded.
    status, body = await send_form(slack, MEMBERS[0], view, [4, None, 4, 4, None, 4, 4])
    assert status == 200
    assert json.loads(body) == {"response_action": "errors", "errors": {
        "item-2": content.texts.get("pulse_form_pick"), "item-5": content.texts.get("pulse_form_pick")}}

    rng = random.Random(5)
    for member in MEMBERS:
        await answer_pulse(slack, member, join, [rng.randint(1, 5) for _ in range(7)],
                           comment="Our standups run long XYZZY" if member == MEMBERS[1] else None)
    # Answering again: the form starts empty, says so, and the new answers replace the old ones.
    again = await open_form(slack, MEMBERS[2], join)
    assert "initial_option" not in str(again)
    assert content.texts.get("pulse_form_again") in str(again["blocks"])
    await answer_pulse(slack, MEMBERS[2], join, [5, 5, 5, 5, 5, 5, 5])

    clock.advance(days=1)  # halfway: the reminder links to the invitation, which may be far up the channel
    await community_tick(community_service, {"slack": slack.adapter})
    reminder = channel_messages(fake)[-1]
    assert "press Join on the invitation" in text_of(reminder)
    assert f"/archives/{join['channel']}/p{join['ts'].replace('.', '')}" in text_of(reminder)
    clock.advance(days=1, minutes=1)
    await community_tick(community_service, {"slack": slack.adapter})
    results = channel_messages(fake)[-1]
    shown = text_of(results)
    assert "6 people answered" in shown  # the member who answered twice counts once
    assert "out of 100" in shown
    assert shown.count("% on the safe side") == 7  # a mean and a share per statement
    assert "how the answers spread" not in shown  # six people: no count per answer
    assert content.texts.get("pulse_spread_hidden", minimum=10) in shown
    assert not any(member in str(results) for member in MEMBERS)

    # Nothing that lasts shows an answer: no DM got anything, no message, edit or ephemeral line carries one,
    # and the comment (fewer than 10 answered) is nowhere.
    assert all(fake.messages_in(fake.dm_channel_for(member)) == [] for member in MEMBERS)
    assert answer_traces(fake, content) == []
    assert "XYZZY" not in str(fake.calls) + str(fake.responses)
    # Answering left no identity behind (the first member has one from trying /pulse open).
    assert not set(MEMBERS[1:]) & await known_user_ids(sessions)


async def test_a_pulse_round_with_ten_members_shows_counts_with_no_cell_under_three(
        slack: Slack, community_service: Conversation, content: Content, clock: FakeClock) -> None:
    fake = slack.fake
    await slack.command("pulse open 2d min 3", key="open", user_id=ADMIN)
    await reply_to(slack, "open", "Pulse round set")
    [join] = channel_messages(fake)
    members = [f"U0TEN{n:04d}" for n in range(10)]
    # Every statement has answers that only one or two people gave: shown alone, they would point at them.
    rows = [[1, 5, 2, 4, 3, 5, 4], [2, 5, 2, 4, 3, 5, 4], [5, 4, 3, 4, 3, 5, 1], [5, 4, 3, 4, 3, 5, 2],
            [5, 4, 3, 4, 3, 4, 2], [4, 3, 3, 5, 3, 4, 3], [4, 3, 4, 5, 2, 4, 3], [4, 3, 4, 5, 2, 4, 3],
            [4, 1, 4, 5, 2, 4, 3], [4, 1, 5, 1, 1, 1, 5]]
    for member, scores in zip(members, rows, strict=True):
        await answer_pulse(slack, member, join, scores, comment=f"More time for reviews, please ({member[-1]})")
    clock.advance(days=2, minutes=1)
    await community_tick(community_service, {"slack": slack.adapter})
    shown = text_of(channel_messages(fake)[-1])
    assert "10 people answered" in shown
    spreads = re.findall(r"how the answers spread, from 1 \(least safe\) to 5 \(safest\): (.+)", shown)
    assert len(spreads) == 7
    for spread in spreads:
        counts = [int(cell.rpartition(": ")[2]) for cell in spread.split(" · ")]
        assert sum(counts) == 10
        assert min(counts) >= 3, spread
    assert "More time for reviews, please" in shown  # ten answered: comments are shared
    assert answer_traces(fake, content) == []
    assert all(fake.messages_in(fake.dm_channel_for(member)) == [] for member in members)


async def test_a_pulse_round_with_two_members_says_only_too_few(
        slack: Slack, community_service: Conversation, content: Content, clock: FakeClock) -> None:
    fake = slack.fake
    await slack.command("pulse open 2d", key="open", user_id=ADMIN)
    await reply_to(slack, "open", "Pulse round set")
    [join] = channel_messages(fake)
    for member in MEMBERS[:2]:
        await answer_pulse(slack, member, join, [3, 3, 3, 3, 3, 3, 3])
    clock.advance(days=2, minutes=1)
    await community_tick(community_service, {"slack": slack.adapter})
    closing = channel_messages(fake)[-1]
    reply = too_few_reply(content.texts)
    assert text_of(closing).replace("*", "") == f"{reply.title}\n{reply.text}"
    assert elements(closing) == []


async def known_user_ids(sessions: async_sessionmaker[AsyncSession]) -> set[str]:
    async with sessions() as db:
        return set((await db.scalars(select(Identity.user_id))).all())


async def test_a_pulse_form_opens_only_from_the_rounds_own_channel(
        slack: Slack, content: Content) -> None:
    fake = slack.fake
    await slack.command("pulse open 2d", key="open", user_id=ADMIN)
    await reply_to(slack, "open", "Pulse round set")
    [join] = channel_messages(fake)
    [button] = elements(join)
    await slack.click(button, channel_id="C0ELSEWHERE", key="elsewhere", user_id=MEMBERS[0], message=join,
                      trigger_id="trigger-elsewhere")
    await reply_to(slack, "elsewhere", content.texts.get("pulse_wrong_place"))
    await slack.click(button, channel_id=CHANNEL_ID, key="other-team", user_id=MEMBERS[0], message=join,
                      trigger_id="trigger-other-team", team_id="T0OTHER01")
    await reply_to(slack, "other-team", content.texts.get("pulse_not_open"))
    assert fake.calls_to("views.open") == []
    assert fake.messages_in(fake.dm_channel_for(MEMBERS[0])) == []
