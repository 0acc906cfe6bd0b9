"""Where the replies to an event are shown, decided once for every adapter (bot/answering.py): what a person would
see where they acted, and what went to their DM."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.answering import answered_mark, shown_here
from bot.content.loader import Content
from bot.messages import Attachment, Choice, InputKind, Question, Reply
from bot.ports import Capabilities, Unreachable
from bot.response import Place

QUESTION = Reply("How safe?", question=Question("s1", "score", InputKind.SCALE, (Choice("1", "1"), Choice("2", "2"))))
FILE = Reply("Your data", files=(Attachment("data.json", b"{}"),))
SLACKLIKE = Capabilities(ephemeral=True, private_files=False)


class Dm:
    """The person's DM: it opens (True), is closed (False) or does not open in time (None)."""

    def __init__(self, opens: bool | None = True) -> None:
        self.opens = opens
        self.got: list[str] = []

    async def __call__(self, replies: Sequence[Reply]) -> bool | None:
        if self.opens:
            self.got.extend(reply.text for reply in replies)
        return self.opens


async def shown(replies: Sequence[Reply], place: Place, content: Content, dm: Dm,
                capabilities: Capabilities = SLACKLIKE) -> list[str]:
    return [reply.text for reply in await shown_here(replies, place, capabilities, content.texts, dm)]


async def test_in_the_dm_everything_is_answered_there(content: Content) -> None:
    dm = Dm()
    assert await shown([QUESTION, FILE], Place.DM, content, dm) == ["How safe?", "Your data"]
    assert dm.got == []


async def test_in_a_channel_a_plain_answer_is_private_and_a_question_moves_to_the_dm_with_a_line_saying_so(
        content: Content) -> None:
    plain = Dm()
    assert await shown([Reply("A tip")], Place.SHARED, content, plain) == ["A tip"]
    assert plain.got == []

    asked = Dm()
    assert await shown([QUESTION], Place.SHARED, content, asked) == [content.texts.get("moved_to_dm")]
    assert asked.got == ["How safe?"]


async def test_a_file_moves_to_the_dm_only_where_it_cannot_be_shown_privately(content: Content) -> None:
    cannot = Dm()
    assert await shown([FILE], Place.SHARED, content, cannot) == [content.texts.get("moved_to_dm")]
    assert cannot.got == ["Your data"]
    can = Dm()
    assert await shown([FILE], Place.SHARED, content, can, Capabilities(private_files=True)) == ["Your data"]
    assert can.got == []


async def test_closed_dms_show_the_replies_privately_after_a_line_that_says_why(content: Content) -> None:
    assert await shown([QUESTION], Place.SHARED, content, Dm(opens=False)) == [
        content.texts.get("dm_not_opened"), "How safe?"]


async def test_a_dm_that_did_not_open_in_time_shows_the_replies_without_blaming_the_persons_settings(
        content: Content) -> None:
    assert await shown([QUESTION], Place.SHARED, content, Dm(opens=None)) == ["How safe?"]


async def test_from_no_conversation_the_dm_is_the_only_place(content: Content) -> None:
    dm = Dm()
    assert await shown([Reply("Resumed")], Place.NOWHERE, content, dm) == []
    assert dm.got == ["Resumed"]
    with pytest.raises(Unreachable):
        await shown([Reply("Resumed")], Place.NOWHERE, content, Dm(opens=False))


def test_an_answered_question_shows_what_was_picked_and_a_stale_click_shows_nothing(content: Content) -> None:
    texts = content.texts
    assert answered_mark(texts, [Reply("Thanks")], ["4 · Mostly", ""]) == "✓ 4 · Mostly"
    assert answered_mark(texts, [Reply("That check-in has moved on", stale=True)], ["4"]) == ""
    assert answered_mark(texts, [Reply("Thanks")], []) == ""
