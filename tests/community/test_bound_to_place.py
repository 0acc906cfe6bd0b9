"""Community actions count only where they happen: a moderator's removal only in the share's own channel (or its
thread), so the rights of one Discord server never reach another's shares (every Discord person shares the one
"dm" identity across servers); a pulse round is answered only from its own workspace."""

from __future__ import annotations

from bot.community.circles import Circles
from bot.community.pulses import Pulses
from bot.content.loader import Content
from bot.messages import Address, parse_token
from tests.community.conftest import click
from tests.community.test_pulses import ADMIN as SLACK_ADMIN
from tests.community.test_pulses import open_round
from tests.conftest import FakeClock

ADMIN = Address("discord", "dm", "admin-1", "circle-chan")
ANA = Address("discord", "dm", "ana", "circle-chan")
MOD_HERE = Address("discord", "dm", "mod-1", "circle-chan")
MOD_IN_THREAD = Address("discord", "dm", "mod-1", "thread-5")
MOD_ELSEWHERE = Address("discord", "dm", "mod-2", "another-servers-chan")


async def test_a_moderator_of_another_server_cannot_remove_a_share(circles: Circles, content: Content) -> None:
    await circles.setup_circle(ADMIN, True, weekday="mon", local_time="18:00", zone="Europe/Berlin")
    [post] = (await circles.share(ANA, "I said no to the late call")).posts
    await circles.share_posted(post.ref, "thread-5/msg-77")  # posted in the weekly prompt's thread
    remove = post.reply.question
    assert remove is not None

    elsewhere = await circles.on_pick(MOD_ELSEWHERE, click(remove, remove.choices[0].value), is_moderator=True)
    assert elsewhere is not None
    assert elsewhere.removals == ()
    assert elsewhere.replies[0].text == content.texts.get("share_gone")

    here = await circles.on_pick(MOD_IN_THREAD, click(remove, remove.choices[0].value), is_moderator=True)
    assert here is not None
    assert [(r.channel_id, r.message_id) for r in here.removals] == [("circle-chan", "thread-5/msg-77")]
    assert (await circles.remove_share(MOD_HERE, True, post.ref)).removals == (), "already down"


async def test_a_pulse_round_is_answered_only_from_its_own_workspace(pulses: Pulses, clock: FakeClock,
                                                                     content: Content) -> None:
    round_id = await open_round(pulses, clock)
    outsider = Address("slack", "T-OTHER", "U-out", "C-team")
    token = parse_token(f"ci:pulse:join:{round_id}")
    assert token is not None

    replies = await pulses.on_pick(outsider, token)
    assert replies is not None
    assert [reply.text for reply in replies] == [content.texts.get("pulse_not_open")]
    member = Address(SLACK_ADMIN.platform, SLACK_ADMIN.workspace_id, "U-member", "D-member")  # from their DM
    joined = await pulses.on_pick(member, token)
    assert joined is not None
    assert joined[-1].question is not None, "a member of the round's workspace gets the first statement"
