"""The conversation's own rules: every command reaches a feature (or says the feature is not here), and where
an answer goes is decided once, for every platform."""

from __future__ import annotations

import pytest

from bot.commands import COMMANDS
from bot.content.loader import Content
from bot.conversation import build_conversation
from bot.events import Command
from bot.messages import Address, Attachment, Choice, InputKind, Question, Reply
from bot.ports import Capabilities
from bot.response import Place, Where, where
from bot.storage.repository import Repository
from tests.conftest import FakeClock

ANA = Address("discord", "dm", "ana", "dm-1")
QUESTION = Reply("How safe?", question=Question("s1", "safety", InputKind.SCALE, (Choice("1", "1"),)))
EXPORT = Reply("Your data", files=(Attachment("data.json", b"{}"),))
PLAIN = Reply("A tip")


async def test_every_command_is_answered_with_or_without_the_optional_features(
        content: Content, repository: Repository, clock: FakeClock) -> None:
    bare = build_conversation(content, repository, clock=clock)  # no schedules, no circles or pulses
    for name in COMMANDS:
        replies = (await bare.handle(Command(ANA, name))).replies
        assert replies, name
        unknown = content.texts.get("unknown_command", command=name)
        assert all(reply.text != unknown for reply in replies), f"/{name} is a command the bot knows"


@pytest.mark.parametrize(("replies", "place", "private_files", "expected"), [
    ([PLAIN], Place.DM, True, Where.HERE),
    ([QUESTION], Place.DM, True, Where.HERE),
    ([PLAIN], Place.SHARED, True, Where.PRIVATELY_HERE),
    ([QUESTION], Place.SHARED, True, Where.DM),
    ([EXPORT], Place.SHARED, True, Where.PRIVATELY_HERE),
    ([EXPORT], Place.SHARED, False, Where.DM),
    ([PLAIN], Place.NOWHERE, True, Where.DM),
])
def test_where_an_answer_goes(replies: list[Reply], place: Place, private_files: bool, expected: Where) -> None:
    assert where(replies, place, Capabilities(private_files=private_files)) is expected
