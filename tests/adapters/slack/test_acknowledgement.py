"""Clicks on the app's own controls are acknowledged as soon as the request is verified, before bolt's
authorization and the work: Slack's 3-second limit holds even when the installation lookup or the database is
slow. Everything else still goes through bolt first, and an unverified click still gets 401 and nothing else."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.adapter import EVENTS_PATH, SlackAdapter
from adapters.slack.server import BadBody, is_own_click, read_body
from bot.conversation import Conversation
from bot.webform import form_value
from tests.adapters.slack.conftest import SECRET, Slack, elements, install, oauth_adapter, text_of
from tests.fakes.slack_server import (
    BOT_TOKEN,
    CHANNEL_ID,
    USER_ID,
    FakeSlackApi,
    SlackRequests,
    block_actions,
    serve_app,
    slash_command,
)


async def scale_in_dm(slack: Slack) -> tuple[str, dict[str, Any]]:
    """A check-in started in the app's DM: the DM and the message holding the safety scale."""
    dm = slack.fake.dm_channel_for(USER_ID)
    await slack.command("checkin", channel_id=dm)
    [scale] = await slack.dm_messages(1)
    await slack.adapter.drain()
    return dm, scale


def hold_the_work(service: Conversation, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """A database that takes its time: every click's work waits until the returned event is set."""
    gate = asyncio.Event()
    act = service.handle

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await gate.wait()
        return await act(*args, **kwargs)

    monkeypatch.setattr(service, "handle", slow)
    return gate


async def test_a_click_is_acknowledged_while_its_work_waits(
        slack: Slack, service: Conversation, monkeypatch: pytest.MonkeyPatch) -> None:
    dm, scale = await scale_in_dm(slack)
    gate = hold_the_work(service, monkeypatch)
    assert await slack.click(elements(scale)[3], channel_id=dm, message=scale) == 200  # "4"
    assert len(slack.fake.messages_in(dm)) == 1, "acknowledged, not answered yet"
    gate.set()
    _, boundaries = await slack.dm_messages(2)
    assert elements(boundaries)[0]["type"] == "multi_static_select"
    await slack.adapter.drain()


async def test_a_click_is_acknowledged_while_the_installation_lookup_is_stuck(
        fake: FakeSlackApi, service: Conversation, raw_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """With OAuth, bolt looks the workspace's installation up (a database query) before any listener runs; a
    click does not wait for that any more. Commands still do (their answer may need it)."""
    adapter = await oauth_adapter(service, fake, raw_engine)
    store = adapter.app.installation_store
    assert store is not None
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        assert await install(http, url, fake, fake.workspace) == 200
        slack = Slack(fake, adapter, url, http, SlackRequests(SECRET))
        dm, scale = await scale_in_dm(slack)

        gate = asyncio.Event()
        find_bot = store.async_find_bot

        async def stuck(**kwargs: Any) -> Any:
            await gate.wait()
            return await find_bot(**kwargs)

        monkeypatch.setattr(store, "async_find_bot", stuck)
        assert await slack.click(elements(scale)[3], channel_id=dm, message=scale) == 200  # within 3 s
        assert len(fake.messages_in(dm)) == 1
        gate.set()
        _, boundaries = await slack.dm_messages(2)
        assert "boundar" in text_of(boundaries).lower()
        await adapter.drain()


async def test_a_forged_or_stale_click_gets_401_and_nothing_happens(slack: Slack) -> None:
    dm, scale = await scale_in_dm(slack)
    calls = len(slack.fake.calls)
    click = slack.signed.interactive(block_actions(str(elements(scale)[3]["action_id"]), value="4", channel_id=dm,
                                                   message=scale, response_url=slack.fake.response_url("x")))
    assert (await slack.post(slack.signed.forged(click)))[0] == 401
    assert (await slack.post(slack.signed.stale(click)))[0] == 401
    body, headers = click
    unsigned = {key: value for key, value in headers.items() if key != "X-Slack-Signature"}
    assert (await slack.post((body, unsigned)))[0] == 401
    assert (await slack.post((body, {**headers, "X-Slack-Request-Timestamp": "soon"})))[0] == 401
    await slack.adapter.drain()
    assert len(slack.fake.calls) == calls
    assert len(slack.fake.messages_in(dm)) == 1


async def test_a_click_on_a_control_the_app_never_made_is_left_to_bolt(slack: Slack) -> None:
    status, _ = await slack.post(slack.signed.interactive(block_actions("somebody-elses-button", value="1",
                                                                        channel_id=CHANNEL_ID)))
    assert status == 404  # bolt's answer for a request no listener takes, as before
    await slack.adapter.drain()
    assert [call.method for call in slack.fake.calls] == ["auth.test"]  # bolt's authorization, nothing else


async def test_a_failing_click_is_apologised_for_after_its_acknowledgement(
        slack: Slack, service: Conversation, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a broken database")

    monkeypatch.setattr(service, "handle", broken)
    forged = {"action_id": "ci:nosuchsession:safety:3", "value": "3"}
    assert await slack.click(forged, channel_id=CHANNEL_ID) == 200
    [(_, answer)] = await slack.fake.wait_for_responses()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == service.texts.get("error")
    await slack.adapter.drain()


async def test_drain_waits_for_acknowledged_clicks(
        slack: Slack, service: Conversation, monkeypatch: pytest.MonkeyPatch) -> None:
    dm, scale = await scale_in_dm(slack)
    gate = hold_the_work(service, monkeypatch)
    assert await slack.click(elements(scale)[3], channel_id=dm, message=scale) == 200
    with pytest.raises(TimeoutError):
        await slack.adapter.drain(within=0.2)  # (a bounded wait for something that must not happen)
    gate.set()
    await slack.adapter.drain()
    assert len(slack.fake.messages_in(dm)) == 2


async def test_many_clicks_at_once_are_all_acknowledged_and_all_applied(
        fake: FakeSlackApi, service: Conversation) -> None:
    """More clicks at once than are worked on at a time: every one is answered 200, and every one is applied."""
    adapter = SlackAdapter(service, signing_secret=SECRET, token=BOT_TOKEN, api_url=fake.api_url,
                           after_response_concurrency=2)
    people = [f"U0LOAD{n:03d}" for n in range(12)]
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        signed = SlackRequests(SECRET)

        async def post(body: bytes, headers: dict[str, str]) -> int:
            async with asyncio.timeout(3), http.post(url + EVENTS_PATH, data=body, headers=headers) as response:
                return response.status

        for person in people:
            command = signed.command(slash_command(text="checkin", user_id=person,
                                                   channel_id=fake.dm_channel_for(person)))
            assert await post(*command) == 200
        await adapter.drain()
        clicks = []
        for person in people:
            [scale] = fake.messages_in(fake.dm_channel_for(person))
            four = elements(scale)[3]
            clicks.append(signed.interactive(block_actions(four["action_id"], value="4", user_id=person,
                                                           channel_id=fake.dm_channel_for(person), message=scale)))
        statuses = await asyncio.gather(*(post(body, headers) for body, headers in clicks))
        assert statuses == [200] * len(people)
        await adapter.drain()
    for person in people:
        scale, boundaries = fake.messages_in(fake.dm_channel_for(person))
        assert elements(boundaries)[0]["type"] == "multi_static_select"
        assert scale["blocks"][-1]["elements"][0]["text"] == "✓ 4"


@pytest.mark.parametrize("value", ["plain", "a+b c", "100% sure & =ok", "ünïcödé ☃", "line\nbreak", "%", ""])
def test_form_values_decode_as_urllib_does(value: str) -> None:
    from urllib.parse import unquote_plus

    encoded = urlencode({"payload": value})[len("payload="):]
    assert form_value(encoded) == unquote_plus(encoded) == value


@pytest.mark.parametrize("encoded", ["%zz", "abc%", "%4", "%%41"])
def test_a_malformed_escape_is_not_decoded_here(encoded: str) -> None:
    assert form_value(encoded) is None  # such a request goes to bolt, which parses it its own way


def test_only_the_apps_own_clicks_are_answered_early() -> None:
    def body(payload: dict[str, Any]) -> str:
        return urlencode({"payload": json.dumps(payload)})

    def own(raw: str, content_type: str = "application/x-www-form-urlencoded") -> bool:
        parsed = read_body(raw, content_type)
        return not isinstance(parsed, BadBody) and is_own_click(parsed)

    assert own(body(block_actions("ci:abc:safety:4", value="4")))
    assert own(body(block_actions("bb:cmd:checkin", value="checkin")))
    assert own(body(block_actions("bb:form:schedule", value="schedule")))
    assert not own(body(block_actions("somebody-elses-button")))
    assert not own(body({"type": "view_submission", "view": {}}))
    assert not own(body({"type": "shortcut", "callback_id": "bb_checkin"}))
    assert not own(body(block_actions("ci:abc:safety:4")), "application/json")
    assert not own(body(block_actions("ci:abc:safety:4")) + "&extra=1")
    assert not own(urlencode(slash_command(text="checkin payload")))
    assert not own("payload=%7Bnot+json")


async def test_an_answered_clicks_work_waits_until_the_requests_coming_in_are_answered(
        slack: Slack, service: Conversation, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a burst, the work of the clicks answered first would take turns with the acknowledgements still to be
    sent. It waits until no request has been in progress for a moment (bot/acks_first.py)."""
    dm, scale = await scale_in_dm(slack)
    started = asyncio.Event()
    act = service.handle

    async def noted(*args: Any, **kwargs: Any) -> Any:
        started.set()
        return await act(*args, **kwargs)

    monkeypatch.setattr(service, "handle", noted)
    # Another request is still coming in: its headers are here, its body is not, so it is being answered.
    host, port = slack.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    body, headers = slack.signed.command(slash_command(text="help", response_url=slack.fake.response_url("slow")))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items() if name.lower() != "content-length")
    writer.write(f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode()
                 + body[:10])
    await writer.drain()
    try:
        assert await slack.click(elements(scale)[3], channel_id=dm, message=scale) == 200  # "4"
        for _ in range(20):
            await asyncio.sleep(0)
        assert not started.is_set(), "the click's work started while another request was still being answered"
        writer.write(body[10:])
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
    finally:
        writer.close()
    _, boundaries = await slack.dm_messages(2)  # then the click is worked on
    assert started.is_set()
    assert elements(boundaries)[0]["type"] == "multi_static_select"
    await slack.adapter.drain()
