"""What an outsider can send to the HTTP endpoint: bodies Slack never sends (signed or not), headers Slack never
sends, and a signed request replayed. None of it runs anything, none of it is a 500 or a traceback in the log."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from adapters.slack import server as slack_server
from bot.conversation import Conversation
from bot.replay import ReplayGuard
from tests.adapters.slack.conftest import Slack, elements, make_adapter
from tests.adapters.slack.test_acknowledgement import scale_in_dm
from tests.fakes.slack_server import APP_TOKEN, USER_ID, FakeSlackApi, block_actions, slash_command

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
GARBAGE = [
    (b"payload=not-json", FORM),
    (b"payload=%5B1%2C2%5D", FORM),  # a JSON array
    (b"payload=%7B%22type%22%3A%22block_act", FORM),  # truncated JSON
    (b"command=%2Fboundary&text=check&user_id", FORM),  # a truncated form
    (b"payload=%7B%7D&command=%2Fboundary", FORM),
    (b"[1, 2]", JSON),
    (b'"a string"', JSON),
    (b'{"type": "event_callback", "event"', JSON),
    (b"\xff\xfe\xfd", JSON),
    (b"hello", "text/plain"),
]


@pytest.mark.parametrize(("body", "content_type"), GARBAGE)
async def test_a_signed_body_slack_never_sends_gets_400_and_one_info_line(
        slack: Slack, body: bytes, content_type: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    status, _ = await slack.post(slack.signed._sign(body, content_type, None))
    await slack.adapter.drain()
    assert status == 400
    assert slack.fake.calls == []
    mine = [record for record in caplog.records if record.name == slack_server.__name__]
    assert [record.levelno for record in mine] == [logging.INFO]
    assert all(record.levelno < logging.WARNING and not record.exc_info for record in caplog.records)


@pytest.mark.parametrize(("header", "value"), [("X-Slack-Request-Timestamp", "17000000²"),
                                                ("X-Slack-Request-Timestamp", "١٧٠٠٠٠٠٠٠٠"),
                                                ("X-Slack-Request-Timestamp", " 1700000000"),
                                                ("X-Slack-Signature", "v0=é"),
                                                ("X-Slack-Signature", "v0=" + "ф" * 64)])
async def test_headers_slack_never_sends_get_401(slack: Slack, header: str, value: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    body, headers = slack.signed.command(slash_command(text="checkin", response_url=slack.fake.response_url("x")))
    async with slack.http.post(slack.url + "/slack/events", data=body,
                               headers={**headers, header: value}) as response:
        assert response.status == 401
    await slack.adapter.drain()
    assert slack.fake.calls == []
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING or record.exc_info]


async def test_nothing_is_parsed_before_the_signature_is_checked(slack: Slack, monkeypatch: pytest.MonkeyPatch) -> None:
    dm, scale = await scale_in_dm(slack)
    parsed: list[str] = []
    read_body = slack_server.read_body

    def recording(raw_body: str, content_type: str | None) -> Any:
        parsed.append(raw_body)
        return read_body(raw_body, content_type)

    monkeypatch.setattr(slack_server, "read_body", recording)
    click = slack.signed.interactive(block_actions(str(elements(scale)[3]["action_id"]), value="4", channel_id=dm,
                                                   message=scale, response_url=slack.fake.response_url("x")))
    assert (await slack.post(slack.signed.forged(click)))[0] == 401
    assert (await slack.post(slack.signed.stale(click)))[0] == 401
    assert parsed == []
    assert (await slack.post(click))[0] == 200
    assert len(parsed) == 1


async def test_a_replayed_slash_command_runs_once(slack: Slack) -> None:
    dm = slack.fake.dm_channel_for(USER_ID)
    request = slack.signed.command(slash_command(text="tip", channel_id=dm, response_url=slack.fake.response_url("c")))
    assert (await slack.post(request))[0] == 200
    await slack.adapter.drain()
    shown = len(slack.fake.messages_in(dm))
    assert shown >= 1
    assert (await slack.post(request))[0] == 200  # the same bytes again, within five minutes
    await slack.adapter.drain()
    assert len(slack.fake.messages_in(dm)) == shown


async def test_a_replayed_click_runs_once(slack: Slack) -> None:
    dm, scale = await scale_in_dm(slack)
    click = slack.signed.interactive(block_actions(str(elements(scale)[3]["action_id"]), value="4", channel_id=dm,
                                                   message=scale, response_url=slack.fake.response_url("x")))
    assert (await slack.post(click))[0] == 200
    await slack.adapter.drain()
    after_one = len(slack.fake.calls)
    assert (await slack.post(click))[0] == 200
    await slack.adapter.drain()
    assert len(slack.fake.calls) == after_one, "no second answer, no 'that check-in moved on'"


def test_the_replay_map_is_bounded_and_forgets_after_the_window() -> None:
    now = [1_000_000.0]
    guard = ReplayGuard(size=3, window=360, clock=lambda: now[0])
    for n in range(5):
        assert guard.first_time(f"v0={n}", int(now[0]))
    assert len(guard) == 3
    assert not guard.first_time("v0=4", int(now[0]))
    now[0] += 361
    assert guard.first_time("v0=9", int(now[0]))
    assert len(guard) == 1


async def test_socket_mode_starts_without_a_signing_secret(fake: FakeSlackApi, service: Conversation) -> None:
    adapter = make_adapter(service, fake, app_token=APP_TOKEN, signing_secret="")
    async with adapter.socket_mode():
        envelope = await fake.push_envelope("slash_commands", slash_command(
            text="help", response_url=fake.response_url("socket")))
        await fake.wait_for_ack(envelope)
        [(_, answer)] = await fake.wait_for_responses()
        await adapter.drain()
    assert answer["response_type"] == "ephemeral"
    assert "/boundary checkin" in answer["text"]
