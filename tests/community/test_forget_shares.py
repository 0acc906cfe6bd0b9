"""/forget erases what a person wrote everywhere, anonymous circle shares included: the ones still up come
down, and nobody else's do."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.community.anonymity import Pseudonyms
from bot.community.circles import Circles
from bot.community.common import PostKind, Removal
from bot.community.pulses import Pulses
from bot.community.store import CommunityStore
from bot.content.loader import Content
from bot.conversation import build_conversation
from bot.events import ChoicePicked, Command
from bot.messages import Address
from bot.privacy.crypto import Cipher
from bot.privacy.retention import purge_expired_words
from bot.scheduling.store import ScheduleStore
from bot.storage.models import CircleShare
from bot.storage.repository import Repository
from tests.conftest import FakeClock

ADMIN = Address("discord", "guild-1", "admin-1", "circle-chan")
ANA = Address("discord", "guild-1", "ana", "circle-chan")
BEN = Address("discord", "guild-1", "ben", "circle-chan")


async def test_forget_takes_down_the_persons_live_shares_and_only_theirs(
        content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore,
        sessions: async_sessionmaker[AsyncSession], cipher: Cipher) -> None:
    store, pseudonyms = CommunityStore(sessions, cipher), Pseudonyms(b"a test secret that is long enough!!")
    circles = Circles(content, store, repository, pseudonyms, clock=clock)
    pulses = Pulses(content, store, repository, pseudonyms, clock=clock)
    service = build_conversation(content, repository, clock=clock, schedules=schedules, circles=circles, pulses=pulses)
    await circles.setup_circle(ADMIN, True, weekday="mon", local_time="18:00", zone="Europe/Berlin")
    posted: dict[str, str] = {}
    for who, words in ((ANA, "I said no without a long excuse today"), (BEN, "I asked for an evening to myself")):
        outcome = await service.handle(Command(who, "share", words))
        [post] = [post for post in outcome.posts if post.kind is PostKind.SHARE]
        posted[who.user_id] = f"msg-{who.user_id}"
        await circles.share_posted(post.ref, posted[who.user_id])

    [asked] = [reply for reply in (await service.handle(Command(ANA, "forget"))).replies if reply.question is not None]
    assert asked.question is not None
    erased = await service.handle(ChoicePicked(ANA, asked.question.token("erase")))
    assert erased.removals == (Removal("discord", "guild-1", "circle-chan", posted["ana"]),)
    assert content.texts.get("forgotten") in "\n".join(reply.text for reply in erased.replies)

    again = await service.handle(Command(ANA, "help"))  # a later event takes nothing else down
    assert again.removals == ()


async def test_the_stored_words_of_a_share_go_after_the_retention_period(
        content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore,
        sessions: async_sessionmaker[AsyncSession], cipher: Cipher) -> None:
    store, pseudonyms = CommunityStore(sessions, cipher), Pseudonyms(b"a test secret that is long enough!!")
    circles = Circles(content, store, repository, pseudonyms, clock=clock)
    service = build_conversation(content, repository, clock=clock, schedules=schedules, circles=circles,
                             pulses=Pulses(content, store, repository, pseudonyms, clock=clock))
    await circles.setup_circle(ADMIN, True, weekday="mon", local_time="18:00", zone="Europe/Berlin")
    [post] = (await service.handle(Command(ANA, "share", "I kept my evening free"))).posts
    await circles.share_posted(post.ref, "msg-ana")

    async def stored_words() -> list[str | None]:
        async with sessions() as db:
            return list((await db.scalars(select(CircleShare.text_enc))).all())

    await purge_expired_words(repository, 365, clock=lambda: clock.now + timedelta(days=364))
    assert [words is not None for words in await stored_words()] == [True], "kept within the period"
    await purge_expired_words(repository, 365, clock=lambda: clock.now + timedelta(days=366))
    assert await stored_words() == [None]
    assert (await service.handle(ChoicePicked(ANA, f"ci:circle:del:{post.ref}"))).removals == (
        Removal("discord", "guild-1", "circle-chan", "msg-ana"),), "its author can still take it down"
