"""The gateway guard on its own: which frames discord.py could read, and parsers that drop what they cannot."""

from __future__ import annotations

import logging
from typing import Any

import discord
import pytest

from adapters.discord.gateway_guard import guard_gateway, guard_parsers, readable_frame


@pytest.mark.parametrize(("frame", "readable"), [
    ('{"op": 11, "d": null}', True),
    ('{"op": 0, "t": "INTERACTION_CREATE", "s": 3, "d": {"id": "1"}}', True),
    ('{"op": 10, "d": {"heartbeat_interval": 41250}}', True),
    ("not json at all", False),
    ("", False),
    ("[1, 2]", False),
    ('"a string"', False),
    ('{"op": 0, "t": ["READY"], "d": {}}', False),
    ('{"op": 0, "t": "RESUMED", "d": null}', False),
    ('{"op": 0, "t": "MESSAGE_CREATE", "d": "x"}', False),
])
def test_only_frames_discord_py_can_read_get_through(frame: str, readable: bool) -> None:
    assert readable_frame(frame) is readable


def test_a_parser_that_raises_drops_its_event_and_logs_its_type_only(caplog: pytest.LogCaptureFixture) -> None:
    parsed: list[Any] = []

    def parse_interaction_create(data: Any) -> None:
        parsed.append(data)
        raise KeyError(data["secret"])

    def parse_ready(data: Any) -> None:
        raise KeyError("session_id")

    parsers = {"INTERACTION_CREATE": parse_interaction_create, "READY": parse_ready}
    assert guard_parsers(parsers) == 1
    assert guard_parsers(parsers) == 0  # already guarded: not wrapped twice
    with caplog.at_level(logging.WARNING):
        parsers["INTERACTION_CREATE"]({"secret": "what a person wrote"})
    assert len(parsed) == 1
    [record] = caplog.records
    assert "dropped a malformed INTERACTION_CREATE event" in record.getMessage()
    assert "what a person wrote" not in caplog.text
    with pytest.raises(KeyError):  # a client that cannot read READY cannot work: that still fails loudly
        parsers["READY"]({})


@pytest.mark.parametrize("sharded", [False, True])
async def test_both_kinds_of_client_are_guarded(sharded: bool) -> None:
    intents = discord.Intents.default()
    client = discord.AutoShardedClient(intents=intents) if sharded else discord.Client(intents=intents)
    async with client:  # set up and closed as DiscordAdapter.run does, without connecting
        guard_gateway(client)
        parsers = client._connection.parsers
        assert getattr(parsers["INTERACTION_CREATE"], "_boundary_bot_guarded", False)
        assert getattr(parsers["MESSAGE_CREATE"], "_boundary_bot_guarded", False)
        assert not getattr(parsers["READY"], "_boundary_bot_guarded", False)
        assert getattr(client._connection._update_references, "_boundary_bot_guarded", False)
