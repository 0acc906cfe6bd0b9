"""Scheduled prompts through the Slack adapter's `send` (the core's Transport port), OAuth installs into
several workspaces, Socket Mode, and the error boundary."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters import rate_limits
from adapters.slack.adapter import SlackAdapter
from adapters.slack.render import render_replies
from bot.conversation import Conversation
from bot.events import Command
from bot.messages import Address, Attachment, Image, Reply
from bot.ports import RateLimited, TemporaryFailure, Unreachable, request_cost
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from bot.storage.seen import DatabaseSeenEvents
from tests.adapters.slack.conftest import ME, SECRET, Slack, elements, install, make_adapter, oauth_adapter, text_of
from tests.conftest import FakeClock
from tests.fakes.slack_server import (
    APP_TOKEN,
    BOT_TOKEN,
    CHANNEL_ID,
    TEAM_ID,
    USER_ID,
    FakeSlackApi,
    FakeWorkspace,
    SlackRequests,
    app_home_opened,
    serve_app,
    slash_command,
)

SECOND = FakeWorkspace(team_id="T0SECOND1", team_name="Second", domain="second", bot_user_id="U0SECBOT",
                       bot_id="B0SECBOT")


def delivery(schedules: ScheduleStore, service: Conversation, adapter: SlackAdapter,
             clock: FakeClock) -> Dispatcher:
    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    return Dispatcher(schedules, service, {"slack": adapter},
                      pacer=Pacer(clock=lambda: clock.now.timestamp(), **rate_limits()),
                      clock=clock, sleep=fake_sleep)


async def prompt_due(fake: FakeSlackApi, service: Conversation, schedules: ScheduleStore,
                     clock: FakeClock) -> tuple[SlackAdapter, Dispatcher]:
    """The adapter, and a dispatcher with ME's daily 09:00 (Berlin) prompt due: the clock reads 09:00:30 there."""
    adapter = make_adapter(service, fake)
    await service.handle(Command(ME, "schedule", "daily 09:00 in Europe/Berlin"))
    clock.now = clock.now.replace(day=27, hour=8, minute=0, second=30)
    return adapter, delivery(schedules, service, adapter, clock)


async def test_a_scheduled_prompt_arrives_in_the_persons_dm(
        fake: FakeSlackApi, service: Conversation, schedules: ScheduleStore, clock: FakeClock) -> None:
    _, dispatcher = await prompt_due(fake, service, schedules, clock)

    stats = await dispatcher.tick()

    assert stats.sent == 1
    [opened] = fake.calls_to("conversations.open")
    assert (opened.args["users"], opened.token) == (USER_ID, BOT_TOKEN)
    messages = fake.messages_in(fake.dm_channel_for(USER_ID))
    assert messages
    assert all(call.token == BOT_TOKEN for call in fake.calls_to("chat.postMessage"))
    assert any(element["value"] == "3" for m in messages for element in elements(m))  # the scale to answer
    assert fake.messages_in(CHANNEL_ID) == []


async def test_a_rate_limit_is_honoured_and_the_prompt_goes_out_after_retry_after(
        fake: FakeSlackApi, service: Conversation, schedules: ScheduleStore, clock: FakeClock) -> None:
    _, dispatcher = await prompt_due(fake, service, schedules, clock)
    fake.fail_next("chat.postMessage", status=429, retry_after=7)

    first = await dispatcher.tick()
    assert (first.sent, first.retried) == (0, 1)
    assert len(fake.calls_to("chat.postMessage")) == 1  # mapped, not retried inside the SDK
    clock.advance(seconds=3)
    assert (await dispatcher.tick()).sent == 0  # Retry-After is not over yet
    clock.advance(seconds=5)
    assert (await dispatcher.tick()).sent == 1
    assert fake.messages_in(fake.dm_channel_for(USER_ID))


async def test_send_maps_slack_errors_for_the_dispatcher(fake: FakeSlackApi, service: Conversation) -> None:
    adapter = make_adapter(service, fake)
    fake.fail_next("chat.postMessage", status=429, retry_after=42)
    with pytest.raises(RateLimited) as limited:
        await adapter.send(ME, [Reply("A gentle prompt")])
    assert limited.value.retry_after == 42
    fake.fail_next("chat.postMessage", status=503)
    with pytest.raises(TemporaryFailure):
        await adapter.send(ME, [Reply("A gentle prompt")])
    fake.fail_next("conversations.open", "cannot_dm_bot")
    with pytest.raises(Unreachable):
        await adapter.send(Address("slack", "T0FAKE001", "U0SOMEONE"), [Reply("A gentle prompt")])
    fake.fail_next("chat.postMessage", "user_not_found")
    with pytest.raises(Unreachable):
        await adapter.send(ME, [Reply("A gentle prompt")])
    assert fake.messages == []
    await adapter.send(ME, [Reply("A gentle prompt")])
    assert [m["text"] for m in fake.messages] == ["A gentle prompt"]


