"""One malformed gateway event must not end the bot.

discord.py parses every gateway event inside `Client.connect()`: a parser that raises (an INTERACTION_CREATE
without `data`, a user id that is not a number), or a frame that is not a JSON object, ends `connect()` and so
the process. Real Discord does not send such events; a broken proxy or a hostile gateway might. Here each
parser of the client's ConnectionState is wrapped so that an exception drops that one event, logged with its
type and the exception's type and place only (an event carries what people wrote), and each gateway
connection checks that a frame is a JSON object before discord.py reads it.

This reaches into discord.py internals (`ConnectionState.parsers`, `_update_references`, the socket's
decompressor), checked against discord.py 2.7; if they change, `guard_gateway` leaves the client as it is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import discord
import discord.utils

from bot.logsafe import describe_exception

log = logging.getLogger(__name__)

# READY sets up the whole session: a client that could not read it cannot work, so it still fails loudly
# (the process exits and is restarted) rather than staying connected and deaf.
UNGUARDED = frozenset({"READY"})
_GUARDED = "_boundary_bot_guarded"

Parser = Callable[[Any], None]
_from_json: Callable[[str], Any] = getattr(discord.utils, "_from_json", json.loads)


def guard_parsers(parsers: MutableMapping[str, Parser]) -> int:
    """Wrap every parser (but READY's) in place so that one that raises drops its event. Returns how many."""
    wrapped = 0
    for event, parse in list(parsers.items()):
        if event in UNGUARDED or getattr(parse, _GUARDED, False):
            continue
        parsers[event] = _guarded_parser(event, parse)
        wrapped += 1
    return wrapped


def _guarded_parser(event: str, parse: Parser) -> Parser:
    def parse_or_drop(data: Any) -> None:
        try:
            parse(data)
        except Exception as exc:
            log.warning("discord: dropped a malformed %s event: %s", event, describe_exception(exc))

    setattr(parse_or_drop, _GUARDED, True)
    return parse_or_drop


DISPATCH = 0  # the gateway opcode of an event


def readable_frame(text: str) -> bool:
    """Whether discord.py can read a gateway frame: a JSON object whose event type, if any, is a string, and
    whose data, for an event, is an object (discord.py indexes it before any parser runs for RESUMED)."""
    try:
        frame = _from_json(text)
    except ValueError:
        return False
    if not isinstance(frame, dict):
        return False
    event = frame.get("t")
    if event is not None and not isinstance(event, str):
        return False
    return frame.get("op") != DISPATCH or isinstance(frame.get("d"), dict)


def guard_frames(ws: discord.gateway.DiscordWebSocket) -> None:
    """Drop frames discord.py could not read on this connection (decompressing them here, once, as it would)."""
    received: Callable[[Any], Awaitable[None]] = ws.received_message
    decompressor = getattr(ws, "_decompressor", None)
    if decompressor is None or getattr(received, _GUARDED, False):
        return

    async def received_or_dropped(msg: Any, /) -> None:
        if type(msg) is bytes:
            msg = decompressor.decompress(msg)
            if msg is None:  # part of a frame: the rest comes with the next message
                return
        if not isinstance(msg, str) or not readable_frame(msg):
            log.warning("discord: dropped a gateway frame that is not a JSON event")
            return
        await received(msg)  # a str: discord.py reads it as it is, without decompressing it again

    setattr(received_or_dropped, _GUARDED, True)
    setattr(ws, "received_message", received_or_dropped)  # noqa: B010 - an instance attribute shadows the method


def guard_gateway(client: discord.Client) -> None:
    """Make `client` drop malformed events instead of ending: its parsers now, its connections as they open
    (the same for Client and AutoShardedClient: every shard shares the client's ConnectionState)."""
    state = client._connection
    parsers = getattr(state, "parsers", None)
    update = getattr(state, "_update_references", None)
    if not isinstance(parsers, dict) or update is None:
        log.warning("discord: this discord.py version is not guarded against malformed gateway events")
        return
    guard_parsers(parsers)
    if getattr(update, _GUARDED, False):
        return

    def update_and_guard(ws: discord.gateway.DiscordWebSocket) -> None:
        update(ws)
        guard_frames(ws)

    setattr(update_and_guard, _GUARDED, True)
    setattr(state, "_update_references", update_and_guard)  # noqa: B010 - an instance attribute shadows the method
