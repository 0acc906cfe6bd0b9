"""Community fixtures on the real migrated databases (SQLite and PostgreSQL), with the fake clock."""

from __future__ import annotations

import random

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.community.anonymity import Pseudonyms
from bot.community.circles import Circles
from bot.community.pulses import Pulses
from bot.community.store import CommunityStore
from bot.content.loader import Content
from bot.messages import ParsedToken, Question, parse_token
from bot.privacy.crypto import Cipher
from bot.storage.repository import Repository
from tests.conftest import FakeClock


@pytest.fixture
def pseudonyms() -> Pseudonyms:
    return Pseudonyms(b"a test secret that is long enough!!")


@pytest.fixture
def community_store(sessions: async_sessionmaker[AsyncSession], cipher: Cipher) -> CommunityStore:
    return CommunityStore(sessions, cipher)


@pytest.fixture
def circles(content: Content, community_store: CommunityStore, repository: Repository, pseudonyms: Pseudonyms,
            clock: FakeClock) -> Circles:
    return Circles(content, community_store, repository, pseudonyms, clock=clock)


@pytest.fixture
def pulses(content: Content, community_store: CommunityStore, repository: Repository, pseudonyms: Pseudonyms,
           clock: FakeClock) -> Pulses:
    return Pulses(content, community_store, repository, pseudonyms, clock=clock, rng=random.Random(3))


def click(question: Question | None, value: str) -> ParsedToken:
    """What an adapter hands back when a person presses the button carrying `value`."""
    assert question is not None
    parsed = parse_token(question.token(value))
    assert parsed is not None, "every community button carries a valid token"
    return parsed