async def test_a_remembered_dm_that_is_gone_is_opened_again(fake: FakeSlackApi, service: Conversation) -> None:
    adapter = make_adapter(service, fake)
    fake.fail_next("chat.postMessage", "channel_not_found")
    await adapter.send(Address("slack", "T0FAKE001", USER_ID, "D0OLDGONE"), [Reply("A gentle prompt")])
    assert [m["channel"] for m in fake.messages] == [fake.dm_channel_for(USER_ID)]


async def test_an_interactive_429_is_waited_out_by_the_sdk(slack: Slack) -> None:
    slack.fake.fail_next("chat.postMessage", status=429, retry_after=0)
    dm = slack.fake.dm_channel_for(USER_ID)
    await slack.command("help", channel_id=dm)
    first, second = await slack.fake.wait_for_calls("chat.postMessage", count=2, within=5)
    assert (first.status, second.status) == (429, 200)


async def test_a_failing_event_is_apologised_for_privately_and_not_logged(
        slack: Slack, service: Conversation, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def broken(event: object, actor: object = None) -> list[Reply]:
        raise RuntimeError("secret words a person typed")

    monkeypatch.setattr(service, "handle", broken)  # what the adapter calls
    await slack.command("history")
    [(_, answer)] = await slack.fake.wait_for_responses()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == service.texts.get("error")
    await slack.adapter.drain()
    assert "secret words" not in caplog.text
    assert "RuntimeError" in caplog.text


# ---------------------------------------------------------------- OAuth: several workspaces


async def test_oauth_installs_two_workspaces_each_with_its_own_token(
        fake: FakeSlackApi, service: Conversation, raw_engine: AsyncEngine) -> None:
    adapter = await oauth_adapter(service, fake, raw_engine)
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        assert await install(http, url, fake, fake.workspace) == 200
        assert await install(http, url, fake, SECOND) == 200
        assert [call.error for call in fake.calls_to("oauth.v2.access")] == [None, None]
        tokens = {c.token for c in fake.calls_to("auth.test")}
        assert len(tokens) == 2

        store = adapter.app.installation_store
        assert store is not None
        bots = [await store.async_find_bot(enterprise_id=None, team_id=team) for team in ("T0FAKE001", "T0SECOND1")]
        assert all(bot is not None and bot.bot_token for bot in bots)
        mine, theirs = (str(bot.bot_token) for bot in bots if bot is not None)
        assert mine != theirs

        # A command from the second workspace is answered with the second workspace's token.
        signed = SlackRequests(SECRET)
        command = slash_command(text="help", team_id="T0SECOND1", user_id="U0SECUSER",
                                response_url=fake.response_url("second"))
        async with http.post(url + "/slack/events", data=signed.command(command).body,
                             headers=signed.command(command).headers) as response:
            assert response.status == 200
        await fake.wait_for_responses()
        await adapter.drain()
        assert {c.token for c in fake.calls_to("views.publish")} == {theirs}

    # A scheduled prompt goes to the right workspace with that workspace's token.
    await adapter.send(Address("slack", "T0SECOND1", "U0SECUSER"), [Reply("A gentle prompt")])
    await adapter.send(Address("slack", "T0FAKE001", USER_ID), [Reply("Another prompt")])
    posts = {(c.args["channel"], c.token) for c in fake.calls_to("chat.postMessage")}
    assert posts == {(fake.dm_channel_for("U0SECUSER"), theirs), (fake.dm_channel_for(USER_ID), mine)}
    with pytest.raises(Unreachable):
        await adapter.send(Address("slack", "T0NOTHERE", USER_ID), [Reply("nobody installed me there")])


@pytest.mark.storage
async def test_retries_are_recognised_across_workers_through_the_database(
        fake: FakeSlackApi, service: Conversation, raw_engine: AsyncEngine) -> None:
    ledger = DatabaseSeenEvents(raw_engine)
    workers = [make_adapter(service, fake, seen_events=ledger) for _ in range(2)]
    signed = SlackRequests(SECRET)
    event = app_home_opened(USER_ID, event_id="Ev0SHARED1")
    async with serve_app(workers[0].web_app()) as first, serve_app(workers[1].web_app()) as second, \
            aiohttp.ClientSession() as http:
        for url, retry in ((first, None), (second, 1)):
            request = signed.event(event, retry_num=retry)
            async with http.post(url + "/slack/events", data=request.body, headers=request.headers) as response:
                assert response.status == 200
        for worker in workers:
            await worker.drain()
    assert len(fake.calls_to("views.publish")) == 1


async def test_an_event_is_still_handled_when_the_ledger_fails(
        fake: FakeSlackApi, service: Conversation, caplog: pytest.LogCaptureFixture) -> None:
    """As on Discord (bot.storage.seen.claimed): a person left without an answer is worse than a rare repeat."""
    class Broken:
        async def first_time(self, event_id: str) -> bool:
            raise ConnectionError("the database is away")

    adapter = make_adapter(service, fake, seen_events=Broken())
    request = SlackRequests(SECRET).event(app_home_opened(USER_ID, event_id="Ev0BROKEN1"))
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        async with http.post(url + "/slack/events", data=request.body, headers=request.headers) as response:
            assert response.status == 200
        await adapter.drain()
    assert len(fake.calls_to("views.publish")) == 1
    assert "the seen-events ledger failed" in caplog.text


# ---------------------------------------------------------------- Socket Mode


async def test_socket_mode_dispatches_a_slash_command(fake: FakeSlackApi, service: Conversation) -> None:
    adapter = make_adapter(service, fake, app_token=APP_TOKEN)
    async with adapter.socket_mode():
        envelope = await fake.push_envelope("slash_commands", slash_command(
            text="checkin", response_url=fake.response_url("socket")))
        ack = await fake.wait_for_ack(envelope)
        assert ack.latency < 3
        assert ack.payload is None  # an empty ack: nothing shows in the channel
        [(_, notice)] = await fake.wait_for_responses()
        assert notice["response_type"] == "ephemeral"
        await adapter.drain()
    [message] = [m for m in fake.messages_in(fake.dm_channel_for(USER_ID)) if elements(m)]
    assert [e["value"] for e in elements(message)][:5] == ["1", "2", "3", "4", "5"]
    [connect] = fake.calls_to("apps.connections.open")
    assert connect.token == APP_TOKEN


async def test_socket_mode_home_and_dedupe(fake: FakeSlackApi, service: Conversation,
                                           repository: Repository) -> None:
    adapter = make_adapter(service, fake, app_token=APP_TOKEN)
    async with adapter.socket_mode():
        first = await fake.push_envelope("events_api", app_home_opened(USER_ID, event_id="Ev0SOCK01"))
        await fake.wait_for_ack(first)
        await fake.wait_for_calls("views.publish")
        again = await fake.push_envelope("events_api", app_home_opened(USER_ID, event_id="Ev0SOCK01"),
                                         retry_attempt=1, retry_reason="timeout")
        await fake.wait_for_ack(again)
        await adapter.drain()
    assert len(fake.calls_to("views.publish")) == 1
    assert await repository.identity_id(ME) > 0


# ---------------------------------------------------------------- one message per prompt, and what a send costs


def prompt_messages(fake: FakeSlackApi, service: Conversation) -> list[dict[str, Any]]:
    greeting = service.texts.get("prompt_greeting")
    return [m for m in fake.messages_in(fake.dm_channel_for(USER_ID)) if greeting in text_of(m)]


async def test_a_scheduled_prompt_is_one_message_with_its_greeting_question_and_snooze(
        fake: FakeSlackApi, service: Conversation, schedules: ScheduleStore, clock: FakeClock) -> None:
    _, dispatcher = await prompt_due(fake, service, schedules, clock)

    assert (await dispatcher.tick()).sent == 1

    [message] = fake.messages_in(fake.dm_channel_for(USER_ID))  # greeting, first question and snooze together
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert service.texts.get("prompt_greeting") in text_of(message)
    assert service.texts.get("prompt_snooze") in text_of(message)
    values = [element.get("value") for element in elements(message)]
    assert "3" in values  # the scale to answer
    assert len(message["blocks"]) <= 50


async def test_a_5xx_then_a_retry_leaves_exactly_one_prompt(
        fake: FakeSlackApi, service: Conversation, schedules: ScheduleStore, clock: FakeClock) -> None:
    _, dispatcher = await prompt_due(fake, service, schedules, clock)
    fake.fail_next("chat.postMessage", status=503)

    first = await dispatcher.tick()
    assert (first.sent, first.retried) == (0, 1)
    clock.advance(seconds=10)  # past the retry's backoff
    assert (await dispatcher.tick()).sent == 1

    assert [call.status for call in fake.calls_to("chat.postMessage")] == [503, 200]
    assert len(prompt_messages(fake, service)) == 1  # no second greeting
    assert len(fake.messages_in(fake.dm_channel_for(USER_ID))) == 1


async def test_request_cost_counts_the_web_api_calls_a_send_makes(fake: FakeSlackApi, service: Conversation) -> None:
    adapter = make_adapter(service, fake)
    someone = Address("slack", TEAM_ID, "U0SOMEONE")
    chart = Reply("", image=Image(b"\x89PNG\r\n\x1a\nfake", "A chart of nothing", "history.png"))
    export = Reply("Your data", files=(Attachment("export.json", b"{}", "application/json"),))
    cases: list[tuple[Address, list[Reply]]] = [
        (someone, [Reply("A gentle prompt")]),  # the DM to open first, then one message
        (someone, [Reply("one"), Reply("two"), Reply("three")]),  # three replies fit in one message
        (someone, [Reply("Your history", title="History"), chart]),  # a message and an upload
        (someone, [export]),
        (Address("slack", TEAM_ID, "U0SOMEONE", "D0KNOWN01"), [Reply("A gentle prompt")]),  # the DM is known
    ]
    for address, replies in cases:
        before = len(fake.calls)
        predicted = adapter.request_cost(address, replies)
        assert request_cost(adapter, address, replies) == predicted  # what the core's pacer charges
        await adapter.send(address, replies)
        sent = [call for call in fake.calls[before:] if call.method != "upload"]  # the bytes: not a Web API call
        assert predicted == len(sent), (replies, [call.method for call in sent])

    long_reply = Reply("\n\n".join(f"Paragraph {n}. " + "x" * 2900 for n in range(60)))  # more than 50 blocks
    assert adapter.request_cost(someone, [long_reply]) == len(render_replies([long_reply], service.texts)) > 1


# ---------------------------------------------------------------- one client per workspace


async def test_scheduled_prompts_reuse_the_workspace_client_and_a_reinstall_works(
        fake: FakeSlackApi, service: Conversation, raw_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    adapter = await oauth_adapter(service, fake, raw_engine)
    store = adapter.app.installation_store
    assert store is not None
    lookups: list[str | None] = []
    find_bot = store.async_find_bot

    async def counted(**kwargs: Any) -> Any:
        lookups.append(kwargs.get("team_id"))
        return await find_bot(**kwargs)

    monkeypatch.setattr(store, "async_find_bot", counted)
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        assert await install(http, url, fake, fake.workspace) == 200
        for n in range(3):
            await adapter.send(ME, [Reply(f"Prompt {n}")])
        assert lookups == ["T0FAKE001"]  # looked up once, then kept
        [first_token] = {call.token for call in fake.calls_to("chat.postMessage")}

        # The app is removed and installed again: the old token is revoked, the new one is in the store.
        fake.revoked_tokens.add(str(first_token))
        assert await install(http, url, fake, fake.workspace) == 200
        await adapter.send(ME, [Reply("After the reinstall")])

    posted = fake.calls_to("chat.postMessage")
    assert [call.error for call in posted[-2:]] == ["token_revoked", None]
    assert posted[-1].token not in (None, first_token)
    assert [m["text"] for m in fake.messages_in(fake.dm_channel_for(USER_ID))][-1] == "After the reinstall"
    assert [m["text"] for m in fake.messages].count("After the reinstall") == 1
    await adapter.send(ME, [Reply("And the next one")])
    assert len(lookups) == 2  # the new client is kept too
    assert fake.calls_to("chat.postMessage")[-1].token == posted[-1].token


async def test_a_revoked_token_without_a_reinstall_is_unreachable_and_looked_up_next_time(
        fake: FakeSlackApi, service: Conversation) -> None:
    adapter = make_adapter(service, fake)
    await adapter.send(ME, [Reply("A gentle prompt")])
    fake.revoked_tokens.add(BOT_TOKEN)
    with pytest.raises(Unreachable):
        await adapter.send(ME, [Reply("Not delivered")])
    fake.revoked_tokens.clear()  # (a token Slack takes again: the adapter never gave up on the workspace)
    await adapter.send(ME, [Reply("Delivered")])
    assert [m["text"] for m in fake.messages] == ["A gentle prompt", "Delivered"]
