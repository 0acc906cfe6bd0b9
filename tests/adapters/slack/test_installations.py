"""Slack tokens at rest and the workspace's life cycle: tokens stored encrypted (through slack_sdk's own
installation store, wrapped), re-encrypted by rotate-keys, deleted at once when the app is uninstalled or a token
revoked, and installs limited to SLACK_ALLOWED_TEAMS. Real AsyncApp, real OAuth flow, the fake Slack."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.adapter import SlackAdapter
from adapters.slack.installations import EncryptedInstallationStore, rotate_tokens
from bot.conversation import Conversation
from bot.privacy.crypto import Cipher
from tests.adapters.slack.conftest import SECRET, install, oauth_adapter
from tests.fakes.slack_server import FakeSlackApi, FakeWorkspace, SlackRequests, event_callback, serve_app

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

OTHER = FakeWorkspace(team_id="T0OTHER01", team_name="Other", domain="other", bot_user_id="U0OTHBOT",
                      bot_id="B0OTHBOT")


def store_of(adapter: SlackAdapter) -> EncryptedInstallationStore:
    store = adapter.app.installation_store
    assert isinstance(store, EncryptedInstallationStore)
    return store


async def stored_tokens(engine: AsyncEngine, adapter: SlackAdapter) -> list[str]:
    inner = store_of(adapter).inner
    async with engine.connect() as db:
        return [value for table in (inner.installations, inner.bots)
                for value in await db.scalars(select(table.c.bot_token)) if value]


async def post(http: aiohttp.ClientSession, url: str, payload: dict[str, Any]) -> int:
    body, headers = SlackRequests(SECRET).event(payload)
    async with http.post(url + "/slack/events", data=body, headers=headers) as response:
        return response.status


async def test_tokens_are_stored_encrypted_and_still_work(fake: FakeSlackApi, service: Conversation,
                                                          raw_engine: AsyncEngine) -> None:
    adapter = await oauth_adapter(service, fake, raw_engine)
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        assert await install(http, url, fake, fake.workspace) == 200
    stored = await stored_tokens(raw_engine, adapter)
    assert len(stored) == 2, "the installation row and the bot row"
    assert not [token for token in stored if "xoxb" in token], "no token in clear"
    bot = await store_of(adapter).async_find_bot(enterprise_id=None, team_id=fake.workspace.team_id)
    assert bot is not None
    assert str(bot.bot_token).startswith("xoxb-")
    assert {call.token for call in fake.calls_to("auth.test")} == {bot.bot_token}


async def test_rotate_keys_reencrypts_the_tokens_and_encrypts_old_clear_ones(
        fake: FakeSlackApi, service: Conversation, raw_engine: AsyncEngine) -> None:
    old = Fernet.generate_key()
    adapter = await oauth_adapter(service, fake, raw_engine, cipher=Cipher([old]))
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        assert await install(http, url, fake, fake.workspace) == 200
    inner = store_of(adapter).inner
    async with raw_engine.begin() as db:  # a row an older version wrote in clear
        await db.execute(inner.bots.update().where(inner.bots.c.id == 1).values(bot_token="xoxb-old-clear-token"))
    new = Fernet.generate_key()

    changed = await rotate_tokens(raw_engine, Cipher([new, old]))

    assert changed == 2
    only_new = Cipher([new])
    for token in await stored_tokens(raw_engine, adapter):
        assert only_new.decrypt(token).startswith("xoxb-"), "readable with the newest key alone"


async def test_uninstalling_deletes_the_workspaces_tokens_at_once(fake: FakeSlackApi, service: Conversation,
                                                                  raw_engine: AsyncEngine) -> None:
    adapter = await oauth_adapter(service, fake, raw_engine)
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        assert await install(http, url, fake, fake.workspace) == 200
        assert await install(http, url, fake, OTHER) == 200
        assert await post(http, url, event_callback({"type": "app_uninstalled", "event_ts": "1700000000.1"},
                                                    event_id="Ev0UNINST1")) == 200
        await adapter.drain()
    store = store_of(adapter)
    assert await store.async_find_bot(enterprise_id=None, team_id=fake.workspace.team_id) is None
    assert await store.async_find_installation(enterprise_id=None, team_id=fake.workspace.team_id) is None
    assert await store.async_find_bot(enterprise_id=None, team_id=OTHER.team_id) is not None, "others stay"
    assert len(await stored_tokens(raw_engine, adapter)) == 2


async def test_a_revoked_bot_token_is_deleted(fake: FakeSlackApi, service: Conversation,
                                              raw_engine: AsyncEngine) -> None:
    adapter = await oauth_adapter(service, fake, raw_engine)
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        assert await install(http, url, fake, fake.workspace) == 200
        revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [fake.workspace.bot_user_id]},
                   "event_ts": "1700000000.2"}
        assert await post(http, url, event_callback(revoked, event_id="Ev0REVOKE1")) == 200
        await adapter.drain()
    assert await store_of(adapter).async_find_bot(enterprise_id=None, team_id=fake.workspace.team_id) is None
    assert await stored_tokens(raw_engine, adapter) == []


async def test_only_allowed_workspaces_can_install(fake: FakeSlackApi, service: Conversation,
                                                   raw_engine: AsyncEngine) -> None:
    adapter = await oauth_adapter(service, fake, raw_engine, allowed_teams=(fake.workspace.team_id,))
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        assert await install(http, url, fake, OTHER) != 200
        assert await install(http, url, fake, fake.workspace) == 200
    store = store_of(adapter)
    assert await store.async_find_bot(enterprise_id=None, team_id=OTHER.team_id) is None
    assert await store.async_find_bot(enterprise_id=None, team_id=fake.workspace.team_id) is not None
    assert len(await stored_tokens(raw_engine, adapter)) == 2, "nothing of the refused workspace is kept"
    [revoke] = fake.calls_to("auth.revoke")
    assert revoke.token in fake.revoked_tokens, "the token Slack issued for the refused install no longer works"
