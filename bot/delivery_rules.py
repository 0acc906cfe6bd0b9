"""Where an answer is shown, for adapters that answer in a shared channel: the replies that belong in the person's
DM go there and a private line here says so; when the DM is closed or does not open, the replies are shown
here, privately. How an answered question is marked once its controls are gone, what community commands
answer where there are no channels, and how replies are packed into as few messages as a platform allows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from bot.commands import COMMUNITY_COMMANDS
from bot.content.loader import Texts
from bot.conversation import Conversation
from bot.events import Command, Event
from bot.messages import Reply, Tone
from bot.ports import Capabilities
from bot.response import Place, Response, Where

T = TypeVar("T")
# Sends the replies to the person's DM: True when they went, False when the person's DMs are closed, None
# when the DM did not open in time.
ToDm = Callable[[Sequence[Reply]], Awaitable[bool | None]]


async def shown_here(response: Response, place: Place, capabilities: Capabilities, texts: Texts,
                     to_dm: ToDm) -> list[Reply]:
    """What is shown where the person acted, after the replies that belong in the DM went there. With DMs
    closed, the replies are shown here after a line saying why; a DM that did not open in time is not blamed
    on the person's settings."""
    replies = list(response.replies)
    if response.where(place, capabilities) is not Where.DM:
        return replies
    moved = await to_dm(replies)
    if moved:
        return [Reply(texts.get("moved_to_dm"))]
    if moved is False:
        return [Reply(texts.get("dm_closed")), *replies]
    return replies


def answered_line(texts: Texts, replies: Sequence[Reply], picked: Sequence[str]) -> str:
    """The line an answered question keeps in place of its controls ("✓ 4 · Mostly safe"): nothing when the
    click no longer counted (a stale click records nothing) or nothing was picked."""
    if not picked or any(reply.stale for reply in replies):
        return ""
    return texts.get("answered_mark", picked=", ".join(picked))


def under(content: str, line: str, limit: int) -> str:
    """`content` with `line` below it, within `limit` characters: a full message is shortened to make room,
    the line (at most half the limit) is kept whole."""
    line = f"\n{line}"[:limit // 2]
    if len(content) + len(line) > limit:
        content = content[:limit - len(line) - 1].rstrip() + "…"
    return content + line


async def without_channels(conversation: Conversation, event: Event) -> list[Reply] | None:
    """Circles, shares and pulses belong to a channel of people; where there is none (a terminal), their
    commands are answered so. The words are still read for danger first: a share that says something worrying
    is answered, not brushed off. None for any other event."""
    if not isinstance(event, Command) or event.name.strip().lower() not in COMMUNITY_COMMANDS:
        return None
    safety = await conversation.screen_only(event)
    return safety or [Reply(conversation.texts.get("community_elsewhere"), tone=Tone.INFO)]


def packed(parts: Sequence[T], join: Callable[[T, T], T | None]) -> list[T]:
    """The parts, in order, packed into as few messages as `join` allows (it gives two as one, or None when
    they must stay apart): each part joins the message before it or starts the next. Packing greedily in order
    gives the fewest messages when whatever keeps two parts apart also keeps apart any longer run holding both."""
    merged: list[T] = []
    for part in parts:
        joined = join(merged[-1], part) if merged else None
        if joined is None:
            merged.append(part)
        else:
            merged[-1] = joined
    return merged
