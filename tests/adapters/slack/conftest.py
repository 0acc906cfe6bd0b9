"""The Slack adapter as Slack drives it: the real AsyncApp served over HTTP on 127.0.0.1, correctly signed
requests in, and a local fake Slack Web API (tests/fakes/slack_server.py) recording what came out."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.adapter import EVENTS_PATH, SlackAdapter, database_oauth_settings
from adapters.slack.manifest import bot_scopes
from bot.conversation import Conversation
from bot.messages import Address
from bot.privacy.crypto import Cipher
from tests.fakes.slack_server import (
    BOT_TOKEN,
    CHANNEL_ID,
    TEAM_ID,
    USER_ID,
    FakeSlackApi,
    FakeWorkspace,
    SlackRequests,
    block_actions,
    serve_app,
    slash_command,
    view_submission,
)

SECRET = "test-signing-secret"
ME = Address("slack", TEAM_ID, USER_ID)


@pytest.fixture(autouse=True)
def _no_slack_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapter must not depend on the caller's SLACK_* variables (bolt reads some on its own)."""
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET",
                 "SLACK_APP_TOKEN", "SLACK_REDIRECT_URI", "SLACK_SCOPES", "SLACK_USER_SCOPES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as server:
        yield server


def make_adapter(service: Conversation, fake: FakeSlackApi, **options: Any) -> SlackAdapter:
    options.setdefault("token", BOT_TOKEN)
    options.setdefault("signing_secret", SECRET)
    return SlackAdapter(service, api_url=fake.api_url, **options)


@dataclass
class Slack:
    """A person using the app: sends what Slack would send, signed, and reads what the fake received."""

    fake: FakeSlackApi
    adapter: SlackAdapter
    url: str
    http: aiohttp.ClientSession
    signed: SlackRequests

    async def post(self, request: tuple[bytes, Mapping[str, str]]) -> tuple[int, str]:
        body, headers = request
        async with asyncio.timeout(3), self.http.post(self.url + EVENTS_PATH, data=body,
                                                      headers=dict(headers)) as response:
            return response.status, await response.text()

    async def command(self, text: str = "", *, channel_id: str = CHANNEL_ID, key: str = "cmd",
                      **fields: Any) -> int:
        payload = slash_command(text=text, channel_id=channel_id, response_url=self.fake.response_url(key), **fields)
        status, _ = await self.post(self.signed.command(payload))
        return status

    async def click(self, element: Mapping[str, Any], *, channel_id: str, key: str = "act",
                    trigger_id: str = "trigger-1", **fields: Any) -> int:
        """Click a button (or pick from a select with `selected_option(s)=`) in a message."""
        payload = block_actions(str(element["action_id"]), value=element.get("value"), channel_id=channel_id,
                                response_url=self.fake.response_url(key), trigger_id=trigger_id, **fields)
        status, _ = await self.post(self.signed.interactive(payload))
        return status

    async def submit(self, view: Mapping[str, Any], values: dict[str, dict[str, dict[str, Any]]]) -> int:
        payload = view_submission(str(view["callback_id"]), values,
                                  private_metadata=str(view.get("private_metadata") or ""))
        status, _ = await self.post(self.signed.interactive(payload))
        return status

    async def dm_messages(self, count: int) -> list[dict[str, Any]]:
        """Wait until the person's DM holds `count` messages from the app; return them all."""
        dm = self.fake.dm_channel_for(USER_ID)
        await self.fake._wait(lambda: len(self.fake.messages_in(dm)) >= count, 3.0)
        return self.fake.messages_in(dm)


@pytest.fixture
async def slack(fake: FakeSlackApi, service: Conversation) -> AsyncIterator[Slack]:
    adapter = make_adapter(service, fake)
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        yield Slack(fake, adapter, url, http, SlackRequests(SECRET))
        await adapter.drain()  # work acknowledged but unfinished must not outlive the database
        await adapter.dm_cleanups_done()


def elements(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every interactive element of a message or view, in order."""
    return [element for block in message.get("blocks") or [] if block.get("type") == "actions"
            for element in block["elements"]]


def text_of(message: Mapping[str, Any]) -> str:
    """What a person reads: every text in the blocks."""
    parts: list[str] = []
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements") or []:
            if element.get("type") in ("mrkdwn", "plain_text"):
                parts.append(element["text"])
    return "\n".join(parts)


# ---------------------------------------------------------------- OAuth installs into several workspaces


async def oauth_adapter(service: Conversation, fake: FakeSlackApi, engine: AsyncEngine,
                        allowed_teams: tuple[str, ...] = (), cipher: Cipher | None = None) -> SlackAdapter:
    settings = await database_oauth_settings(engine, fake.client_id, fake.client_secret,
                                             cipher=cipher or Cipher([Fernet.generate_key()]),
                                             redirect_uri="https://bot.example/slack/oauth_redirect",
                                             allowed_teams=allowed_teams, api_url=fake.api_url)
    return make_adapter(service, fake, token="", oauth_settings=settings)


async def install(http: aiohttp.ClientSession, url: str, fake: FakeSlackApi, workspace: FakeWorkspace) -> int:
    """What a workspace admin does: open /slack/install, approve on Slack, come back to the redirect."""
    async with http.get(url + "/slack/install", allow_redirects=False) as page:
        body = await page.text()
        cookie = page.headers["Set-Cookie"].split(";")[0]
    authorize = re.search(r'<a href="([^"]+)"', body)
    assert authorize is not None
    link = html.unescape(authorize.group(1))
    assert link.startswith("https://slack.com/oauth/v2/authorize?")
    assert parse_qs(urlparse(link).query)["scope"] == [",".join(bot_scopes())]
    state = parse_qs(urlparse(link).query)["state"][0]
    code = fake.issue_oauth_code(workspace)
    async with http.get(url + "/slack/oauth_redirect", params={"code": code, "state": state},
                        headers={"Cookie": cookie}, allow_redirects=False) as done:
        return done.status
