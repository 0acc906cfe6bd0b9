"""Where the replies to an event go, decided once for every adapter (bot/answering.py): what a person would see,
and where, told through an outlet that records each place it posted to."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.answering import answer, answered_mark
from bot.content.loader import Content
from bot.messages import Attachment, Choice, InputKind, Question, Reply
from bot.ports import Capabilities, Unreachable
from bot.response import Place

QUESTION = Reply("How safe?", question=Question("s1", "score", InputKind.SCALE, (Choice("1", "1"), Choice("2", "2"))))
FILE = Reply("Your data", files=(Attachment("data.json", b"{}"),))
SLACKLIKE = Capabilities(ephemeral=True, private_files=False)


class Recorder:
    def __init__(self, dm_opens: bool = True) -> None:
        self.dm_opens = dm_opens
        self.posted: list[tuple[str, list[str]]] = []

    async def here(self, replies: Sequence[Reply]) -> None:
        self.posted.append(("here", [reply.text for reply in replies]))

    async def privately(self, replies: Sequence[Reply]) -> None:
        self.posted.append(("privately", [reply.text for reply in replies]))

    async def to_dm(self, replies: Sequence[Reply]) -> bool:
        if self.dm_opens:
            self.posted.append(("dm", [reply.text for reply in replies]))
        return self.dm_opens


async def test_in_the_dm_everything_is_answered_there(content: Content) -> None:
    outlet = Recorder()
    await answer([QUESTION, FILE], Place.DM, SLACKLIKE, outlet, content.texts)
    assert outlet.posted == [("here", ["How safe?", "Your data"])]


async def test_in_a_channel_a_plain_answer_is_private_and_a_question_moves_to_the_dm_with_a_line_saying_so(
        content: Content) -> None:
    plain = Recorder()
    await answer([Reply("A tip")], Place.SHARED, SLACKLIKE, plain, content.texts)
    assert plain.posted == [("privately", ["A tip"])]

    asked = Recorder()
    await answer([QUESTION], Place.SHARED, SLACKLIKE, asked, content.texts)
    assert asked.posted == [("dm", ["How safe?"]), ("privately", [content.texts.get("moved_to_dm")])]


async def test_a_file_moves_to_the_dm_only_where_it_cannot_be_shown_privately(content: Content) -> None:
    cannot = Recorder()
    await answer([FILE], Place.SHARED, SLACKLIKE, cannot, content.texts)
    assert [place for place, _ in cannot.posted] == ["dm", "privately"]
    can = Recorder()
    await answer([FILE], Place.SHARED, Capabilities(private_files=True), can, content.texts)
    assert can.posted == [("privately", ["Your data"])]


async def test_closed_dms_show_the_replies_privately_after_a_line_that_says_why(content: Content) -> None:
    outlet = Recorder(dm_opens=False)
    await answer([QUESTION], Place.SHARED, SLACKLIKE, outlet, content.texts)
    assert outlet.posted == [("privately", [content.texts.get("dm_not_opened"), "How safe?"])]
    worded = Recorder(dm_opens=False)
    await answer([QUESTION], Place.SHARED, SLACKLIKE, worded, content.texts, closed_notice="Your DMs are closed.")
    assert worded.posted == [("privately", ["Your DMs are closed.", "How safe?"])]


async def test_from_no_conversation_the_dm_is_the_only_place(content: Content) -> None:
    outlet = Recorder()
    await answer([Reply("Resumed")], Place.NOWHERE, SLACKLIKE, outlet, content.texts)
    assert outlet.posted == [("dm", ["Resumed"])]
    with pytest.raises(Unreachable):
        await answer([Reply("Resumed")], Place.NOWHERE, SLACKLIKE, Recorder(dm_opens=False), content.texts)


def test_an_answered_question_shows_what_was_picked_and_a_stale_click_shows_nothing() -> None:
    assert answered_mark([Reply("Thanks")], ["4 · Mostly", ""]) == "✓ 4 · Mostly"
    assert answered_mark([Reply("That check-in has moved on", stale=True)], ["4"]) == ""
    assert answered_mark([Reply("Thanks")], []) == ""
