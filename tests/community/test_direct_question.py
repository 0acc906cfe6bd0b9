"""A share or a pulse comment whose words might mean danger: the direct question first, nothing posted or
kept; "No, I'm OK" posts the share or keeps the comment as if nothing had happened. Through the service,
with a stand-in screen (tests/fakes/screen.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.community.anonymity import Pseudonyms
from bot.community.circles import Circles
from bot.community.common import PostKind
from bot.community.pulses import Pulses
from bot.community.store import CommunityStore
from bot.content.loader import Content
from bot.conversation import Conversation, build_conversation
from bot.events import ChoicePicked, Command, TextSubmitted
from bot.messages import Address, Question, Reply
from bot.response import Roles
from bot.storage.repository import Repository
from tests.community.test_circles import ADMIN, ANA
from tests.conftest import FakeClock
from tests.fakes.screen import MAYBE_SELF, MarkerScreener


@pytest.fixture
def service(content: Content, community_store: CommunityStore, repository: Repository, pseudonyms: Pseudonyms,
            clock: FakeClock) -> Conversation:
    screen = MarkerScreener(content)
    circles = Circles(content, community_store, repository, pseudonyms, clock=clock, screener=screen)
    pulses = Pulses(content, community_store, repository, pseudonyms, clock=clock, screener=screen,
                    rng=random.Random(3))
    return build_conversation(content, repository, clock=clock, circles=circles, pulses=pulses, screener=screen)


def question(replies: tuple[Reply, ...]) -> Question:
    found = next(reply.question for reply in replies if reply.question is not None)
    assert found.session_id == "ask"
    return found


async def count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def test_a_possible_share_is_asked_about_and_posted_only_after_no_im_ok(
        service: Conversation, content: Content, repository: Repository, raw_engine: AsyncEngine) -> None:
    await service.handle(Command(ADMIN, "circle", "setup mon 18:00 Europe/Berlin"), Roles(admin=True))

    asked = await service.handle(Command(ANA, "share", f"{MAYBE_SELF}, but I held my boundary"))
    assert asked.posts == ()
    assert content.texts.get("ask_self") in "\n".join(reply.text for reply in asked.replies)
    assert await count(raw_engine, "circle_shares") == 0

    carried = await service.handle(ChoicePicked(ANA, question(asked.replies).token("no"), ("no",)))
    assert carried.replies[0].text == content.texts.get("ask_no_reply")
    [post] = carried.posts
    assert post.kind is PostKind.SHARE
    assert "I held my boundary" in post.reply.text
    assert (await repository.profile(await repository.identity_id(ANA))).crisis_at is None


async def test_a_possible_share_answered_yes_is_never_posted(
        service: Conversation, content: Content, raw_engine: AsyncEngine) -> None:
    await service.handle(Command(ADMIN, "circle", "setup mon 18:00 Europe/Berlin"), Roles(admin=True))
    asked = await service.handle(Command(ANA, "share", MAYBE_SELF))
    answered = await service.handle(ChoicePicked(ANA, question(asked.replies).token("yes"), ("yes",)))
    assert answered.posts == ()
    assert answered.replies[0].title == content.texts.get("crisis_title")
    assert await count(raw_engine, "circle_shares") == 0


async def test_a_possible_pulse_comment_is_kept_only_after_no_im_ok(
        service: Conversation, content: Content, clock: FakeClock, raw_engine: AsyncEngine) -> None:
    member = Address("slack", "T1", "U001", "C-team")
    admin = Address("slack", "T1", "U-admin", "C-team")
    opened = await service.handle(Command(admin, "pulse", "open 3d"), Roles(admin=True))
    join = opened.posts[0].reply.question
    assert join is not None
    round_id = join.choices[0].value
    replies = (await service.handle(ChoicePicked(member, join.token(round_id)))).replies
    while (step := replies[-1].question) is not None and step.step_id.startswith("i"):
        three = next(choice for choice in step.choices if choice.label == "3")
        replies = (await service.handle(ChoicePicked(member, step.token(three.value)))).replies
    note = replies[-1].question
    assert note is not None

    asked = await service.handle(TextSubmitted(member, MAYBE_SELF, token=note.token()))
    assert content.texts.get("ask_self") in "\n".join(reply.text for reply in asked.replies)
    assert await count(raw_engine, "pulse_answers") == 1

    carried = await service.handle(TextSubmitted(member, "No, I'm OK"))
    assert [reply.text for reply in carried.replies] == [content.texts.get("ask_no_reply"),
                                                         content.texts.get("pulse_comment_saved")]
