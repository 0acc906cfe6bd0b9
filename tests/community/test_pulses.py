"""Team pulse rounds through the core API on SQLite and PostgreSQL, as members and admins meet them."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.community.common import ChannelPost, PostKind, when
from bot.community.pulses import Pulses
from bot.community.store import CommunityStore
from bot.content.loader import Content
from bot.messages import Address, Reply, parse_token
from bot.storage.repository import Repository
from tests.community.conftest import click
from tests.conftest import FakeClock
from tests.storage.test_repository import every_stored_value

ADMIN = Address("slack", "T1", "U-admin", "C-team")
WEEK = timedelta(days=7)


def member(number: int) -> Address:
    return Address("slack", "T1", f"U{number:03d}", "C-team")


async def open_round(pulses: Pulses, clock: FakeClock, minimum: int | None = None) -> str:
    outcome = await pulses.open_round(ADMIN, True, closes_at=clock.now + WEEK, min_respondents=minimum)
    [announcement] = outcome.posts
    assert announcement.kind is PostKind.PULSE_OPEN
    assert not announcement.reply.private
    join = announcement.reply.question
    assert join is not None
    return join.choices[0].value


async def answer_by_clicking(pulses: Pulses, who: Address, round_id: str, scores: str,
                             comment: str | None = None) -> list[Reply]:
    """Press Join, then one button per statement, then type a comment or skip it."""
    replies = await pulses.on_pick(who, parse_token(f"ci:pulse:join:{round_id}"))  # type: ignore[arg-type]
    assert replies is not None
    for score in scores:
        question = replies[-1].question
        assert question is not None
        [choice] = [choice for choice in question.choices if choice.label == score]
        picked = await pulses.on_pick(who, click(question, choice.value))
        assert picked is not None
        replies = picked
    note = replies[-1].question
    assert note is not None
    if comment is None:
        done = await pulses.on_pick(who, click(note, "skip"))
    else:
        parsed = parse_token(note.token())
        assert parsed is not None
        done = await pulses.on_text(who, parsed, comment)
    assert done is not None
    return done


async def close(pulses: Pulses, clock: FakeClock) -> ChannelPost:
    clock.advance(days=7, seconds=1)
    [results] = await pulses.close_due_rounds()
    assert results.kind is PostKind.PULSE_RESULTS
    assert not results.reply.private
    assert await pulses.close_due_rounds() == []  # published once, never again
    return results


async def test_a_full_round_with_six_members(pulses: Pulses, clock: FakeClock, content: Content,
                                             raw_engine: AsyncEngine) -> None:
    round_id = await open_round(pulses, clock)
    answers = ["1555255", "2444244", "1454154", "2555155", "1444254", "3333333"]
    for number, scores in enumerate(answers):
        done = await answer_by_clicking(pulses, member(number), round_id, scores,
                                        comment="More time for code review" if number == 0 else None)
        assert done[-1].text in (content.texts.get("pulse_saved"), content.texts.get("pulse_comment_saved"))
    # While open, the tables hold six anonymous rows and no user id anywhere.
    stored = await every_stored_value(raw_engine)
    pulse_values = [value for table, _, value in stored if table.startswith("pulse")]
    assert not [value for value in pulse_values if re.search(r"U0\d\d", value)]
    assert not [value for value in pulse_values if "code review" in value]

    body = (await close(pulses, clock)).reply.text
    assert body.startswith("6 people answered. Overall: ")
    # "mistakes" is reversed: raw 1,2,1,2,1,3 -> flipped 5,4,5,4,5,3 -> mean 4.3
    assert "If I get something wrong on this team, it tends to be held against me." in body
    assert "average 4.3 on 1 to 5 · 83% on the safe side" in body
    assert "agreeing means less safe: its answers are turned round" in body
    # Six people: means and shares, but no count per answer (a "1" would point to one person).
    assert "how the answers spread" not in body
    assert content.texts.get("pulse_spread_hidden", minimum=10) in body
    assert content.texts.get("pulse_comments_hidden", minimum=10) in body
    assert "code review" not in body  # fewer than ten answered: no comments
    # After close nothing individual is left, only the published aggregate.
    async with raw_engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM pulse_answers"))).scalar_one() == 0
        assert (await connection.execute(text("SELECT count(*) FROM pulse_participation"))).scalar_one() == 0


async def test_a_round_with_two_members_shows_nothing_but_too_few(pulses: Pulses, clock: FakeClock,
                                                                  content: Content) -> None:
    round_id = await open_round(pulses, clock)
    await answer_by_clicking(pulses, member(1), round_id, "1111111", comment="I feel unsafe in meetings")
    await answer_by_clicking(pulses, member(2), round_id, "5555555")
    results = await close(pulses, clock)
    assert results.reply.text == content.texts.get("pulse_too_few")
    assert not re.search(r"\d", results.reply.text + results.reply.title + results.reply.footer)
    assert results.reply.question is None


async def test_answers_can_change_until_close_and_count_once(pulses: Pulses, clock: FakeClock,
                                                             content: Content) -> None:
    round_id = await open_round(pulses, clock, minimum=3)
    await answer_by_clicking(pulses, member(1), round_id, "1111111")
    again = await pulses.join(member(1), round_id)
    assert content.texts.get("pulse_already") in [reply.text for reply in again]
    changed = await pulses.answer(member(1), round_id, [5, 5, 5, 5, 5, 5, 5])
    assert changed[0].text == content.texts.get("pulse_changed")
    await pulses.answer(member(2), round_id, [5, 5, 5, 5, 5, 5, 5])
    await pulses.answer(member(3), round_id, [5, 5, 5, 5, 5, 5, 5])
    body = (await close(pulses, clock)).reply.text
    assert body.startswith("3 people answered.")
    assert "average 5.0 on 1 to 5 · 100% on the safe side" in body  # the first answers are gone
    assert "average 1.0 on 1 to 5 · 0% on the safe side" in body  # all agreed with a reversed statement
    assert "average 1.0 on 1 to 5 · 100%" not in body
    late = await pulses.answer(member(4), round_id, [3, 3, 3, 3, 3, 3, 3])
    assert late[0].text == content.texts.get("pulse_not_open")


async def test_thresholds_below_three_are_refused_and_only_admins_open_rounds(
        pulses: Pulses, clock: FakeClock, content: Content) -> None:
    low = await pulses.open_round(ADMIN, True, closes_at=clock.now + WEEK, min_respondents=2)
    assert low.posts == ()
    assert "3" in low.replies[0].text
    member_try = await pulses.open_round(member(1), False, closes_at=clock.now + WEEK)
    assert member_try.posts == ()
    assert member_try.replies[0].text == content.texts.get("pulse_admin_only")
    assert (await pulses.status(member(1), False)).replies[0].text == content.texts.get("pulse_admin_only")
    ok = await pulses.open_round(ADMIN, True, closes_at=clock.now + WEEK)
    assert "at least 5" in ok.replies[0].text  # the configured default
    busy = await pulses.open_round(ADMIN, True, closes_at=clock.now + WEEK * 2)
    assert busy.posts == ()  # one round at a time per channel


async def test_times_show_in_the_workspace_zone_with_utc_beside(pulses: Pulses, clock: FakeClock,
                                                                 content: Content) -> None:
    outcome = await pulses.open_round(ADMIN, True, closes_at=clock.now + WEEK, zone="Europe/Berlin")
    closes = clock.now + WEEK
    local = closes.astimezone(ZoneInfo("Europe/Berlin"))
    shown = f"{local:%a %d %b %H:%M} {local.tzname()} ({closes:%H:%M} UTC)" if local.date() == closes.date() \
        else f"{local:%a %d %b %H:%M} {local.tzname()} ({closes:%a %d %b %H:%M} UTC)"
    assert shown in outcome.replies[0].text
    [announcement] = outcome.posts
    assert shown in announcement.reply.text
    assert shown in (await pulses.status(ADMIN, True)).replies[0].text
    nowhere = await pulses.open_round(Address("slack", "T1", "U-admin", "C-other"), True,
                                      closes_at=clock.now + WEEK, zone="Not/AZone")
    assert f"{closes:%a %d %b %H:%M} UTC" in nowhere.replies[0].text  # an unknown zone: UTC alone


async def test_the_reminder_points_to_the_invitation_where_it_was_posted(pulses: Pulses, clock: FakeClock,
                                                                         content: Content) -> None:
    round_id = await open_round(pulses, clock)
    await pulses.invitation_posted(round_id, "1733500000.000100")
    clock.advance(days=4)
    [reminder] = await pulses.due_posts()
    assert reminder.link_to == "1733500000.000100"
    assert reminder.reply.text == content.texts.get("pulse_reminder_linked")


async def test_one_reminder_halfway_that_names_nobody_and_no_live_count(
        pulses: Pulses, clock: FakeClock, content: Content, community_store: CommunityStore) -> None:
    round_id = await open_round(pulses, clock)
    await pulses.answer(member(1), round_id, [3] * 7)
    clock.advance(days=3)
    assert await pulses.due_posts() == []
    clock.advance(days=1)
    [reminder] = await pulses.due_posts()
    assert reminder.kind is PostKind.PULSE_REMINDER
    assert reminder.reply.text == content.texts.get("pulse_reminder")
    assert await pulses.due_posts() == []
    assert reminder.link_to == ""  # nobody reported where the invitation went: no link, and the text says none
    [status] = (await pulses.status(ADMIN, True)).replies
    record = await community_store.round(round_id)
    assert record is not None
    # Settings only: no count of answers while the round is open.
    assert status.text == content.texts.get("pulse_status", opens=when(record.opens_at),
                                            closes=when(record.closes_at), minimum=5)


async def test_in_the_crisis_window_joining_is_answered_with_the_sos_line(pulses: Pulses, clock: FakeClock,
                                                                          repository: Repository,
                                                                          content: Content) -> None:
    round_id = await open_round(pulses, clock)
    await repository.record_crisis(await repository.identity_id(member(1)))
    replies = await pulses.join(member(1), round_id)
    assert content.texts.get("sos_beside") in [reply.text for reply in replies]
    assert replies[-1].question is not None, "their own choice to join is answered"
    clock.advance(hours=73)
    replies = await pulses.join(member(1), round_id)
    assert content.texts.get("sos_beside") not in [reply.text for reply in replies]
    assert replies[-1].question is not None


async def test_change_since_the_last_round_only_when_both_were_published(pulses: Pulses, clock: FakeClock) -> None:
    first = await open_round(pulses, clock, minimum=3)
    for number in range(3):
        await pulses.answer(member(number), first, [3] * 7)
    first_body = (await close(pulses, clock)).reply.text
    assert "since the last round" not in first_body

    second = await open_round(pulses, clock, minimum=3)
    for number in range(2):  # one person fewer: below the threshold
        await pulses.answer(member(number), second, [5] * 7)
    await close(pulses, clock)

    third = await open_round(pulses, clock, minimum=3)
    for number in range(4):
        await pulses.answer(member(number), third, [2, 4, 2, 4, 2, 4, 4])
    third_body = (await close(pulses, clock)).reply.text
    assert "since the last round" not in third_body  # the round just before it was hidden

    fourth = await open_round(pulses, clock, minimum=3)
    for number in range(3):
        await pulses.answer(member(number), fourth, [1, 5, 1, 5, 1, 5, 5])
    fourth_body = (await close(pulses, clock)).reply.text
    assert "Overall: 100 out of 100. That's up 25 since the last round." in fourth_body
    assert fourth_body.count("100% on the safe side (the same as the last round)") == 7


async def test_a_round_of_ten_shows_how_answers_spread_with_no_cell_under_three(pulses: Pulses, clock: FakeClock,
                                                                                 content: Content) -> None:
    round_id = await open_round(pulses, clock)
    for number, score in enumerate([5, 5, 5, 5, 4, 4, 4, 3, 2, 1]):
        await pulses.answer(member(number), round_id, [score] * 7)
    body = (await close(pulses, clock)).reply.text
    assert body.startswith("10 people answered.")
    assert content.texts.get("pulse_spread_hidden", minimum=10) not in body
    lines = body.splitlines()
    # "problems": scored 1, 2, 3 once each are merged into one cell of three.
    problems = lines.index("• People here can bring up problems and tough issues openly.")
    assert lines[problems + 1] == "  average 3.8 on 1 to 5 · 70% on the safe side"
    assert lines[problems + 2].endswith("from 1 (least safe) to 5 (safest): 1–3: 3 · 4: 3 · 5: 4")
    # "mistakes" is reversed: seven agreed (scored 1 and 2), and the text says which end is which.
    mistakes = next(at for at, line in enumerate(lines) if line.startswith("• If I get something wrong"))
    assert "its answers are turned round, so here too higher means safer" in lines[mistakes]
    assert lines[mistakes + 1] == "  average 2.2 on 1 to 5 · 20% on the safe side"
    assert lines[mistakes + 2].endswith(": 1: 4 · 2: 3 · 3–5: 3")
    counts = [int(cell) for line in lines if "how the answers spread" in line
              for cell in re.findall(r": (\d+)(?= ·|$)", line.split("(safest): ")[1])]
    assert counts
    assert min(counts) >= 3


async def test_comments_are_shown_shuffled_and_inert_when_ten_answer(pulses: Pulses, clock: FakeClock) -> None:
    round_id = await open_round(pulses, clock)
    for number in range(10):
        await pulses.answer(member(number), round_id, [4] * 7,
                            comment=f"comment {number} @here see https://x.example.com" if number < 4 else None)
    body = (await close(pulses, clock)).reply.text
    shown = [line for line in body.splitlines() if line.startswith("• comment")]
    assert sorted(shown) == sorted(f"• comment {n} @\u200bhere see hxxps://x[.]example[.]com" for n in range(4))


async def test_a_crisis_comment_gets_the_crisis_reply_and_is_never_kept(pulses: Pulses, clock: FakeClock,
                                                                        raw_engine: AsyncEngine) -> None:
    round_id = await open_round(pulses, clock)
    replies = await pulses.answer(member(1), round_id, [2] * 7, comment="I want to end my life")
    assert replies
    assert all(reply.tone.value == "crisis" for reply in replies)
    stored = await every_stored_value(raw_engine)
    assert [value for table, column, value in stored if column == "comment_enc"] == []


async def test_a_forged_or_stale_button_changes_nothing(pulses: Pulses, clock: FakeClock, content: Content) -> None:
    round_id = await open_round(pulses, clock)
    forged = parse_token(f"ci:pulse:i7:{round_id}.9999999")
    assert forged is not None
    assert (await pulses.on_pick(member(1), forged)) == [Reply(content.texts.get("pulse_bad_answer"))]
    unknown = parse_token("ci:pulse:join:nosuchround")
    assert unknown is not None
    assert (await pulses.on_pick(member(1), unknown)) == [Reply(content.texts.get("pulse_not_open"))]
    assert await pulses.on_pick(member(1), parse_token("ci:abc:step:1")) is None  # type: ignore[arg-type]
